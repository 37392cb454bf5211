"""/sitemap.xml: visible articles, the taxonomy and author pages that list them, fixed pages."""

from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from articles.models import Article, Author, Section, Tag, Topic


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "updated_at", "published_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


class TaxonomySitemap(Sitemap):
    """Pages of sections, topics, tags or authors that list at least one visible article."""

    model = None
    article_field = None  # how Article points at the model
    changefreq = "daily"
    priority = 0.5

    def items(self):
        latest = (
            Article.objects.published()
            .filter(**{self.article_field: OuterRef("pk")})
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        return (
            self.model.objects.annotate(latest=Subquery(latest))
            .filter(latest__isnull=False)
            .order_by("pk")
        )

    def lastmod(self, obj):
        return obj.latest


class SectionSitemap(TaxonomySitemap):
    model, article_field = Section, "section"


class TopicSitemap(TaxonomySitemap):
    model, article_field = Topic, "topics"


class TagSitemap(TaxonomySitemap):
    model, article_field = Tag, "tags"


class AuthorSitemap(TaxonomySitemap):
    model, article_field = Author, "authors"
    priority = 0.3


class PageSitemap(Sitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:article-list", "articles:archive"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "topics": TopicSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
