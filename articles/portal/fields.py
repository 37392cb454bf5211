"""Typed fields per section: what a value of each kind may be, the presets of the old site's
sections, and reading a section's fields once per content generation.

A field is a row (`SectionField`); an article keeps its values in `Article.fields`, keyed by the
field's key. Every value goes through `coerce_value()` on the way in (the admin form, the Hugo
import) and again on the way out (`values_for()`), so a reader never sees, say, a `javascript:`
link, whatever wrote the row.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from articles.models import SectionField
from articles.pagecache.keep import GenerationMemo

Kind = SectionField.Kind
Display = SectionField.Display

MAX_URL_CHARS = 500
MAX_TEXT_CHARS = 2000
MAX_WORDS = 100
MAX_WORD_CHARS = 100
MAX_NUMBER_CHARS = 40
# Beyond this a number is a typo (or an attack on sorting), not a score or a price.
MAX_NUMBER = 10**15

_TRUE = {"true", "yes", "y", "on", "1", "是"}
_FALSE = {"false", "no", "n", "off", "0", "否"}
_WORD_SEPARATORS = re.compile(r"[,，、;；\n]")
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]")
_url_validator = URLValidator(schemes=["http", "https"])


def _shown(value, limit=80):
    """A bad value quoted back in an error message, cut short."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _fail(field, problem, **params):
    label = getattr(field, "display_label", None) or getattr(field, "label", "") or field.key
    raise ValidationError(
        _("栏目字段“%(label)s”（%(key)s）：%(problem)s"),
        code="invalid_field_value",
        params={
            "label": label,
            "key": field.key,
            "problem": problem % params if params else problem,
        },
    )


def _is_empty(raw):
    return raw is None or (isinstance(raw, str | list | tuple) and not raw) or raw == ""


def _scalar(field, raw):
    """A single value: front matter often wraps one in a list (`play_to_earn: ["No"]`)."""
    if isinstance(raw, list | tuple):
        items = [item for item in raw if not _is_empty(item)]
        if len(items) > 1:
            _fail(field, _("只能填一个值，这里有 %(count)d 个。"), count=len(items))
        raw = items[0] if items else None
    if isinstance(raw, dict):
        _fail(field, _("不能是一组键值，只能是一个值。"))
    return raw


def _url(field, raw):
    if not isinstance(raw, str):
        _fail(field, _("网址必须是文字，例如 https://example.com/。"))
    value = raw.strip()
    if not value:
        return None
    if len(value) > MAX_URL_CHARS:
        _fail(field, _("网址太长：最多 %(limit)d 个字符。"), limit=MAX_URL_CHARS)
    if _CONTROL_OR_SPACE.search(value):
        _fail(field, _("网址中不能有空格或控制字符。"))
    try:
        _url_validator(value)
    except ValidationError:
        _fail(
            field,
            _("只接受以 http:// 或 https:// 开头的完整网址，这里是“%(value)s”。"),
            value=_shown(value),
        )
    return value


def _text(field, raw):
    if isinstance(raw, bool):
        raw = "true" if raw else "false"
    elif isinstance(raw, int | float):
        raw = str(raw)
    if not isinstance(raw, str):
        _fail(field, _("必须是文字。"))
    value = raw.strip()
    if len(value) > MAX_TEXT_CHARS:
        _fail(field, _("文字太长：最多 %(limit)d 个字。"), limit=MAX_TEXT_CHARS)
    return value or None


def _number(field, raw):
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        _fail(field, _("必须是数字，例如 7 或 7.5。"))
    text = str(raw).strip()
    if not text:
        return None
    if len(text) > MAX_NUMBER_CHARS:
        _fail(field, _("不是有效的数字：“%(value)s”。"), value=_shown(text, MAX_NUMBER_CHARS))
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        _fail(field, _("不是有效的数字：“%(value)s”。"), value=_shown(text))
    if abs(number) >= MAX_NUMBER:
        _fail(field, _("数字太大：“%(value)s”。"), value=_shown(text))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _yesno(field, raw):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.strip().lower()
        if not word:
            return None
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    _fail(
        field,
        _("只能是“是”或“否”（yes/no、true/false、1/0），这里是“%(value)s”。"),
        value=_shown(raw),
    )


def _words(field, raw):
    if isinstance(raw, str):
        items = _WORD_SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple):
        items = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        items = [str(raw)]
    else:
        _fail(field, _("必须是词语列表，或用逗号、顿号分隔的文字。"))
    words = []
    for item in items:
        if isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str):
            _fail(field, _("列表里只能是词语，不能是“%(value)s”。"), value=_shown(item))
        word = item.strip()
        if len(word) > MAX_WORD_CHARS:
            _fail(field, _("词语太长：最多 %(limit)d 个字。"), limit=MAX_WORD_CHARS)
        if word and word not in words:
            words.append(word)
    if len(words) > MAX_WORDS:
        _fail(field, _("词语太多：最多 %(limit)d 个。"), limit=MAX_WORDS)
    return words or None


_COERCE = {
    Kind.URL: _url,
    Kind.TEXT: _text,
    Kind.NUMBER: _number,
    Kind.YESNO: _yesno,
    Kind.WORDS: _words,
}


def coerce_value(field, raw):
    """The typed value of `raw` for `field` (a SectionField), or None when it is not set.

    url: an http(s) URL (str); text: str; number: int when whole, else float; yesno: bool;
    words: list of str. Raises ValidationError naming the field when `raw` is not one."""
    if _is_empty(raw):
        return None
    coerce = _COERCE.get(field.kind)
    if coerce is None:
        _fail(field, _("未知的字段类型“%(kind)s”。"), kind=field.kind)
    if field.kind != Kind.WORDS:
        raw = _scalar(field, raw)
        if _is_empty(raw):
            return None
    return coerce(field, raw)


def front_matter_value(field, value):
    """`value` as a Hugo front matter would hold it (the old site wrote yes/no as "Yes"/"No")."""
    if value is None:
        return None
    if field.kind == Kind.YESNO:
        return "Yes" if value else "No"
    if field.kind == Kind.WORDS:
        return list(value)
    return value


def stored_values(article):
    """`article.fields` as a dict (a value written around the admin and the import may be
    anything JSON holds)."""
    return article.fields if isinstance(article.fields, dict) else {}


def values_for(article, fields):
    """[(field, value)] of the article's values for `fields`, in their order; values not set,
    and values that are not of the field's kind (written around the admin and the import), are
    left out."""
    stored = stored_values(article)
    found = []
    for field in fields:
        try:
            value = coerce_value(field, stored.get(field.key))
        except ValidationError:
            continue
        if value is not None:
            found.append((field, value))
    return found


_by_section = GenerationMemo(size=1)


def _read_fields():
    grouped = {}
    for field in SectionField.objects.order_by("section_id", "position", "pk"):
        grouped.setdefault(field.section_id, []).append(field)
    return grouped


def fields_by_section(request=None):
    """{section id: [SectionField, ...] in position order}, read once per content generation by
    each process (saving a field starts a new one). Shared between requests: do not change it."""
    return _by_section.get(("section-fields",), _read_fields, request=request)


def _link(position, key, label, en_label=None):
    return {
        "key": key,
        "label": label,
        "translations": {"en": {"label": en_label or label}},
        "kind": Kind.URL,
        "display": Display.LINKS,
        "position": position,
        "filterable": False,
        "sortable": False,
    }


def _fact(position, key, label, en_label, kind, *, filterable=False, sortable=False):
    return {
        "key": key,
        "label": label,
        "translations": {"en": {"label": en_label}},
        "kind": kind,
        "display": Display.FACTS,
        "position": position,
        "filterable": filterable,
        "sortable": sortable,
    }


# The fields of the old site's sections, as its front matter names them. Plain data: migration
# 0012 holds a copy (migrations must not import app code).
PRESETS = {
    "games": [
        _fact(10, "score", "评分", "Score", Kind.NUMBER, sortable=True),
        _fact(20, "status", "状态", "Status", Kind.TEXT, filterable=True),
        _fact(30, "blockchain", "区块链", "Blockchain", Kind.WORDS, filterable=True),
        _fact(40, "nft_support", "支持 NFT", "NFT support", Kind.YESNO),
        _fact(50, "free_to_play", "免费游玩", "Free to play", Kind.YESNO),
        _fact(60, "play_to_earn", "边玩边赚", "Play to earn", Kind.YESNO),
        _link(100, "website", "官网", "Website"),
        _link(110, "twitter", "Twitter"),
        _link(120, "discord", "Discord"),
        _link(130, "telegram", "Telegram"),
        _link(140, "github", "GitHub"),
        _link(150, "youtube", "YouTube"),
        _link(160, "twitch", "Twitch"),
        _link(170, "facebook", "Facebook"),
        _link(180, "instagram", "Instagram"),
        _link(190, "reddit", "Reddit"),
        _link(200, "medium", "Medium"),
        _link(210, "steam", "Steam"),
        _link(220, "gitbook", "GitBook"),
        _link(230, "googleplay", "Google Play"),
        _link(240, "appstore", "App Store"),
    ],
    "navigation": [
        {
            "key": "link",
            "label": "访问站点",
            "translations": {"en": {"label": "Visit site"}},
            "kind": Kind.URL,
            "display": Display.BUTTON,
            "position": 0,
            "filterable": False,
            "sortable": False,
        }
    ],
}


def ensure_preset_fields(section):
    """Create the preset fields `section` (by its slug) lacks; return those created.

    Fields already there are left as the editors made them, whatever their kind or label; a
    preset field an editor deleted comes back. Safe when two imports run at once."""
    existing = set(SectionField.objects.filter(section=section).values_list("key", flat=True))
    created = []
    for preset in PRESETS.get(section.slug, []):
        if preset["key"] in existing:
            continue
        try:
            with transaction.atomic():
                created.append(SectionField.objects.create(section=section, **preset))
        except IntegrityError:
            continue  # made by someone else meanwhile
    return created
