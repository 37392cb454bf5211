"""Problems found in an article's content, shown to editors until fixed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class ContentIssue(models.Model):
    """A problem found in an article's content (mostly by the Hugo import), shown to editors."""

    class Kind(models.TextChoices):
        MISSING_IMAGE = "missing_image", _("图片缺失")
        BROKEN_IMAGE_PATH = "broken_image_path", _("图片路径无效")
        REMOTE_IMAGE = "remote_image", _("外链图片")
        UNREADABLE_IMAGE = "unreadable_image", _("图片无法读取")
        UNKNOWN_SHORTCODE = "unknown_shortcode", _("未知短代码")
        LASTMOD_BEFORE_DATE = "lastmod_before_date", _("更新时间早于发布时间")
        OTHER = "other", _("其他")

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="content_issues"
    )
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    message = models.TextField(_("说明"))
    detail = models.CharField(
        _("相关内容"), max_length=500, blank=True, help_text=_("例如出问题的图片路径或短代码名称。")
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("内容问题")
        verbose_name_plural = _("内容问题")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.message}"
