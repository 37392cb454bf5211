"""The article: its row, what save() derives from it, and its byline."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_ckeditor_5.fields import CKEditor5Field
from taggit.managers import TaggableManager

from articles.media.renditions import add_body_renditions
from articles.models.addresses import slug_address
from articles.models.taxonomy import Author, Section, TaggedArticle, Topic
from articles.querysets import ArticleQuerySet
from articles.text.reading_time import reading_minutes
from articles.text.sanitize import sanitize_html
from articles.text.segment import build_search_document
from articles.text.slugs import unique_slug


@dataclass(frozen=True)
class DerivedText:
    """What Article.save() derives from an article's title, description and body."""

    title: str
    description: str
    source_body: str
    body: str  # sanitised, with image renditions
    search_document: str

    def made_from(self, article):
        return (self.title, self.description, self.source_body) == (
            article.title,
            article.description,
            article.body,
        )


def derive_text(*, title, description, body):
    clean = add_body_renditions(sanitize_html(body))
    document = build_search_document(title=title, description=description, body=clean)
    return DerivedText(title, description, body, clean, document)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=200)
    language = models.CharField(
        _("语言"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_index=True,
        help_text=_("文章正文的语言。同一篇文章的各语言版本属于同一个翻译组。"),
    )
    translation_group = models.UUIDField(
        _("翻译组"),
        default=uuid.uuid4,
        editable=False,
        db_index=True,
        help_text=_("同一篇文章的各语言版本共用一个翻译组，每种语言至多一篇。"),
    )
    slug = models.SlugField(
        _("网址别名"),
        max_length=100,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text=_("文章网址的最后一段；留空则按标题的拼音自动生成。"),
    )
    description = models.TextField(
        _("摘要"), blank=True, help_text=_("纯文本，显示在列表、搜索结果和分享卡片中。")
    )
    body = CKEditor5Field(_("正文"), blank=True, config_name="default")
    featured_image = models.ImageField(
        _("题图"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="featured_image_width",
        height_field="featured_image_height",
    )
    featured_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_alt = models.CharField(
        _("题图替代文字"),
        max_length=200,
        blank=True,
        help_text=_("为看不到图片的读者描述图片内容；设置题图时必填。"),
    )
    featured_image_caption = models.CharField(_("题图说明"), max_length=300, blank=True)
    authors = models.ManyToManyField(
        Author,
        through="ArticleAuthor",
        related_name="articles",
        verbose_name=_("作者"),
        blank=True,
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("栏目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("专题"), blank=True, related_name="articles"
    )
    tags = TaggableManager(verbose_name=_("标签"), through=TaggedArticle, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("发布时间"),
        null=True,
        blank=True,
        help_text=_("填写将来的时间即为定时发布：读者从那一分钟起可见。留空则发布时取当前时间。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    weight = models.IntegerField(
        _("权重"),
        null=True,
        blank=True,
        help_text=_("列表先按权重从小到大排列，未设权重的排在后面，再按发布时间从新到旧。"),
    )
    toc = models.BooleanField(
        _("目录"), default=False, help_text=_("在正文前显示由小标题生成的目录。")
    )
    fields = models.JSONField(
        _("栏目字段"),
        default=dict,
        blank=True,
        help_text=_("栏目声明的字段的取值（例如游戏的评分、导航项目的链接），按字段的键保存。"),
    )
    lightbox = models.BooleanField(
        _("图片灯箱"), default=True, help_text=_("正文图片点击后在画廊中打开。")
    )
    extra = models.JSONField(
        _("其他元数据"),
        default=dict,
        blank=True,
        help_text=_("导入时未建模的前置元数据，原样保留以便导出。"),
    )
    source_path = models.CharField(
        _("导入来源"),
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text=_("Hugo 站点中的源文件路径；再次导入时据此匹配。"),
    )
    source_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    edit_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("每次保存加一；用来发现两位编辑同时修改同一篇文章。"),
    )
    search_document = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text=_("分词后的标题、摘要和正文，供全文搜索使用。"),
    )
    search_terms = models.TextField(
        blank=True,
        default="",
        editable=False,
        help_text=_("分词后的栏目、专题、标签和作者名称，供全文搜索使用；名称改动时随之更新。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("写下这篇文章的后台账号；作者（Writer）只能修改自己创建的草稿。"),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_visible_idx"),
            # Lists in reading order and newest first, visible rows only (docs/PERFORMANCE.md).
            # PostgreSQL's ASC is NULLS LAST already, matching in_reading_order(); SQLite
            # cannot spell NULLS LAST in an index.
            models.Index(
                models.F("weight").asc(),
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="article_reading_idx",
                condition=models.Q(status="published"),
            ),
            models.Index(
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="article_latest_idx",
                condition=models.Q(status="published"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_path"],
                condition=~models.Q(source_path=""),
                name="unique_article_source_path",
            ),
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="one_translation_per_language"
            ),
        ]
        permissions = [
            ("publish_article", _("可以发布、定时发布和撤回文章")),
            ("change_any_article", _("可以编辑他人的文章")),
            ("propose_placement", _("可以提名文章进入推荐位")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Derive the slug, the sanitised body and the search document, and stamp the times and
        the edit version. Image renditions are a separate step (media.renditions)."""
        self.derive()
        self.updated_at = timezone.now()
        self._save_row(*args, **kwargs)

    def get_absolute_url(self):
        """The article's page in its own language (/en/articles/... for English)."""
        return slug_address("articles:article-detail", language=self.language, slug=self.slug)

    def translations(self):
        """The other language versions of this article, in the site's language order."""
        order = [code for code, _name in settings.LANGUAGES]
        others = Article.objects.filter(translation_group=self.translation_group).exclude(
            pk=self.pk
        )
        return sorted(
            others, key=lambda a: order.index(a.language) if a.language in order else len(order)
        )

    def save_imported(self, *, derived=None, search_terms=None):
        """save() for the Hugo import: updated_at stays as the import set it (the source's
        lastmod). derived: a DerivedText the importer computed ahead in a worker process, used
        only if it was made from this article's text.

        search_terms, for a new article only: its terms as refresh_search_terms() will find them
        once the import has linked its labels (articles.hugo.rows). The row is then stored as
        given, like a fixture (a raw save): the receivers that would refresh the terms from the
        links not yet written, and recheck content issues the import writes itself, leave it
        alone; the page cache takes it as a change, as it does any new article."""
        self.derive(derived=derived)
        if search_terms is None or self.pk is not None:
            self._save_row()
            return
        self.search_terms = search_terms
        self.edit_version = (self.edit_version or 0) + 1
        self.created_at = timezone.now()  # auto_now_add, which a raw save does not fill in
        self._prepare_related_fields_for_save(operation_name="save")
        self.save_base(raw=True)

    def derive(self, *, derived=None):
        """Set what the row derives from its own fields: slug, body, search document, and the
        publish time of an article published without one."""
        if not self.slug:
            self.slug = unique_slug(self.title, model=Article, instance_pk=self.pk)
        if derived is None or not derived.made_from(self):
            derived = derive_text(title=self.title, description=self.description, body=self.body)
        self.body, self.search_document = derived.body, derived.search_document
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def _save_row(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "description", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_document"}
        if update_fields is None:
            # Optimistic locking: an editor whose form carries an older number is refused.
            self.edit_version = (self.edit_version or 0) + 1
        super().save(*args, **kwargs)

    def _labels(self, kind):
        """The `kind` list attach_labels() (articles.reading.labels) read with the article, or
        None when it was not asked for."""
        return self.__dict__.get("labels", {}).get(kind)

    @property
    def byline(self):
        """Authors in byline order."""
        authors = self._labels("authors")
        if authors is None:
            authors = list(
                Author.objects.filter(article_links__article=self).order_by(
                    "article_links__position", "article_links__pk"
                )
            )
        return authors

    @property
    def topic_list(self):
        topics = self._labels("topics")
        return list(self.topics.all()) if topics is None else topics

    @property
    def tag_list(self):
        tags = self._labels("tags")
        return list(self.tags.all()) if tags is None else tags

    @property
    def is_visible(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def reading_minutes(self):
        return reading_minutes(self.body)


class ArticleAuthor(models.Model):
    """An author on an article; position is the byline order."""

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="article_authors"
    )
    author = models.ForeignKey(
        Author,
        verbose_name=pgettext_lazy("byline column", "作者"),
        on_delete=models.CASCADE,
        related_name="article_links",
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("署名")
        verbose_name_plural = _("署名")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")
        ]

    def __str__(self):
        return f"{self.author} @ {self.article}"
