"""The ad, ad spot and ad log admins, in the curation desk's style.

Every write goes through articles.curation.ads, which checks the role (moderate_ad), the ad
rules and writes the AdLog row with the user; the form re-encodes uploaded images the way the
article form does its featured image, and shows each refusal next to its field.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.params import CheckedLookupsMixin
from articles.admin.placements import AuditLogAdmin
from articles.admin.storage import StorageErrorAdminMixin
from articles.curation import ads as services
from articles.curation import rules
from articles.media import images
from articles.models import Ad, AdLog, AdSpot

SIZES_HELP = _(
    "建议尺寸：通栏横幅 1206×130（手机版 750×130）；两侧竖图 498×1277（左：图片，右：手机版图片）；"
    "目录下方 224×450。"
)


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ad_state(ad, *, now):
    if not ad.enabled or not ad.spot.enabled:
        return "off"
    if ad.ends_at and ad.ends_at <= now:
        return "ended"
    if ad.starts_at and ad.starts_at > now:
        return "scheduled"
    return "live"


STATE_LABELS = {
    "live": _("在线"),
    "scheduled": _("已排期"),
    "ended": _("已结束"),
    "off": _("已关闭"),
}


class AdAdminForm(forms.ModelForm):
    link = forms.URLField(label=_("链接"), max_length=500, assume_scheme="https")

    class Meta:
        model = Ad
        fields = list(services.FIELDS)
        help_texts = {"image": SIZES_HELP}

    def _intake(self, name):
        file = self.cleaned_data.get(name)
        if file and hasattr(file, "content_type"):  # a fresh upload: verified and re-encoded
            return images.clean_image(file)
        return file

    def clean_image(self):
        return self._intake("image")

    def clean_phone_image(self):
        return self._intake("phone_image")

    def clean_link(self):
        link = (self.cleaned_data.get("link") or "").strip()
        try:
            services.check_link(link)
        except ValidationError as error:
            raise ValidationError(error.message_dict["link"]) from error
        return link

    def clean(self):
        cleaned = super().clean()
        if not any(self.has_error(name) for name in ("starts_at", "ends_at")):
            rules.check_window(starts_at=cleaned.get("starts_at"), ends_at=cleaned.get("ends_at"))
        return cleaned


class AdStateFilter(admin.SimpleListFilter):
    title = _("现在")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATE_LABELS.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        on = Q(enabled=True, spot__enabled=True)
        started = Q(starts_at__isnull=True) | Q(starts_at__lte=now)
        not_ended = Q(ends_at__isnull=True) | Q(ends_at__gt=now)
        conditions = {
            "live": on & started & not_ended,
            "scheduled": on & Q(starts_at__gt=now),
            "ended": on & Q(ends_at__lte=now),
            "off": ~on,
        }
        if self.value() in conditions:
            return queryset.filter(conditions[self.value()])
        return queryset


class _ModerateAdsMixin:
    def has_moderate_ads_permission(self, request):
        return services.can_moderate_ads(request.user)


@admin.register(Ad)
class AdAdmin(StorageErrorAdminMixin, CheckedLookupsMixin, _ModerateAdsMixin, admin.ModelAdmin):
    form = AdAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "spot",
        "pages",
        "window",
        "state",
        "enabled",
        "position",
        "thumbnail",
    ]
    list_editable = ["position"]
    list_filter = ["spot", "enabled", AdStateFilter, "pages"]
    list_select_related = ["spot"]
    search_fields = ["title", "link"]
    readonly_fields = ["preview", "created_by", "created_at", "updated_at", "source_path"]
    actions = ["switch_on", "switch_off"]
    fieldsets = [
        (None, {"fields": ["spot", "title", "link", "pages", "position", "enabled"]}),
        (_("图片"), {"fields": ["image", "preview", "phone_image", "alt"]}),
        (_("时间"), {"fields": ["starts_at", "ends_at"]}),
        (_("记录"), {"fields": ["created_by", "created_at", "updated_at", "source_path"]}),
    ]

    @admin.display(description=_("时间"))
    def window(self, obj):
        if not obj.starts_at and not obj.ends_at:
            return _("一直")
        return f"{_when(obj.starts_at) or '…'} – {_when(obj.ends_at) or '…'}"

    @admin.display(description=_("状态"))
    def state(self, obj):
        return STATE_LABELS[ad_state(obj, now=timezone.now())]

    @admin.display(description=_("图片"))
    def thumbnail(self, obj):
        if not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="max-width:120px;max-height:48px;object-fit:contain">',
            obj.image.url,
        )

    @admin.display(description=_("预览"))
    def preview(self, obj):
        if not obj or not obj.image:
            return _("尚未上传图片")
        return format_html(
            '<img src="{}" alt="{}" style="max-width:480px;max-height:240px">',
            obj.image.url,
            obj.alt,
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changed = {name: data[name] for name in form.changed_data if name in services.FIELDS}
            saved = services.change_ad(ad=obj, by=request.user, **changed)
        else:
            saved = services.add_ad(
                by=request.user, **{name: data.get(name) for name in services.FIELDS}
            )
        for name in (
            "pk",
            "image",
            "phone_image",
            "position",
            "created_by",
            "created_at",
            "updated_at",
        ):
            setattr(obj, name, getattr(saved, name))

    def delete_model(self, request, obj):
        services.delete_ad(ad=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for ad in queryset:
            services.delete_ad(ad=ad, by=request.user)

    def _switch(self, request, queryset, *, enabled):
        done = 0
        for ad in queryset.filter(enabled=not enabled):
            try:
                with transaction.atomic():
                    services.switch_ad(ad=ad, by=request.user, enabled=enabled)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"{ad}: {message}", messages.ERROR)
            else:
                done += 1
        if done:
            message = (
                ngettext("已上线 %d 个广告。", "已上线 %d 个广告。", done)
                if enabled
                else ngettext("已下线 %d 个广告。", "已下线 %d 个广告。", done)
            )
            self.message_user(request, message % done, messages.SUCCESS)

    @admin.action(description=_("上线所选广告"), permissions=["moderate_ads"])
    def switch_on(self, request, queryset):
        self._switch(request, queryset, enabled=True)

    @admin.action(description=_("下线所选广告"), permissions=["moderate_ads"])
    def switch_off(self, request, queryset):
        self._switch(request, queryset, enabled=False)


@admin.register(AdSpot)
class AdSpotAdmin(CheckedLookupsMixin, _ModerateAdsMixin, admin.ModelAdmin):
    list_display = ["name", "key", "enabled", "position", "description"]
    actions = ["switch_on", "switch_off"]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []  # templates and the import name spots by key

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.SPOT_FIELDS
        }
        if set(changed) == {"enabled"}:
            services.switch_spot(spot=obj, by=request.user, enabled=changed["enabled"])
        elif changed:
            services.change_spot(spot=obj, by=request.user, **changed)

    def _switch(self, request, queryset, *, enabled):
        done = 0
        for spot in queryset.filter(enabled=not enabled):
            services.switch_spot(spot=spot, by=request.user, enabled=enabled)
            done += 1
        if done:
            message = (
                ngettext("已开启 %d 个广告位。", "已开启 %d 个广告位。", done)
                if enabled
                else ngettext("已关闭 %d 个广告位。", "已关闭 %d 个广告位。", done)
            )
            self.message_user(request, message % done, messages.SUCCESS)

    @admin.action(description=_("开启所选广告位"), permissions=["moderate_ads"])
    def switch_on(self, request, queryset):
        self._switch(request, queryset, enabled=True)

    @admin.action(description=_("关闭所选广告位"), permissions=["moderate_ads"])
    def switch_off(self, request, queryset):
        self._switch(request, queryset, enabled=False)


CHANGE_LABELS = {
    "spot": _("广告位"),
    "title": _("名称"),
    "image": _("图片"),
    "phone_image": _("手机版图片"),
    "alt": _("替代文字"),
    "link": _("链接"),
    "pages": _("展示页面"),
    "position": _("顺序"),
    "enabled": _("启用"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
}


def _readable(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(value)


def _readable_change(value):
    if isinstance(value, list) and len(value) == 2:
        return f"{_readable(value[0])} → {_readable(value[1])}"
    return _readable(value)


@admin.register(AdLog)
class AdLogAdmin(AuditLogAdmin):
    list_display = ["created_at", "action", "ad_title", "user", "change_summary"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["user"]
    search_fields = ["ad_title"]
    change_labels = CHANGE_LABELS
    readable_change = staticmethod(_readable_change)
