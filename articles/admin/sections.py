"""Sections and the typed fields they declare (a row per field: adding one needs no migration)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.params import CheckedLookupsMixin
from articles.editorial.forms import SluggedAdminForm
from articles.models import Section, SectionField
from articles.portal.fields import PRESETS, ensure_preset_fields


class SectionFieldFormSet(forms.BaseInlineFormSet):
    """A key names one field of the section: a repeat is shown on the row, in words an editor
    reads, before the database's unique constraint could answer."""

    def clean(self):
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            key = form.cleaned_data.get("key")
            if not key:
                continue
            if key in seen:
                form.add_error(
                    "key",
                    ValidationError(
                        _("键“%(key)s”在这个栏目里已经有了（“%(label)s”）：每个键只能用一次。"),
                        code="duplicate_key",
                        params={"key": key, "label": seen[key]},
                    ),
                )
            else:
                seen[key] = form.cleaned_data.get("label") or key
        super().clean()


SECTION_FIELD_COLUMNS = [
    "position",
    "key",
    "label",
    "kind",
    "display",
    "filterable",
    "sortable",
    "translations",
]


class SectionFieldForm(forms.ModelForm):
    class Meta:
        model = SectionField
        fields = SECTION_FIELD_COLUMNS
        widgets = {
            "position": forms.NumberInput(attrs={"style": "width:4em"}),
            "key": forms.TextInput(attrs={"size": 14}),
            "label": forms.TextInput(attrs={"size": 14}),
            "translations": forms.Textarea(attrs={"rows": 2, "cols": 28}),
        }

    def clean_key(self):
        key = self.cleaned_data.get("key") or ""
        if key != key.lower():
            # Hugo reads front matter keys in lower case: "NFT_Support" would never match.
            raise ValidationError(
                _("键请用小写（Hugo 读取前置元数据时不区分大小写）：例如 %(key)s。"),
                code="key_case",
                params={"key": key.lower()},
            )
        return key

    def clean_translations(self):
        translations = self.cleaned_data.get("translations") or {}
        well_formed = isinstance(translations, dict) and all(
            isinstance(names, dict) and isinstance(names.get("label", ""), str)
            for names in translations.values()
        )
        if not well_formed:
            raise ValidationError(
                _('格式应为 {"语言代码": {"label": "名称"}}，例如 {"en": {"label": "Score"}}。'),
                code="translations_shape",
            )
        return translations


class SectionFieldInline(admin.TabularInline):
    model = SectionField
    form = SectionFieldForm
    formset = SectionFieldFormSet
    fields = SECTION_FIELD_COLUMNS
    ordering = ["position", "pk"]
    extra = 1
    verbose_name = _("栏目字段")
    verbose_name_plural = _("栏目字段（文章表单中按顺序显示；添加一行即可，无需改代码）")


@admin.register(Section)
class SectionAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = SluggedAdminForm
    list_display = ["name", "slug", "field_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]  # the annotated changelist drops Meta.ordering (GROUP BY)
    inlines = [SectionFieldInline]
    actions = ["add_preset_fields"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(field_total=Count("fields"))

    @admin.display(description=_("栏目字段"), ordering="field_total")
    def field_count(self, obj):
        return obj.field_total

    @admin.action(description=_("补上预设的栏目字段（游戏、导航）"), permissions=["change"])
    def add_preset_fields(self, request, queryset):
        created = [field for section in queryset for field in ensure_preset_fields(section)]
        if not any(section.slug in PRESETS for section in queryset):
            self.message_user(
                request,
                _("所选栏目没有预设字段：只有网址别名为 %(slugs)s 的栏目有。")
                % {"slugs": "、".join(PRESETS)},
                messages.WARNING,
            )
            return
        self.message_user(
            request,
            ngettext("添加了 %d 个栏目字段。", "添加了 %d 个栏目字段。", len(created))
            % len(created),
            messages.SUCCESS,
        )
