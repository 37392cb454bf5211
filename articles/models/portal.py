"""The portal around the articles: typed fields per section, channels of terms, menus.

A section declares its own fields as rows (SectionField); an article keeps their values in
`Article.fields`, keyed by the field's key. Adding a field is a row in the admin, not a migration.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles.models.taxonomy import Section, Topic, in_language
from articles.text.sanitize import safe_url
from articles.text.svg import sanitize_svg


class SectionField(models.Model):
    """A typed field a section's articles carry (a game's score, a directory entry's link)."""

    class Kind(models.TextChoices):
        URL = "url", _("网址")
        TEXT = "text", _("文字")
        NUMBER = "number", _("数字")
        YESNO = "yesno", _("是/否")
        WORDS = "words", _("词语列表")

    class Display(models.TextChoices):
        FACTS = "facts", _("资料栏")
        LINKS = "links", _("官方链接")
        BUTTON = "button", _("访问按钮")
        HIDDEN = "hidden", _("不显示")

    section = models.ForeignKey(
        Section, verbose_name=_("栏目"), on_delete=models.CASCADE, related_name="fields"
    )
    key = models.SlugField(
        _("键"), max_length=50, help_text=_("Hugo 前置元数据中的键名，例如 link、score。")
    )
    label = models.CharField(_("名称"), max_length=100)
    translations = models.JSONField(
        _("其他语言"), default=dict, blank=True, help_text=_('例如 {"en": {"label": "Score"}}。')
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.TEXT)
    display = models.CharField(
        _("显示位置"), max_length=16, choices=Display.choices, default=Display.FACTS
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    filterable = models.BooleanField(
        _("可筛选"), default=False, help_text=_("列表页可按此字段的取值筛选。")
    )
    sortable = models.BooleanField(
        _("可排序"), default=False, help_text=_("列表页可按此字段排序。")
    )

    class Meta:
        verbose_name = _("栏目字段")
        verbose_name_plural = _("栏目字段")
        ordering = ["section", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["section", "key"], name="unique_section_field_key")
        ]

    def __str__(self):
        return f"{self.section}: {self.label}"

    @property
    def display_label(self):
        return in_language(self.label, self.translations, "label")


class Channel(models.Model):
    """A named, ordered group of a section's terms with an icon: the section's sub-navigation
    and a block on the home page (the old site's pNews/, pNavigation/, pGames/ pages)."""

    section = models.ForeignKey(
        Section, verbose_name=_("栏目"), on_delete=models.CASCADE, related_name="channels"
    )
    title = models.CharField(_("名称"), max_length=100)
    translations = models.JSONField(
        _("其他语言"), default=dict, blank=True, help_text=_('例如 {"en": {"title": "GameFi"}}。')
    )
    icon_svg = models.TextField(
        _("SVG 图标"), blank=True, help_text=_("粘贴的 SVG 会被清理，只保留安全的图形元素。")
    )
    icon = models.ImageField(_("图标图片"), upload_to="channels/", blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("包含的专题"), blank=True, related_name="channels"
    )
    source_path = models.CharField(
        _("导入来源"), max_length=500, blank=True, default="", editable=False
    )
    # What the last Hugo import wrote: a re-import leaves a channel an editor changed alone.
    source_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("频道")
        verbose_name_plural = _("频道")
        ordering = ["section", "position", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Only sanitised SVG is stored (articles.text.svg): pasted markup never reaches a
        page as it came. Markup over the size bound raises SvgTooLarge (a ValueError)."""
        self.icon_svg = sanitize_svg(self.icon_svg)
        super().save(*args, **kwargs)

    @property
    def display_title(self):
        return in_language(self.title, self.translations, "title")


class MenuItem(models.Model):
    """An entry of the main menu or the footer, per language."""

    class Menu(models.TextChoices):
        MAIN = "main", _("主菜单")
        FOOTER = "footer", _("页脚")

    menu = models.CharField(_("菜单"), max_length=16, choices=Menu.choices, default=Menu.MAIN)
    language = models.CharField(
        _("语言"), max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    name = models.CharField(_("名称"), max_length=100)
    url = models.CharField(
        _("链接"), max_length=500, help_text=_("站内路径（/news/）或 http(s) 网址。")
    )
    title = models.CharField(_("提示文字"), max_length=200, blank=True)
    identifier = models.CharField(_("标识"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.IntegerField(_("顺序"), default=0)
    # What the last Hugo import wrote (empty for rows made in the admin): a re-import leaves a
    # row an editor changed alone.
    source_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("菜单项")
        verbose_name_plural = _("菜单项")
        ordering = ["menu", "language", "position", "pk"]
        indexes = [models.Index(fields=["menu", "language", "position"], name="menu_order_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.url or reverse("articles:home")

    def clean(self):
        """The link and the parent must pass menu_item_problems(); the link is kept in the
        form menu_url() writes."""
        super().clean()
        problems = menu_item_problems(self)
        if problems:
            raise ValidationError(problems)
        self.url = menu_url(self.url) or self.url


def menu_url(url):
    """`url` as kept: a path on this site ("/news/") or an http(s) address, written the way
    browsers and Python read it alike (articles.text.sanitize.safe_url); None for anything
    else (javascript:, data:, "//host", "news/", spaces, backslashes)."""
    url = url or ""
    safe = safe_url(url) if url and url == url.strip() else None
    return safe if safe and safe.startswith(("/", "http://", "https://")) else None


def menu_item_problems(item):
    """{field: message} of what is wrong with a menu entry's link and parent: menus have one
    level of children, in the parent's menu and language."""
    problems = {}
    if item.url and menu_url(item.url) is None:
        problems["url"] = _(
            "链接“%(url)s”不可用：须是以 / 开头的站内路径（例如 /news/），或以 http:// 或 "
            "https:// 开头的完整网址；不能有空格或反斜杠，也不能以 // 开头。"
        ) % {"url": item.url}
    parent = item.parent
    if parent is not None:
        if (parent.menu, parent.language) != (item.menu, item.language):
            problems["parent"] = _("上级“%(parent)s”属于另一个菜单或语言。") % {"parent": parent}
        elif parent.parent_id is not None or (
            item.pk and (parent.pk == item.pk or item.children.exists())
        ):
            problems["parent"] = _(
                "上级须是顶层菜单项，有下级的项也不能再有上级：菜单只有一级下拉。"
            )
    return problems
