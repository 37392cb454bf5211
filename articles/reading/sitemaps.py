"""/sitemap.xml: visible articles, the taxonomy and author pages that list them, fixed pages."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Topic, Vocabulary
from articles.reading.taxonomies import TAXONOMIES


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        """Every language's visible articles, each at its own language's URL."""
        visible = Q()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                visible |= Q(pk__in=Article.objects.published().values("pk"))
        return (
            Article.objects.filter(visible)
            .only("slug", "language", "updated_at", "published_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


class TaxonomySitemap(Sitemap):
    """Pages of one taxonomy (articles.reading.taxonomies) that list a visible article."""

    changefreq = "daily"

    def __init__(self, taxonomy):
        self.taxonomy = taxonomy
        self.priority = taxonomy.sitemap_priority

    def items(self):
        latest = (
            Article.objects.published()
            .filter(**{self.taxonomy.article_field: OuterRef("pk")})
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            self.taxonomy.model.objects.annotate(latest=Subquery(latest))
            .filter(latest__isnull=False)
            .order_by("pk")
        )

    def lastmod(self, obj):
        return obj.latest


class PageSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:article-list", "articles:archive"]

    def location(self, name):
        return reverse(name)


class IndexSitemap(Sitemap):
    """The index pages (articles/reading/indexes.py) and each vocabulary with a visible topic."""

    changefreq = "daily"
    priority = 0.4
    NAMES = [
        "articles:tag-index",
        "articles:section-index",
        "articles:topic-index",
        "articles:author-index",
    ]

    def items(self):
        visible = Article.objects.published().filter(topics=OuterRef("pk"))
        used = Topic.objects.filter(vocabulary=OuterRef("pk")).filter(Exists(visible))
        keys = Vocabulary.objects.filter(Exists(used)).order_by("position", "key")
        return [*self.NAMES, *keys.values_list("key", flat=True)]

    def location(self, item):
        if item.startswith("articles:"):
            return reverse(item)
        return reverse("articles:vocabulary-detail", kwargs={"key": item})


SITEMAPS = {
    "pages": PageSitemap,
    "indexes": IndexSitemap,
    "articles": ArticleSitemap,
    **{taxonomy.sitemap: TaxonomySitemap(taxonomy) for taxonomy in TAXONOMIES},
}
