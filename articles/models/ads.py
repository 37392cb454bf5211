"""Ads: spots on the page (data, like slots), the ads moderators run in them, and their log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.base import AuditLog, Window


class AdSpot(models.Model):
    """A place on the page where ads run: a wide banner, a side pair, under the contents..."""

    key = models.SlugField(_("标识"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("广告位")
        verbose_name_plural = _("广告位")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Ad(Window):
    """An image with a link, in a spot, on some pages, for an optional window of time."""

    class Pages(models.TextChoices):
        ALL = "all", _("所有页面")
        HOME = "index", _("仅首页")
        OTHER = "other", _("首页以外")

    spot = models.ForeignKey(
        AdSpot, verbose_name=_("广告位"), on_delete=models.PROTECT, related_name="ads"
    )
    title = models.CharField(_("名称"), max_length=200)
    image = models.ImageField(
        _("图片"),
        upload_to="ads/%Y/%m/",
        width_field="image_width",
        height_field="image_height",
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    phone_image = models.ImageField(
        _("手机版图片"),
        upload_to="ads/%Y/%m/",
        blank=True,
        help_text=_("窄屏上代替主图；并排广告位中是右侧的图片。"),
    )
    alt = models.CharField(_("替代文字"), max_length=200, blank=True)
    link = models.URLField(_("链接"), max_length=500)
    pages = models.CharField(_("展示页面"), max_length=8, choices=Pages.choices, default=Pages.ALL)
    position = models.IntegerField(_("顺序"), default=0)
    enabled = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    source_path = models.CharField(
        _("导入来源"), max_length=500, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("广告")
        verbose_name_plural = _("广告")
        ordering = ["spot", "position", "pk"]
        constraints = Window.Meta.constraints
        permissions = [("moderate_ad", _("可以管理广告：增删、排序、上下线"))]

    def __str__(self):
        return self.title


class AdLog(AuditLog):
    """Audit trail: every change to an ad or a spot, with who and when."""

    class Action(models.TextChoices):
        ADDED = "added", _("新增")
        CHANGED = "changed", _("修改")
        REMOVED = "removed", _("删除")
        SWITCHED = "switched", _("开关")

    ad = models.ForeignKey(
        Ad, verbose_name=_("广告"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ad_title = models.CharField(_("广告名称"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)

    class Meta(AuditLog.Meta):
        verbose_name = _("广告日志")
        verbose_name_plural = _("广告日志")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.ad_title}"
