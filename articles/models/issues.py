"""Problems found in an article's content, shown to editors until fixed."""

import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article

# How the import and the checks prefix a detail that is about the featured image.
FEATURED_PREFIXES = ("featuredImage: ", "featured image file: ")
_WINDOWS_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|\.{0,2}\\)|\\")


class ContentIssue(models.Model):
    """A problem readers would see in an article's content, found by the Hugo import or by the
    checks run on every save (articles.editorial.checks), shown to editors until fixed."""

    class Kind(models.TextChoices):
        MISSING_IMAGE = "missing_image", _("图片缺失")
        BROKEN_IMAGE_PATH = "broken_image_path", _("图片路径无效")
        REMOTE_IMAGE = "remote_image", _("外链图片")
        UNREADABLE_IMAGE = "unreadable_image", _("图片无法读取")
        UNKNOWN_SHORTCODE = "unknown_shortcode", _("未知短代码")
        LASTMOD_BEFORE_DATE = "lastmod_before_date", _("更新时间早于发布时间")
        LITERAL_MARKDOWN = "literal_markdown", _("Markdown 没有转换")
        CAPTION_CODE_BLOCK = "caption_code_block", _("图片说明变成了代码块")
        SECOND_H1 = "second_h1", _("正文里有一级标题")
        EMPTY_BODY = "empty_body", _("正文为空")
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
        return f"{self.get_kind_display()}: {self.description()}"

    def description(self):
        """What readers see broken and what to do, in the active language. Made when shown,
        from the kind and the detail: the stored message is in the language (often the English
        import report) of whoever found the issue."""
        detail = self.detail
        featured = detail.startswith(FEATURED_PREFIXES)
        ref = detail
        for prefix in FEATURED_PREFIXES:
            ref = ref.removeprefix(prefix)
        kind, values = self.kind, {"ref": ref}
        Kind = self.Kind
        if kind == Kind.MISSING_IMAGE and detail.startswith(FEATURED_PREFIXES[1]):
            text = gettext(
                "题图文件在媒体存储中找不到（%(ref)s），读者看到的是一张坏图。"
                "请重新上传题图，或从备份恢复这个文件。"
            )
        elif kind == Kind.MISSING_IMAGE:
            text = (
                gettext("题图 %(ref)s 在网站里找不到，文章没有题图。请上传题图。")
                if featured
                else gettext(
                    "正文里的图片 %(ref)s 找不到，读者看到的是一张坏图。请重新上传这张图片。"
                )
            )
        elif kind == Kind.BROKEN_IMAGE_PATH and _WINDOWS_PATH.search(ref):
            text = gettext(
                "图片路径 %(ref)s 是作者电脑上的 Windows 路径，不在网站里，读者看到的是一张坏图。"
                "请重新上传这张图片。"
            )
        elif kind == Kind.BROKEN_IMAGE_PATH and not ref:
            text = gettext(
                "正文里有一张图片没有可用的地址（比如从 Word 粘贴来的本机路径），读者看到的是一张"
                "坏图。请重新上传这张图片。"
            )
        elif kind == Kind.BROKEN_IMAGE_PATH:
            text = gettext("图片地址 %(ref)s 无效，读者看到的是一张坏图。请重新上传这张图片。")
        elif kind == Kind.REMOTE_IMAGE:
            text = gettext(
                "图片 %(ref)s 留在外部网站上，没有存到本站；网站的安全策略不允许的地址读者看不到。"
                "请下载后重新上传。"
            )
        elif kind == Kind.UNREADABLE_IMAGE:
            text = gettext(
                "图片 %(ref)s 无法读取（文件损坏、格式不支持或太大），没有导入，读者看不到它。"
                "请换一个文件重新上传。"
            )
        elif kind == Kind.UNKNOWN_SHORTCODE:
            text = gettext(
                "正文里的短代码 %(ref)s 网站不认识，读者看到的是原样的代码文字。请改写这段内容。"
            )
        elif kind == Kind.LASTMOD_BEFORE_DATE:
            article = self.article
            values = {
                "updated": _when(article.updated_at),
                "published": _when(article.published_at),
            }
            text = gettext(
                "更新时间（%(updated)s）早于发布时间（%(published)s），读者看到文章在发布之前就"
                "“更新”过。请检查这两个时间。"
            )
        elif kind == Kind.LITERAL_MARKDOWN:
            text = gettext(
                "正文里有没转换的 Markdown 标记：%(ref)s。读者看到的是原样的星号、井号或方括号。"
                "请改成正文格式（加粗、标题、链接）。"
            )
        elif kind == Kind.CAPTION_CODE_BLOCK:
            text = gettext(
                "图片说明变成了代码块：%(ref)s。读者看到的是一个等宽字体的灰框。"
                "请把它改成普通段落。"
            )
        elif kind == Kind.SECOND_H1:
            text = gettext(
                "正文里有一级标题“%(ref)s”：页面的一级标题已经是文章标题，读者和搜索引擎会看到"
                "两个一级标题。请改成二级标题，或删掉重复的标题。"
            )
        elif kind == Kind.EMPTY_BODY:
            text = gettext("正文是空的，读者打开文章只看到标题。")
        else:
            text = gettext("导入时有一项内容没能放进文章：%(ref)s。")
        return text % values


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"
