"""An article's translations in the admin: the changelist's count, the change form's panel and
the add form opened as a translation of another article.

"添加英文翻译" opens the add form with `?translation_of=<id>&language=<code>`; the form is
pre-filled from that article; "并排对照" shows two versions field by field, side by side
(`<id>/translations/<other id>/`) (articles.editorial.forms.ArticleAdminForm carries the translation
group in a hidden field and checks it again on save: the client is never trusted).
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.params import is_id
from articles.editorial import permissions
from articles.models import Article
from articles.portal.forms import PREFIX

LANGUAGE_NAMES = dict(settings.LANGUAGES)

# Copied from the original into a translation's add form; the translator replaces the words.
COPIED_FIELDS = [
    "title",
    "description",
    "body",
    "featured_image_alt",
    "featured_image_caption",
    "lightbox",
    "toc",
    "extra",
]


def with_translation_count(queryset):
    """Annotate `translation_count`: how many other language versions each article has, in the
    changelist's one statement (a correlated subquery on the indexed translation_group)."""
    others = (
        Article.objects.filter(translation_group=OuterRef("translation_group"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("translation_group")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        translation_count=Coalesce(Subquery(others, output_field=IntegerField()), Value(0))
    )


def source_of(request):
    """The article an add form was opened to translate (`?translation_of=<id>`), if any."""
    raw = request.GET.get("translation_of")
    if request.method != "GET" or not is_id(raw):
        return None
    return Article.objects.filter(pk=int(raw)).select_related("section").first()


def requested_language(request, source):
    """The language asked for, if it is a site language the source's group lacks."""
    language = request.GET.get("language")
    if language not in LANGUAGE_NAMES or source is None:
        return None
    taken = Article.objects.filter(translation_group=source.translation_group, language=language)
    return None if taken.exists() else language


def prefill(source, language):
    """The add form's initial data for a translation of `source` into `language`."""
    initial = {name: getattr(source, name) for name in COPIED_FIELDS}
    initial.update(
        join_translation_group=str(source.translation_group),
        language=language,
        status=Article.Status.DRAFT,
        section=source.section_id,
        topics=list(source.topics.values_list("pk", flat=True)),
    )
    for key, value in (source.fields or {}).items():
        initial[f"{PREFIX}{key}"] = value
    return initial


def inline_prefill(source, model):
    """Initial rows of the byline and tag inlines, copied from the source."""
    if model._meta.model_name == "articleauthor":
        return [
            {"author": link.author_id, "position": link.position}
            for link in source.article_authors.all()
        ]
    if model._meta.model_name == "taggedarticle":
        return [{"tag": pk} for pk in source.tags.values_list("pk", flat=True)]
    return []


def add_url(source, language):
    query = {"translation_of": source.pk, "language": language}
    if source.section_id:
        # The add form lays out the section's own fields from ?section= (articles.portal.forms).
        query["section"] = source.section_id
    return reverse("admin:articles_article_add") + "?" + urlencode(query)


def panel(*, article, can_add):
    """The change form's "翻译" panel: the other versions and the languages still missing."""
    others = article.translations()
    visible = {other.pk for other in others if other.is_visible}  # in its own language's pages
    versions = [
        {
            "article": other,
            "language": LANGUAGE_NAMES.get(other.language, other.language),
            "change_url": reverse("admin:articles_article_change", args=[other.pk]),
            "compare_url": reverse(
                "admin:articles_article_translation_compare", args=[article.pk, other.pk]
            ),
            "public_url": other.get_absolute_url() if other.pk in visible else "",
        }
        for other in others
    ]
    have = {article.language} | {other.language for other in others}
    missing = [
        {"code": code, "name": name, "add_url": add_url(article, code) if can_add else ""}
        for code, name in settings.LANGUAGES
        if code not in have
    ]
    return {"versions": versions, "missing": missing}


class TranslationPrefillInline:
    """For the byline and tag inlines: as many blank rows as the source has, so the add form
    opened as a translation shows the source's authors and tags (ArticleAdmin fills them)."""

    def get_extra(self, request, obj=None, **kwargs):
        extra = super().get_extra(request, obj, **kwargs)
        source = source_of(request) if obj is None or obj.pk is None else None
        if source is None:
            return extra
        return max(extra, len(inline_prefill(source, self.model)))


# What the side-by-side view shows of each version, in this order.
COMPARED_FIELDS = ["title", "description", "featured_image_alt", "featured_image_caption"]


def side_by_side(article, other):
    """Rows of (label, this version's value, the other's) for the side-by-side view; the body
    is shown as readers see it (stored sanitised), the rest as text."""
    return [
        (Article._meta.get_field(name).verbose_name, getattr(article, name), getattr(other, name))
        for name in COMPARED_FIELDS
    ]


class TranslationAdminMixin:
    """ArticleAdmin's part: the language column, the pre-filled add form, the panel and the
    side-by-side view."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.translation_compare_view)
        return [
            path(
                "<path:object_id>/translations/<int:other_id>/",
                view,
                name="articles_article_translation_compare",
            ),
        ] + super().get_urls()

    def translation_compare_view(self, request, object_id, other_id):
        article = self.get_object(request, object_id)
        other = self.get_object(request, str(other_id))
        if article is None or other is None or article.pk == other.pk:
            raise Http404(_("没有这篇文章"))
        if article.translation_group != other.translation_group:
            raise Http404(_("这两篇文章不是同一篇文章的语言版本"))
        for version in (article, other):
            if not self.has_view_or_change_permission(request, version):
                raise PermissionDenied
        columns = [
            {
                "article": version,
                "language": LANGUAGE_NAMES.get(version.language, version.language),
                "change_url": reverse("admin:articles_article_change", args=[version.pk]),
                "can_change": self.has_change_permission(request, version),
            }
            for version in (article, other)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": _("并排对照：%(title)s") % {"title": article.title},
            "columns": columns,
            "rows": side_by_side(article, other),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/article/translation_compare.html", context)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        source = source_of(request)
        language = requested_language(request, source)
        if language is None:
            initial.pop("join_translation_group", None)
            return initial
        return {**initial, **prefill(source, language)}

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        source = source_of(request) if obj is None or obj.pk is None else None
        if source is not None and requested_language(request, source):
            kwargs["initial"] = inline_prefill(source, inline.model)
        return kwargs

    def translation_context(self, request, obj):
        if obj is not None and obj.pk:
            return panel(article=obj, can_add=permissions.can_add_translation(request.user))
        source = source_of(request)
        language = requested_language(request, source)
        if language is None:
            return None
        return {"source": source, "language": LANGUAGE_NAMES[language]}

    @admin.display(description=_("语言"), ordering="language")
    def language_label(self, obj):
        name = LANGUAGE_NAMES.get(obj.language, obj.language)
        count = getattr(obj, "translation_count", 0)
        if not count:
            return name
        note = ngettext("另有 %d 个语言版本", "另有 %d 个语言版本", count) % count
        return format_html(
            '{} <span class="translation-count" title="{}">+{}</span>', name, note, count
        )
