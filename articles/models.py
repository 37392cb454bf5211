from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_ckeditor_5.fields import CKEditor5Field
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .querysets import ArticleQuerySet, PlacementQuerySet
from .renditions import add_body_renditions, make_featured_renditions
from .sanitize import sanitize_html
from .search import build_search_document
from .slugs import pinyin_slug, unique_slug


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
            )
        ]
        permissions = [
            ("publish_article", _("可以发布、定时发布和撤回文章")),
            ("change_any_article", _("可以编辑他人的文章")),
            ("propose_placement", _("可以提名文章进入推荐位")),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, touch=True, derived=None, **kwargs):
        """Derive the slug, sanitise the body and stamp times. touch=False keeps updated_at
        (an import sets it from the source's lastmod). derived: a DerivedText computed ahead
        (the Hugo import makes them in worker processes); used only if made from this text."""
        if not self.slug:
            self.slug = unique_slug(self.title, model=Article, instance_pk=self.pk)
        if derived is None or not derived.made_from(self):
            derived = derive_text(title=self.title, description=self.description, body=self.body)
        self.body, self.search_document = derived.body, derived.search_document
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "description", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_document"}
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if touch:
            self.updated_at = timezone.now()
        if kwargs.get("update_fields") is None:
            # Optimistic locking: an editor whose form carries an older number is refused.
            self.edit_version = (self.edit_version or 0) + 1
        super().save(*args, **kwargs)
        make_featured_renditions(self)
        if self.source_path:
            # Imported articles: drop the content issues this save has fixed.
            from .hugo.issues import recheck_content_issues

            recheck_content_issues(self)

    def get_absolute_url(self):
        return reverse("articles:article-detail", kwargs={"slug": self.slug})

    @property
    def byline(self):
        """Authors in byline order (read with the article by for_cards() / for_listing())."""
        if "labels" in self.__dict__:
            return self.labels.authors
        return [link.author for link in self.article_authors.all()]

    @property
    def topic_list(self):
        if "labels" in self.__dict__:
            return self.labels.topics
        return list(self.topics.all())

    @property
    def tag_list(self):
        if "labels" in self.__dict__:
            return self.labels.tags
        return list(self.tags.all())

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
        from .reading import reading_minutes

        return reading_minutes(self.body)


class ArticleAuthor(models.Model):
    """An author on an article; position is the byline order."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="article_links")
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


class Slot(models.Model):
    """A place on the site where moderators feature articles. New slots are rows, not code."""

    key = models.SlugField(_("标识"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("容量"), null=True, blank=True, help_text=_("同时生效的文章数上限；留空表示不限。")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("推荐位")
        verbose_name_plural = _("推荐位")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Placement(models.Model):
    """An article in a slot, in an order, for an optional window of time."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), on_delete=models.CASCADE, related_name="placements"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="placements"
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    starts_at = models.DateTimeField(
        _("开始时间"), null=True, blank=True, help_text=_("留空表示立即生效。")
    )
    ends_at = models.DateTimeField(
        _("结束时间"), null=True, blank=True, help_text=_("留空表示一直有效；到点自动下线。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["slot", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "article"], name="unique_slot_article"),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="placement_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["slot", "position"], name="placement_slot_order_idx")]
        permissions = [("moderate_placement", _("可以决定推荐位：审批提名、增删和排序"))]

    def __str__(self):
        return f"{self.slot}: {self.article}"


class PlacementProposal(models.Model):
    """An editor's request to feature an article; a moderator approves or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已拒绝")

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), on_delete=models.CASCADE, related_name="proposals"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="proposals"
    )
    starts_at = models.DateTimeField(_("希望开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("希望结束时间"), null=True, blank=True)
    note = models.TextField(_("理由"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提名时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推荐提名")
        verbose_name_plural = _("推荐提名")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "article"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_slot_article",
            )
        ]

    def __str__(self):
        return f"{self.slot}: {self.article} ({self.get_status_display()})"


class PlacementLog(models.Model):
    """Audit trail: every change to a placement or proposal, with who and when."""

    class Action(models.TextChoices):
        ADDED = "added", _("加入")
        CHANGED = "changed", _("修改")
        REMOVED = "removed", _("移除")
        PROPOSED = "proposed", _("提名")
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("拒绝")
        REORDERED = "reordered", _("调整顺序")

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    article_title = models.CharField(_("文章标题"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("推荐位日志")
        verbose_name_plural = _("推荐位日志")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.article_title}"


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
