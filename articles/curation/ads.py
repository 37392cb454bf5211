"""Ads: their rules and the services that write them, each change with an AdLog row.

Moderators run ads the way they run placements: the ad admin (articles.admin.ads) and the Hugo
import call these services, which check the role, the rules below and write the audit log
(field -> [old, new]). What readers see is read in articles.reading.ads.

Images reach the services through the image intake (articles.media.images.clean_image: the ad
admin's form re-encodes an upload as the article form does its featured image, the Hugo import
through its media intake); the services check again that each new file is an image whose size
can be read, so a crafted caller cannot store something else.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.images import get_image_dimensions
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.curation import rules
from articles.editorial import permissions
from articles.models import Ad, AdLog, AdSpot

# What a moderator sets on an ad (created_by, source_path and the image sizes are not theirs).
FIELDS = (
    "spot",
    "title",
    "image",
    "phone_image",
    "alt",
    "link",
    "pages",
    "position",
    "enabled",
    "starts_at",
    "ends_at",
)
IMAGE_FIELDS = ("image", "phone_image")
_link_validator = URLValidator(schemes=["http", "https"])


def can_moderate_ads(user):
    return user.has_perm("articles.moderate_ad")


def _require(by, message):
    """by=None is a write by the system (the Hugo import, a command), logged without a user."""
    if by is not None:
        permissions.require(can_moderate_ads(by), message)


# --- rules ---------------------------------------------------------------------------------


def check_link(link):
    """An ad links to an http(s) page: no javascript:, data:, mailto: or relative links."""
    message = _("链接必须是以 http:// 或 https:// 开头的完整网址。")
    if not isinstance(link, str) or not link.strip():
        raise ValidationError({"link": ValidationError(_("请填写广告链接。"), code="required")})
    try:
        _link_validator(link.strip())
    except ValidationError as error:
        raise ValidationError({"link": ValidationError(message, code="bad_link")}) from error


def check_image(file, *, field="image"):
    """A new file is an image whose width and height can be read (an unreadable file, a text
    file named .jpg, is refused)."""
    if not file:
        if field == "image":
            raise ValidationError({field: ValidationError(_("请上传广告图片。"), code="required")})
        return
    if isinstance(file, FieldFile) and file._committed:
        return  # already stored: it was checked when it came in
    try:
        width, height = get_image_dimensions(file)
    except (OSError, ValueError, TypeError):
        width = height = None
    if not width or not height:
        raise ValidationError(
            {field: ValidationError(_("这不是一个可以读取的图片文件。"), code="bad_image")}
        )


def check_ad(values):
    """Every rule for an ad with these values (a dict of FIELDS)."""
    errors = {}
    for check in (
        lambda: rules.check_window(
            starts_at=values.get("starts_at"), ends_at=values.get("ends_at")
        ),
        lambda: check_link(values.get("link")),
        lambda: check_image(values.get("image"), field="image"),
        lambda: check_image(values.get("phone_image"), field="phone_image"),
    ):
        try:
            check()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if not (values.get("title") or "").strip():
        errors.setdefault("title", []).append(_("请填写广告名称。"))
    if errors:
        raise ValidationError(errors)


# --- the audit log -------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, AdSpot):
        return value.key
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def _log(*, action, by, ad=None, title="", changes=None):
    return AdLog.objects.create(
        action=action,
        user=by,
        ad=ad,
        ad_title=(title or (ad.title if ad else ""))[:200],
        changes=changes or {},
    )


def _values(ad):
    return {name: getattr(ad, name) for name in FIELDS}


def _snapshot(ad):
    return {name: _jsonable(getattr(ad, name)) for name in FIELDS}


# --- services ------------------------------------------------------------------------------


def _validated(ad):
    check_ad(_values(ad))
    ad.full_clean(exclude=["image", "phone_image"])  # lengths, choices and the window constraint


@transaction.atomic
def add_ad(
    *,
    by,
    spot,
    title,
    image,
    link,
    phone_image=None,
    alt="",
    pages=Ad.Pages.ALL,
    position=None,
    enabled=True,
    starts_at=None,
    ends_at=None,
    source_path="",
):
    """A new ad in `spot`; without a position it goes after the spot's others."""
    _require(by, _("只有审核人员可以新增广告。"))
    if position is None:
        last = Ad.objects.filter(spot=spot).aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    ad = Ad(
        spot=spot,
        title=(title or "").strip(),
        image=image,
        phone_image=phone_image or "",
        alt=(alt or "").strip(),
        link=(link or "").strip(),
        pages=pages,
        position=position,
        enabled=enabled,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=by,
        source_path=source_path,
    )
    _validated(ad)
    ad.save()
    _log(
        action=AdLog.Action.ADDED,
        by=by,
        ad=ad,
        changes={
            name: [None, value] for name, value in _snapshot(ad).items() if value not in (None, "")
        },
    )
    return ad


@transaction.atomic
def change_ad(*, ad, by, action=AdLog.Action.CHANGED, **fields):
    """Set the given FIELDS of `ad`; records each changed field as [old, new]. Unchanged: no
    write and no log row."""
    _require(by, _("只有审核人员可以修改广告。"))
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"change_ad() got fields it does not set: {sorted(unknown)}")
    current = Ad.objects.select_for_update().select_related("spot").get(pk=ad.pk)
    before = _snapshot(current)
    for name, value in fields.items():
        if name in ("title", "alt", "link") and isinstance(value, str):
            value = value.strip()
        if name == "phone_image" and not value:
            value = ""
        setattr(current, name, value)
    changed = [name for name in fields if _differs(before[name], getattr(current, name))]
    if not changed:
        return current
    _validated(current)
    current.save()
    after = _snapshot(current)
    _log(
        action=action,
        by=by,
        ad=current,
        changes={name: [before[name], after[name]] for name in changed},
    )
    return current


def _differs(old, new):
    if isinstance(new, FieldFile) and not new._committed:
        return True  # a new upload, even under an old file's name
    return old != _jsonable(new)


def switch_ad(*, ad, by, enabled):
    """Put an ad on or off (the list's actions)."""
    return change_ad(ad=ad, by=by, action=AdLog.Action.SWITCHED, enabled=bool(enabled))


@transaction.atomic
def delete_ad(*, ad, by):
    _require(by, _("只有审核人员可以删除广告。"))
    ad = Ad.objects.select_for_update().select_related("spot").get(pk=ad.pk)
    _log(
        action=AdLog.Action.REMOVED,
        by=by,
        ad=None,
        title=ad.title,
        changes={
            name: [value, None] for name, value in _snapshot(ad).items() if value not in (None, "")
        },
    )
    ad.delete()


SPOT_FIELDS = ("name", "description", "position", "enabled")


@transaction.atomic
def change_spot(*, spot, by, action=AdLog.Action.CHANGED, **fields):
    """Set the given SPOT_FIELDS of `spot` (its key stays: templates and the import name it);
    logged like an ad's change, under the spot's name."""
    _require(by, _("只有审核人员可以修改广告位。"))
    unknown = set(fields) - set(SPOT_FIELDS)
    if unknown:
        raise TypeError(f"change_spot() got fields it does not set: {sorted(unknown)}")
    current = AdSpot.objects.select_for_update().get(pk=spot.pk)
    changes = {
        name: [getattr(current, name), value]
        for name, value in fields.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save(update_fields=list(changes))
    _log(
        action=action,
        by=by,
        title=_("广告位：%(name)s") % {"name": current.name},
        changes=changes,
    )
    return current


def switch_spot(*, spot, by, enabled):
    """Switch a whole spot on or off: its ads stay as they are, shown again when it is on."""
    return change_spot(spot=spot, by=by, action=AdLog.Action.SWITCHED, enabled=bool(enabled))
