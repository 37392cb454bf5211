from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView, TemplateView

from .models import Article, Author, Placement, Section, Slot, Tag, Topic
from .querysets import CAROUSEL_SLOT, SHOWCASE_SLOT


def _slot_articles(key, *, default_capacity):
    """Live articles of one slot, in the moderators' order, up to the slot's capacity."""
    capacity = (
        Slot.objects.filter(key=key).values_list("capacity", flat=True).first() or default_capacity
    )
    placements = (
        Placement.objects.live()
        .in_slot(key)
        .select_related("article", "article__section")[:capacity]
    )
    return [placement.article for placement in placements]


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["carousel"] = _slot_articles(CAROUSEL_SLOT, default_capacity=6)
        context["showcase"] = _slot_articles(SHOWCASE_SLOT, default_capacity=3)
        context["latest"] = (
            Article.objects.published()
            .for_listing()
            .in_reading_order()[: settings.NEWSROOM["HOME_LATEST"]]
        )
        return context


class ArticleListView(ListView):
    """A paginated list of visible articles, pinned first; subclasses narrow it."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM["PAGE_SIZE"]
    heading_object = None

    def narrow(self, queryset):
        return queryset

    def get_queryset(self):
        return self.narrow(Article.objects.published()).for_listing().in_reading_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading_object"] = self.heading_object
        if self.heading_object is not None:
            context["heading_kind"] = type(self.heading_object)._meta.verbose_name
        return context


class TaxonomyArticleListView(ArticleListView):
    model_for_heading = None
    filter_field = None

    def narrow(self, queryset):
        self.heading_object = get_object_or_404(self.model_for_heading, slug=self.kwargs["slug"])
        return queryset.filter(**{self.filter_field: self.heading_object})


class TagDetailView(TaxonomyArticleListView):
    model_for_heading = Tag
    filter_field = "tags"


class SectionDetailView(TaxonomyArticleListView):
    model_for_heading = Section
    filter_field = "section"


class TopicDetailView(TaxonomyArticleListView):
    model_for_heading = Topic
    filter_field = "topics"


class AuthorDetailView(TaxonomyArticleListView):
    model_for_heading = Author
    filter_field = "authors"


class ArticleDetailView(DetailView):
    """An article as readers see it; staff also see drafts and scheduled ones (preview)."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        articles = Article.objects.for_listing()
        if self.request.user.is_staff:
            return articles
        return articles.published()

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            raise Http404("没有这篇文章") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["is_preview"] = not article.is_visible
        if article.published_at:
            visible = Article.objects.published().only("title", "slug", "published_at")
            context["previous_article"] = (
                visible.filter(published_at__lt=article.published_at)
                .order_by("-published_at")
                .first()
            )
            context["next_article"] = (
                visible.filter(published_at__gt=article.published_at)
                .order_by("published_at")
                .first()
            )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.user.is_staff:
            add_never_cache_headers(response)
        return response
