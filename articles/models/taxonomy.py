"""Taxonomies and bylines: sections, topics, authors and tags (each with a public page)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from taggit.models import TagBase, TaggedItemBase

from articles.text.slugs import pinyin_slug, unique_slug


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

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.name, model=type(self), instance_pk=self.pk)
        super().save(*args, **kwargs)


class Section(SluggedName):
    """The Hugo site's `categories`: news, navigation, games, community."""

    class Meta(SluggedName.Meta):
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def get_absolute_url(self):
        return reverse("articles:section-detail", kwargs={"slug": self.slug})


class Topic(SluggedName):
    """The Hugo site's custom `news` taxonomy: 元宇宙, GameFi, DeFi-Games ..."""

    class Meta(SluggedName.Meta):
        verbose_name = _("专题")
        verbose_name_plural = _("专题")

    def get_absolute_url(self):
        return reverse("articles:topic-detail", kwargs={"slug": self.slug})


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
        return reverse("articles:author-detail", kwargs={"slug": self.slug})


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
        return reverse("articles:tag-detail", kwargs={"slug": self.slug})


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("文章标签")
        verbose_name_plural = _("文章标签")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")
        ]
        # A tag page reads (tag, article) pairs from the index alone.
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_tag_article_idx")]
