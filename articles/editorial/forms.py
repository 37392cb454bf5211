import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.editorial import merge, permissions, revisions
from articles.media.images import clean_image
from articles.models import Article, Author
from articles.text.limits import MAX_BODY_BYTES, MAX_DESCRIPTION_CHARS, body_bytes
from articles.text.slugs import clean_slug

# The article form's placement inline is read-only: placements change on the curation desk,
# through services that check capacity and write the audit log.
_PLACEMENT_INLINE_FIELD = re.compile(r"^placements-\d+-(?P<field>\w+)$")


def _reencoded(field_file):
    """Re-encode a freshly uploaded image (existing files were checked when they came in)."""
    if field_file and hasattr(field_file, "content_type"):
        return clean_image(field_file)
    return field_file


def _posts_placement_changes(data):
    try:
        total = int(data.get("placements-TOTAL_FORMS") or 0)
        initial = int(data.get("placements-INITIAL_FORMS") or 0)
    except ValueError:
        return True
    if total > initial:
        return True
    for key, value in data.items():
        match = _PLACEMENT_INLINE_FIELD.match(key)
        if match and match["field"] not in ("id", "article") and value:
            return True
    return False


def _posts_a_new_weight(posted, current):
    """The posted weight differs from the stored one (blank meaning none; anything that is not
    a whole number counts as a change, so it is refused rather than guessed at)."""
    if posted is None:
        return False
    posted = str(posted).strip()
    if not posted:
        return current is not None
    try:
        return int(posted) != current
    except ValueError:
        return True


def _int_or_none(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def choices_kept(outcome, choices):
    """Fields decided as mine by a choice: shown again so the choice can be changed."""
    return [name for name in outcome.mine if choices.get(name) in (merge.MINE, merge.EDITED)]


class ArticleAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # On an add form opened as a translation (articles/admin/translations.py): the group the
    # new article joins. Checked in clean(), never trusted; ignored once the article exists.
    join_translation_group = forms.CharField(widget=forms.HiddenInput, required=False)

    # ArticleAdmin.get_form sets the requesting user on the form class it builds.
    user = None

    class Meta:
        model = Article
        # What an editor edits is what a revision records and a diff shows; the section's
        # typed fields are edited one form field each (articles/portal/forms.py), never as JSON.
        fields = [name for name in revisions.TRACKED_FIELDS if name != "fields"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        self.merge_outcome = None
        self.merge_carry = None
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.edit_version

    def clean_slug(self):
        return clean_slug(self.cleaned_data.get("slug"))

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if body_bytes(body) > MAX_BODY_BYTES:
            raise ValidationError(
                _("正文太长：最多 %(limit)d KB，这篇有 %(size)d KB。请拆成几篇。"),
                code="body_too_long",
                params={"limit": MAX_BODY_BYTES // 1024, "size": body_bytes(body) // 1024},
            )
        return body

    def clean_description(self):
        description = self.cleaned_data.get("description") or ""
        if len(description) > MAX_DESCRIPTION_CHARS:
            raise ValidationError(
                _("摘要太长：最多 %(limit)d 个字，现在有 %(count)d 个。"),
                code="description_too_long",
                params={"limit": MAX_DESCRIPTION_CHARS, "count": len(description)},
            )
        return description

    def clean_published_at(self):
        """The form shows the publish time to the minute: a time posted back unchanged keeps
        the seconds it was stored with (an imported 21:38:12 stays so), so a typo fix neither
        moves the article's time nor counts as a change every page shows."""
        value = self.cleaned_data.get("published_at")
        stored = self.instance.published_at if self.instance.pk else None
        if value is None or stored is None:
            return value
        for precision in ({"microsecond": 0}, {"second": 0, "microsecond": 0}):
            if value == value.replace(**precision) == stored.replace(**precision):
                return stored
        return value

    def clean_featured_image(self):
        return _reencoded(self.cleaned_data.get("featured_image"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("featured_image") and not (cleaned.get("featured_image_alt") or "").strip():
            self.add_error(
                "featured_image_alt", ValidationError(_("设置了题图时必须填写替代文字。"))
            )
        self._refuse_what_the_user_may_not_change()
        self._join_the_translation_group()
        self._refuse_a_taken_language()
        self._refuse_a_stale_edit()
        return cleaned

    def _join_the_translation_group(self):
        """A new article posted with a translation group joins it, if the group exists; it
        takes the group's featured image unless the translator uploaded another."""
        raw = (self.cleaned_data.get("join_translation_group") or "").strip()
        if self.instance.pk or not raw:
            return
        try:
            group = uuid.UUID(raw)
        except ValueError:
            group = None
        members = Article.objects.filter(translation_group=group) if group else None
        if members is None or not members.exists():
            raise ValidationError(
                _("要翻译的原文不存在（可能已被删除）。请回到原文，在“翻译”栏重新点“添加翻译”。"),
                code="translation_group_unknown",
            )
        self.instance.translation_group = group
        if self.cleaned_data.get("featured_image"):
            return
        pictured = members.exclude(featured_image="").order_by("pk").first()
        if pictured is not None:
            self.instance.featured_image = pictured.featured_image.name
            if not (self.cleaned_data.get("featured_image_alt") or "").strip():
                self.add_error(
                    "featured_image_alt",
                    ValidationError(_("译文沿用原文的题图，必须填写替代文字。")),
                )

    def _refuse_a_taken_language(self):
        """One article per language in a group: a clear error, not an IntegrityError."""
        language = self.cleaned_data.get("language")
        if not language or self.instance.translation_group is None:
            return
        taken = (
            Article.objects.filter(
                translation_group=self.instance.translation_group, language=language
            )
            .exclude(pk=self.instance.pk)
            .first()
        )
        if taken is not None:
            self.add_error(
                "language",
                ValidationError(
                    _(
                        "这篇文章已经有%(language)s版本：《%(title)s》。同一篇文章每种语言只能有"
                        "一个版本；请选择别的语言，或去编辑那个版本。"
                    ),
                    code="language_taken",
                    params={"language": taken.get_language_display(), "title": taken.title},
                ),
            )

    def _refuse_what_the_user_may_not_change(self):
        """Crafted fields are refused, not silently dropped, so nothing half-saves."""
        if self.user is None:
            return
        if not permissions.can_publish(self.user):
            status = self.data.get(self.add_prefix("status"))
            publish_time = [
                self.data.get(self.add_prefix(key))
                for key in ("published_at", "published_at_0", "published_at_1")
            ]
            current_status = self.instance.status or Article.Status.DRAFT
            if (status and status != current_status) or any(publish_time):
                raise ValidationError(
                    _("你没有发布权限：状态和发布时间只能由编辑或审核人员修改。"),
                    code="publish_denied",
                )
        if not permissions.can_moderate(self.user) and _posts_a_new_weight(
            self.data.get(self.add_prefix("weight")), self.instance.weight
        ):
            raise ValidationError(
                _("你没有调整权重的权限：文章权重只能由审核人员修改。"),
                code="weight_denied",
            )
        if _posts_placement_changes(self.data):
            raise ValidationError(
                _("推荐位不能在文章表单里修改：编辑请提名，审核人员请到推荐位编辑台操作。"),
                code="placement_denied",
            )

    def _refuse_a_stale_edit(self):
        """Optimistic locking with a three-way merge (articles/editorial/merge.py): a save
        made after someone else's keeps their changes and refuses only what both changed
        differently, until the editor chooses for each of those fields."""
        if not self.instance.pk:
            return
        seen = self.cleaned_data.get("seen_version")
        decided_at = _int_or_none(self.data.get("merge_version"))
        with transaction.atomic():
            # Locked until the admin's transaction ends, so no save can slip in between.
            current = Article.objects.select_for_update().get(pk=self.instance.pk)
        self.instance.edit_version = current.edit_version
        if seen == current.edit_version and decided_at is None:
            return
        base_version = None if seen is None else revisions.version_at(current, seen)
        names = [name for name in revisions.TRACKED_FIELDS if name in self.cleaned_data]
        posted_relations = merge.posted_relations(self.data)
        theirs_relations = {
            name: value
            for name, value in revisions.relations_of(current).items()
            if name in posted_relations
        }
        names += list(posted_relations)
        theirs = merge.comparable(revisions.current_field_dict(current), theirs_relations, names)
        mine = merge.comparable(self._posted_field_dict(current), posted_relations, names)
        base = None
        if base_version is not None:
            base = merge.comparable(
                base_version.field_dict, revisions.relations_at(base_version), names
            )
        # Choices count only for the version they were made against.
        choices = {}
        if decided_at == current.edit_version:
            choices = {name: self.data.get(f"merge-{name}") for name in names}
        outcome = merge.merge(names=names, base=base, theirs=theirs, mine=mine, choices=choices)
        self.merge_outcome = outcome
        for name in outcome.theirs + outcome.chosen_theirs:
            self._keep_theirs(name, current)
        self.instance.relation_merge = {
            name: merge.THEIRS if outcome.keeps_theirs(name) else merge.MINE
            for name in posted_relations
            if name in outcome.mine or outcome.keeps_theirs(name)
        }
        if not outcome.conflicts and (seen is not None or decided_at is not None):
            # Shown again if an inline row is refused, so the choices are not asked again.
            self.merge_carry = {"version": current.edit_version, "choices": choices}
            return
        self._refuse_with_conflicts(
            current=current,
            outcome=outcome,
            rows_for=[*outcome.conflicts, *outcome.chosen_theirs, *choices_kept(outcome, choices)],
            theirs=theirs,
            mine=mine,
            choices=choices,
            missing_version=seen is None,
        )

    def _keep_theirs(self, name, current):
        """Their value stays: the form leaves the field alone, and the form shown again after
        a refusal shows their text."""
        if name in revisions.RELATIONS:
            return
        self.cleaned_data.pop(name, None)
        attname = Article._meta.get_field(name).attname
        if name != "topics":
            setattr(self.instance, attname, getattr(current, attname))
        if isinstance(getattr(current, attname), str) and name != "featured_image":
            self.data = self.data.copy()
            self.data[self.add_prefix(name)] = getattr(current, attname)

    def _refuse_with_conflicts(
        self, *, current, outcome, rows_for, theirs, mine, choices, missing_version
    ):
        revision = revisions.latest_revision(current)
        who = (revision.user if revision else None) or _("其他人")
        when = timezone.localtime(revision.date_created if revision else current.updated_at)
        when_text = when.strftime("%Y-%m-%d %H:%M:%S")
        rows = merge.conflict_rows(
            names=rows_for,
            theirs=theirs,
            mine=mine,
            theirs_label=_("已保存的版本（%(user)s，%(when)s）") % {"user": who, "when": when_text},
            mine_label=_("你的版本（尚未保存）"),
        )
        for row in rows:
            row["choice"] = choices.get(row["name"]) or ""
        self.conflict = {
            "user": who,
            "when": when,
            "version": current.edit_version,
            "rows": rows,
            "kept": [merge.label(name) for name in outcome.theirs],
        }
        # The choices shown belong to this version; a later save by someone else asks again.
        self.data = self.data.copy()
        self.data["merge_version"] = str(current.edit_version)
        if missing_version:
            raise ValidationError(
                _(
                    "保存被拒绝：表单缺少版本号，无法判断你打开之后别人改了什么。你的修改还在"
                    "下面的表单里；请在下方逐项选择保留哪个版本，然后再保存。"
                ),
                code="version_missing",
            )
        raise ValidationError(
            _(
                "保存被拒绝：你打开这篇文章之后，%(user)s 于 %(when)s 修改并保存了它，有些字段"
                "你们两人都改了。你的修改还在下面的表单里，没有丢失；请在下方逐项选择保留哪个"
                "版本（或在表单里改好），然后再保存。"
            )
            % {"user": who, "when": when_text},
            code="edit_conflict",
        )

    def _posted_field_dict(self, current):
        data = revisions.current_field_dict(current)
        for name in revisions.TRACKED_FIELDS:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if name == "topics":
                value = sorted(topic.pk for topic in value)
            elif name == "section":
                value = value.pk if value else None
            elif name == "featured_image":
                value = str(getattr(value, "name", "") or "") if value else ""
            data[Article._meta.get_field(name).attname] = value
        return data


class SluggedAdminForm(forms.ModelForm):
    """For sections, topics and tags: the admin builds the fields; the slug is checked here."""

    def clean_slug(self):
        return clean_slug(self.cleaned_data.get("slug"))


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "avatar", "user"]

    def clean_slug(self):
        return clean_slug(self.cleaned_data.get("slug"))

    def clean_avatar(self):
        return _reencoded(self.cleaned_data.get("avatar"))
