import copy

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from taggit.models import Tag as TaggitTag

from articles.admin.editing import EditingAdminMixin
from articles.admin.issues import warn_about_issues
from articles.admin.media_pick import FeaturedFromLibraryForm, MediaLibraryArticleAdminMixin
from articles.admin.merge import AuthorFormSet, tell_what_was_merged
from articles.admin.params import CheckedLookupsMixin
from articles.admin.revisions import RevisionAdminMixin
from articles.admin.storage import StorageErrorAdminMixin
from articles.admin.tags import TaggedArticleInline
from articles.admin.translations import (
    TranslationAdminMixin,
    TranslationPrefillInline,
    with_translation_count,
)
from articles.curation import services as curation
from articles.editorial import permissions, revisions, services
from articles.editorial.forms import ArticleAdminForm, AuthorAdminForm, SluggedAdminForm
from articles.hugo.issues import note_missing_featured_file
from articles.media.renditions import make_article_renditions
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Placement,
    Slot,
    Topic,
)
from articles.portal.forms import PREFIX, SECTION_HELP, SectionFieldsFormMixin, section_field_names

# Articles use articles.Tag; taggit's own Tag admin is unused, and its merge-tags view checks
# no permission (any staff login could write through it).
if admin.site.is_registered(TaggitTag):
    admin.site.unregister(TaggitTag)


class PortalArticleForm(FeaturedFromLibraryForm, SectionFieldsFormMixin, ArticleAdminForm):
    """The article form with the typed fields its section declares (articles.portal.forms)."""


class ArticleAuthorInline(TranslationPrefillInline, admin.TabularInline):
    model = ArticleAuthor
    formset = AuthorFormSet
    autocomplete_fields = ["author"]
    extra = 1
    verbose_name = _("署名作者")
    verbose_name_plural = _("署名作者（按顺序）")


class PlacementInline(admin.TabularInline):
    """Read-only here: placements change on the curation desk, where capacity and the audit
    log are enforced."""

    model = Placement
    fields = ["slot", "position", "starts_at", "ends_at", "created_by"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
class ArticleAdmin(
    CheckedLookupsMixin,
    StorageErrorAdminMixin,
    EditingAdminMixin,
    RevisionAdminMixin,
    TranslationAdminMixin,
    MediaLibraryArticleAdminMixin,
    admin.ModelAdmin,
):
    form = PortalArticleForm
    inlines = [ArticleAuthorInline, TaggedArticleInline, PlacementInline]
    list_display = [
        "thumbnail",
        "title",
        "language_label",
        "section",
        "author_names",
        "status_label",
        "slot_names",
        "preview_link",
    ]
    list_display_links = ["title"]  # a linked thumbnail (alt="") would be a link with no name
    list_filter = ["status", "language", "section", "topics", PlacementFilter, "tags", "authors"]
    search_fields = ["title", "description", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["topics", "section"]
    prepopulated_fields = {}
    readonly_fields = [
        "featured_image_preview",
        "schedule_state",
        "created_by",
        "created_at",
        "updated_at",
    ]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["title", "language", "slug", "description", "body", "seen_version"]}),
        (
            _("题图"),
            {
                "fields": [
                    "featured_image",
                    "library_image",
                    "featured_image_preview",
                    "featured_image_alt",
                    "featured_image_caption",
                ]
            },
        ),
        (_("分类"), {"fields": ["section", "topics"]}),
        (
            _("发布"),
            {
                "fields": [
                    "schedule_state",
                    "status",
                    "published_at",
                    "weight",
                    "lightbox",
                    "toc",
                ]
            },
        ),
        (
            _("元数据"),
            {
                "fields": ["created_by", "created_at", "updated_at", "extra"],
                "classes": ["collapse"],
            },
        ),
    ]

    class Media:
        css = {"all": ["css/admin-translations.css", "css/admin-article-list.css"]}

    def get_queryset(self, request):
        return (
            with_translation_count(super().get_queryset(request))
            .select_related("section")
            .prefetch_related(
                Prefetch(
                    "article_authors", queryset=ArticleAuthor.objects.select_related("author")
                ),
                Prefetch("placements", queryset=Placement.objects.select_related("slot")),
            )
        )

    # Roles: the rules live in articles.editorial.permissions; the admin asks them on every request.

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.can_edit_article(request.user, obj)

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_publish(request.user):
            fields += permissions.PUBLISH_FIELDS
        if not permissions.can_moderate(request.user):
            fields += permissions.ORDERING_FIELDS
        return fields

    def get_fieldsets(self, request, obj=None):
        """The fieldsets, with the fields of the section the form shows (see PortalArticleForm)."""
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:  # the hidden translation group of an add form opened as a translation
            title, options = fieldsets[0]
            fieldsets[0] = (
                title,
                {**options, "fields": [*options["fields"], "join_translation_group"]},
            )
        if obj is not None and not self.has_change_permission(request, obj):
            return fieldsets
        names = section_field_names(
            data=request.POST if request.method == "POST" else None,
            initial=request.GET if obj is None else None,
            instance=obj,
            request=request,
        )
        if names:
            fieldsets.insert(3, (_("栏目字段"), {"fields": names, "description": SECTION_HELP}))
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The section's fields are made by the form itself, not by the model form factory.
        fields = kwargs.get("fields") or flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = [name for name in fields if not name.startswith(PREFIX)]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            revisions.ensure_baseline(obj)
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        make_article_renditions(obj)
        note_missing_featured_file(obj)
        if "weight" in form.changed_data:
            curation.record_weight_change(
                article=obj, by=request.user, old=form.initial.get("weight") if change else None
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            labels = [
                str(form.fields[name].label or name)
                for name in form.changed_data
                if name != "seen_version"
            ]
            comment = _("修改：%(fields)s") % {"fields": "、".join(labels) or "—"}
        else:
            comment = _("新建")
        revisions.record(article=form.instance, by=request.user, comment=comment)
        tell_what_was_merged(request, form)
        warn_about_issues(request, form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["conflict"] = getattr(context["adminform"].form, "conflict", None)
        context["translations"] = self.translation_context(request, obj)
        if obj is not None and obj.pk:
            # The saved article's page: a refused form's instance carries what was posted, a
            # cleared slug too (the form's initial data is the saved row).
            saved = copy.copy(obj)
            saved.slug = context["adminform"].form.initial.get("slug") or obj.slug
            context["preview_url"] = saved.get_absolute_url()
            context["revisions_url"] = reverse("admin:articles_article_revisions", args=[obj.pk])
            context["can_propose"] = permissions.can_propose(request.user)
            context["propose_url"] = (
                reverse("admin:articles_placementproposal_add") + f"?article={obj.pk}"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("预览"))
    def preview_link(self, obj):
        label = _("查看") if obj.is_visible else _("预览")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    @admin.display(description=_("发布状态"))
    def schedule_state(self, obj):
        if obj is None or obj.pk is None:
            return _("草稿（尚未保存）")
        when = (
            timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
            if obj.published_at
            else ""
        )
        if obj.is_scheduled:
            return format_html(
                "<strong>⏰ {}</strong>", _("定时发布：将于 %(when)s 对读者可见") % {"when": when}
            )
        if obj.is_visible:
            return _("已发布：%(when)s 起对读者可见") % {"when": when}
        return _("草稿：读者看不到")

    @admin.display(description=pgettext_lazy("article list column", "题图"))
    def thumbnail(self, obj):
        if not obj.featured_image:
            return "—"
        return format_html(
            '<img class="article-thumb" src="{}" alt="" width="48" height="30">',
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
        # From the prefetched byline rows (get_queryset), not obj.byline: one query per row.
        return "、".join(link.author.name for link in obj.article_authors.all())

    @admin.display(description=_("发布状态"), ordering="published_at")
    def status_label(self, obj):
        """The status with its time, in one narrow column (the list's room goes to titles)."""
        when = (
            timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
            if obj.published_at
            else ""
        )
        if obj.is_scheduled:
            return format_html("⏰ {}", _("定时发布：%(when)s") % {"when": when})
        if obj.is_visible:
            return format_html(
                '{}<br><span class="publish-time">{}</span>', obj.get_status_display(), when
            )
        return obj.get_status_display()

    @admin.display(description=_("推荐位"))
    def slot_names(self, obj):
        return "、".join(placement.slot.name for placement in obj.placements.all()) or "—"

    @admin.action(description=_("发布所选文章"), permissions=["publish"])
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            services.publish_article(article=article, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("已发布 %d 篇文章。", "已发布 %d 篇文章。", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("撤回所选文章（改为草稿）"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            services.unpublish_article(article=article, by=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("已撤回 %d 篇文章。", "已撤回 %d 篇文章。", count) % count,
            messages.SUCCESS,
        )


@admin.register(Author)
class AuthorAdmin(CheckedLookupsMixin, StorageErrorAdminMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["user"]


# Sections and their typed fields: sections.py; tags and the article form's tag field: tags.py.
@admin.register(Topic)
class TaxonomyAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = SluggedAdminForm
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


# The curation desk and SlotAdmin live in desk.py; the Placement, PlacementProposal and
# PlacementLog admins in placements.py; the role labels for groups and users in roles.py;
# content issues in issues.py.
