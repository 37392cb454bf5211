"""Channels (a section's named groups of topics, with an icon) and the menus, per language."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.admin.params import CheckedLookupsMixin
from articles.admin.storage import StorageErrorAdminMixin
from articles.models import Channel, MenuItem
from articles.text.svg import MAX_SVG_BYTES, SvgTooLarge, missing_references, sanitize_svg

SPRITE_WARNING = _(
    "图标引用了旧站的图标集 (%(names)s)，页面上不会显示；请上传图片或粘贴完整的 SVG。"
)


def sprite_warning(channel):
    """The warning for an icon that only names symbols of the old site's sprite, else ""."""
    if channel.icon:
        return ""
    names = missing_references(channel.icon_svg)
    if not names:
        return ""
    return SPRITE_WARNING % {"names": "、".join(f"#{name}" for name in names)}


def _translations(value):
    return dict(value) if isinstance(value, dict) else {}


class IconFilter(admin.SimpleListFilter):
    """Channels whose icon shows nothing: no image, and an SVG that is empty or only names
    the old site's sprite (every channel the Hugo import brings in, until an editor acts)."""

    title = _("图标")
    parameter_name = "icon"

    def lookups(self, request, model_admin):
        return [("missing", _("页面上不显示（需上传图片或粘贴 SVG）"))]

    def queryset(self, request, queryset):
        if self.value() != "missing":
            return queryset
        candidates = queryset.filter(icon="").only("pk", "icon", "icon_svg")
        return queryset.filter(
            pk__in=[
                channel.pk
                for channel in candidates
                if not channel.icon_svg or sprite_warning(channel)
            ]
        )


class ChannelAdminForm(forms.ModelForm):
    """The English title is a field of its own, kept in `translations` ({"en": {"title"}})
    with whatever else the JSON holds."""

    title_en = forms.CharField(label=_("英文名称"), max_length=100, required=False)

    class Meta:
        model = Channel
        fields = ["section", "title", "title_en", "position", "topics", "icon", "icon_svg"]
        widgets = {"icon_svg": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        english = _translations(self.instance.translations).get("en")
        if isinstance(english, dict):
            self.fields["title_en"].initial = english.get("title", "")

    def clean_icon_svg(self):
        markup = self.cleaned_data.get("icon_svg", "")
        if not markup.strip():
            return ""
        try:
            cleaned = sanitize_svg(markup)
        except SvgTooLarge as error:
            raise ValidationError(
                _("SVG 有 %(size)s 字节，超过上限 %(limit)s 字节；较大的图标请上传图片。"),
                code="svg_too_large",
                params={"size": error.size, "limit": MAX_SVG_BYTES},
            ) from error
        if not cleaned:
            raise ValidationError(
                _(
                    "粘贴的内容清理后没有可显示的图形：只保留 svg 里的 path、circle、rect 等"
                    "图形元素（脚本、样式、外部链接和图片都会被去掉）。请粘贴完整的 SVG 或上传图片。"
                ),
                code="svg_empty",
            )
        return cleaned

    def save(self, commit=True):
        translations = _translations(self.instance.translations)
        english = translations.get("en")
        english = dict(english) if isinstance(english, dict) else {}
        title = self.cleaned_data.get("title_en", "").strip()
        if title:
            english["title"] = title
        else:
            english.pop("title", None)
        if english:
            translations["en"] = english
        else:
            translations.pop("en", None)
        self.instance.translations = translations
        return super().save(commit=commit)


@admin.register(Channel)
class ChannelAdmin(CheckedLookupsMixin, StorageErrorAdminMixin, admin.ModelAdmin):
    form = ChannelAdminForm
    list_display = ["title", "section", "position", "icon_preview", "topic_count"]
    list_display_links = ["title"]
    list_editable = ["position"]
    list_filter = ["section", IconFilter]
    list_select_related = ["section"]
    search_fields = ["title", "topics__name"]
    autocomplete_fields = ["topics"]
    readonly_fields = ["icon_preview", "source_path"]
    ordering = ["section", "position", "pk"]
    fieldsets = [
        (None, {"fields": ["section", "title", "title_en", "position", "topics"]}),
        (
            _("图标"),
            {
                "fields": ["icon_preview", "icon", "icon_svg"],
                "description": _(
                    "上传图片，或粘贴 SVG 代码（会被清理：只保留图形元素，去掉脚本、样式和外部链接）。"
                    "两者都有时显示图片。"
                ),
            },
        ),
        (_("来源"), {"fields": ["source_path"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["css/menu.css"]}  # .channel-icon sizes the preview

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description=_("专题数"))
    def topic_count(self, obj):
        return len(obj.topics.all())

    @admin.display(description=_("图标"))
    def icon_preview(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        if obj.icon:
            icon = format_html(
                '<img class="channel-icon" src="{}" alt="" width="24" height="24">', obj.icon.url
            )
        elif obj.icon_svg:
            # Stored sanitised (Channel.save()); a fixed point, so sanitising again is a no-op.
            icon = mark_safe(  # noqa: S308
                f'<span class="channel-icon">{sanitize_svg(obj.icon_svg)}</span>'
            )
        else:
            icon = "—"
        warning = sprite_warning(obj)
        if warning:
            return format_html('{} <strong class="errornote">⚠ {}</strong>', icon, warning)
        return icon

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        warning = sprite_warning(obj)
        if warning:
            self.message_user(request, warning, messages.WARNING)


@admin.register(MenuItem)
class MenuItemAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """MenuItem.clean() checks the link and the parent; both are editable in the list too, so
    an entry the list cannot save (a link written around clean()) shows why on its row."""

    list_display = ["name", "url", "menu", "language", "parent", "position"]
    list_display_links = ["name"]
    list_editable = ["url", "parent", "position"]
    list_filter = ["menu", "language"]
    list_select_related = ["parent"]
    search_fields = ["name", "url", "identifier"]
    ordering = ["menu", "language", "position", "pk"]
    fieldsets = [
        (None, {"fields": ["menu", "language", "name", "url", "title", "parent", "position"]}),
        (_("导入"), {"fields": ["identifier"], "classes": ["collapse"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = MenuItem.objects.filter(parent=None).order_by(
                "menu", "language", "position", "pk"
            )
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = _parent_label
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _parent_label(item):
    return f"{item.get_menu_display()} · {item.get_language_display()} · {item.name}"
