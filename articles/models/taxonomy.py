"""Taxonomies and bylines: sections, topics, authors and tags (each with a public page)."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from articles.models.addresses import cached_reverse
from articles.text.slugs import pinyin_slug, unique_slug


def in_language(default, translations, key, language=None):
    """`translations[<language>][key]` for the current (or given) language, else `default`.

    translations: {"en": {"title": "..."}}; the site's default language is the row's own
    column, so it never needs an entry."""
    language = (language or get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0]):
        value = (translations or {}).get(code, {}).get(key)
        if value:
            return value
    return default


class SluggedName(models.Model):
    """A named thing with a public page: the slug is made from the name when left empty."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    slug = models.SlugField(
        _("网址别名"),
        max_length=100,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=_("出现在网址中；留空则按名称的拼音自动生成。"),
    )
    description = models.TextField(_("简介"), blank=True)
    translations = models.JSONField(
        _("其他语言"),
        default=dict,
        blank=True,
        help_text=_('其他语言的名称和简介，例如 {"en": {"name": "News", "description": ""}}。'),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.name, model=type(self), instance_pk=self.pk)
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        """The name in the current language (the row's own name is the site's language)."""
        return in_language(self.name, self.translations, "name")

    @property
    def display_description(self):
        return in_language(getattr(self, "description", ""), self.translations, "description")


class Section(SluggedName):
    """The Hugo site's `categories`: news, navigation, games, community."""

    class Meta(SluggedName.Meta):
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def get_absolute_url(self):
        return cached_reverse("articles:section-detail", slug=self.slug)


class Vocabulary(models.Model):
    """A family of topics: one of the Hugo site's own taxonomies (news, navigation, games...)."""

    key = models.SlugField(
        _("标识"), max_length=50, unique=True, help_text=_("Hugo 配置中分类法的复数名，例如 news。")
    )
    name = models.CharField(_("名称"), max_length=100)
    translations = models.JSONField(_("其他语言"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("专题分类")
        verbose_name_plural = _("专题分类")
        ordering = ["position", "key"]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return in_language(self.name, self.translations, "name")


class Topic(SluggedName):
    """A term of one of the site's own taxonomies (`news`: 元宇宙, GameFi, DeFi-Games ...)."""

    vocabulary = models.ForeignKey(
        Vocabulary,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )

    class Meta(SluggedName.Meta):
        verbose_name = _("专题")
        verbose_name_plural = _("专题")

    def get_absolute_url(self):
        return cached_reverse("articles:topic-detail", slug=self.slug)


class Author(SluggedName):
    name = models.CharField(_("姓名"), max_length=100, unique=True)
    description = None
    bio = models.TextField(_("简介"), blank=True)
    avatar = models.ImageField(_("头像"), upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("后台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    class Meta(SluggedName.Meta):
        verbose_name = _("作者")
        verbose_name_plural = _("作者")

    def get_absolute_url(self):
        return cached_reverse("articles:author-detail", slug=self.slug)


class Tag(TagBase):
    """A taggit tag whose slug is pinyin, so Chinese tags get working, unique slugs."""

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def slugify(self, tag, i=None):
        slug = pinyin_slug(tag, max_length=90, fallback="tag")
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self):
        return cached_reverse("articles:tag-detail", slug=self.slug)


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", verbose_name=_("文章"), on_delete=models.CASCADE)
    tag = models.ForeignKey(
        Tag,
        verbose_name=pgettext_lazy("tag column", "标签"),
        on_delete=models.CASCADE,
        related_name="tagged_articles",
    )

    class Meta:
        verbose_name = _("文章标签")
        verbose_name_plural = _("文章标签")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        # A tag page reads (tag, article) pairs from the index alone.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_tag_article_idx")]
