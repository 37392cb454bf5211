from datetime import datetime

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.generic import (
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from articles.audience.figures import most_read, view_total
from articles.models import Article
from articles.pagecache.canonical import list_value
from articles.pagecache.generation import shows_article_text, shows_one_article
from articles.pagecache.middleware import keep_page_until
from articles.pagecache.narrowed import text_scope
from articles.pagecache.state import cached_for_content
from articles.pagecache.terms import term_key
from articles.portal.channels import channels_by_section
from articles.querysets import CAROUSEL_SLOT, SHOWCASE_SLOT, reading_language
from articles.querysets.prepared import Prepared
from articles.reading import languages, portal
from articles.reading import related as reading
from articles.reading.home import home_blocks, home_slots
from articles.reading.labels import AUTHORS, attach_labels
from articles.reading.pagination import ListStatements, ReadingOrderPaginator
from articles.reading.taxonomies import TAXONOMIES
from articles.reading.toc import table_of_contents
from articles.search import highlight as highlighting
from articles.search import query as search

# The lists' statements, compiled once per shape (reading/pagination.py).
EVERY_ARTICLE = ListStatements()
TERM_LISTS = {taxonomy.name: ListStatements(of=taxonomy.article_field) for taxonomy in TAXONOMIES}
# A term by its slug, for its page (taxonomy_term()).
TERMS = {
    taxonomy.name: Prepared(
        taxonomy.model,
        lambda slug, model=taxonomy.model: model.objects.filter(slug=slug).order_by("pk")[:1],
        slug=str,
    )
    for taxonomy in TAXONOMIES
}
# The article page's own row, as readers may see it: compiled once (querysets/prepared.py).
visible_article = Prepared(
    Article,
    lambda slug, now, language: (
        Article.objects.for_cards().published(at=now, language=language).filter(slug=slug)
    ),
    slug=str,
    now=datetime,
    language=str,
)


class FiguresMixin:
    """A page showing view counts (articles.audience.figures) is kept by the page cache no
    longer than its figures are: they change with the clock, not with a save."""

    figures_until = None

    def figures(self, found):
        value, until = found
        self.figures_until = min(until, self.figures_until or until)
        return value

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.figures_until is not None:
            keep_page_until(response, self.figures_until)
        return response


class HomeView(FiguresMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slots = home_slots(CAROUSEL_SLOT, SHOWCASE_SLOT)
        context["carousel"] = slots[CAROUSEL_SLOT]
        context["showcase"] = slots[SHOWCASE_SLOT]
        context.update(home_blocks(request=self.request))
        context["most_read"] = self.figures(most_read())
        return context


class ArticleListView(ListView):
    """A paginated list of visible articles, pinned first; TaxonomyArticleListView narrows it."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]
    paginator_class = ReadingOrderPaginator
    heading_object = None

    def list_key(self):
        """Names this list's rows for the kept counts and page ids (ReadingOrderPaginator)."""
        return ("all",)

    def narrow(self, queryset):
        return queryset

    def get_queryset(self):
        # ReadingOrderPaginator puts it in reading order (pinned first) with index-only queries.
        return self.narrow(Article.objects.published()).for_cards()

    def list_statements(self):
        """This list's statements compiled once (ListStatements), None for the ORM's."""
        return EVERY_ARTICLE.bound()

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        return self.paginator_class(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            list_key=self.list_key(),
            statements=self.list_statements(),
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading_object"] = self.heading_object
        if self.heading_object is not None:
            context["heading_kind"] = type(self.heading_object)._meta.verbose_name
        fields = portal.fields_by_section(self.request)
        articles = context["articles"]
        # A page of directory entries only (a directory's section or topic pages) is a grid
        # of logos; any other list, cards.
        context["logo_grid"] = bool(articles) and all(
            article.section_id and portal.is_directory(fields.get(article.section_id, []))
            for article in articles
        )
        return context


def taxonomy_term(taxonomy, slug):
    """The section, topic, tag or author a list is of, kept per content generation (a save of
    any of them starts a new one): its page reads no query for it. 404 when there is none."""
    term = cached_for_content(
        parts=("term", taxonomy.name, slug),
        compute=lambda: next(iter(TERMS[taxonomy.name](slug=slug)), None),
    )
    if term is None:
        raise Http404(f"没有这个{taxonomy.model._meta.verbose_name}")
    return term


class TaxonomyArticleListView(FiguresMixin, ArticleListView):
    """The articles of one section, topic, tag or author (articles.reading.taxonomies); a
    section's list also takes its fields' filters and sort order (articles.reading.portal)."""

    taxonomy = None
    wanted = portal.ListQuery()
    section_fields = ()

    def list_key(self):
        return (self.taxonomy.name, self.heading_object.pk, *self.wanted.key)

    def list_statements(self):
        if self.wanted.key:  # a section's filters or sort order: the ORM builds those
            return None
        return TERM_LISTS[self.taxonomy.name].bound(term=self.heading_object.pk)

    def narrow(self, queryset):
        self.heading_object = taxonomy_term(self.taxonomy, self.kwargs["slug"])
        queryset = queryset.filter(**{self.taxonomy.article_field: self.heading_object})
        if self.taxonomy.term_pages:
            # Its cached page stays through other terms' changes (pagecache/terms.py).
            self.request.page_term = term_key(self.taxonomy.name, self.heading_object.pk)
        if self.taxonomy.name == "section":
            self.section_fields = portal.section_fields(
                self.heading_object.pk, request=self.request
            )
            self.wanted = portal.list_query(self.request.GET, self.section_fields)
            queryset = portal.apply_list_query(queryset, self.wanted)
        return queryset

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        if self.wanted.sort is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)
        return portal.FieldOrderPaginator(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            list_key=self.list_key(),
            ordering=portal.sort_order(self.wanted.sort),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.taxonomy.name != "section":
            return context
        section = self.heading_object
        context["channels"] = channels_by_section(self.request).get(section.pk, [])
        filterable = portal.filterable_fields(self.section_fields)
        base = Article.objects.published().filter(section=section)
        choices = portal.filter_choices(base, filterable, list_key=("section", section.pk))
        context["list_filters"] = [
            (item, choices.get(item.key, []), list_value(self.request.GET, item.key))
            for item in filterable
        ]
        context["list_sorts"] = portal.sortable_fields(self.section_fields)
        context["list_query"] = self.wanted
        context["most_read"] = self.figures(most_read(section=section))
        return context


@method_decorator(shows_one_article, name="dispatch")  # lists_changed() leaves it cached
class ArticleDetailView(FiguresMixin, DetailView):
    """An article as readers see it; staff also see drafts and scheduled ones (preview)."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        """The article and its section, then its byline, topics, tags and the previous and
        next visible articles in one more statement (articles.reading.labels). Staff read
        drafts and scheduled articles too; readers' row is visible_article's. No get_queryset()
        of every article is left for other code to find."""
        if self.request.user.is_staff:
            try:
                article = super().get_object(Article.objects.for_cards())
            except Http404:
                raise Http404("没有这篇文章") from None
        else:
            found = visible_article(
                slug=self.kwargs["slug"], now=timezone.now(), language=reading_language()
            )
            if not found:
                raise Http404("没有这篇文章")
            article = found[0]
        attach_labels([article], neighbours=True)
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["is_preview"] = not article.is_visible
        context.update(portal.article_portal(article, request=self.request))
        context["toc"] = table_of_contents(article.body) if article.toc else []
        context["article_versions"] = languages.article_versions(article)
        context["previous_article"] = article.previous_article
        context["next_article"] = article.next_article
        if article.is_visible:
            context["related_articles"] = reading.cached_related_articles(
                article, request=self.request
            )
            # Kept up to date by the flush, which moves this page's version (figures.py).
            context["view_count"] = view_total(article)
            # Staff reading the site are not its readers.
            context["count_views"] = not self.request.user.is_staff
        else:
            context["related_articles"] = reading.related_links(article)
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.user.is_staff:
            add_never_cache_headers(response)
        return response


@method_decorator(shows_article_text, name="dispatch")  # excerpts of the body
class SearchView(ListView):
    """/search/?q=: visible articles matching the query, best first, matches highlighted."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]

    def get_queryset(self):
        self.query = search.clean_query(self.request.GET.get("q"))
        return search.search(Article.objects.published().for_cards(), self.query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.query
        context["results_capped"] = search.is_capped(context["paginator"].count)
        attach_labels(context["articles"], (AUTHORS,))
        for article in context["articles"]:
            article.title_highlighted = highlighting.highlight(article.title, self.query)
            article.excerpt = highlighting.result_excerpt(article, self.query)
        # A text edit elsewhere leaves this page cached unless it changes a match for these
        # words (pagecache/narrowed.py).
        shown = [article.pk for article in context["articles"]]
        self.request.page_text_scope = text_scope(shown, search.query_terms(self.query))
        return context


class ArchiveIndexView(TemplateView):
    """/archive/: every month with visible articles, grouped by year."""

    template_name = "articles/archive_index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = {}
        for month, total in reading.archive_months():
            years.setdefault(month.year, []).append((month, total))
        context["years"] = sorted(years.items(), reverse=True)
        return context


class ArchiveMixin:
    """Visible articles by publish date (in the site's time zone), newest first."""

    date_field = "published_at"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]
    allow_empty = False
    ordering = ["-published_at", "-pk"]

    def get_queryset(self):
        return Article.objects.published().for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        attach_labels(context["articles"], (AUTHORS,))
        return context


class ArchiveYearView(ArchiveMixin, YearArchiveView):
    template_name = "articles/archive_year.html"
    make_object_list = True


class ArchiveMonthView(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"
    month_format = "%m"
