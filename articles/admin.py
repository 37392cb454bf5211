from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .forms import ArticleAdminForm, AuthorAdminForm
from .models import (
    Article,
    ArticleAuthor,
    Author,
    Placement,
    Section,
    Slot,
    Tag,
    TaggedArticle,
    Topic,
)


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("署名作者")
    verbose_name_plural = _("署名作者（按顺序）")


class TaggedArticleInline(admin.TabularInline):
    model = TaggedArticle
    autocomplete_fields = ["tag"]
    extra = 1
    verbose_name = _("标签")
    verbose_name_plural = _("标签")


class PlacementInline(admin.TabularInline):
    model = Placement
    fields = ["slot", "position", "starts_at", "ends_at"]
    extra = 0


class PlacementFilter(admin.SimpleListFilter):
    title = _("推荐位")
    parameter_name = "slot"

    def lookups(self, request, model_admin):
        return [(slot.key, slot.name) for slot in Slot.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(placements__slot__key=self.value()).distinct()
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    inlines = [ArticleAuthorInline, TaggedArticleInline, PlacementInline]
    list_display = [
        "thumbnail",
        "title",
        "section",
        "author_names",
        "status_label",
        "published_at",
        "slot_names",
    ]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["status", "section", "topics", PlacementFilter, "tags", "authors"]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["topics", "section"]
    prepopulated_fields = {}
    readonly_fields = ["featured_image_preview", "created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body"]}),
        (
            _("题图"),
            {
                "fields": [
                    "featured_image",
                    "featured_image_preview",
                    "featured_image_alt",
                    "featured_image_caption",
                ]
            },
        ),
        (_("分类"), {"fields": ["section", "topics"]}),
        (_("发布"), {"fields": ["status", "published_at", "weight", "lightbox"]}),
        (
            _("元数据"),
            {"fields": ["created_at", "updated_at", "extra"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("section")
            .prefetch_related(
                Prefetch(
                    "article_authors", queryset=ArticleAuthor.objects.select_related("author")
                ),
                Prefetch("placements", queryset=Placement.objects.select_related("slot")),
            )
        )

    @admin.display(description=_("题图"))
    def thumbnail(self, obj):
        if not obj.featured_image:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="width:64px;height:40px;object-fit:cover;border-radius:3px">',
            obj.featured_image.url,
        )

    @admin.display(description=_("题图预览"))
    def featured_image_preview(self, obj):
        if not obj or not obj.featured_image:
            return _("尚未设置题图")
        return format_html(
            '<img src="{}" alt="{}" style="max-width:360px;max-height:240px">',
            obj.featured_image.url,
            obj.featured_image_alt,
        )

    @admin.display(description=_("作者"))
    def author_names(self, obj):
        return "、".join(author.name for author in obj.byline)

    @admin.display(description=_("状态"), ordering="status")
    def status_label(self, obj):
        if obj.is_scheduled:
            return format_html(
                '<span title="{}">⏰ {}</span>',
                obj.published_at,
                _("定时发布：%(when)s")
                % {"when": timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")},
            )
        return obj.get_status_display()

    @admin.display(description=_("推荐位"))
    def slot_names(self, obj):
        return "、".join(placement.slot.name for placement in obj.placements.all()) or "—"

    @admin.action(description=_("发布所选文章"))
    def publish(self, request, queryset):
        now = timezone.now()
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or now
            article.save()
            count += 1
        self.message_user(
            request,
            ngettext("已发布 %d 篇文章。", "已发布 %d 篇文章。", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("撤回所选文章（改为草稿）"))
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article.status = Article.Status.DRAFT
            article.save()
            count += 1
        self.message_user(
            request,
            ngettext("已撤回 %d 篇文章。", "已撤回 %d 篇文章。", count) % count,
            messages.SUCCESS,
        )


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["user"]


@admin.register(Section, Topic)
class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "capacity", "position"]
    list_editable = ["capacity", "position"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["article", "slot", "position", "starts_at", "ends_at", "created_by"]
    list_filter = ["slot"]
    autocomplete_fields = ["article"]
    search_fields = ["article__title"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
