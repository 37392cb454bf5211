"""Tags the way Chinese editors type them: a name is enough, the pinyin slug comes by itself.

Two ways a tag is made in the admin: the tag admin's add form (also opened as the "+" popup
beside the article form's tag field), and typing a new name into that tag field itself. Either
way the slug is never required: Tag.save() makes it from the name (Tag.slugify, pinyin).
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.admin.merge import MergedRelationFormSet
from articles.admin.params import CheckedLookupsMixin
from articles.admin.translations import TranslationPrefillInline
from articles.editorial.forms import SluggedAdminForm
from articles.models import Tag, TaggedArticle
from articles.text.slugs import unique_slug

SLUG_HELP = _("出现在网址中；留空则按名称的拼音自动生成。")


class TagAdminForm(SluggedAdminForm):
    """The slug may be left empty: a new tag gets the pinyin of its name, and an existing tag
    whose slug is cleared gets it anew."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = SLUG_HELP

    def clean_slug(self):
        slug = super().clean_slug()
        name = self.cleaned_data.get("name")
        if not slug and self.instance.pk and name:
            # Tag.save() (taggit) makes a slug only for a new tag.
            return unique_slug(
                name, model=Tag, instance_pk=self.instance.pk, max_length=90, fallback="tag"
            )
        return slug


@admin.register(Tag)
class TagAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


class TagOrNewName(forms.ModelChoiceField):
    """An existing tag (its id, as the autocomplete posts it), or the name of a new one as
    typed into the field: that comes back as an unsaved Tag, saved with the article. A name
    of digits only is read as an id when such a tag exists."""

    def __init__(self, *args, can_create=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_create = can_create

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isdigit():
            found = self.queryset.filter(pk=int(text)).first()
            if found is not None:
                return found
        existing = self.queryset.filter(name=text).first()
        if existing is not None:
            return existing
        if not self.can_create or len(text) > Tag._meta.get_field("name").max_length:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return Tag(name=text)


class TagAutocomplete(AutocompleteSelect):
    """The admin's autocomplete, which also shows a typed new name again (a form sent back
    with an error), instead of looking it up as an id."""

    def __init__(self, field, admin_site, *, can_create, **kwargs):
        super().__init__(field, admin_site, **kwargs)
        if can_create:
            self.attrs["data-tags"] = "true"  # select2: a typed name becomes an option

    def optgroups(self, name, value, attr=None):
        values = [str(v) for v in value if v not in (None, "")]
        groups = super().optgroups(name, [v for v in values if v.isdigit()], attr)
        for text in (v for v in values if not v.isdigit()):
            option = self.create_option(name, text, text, True, len(groups))
            groups.append((None, [option], len(groups)))
        return groups


class TaggedArticleForm(forms.ModelForm):
    def _get_validation_exclusions(self):
        # A new tag has no row to check yet: it is saved by save(), just before its link.
        exclude = super()._get_validation_exclusions()
        tag = self.cleaned_data.get("tag")
        if tag is not None and tag.pk is None:
            exclude.add("tag")
        return exclude

    def save(self, commit=True):
        tag = self.instance.tag
        if tag.pk is None:
            self.instance.tag, _created = Tag.objects.get_or_create(name=tag.name)
        return super().save(commit=commit)


class TaggedArticleFormSet(MergedRelationFormSet):
    relation = "tags"

    def clean(self):
        super().clean()
        typed = [
            form.cleaned_data["tag"].name
            for form in self.forms
            if form.cleaned_data.get("tag") is not None
            and form.cleaned_data["tag"].pk is None
            and not form.cleaned_data.get("DELETE")
        ]
        if len(typed) != len(set(typed)):
            raise ValidationError(_("同一个新标签只能添加一次。"), code="duplicate_new_tag")


class TaggedArticleInline(TranslationPrefillInline, admin.TabularInline):
    """The article form's tags: pick one, or type a new name (select2's tagging)."""

    model = TaggedArticle
    form = TaggedArticleForm
    formset = TaggedArticleFormSet
    autocomplete_fields = ["tag"]
    extra = 1
    verbose_name = _("标签")
    verbose_name_plural = _("标签")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name != "tag":
            return field
        can_create = request.user.has_perm("articles.add_tag")
        widget = TagAutocomplete(
            db_field, self.admin_site, can_create=can_create, using=kwargs.get("using")
        )
        return TagOrNewName(
            queryset=field.queryset,
            widget=widget,
            required=field.required,
            label=field.label,
            help_text=field.help_text,
            can_create=can_create,
        )
