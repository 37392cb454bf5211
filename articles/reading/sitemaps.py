"""/sitemap.xml: an index of the parts (/sitemap-<part>.xml): visible articles in pages of
ArticleSitemap.limit, the taxonomy and author pages that list them, fixed pages."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Topic, Vocabulary
from articles.pagecache.generation import shows_article_text
from articles.reading.site_url import site_root
from articles.reading.taxonomies import TAXONOMIES


class SiteSitemap(Sitemap):
    """A sitemap on the site's address (articles.reading.site_url), made for one request: Django's
    own would take the Sites framework's domain."""

    def __init__(self, *, root):
        self.root = urlsplit(root)

    def get_protocol(self, protocol=None):
        return self.root.scheme

    def get_domain(self, site=None):
        return self.root.netloc


class ArticleSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8
    # Articles per part (the protocol allows 50,000): a part is ~150 KB and 0.1 s to render,
    # and a text edit, which moves every part's lastmod, re-renders only the parts asked for.
    limit = 2000

    @staticmethod
    def visible():
        """Every language's visible articles."""
        visible = Q()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                visible |= Q(pk__in=Article.objects.published().values("pk"))
        return Article.objects.filter(visible)

    def items(self):
        """Every language's visible articles, each at its own language's URL, oldest first:
        an article keeps its page (part_path()) until one before it goes."""
        return (
            self.visible()
            .only("slug", "language", "translation_group", "updated_at", "published_at")
            .order_by("pk")
        )

    @classmethod
    def part_path(cls, article):
        """The path of the part listing `article` (a visible one), as its page version is kept:
        a text edit moves the version of that part alone (articles/apps.py, article_listed())."""
        page = cls.visible().filter(pk__lt=article.pk).count() // cls.limit + 1
        path = reverse("sitemap-part", kwargs={"section": "articles"})
        return path if page == 1 else f"{path}?p={page}"

    def get_urls(self, page=1, site=None, protocol=None):
        """Each entry with its translations as hreflang alternates (one more statement for the
        sitemap page): an article that has another language version lists every version,
        itself included."""
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        groups = {url["item"].translation_group for url in urls}
        versions = {}
        for other in self.items().filter(translation_group__in=groups):
            versions.setdefault(other.translation_group, []).append(other)
        for url in urls:
            article = url["item"]
            group = versions.get(article.translation_group, [])
            if len(group) > 1:
                base = url["location"][: -len(article.get_absolute_url())]
                url["alternates"] = [
                    {"lang_code": other.language, "location": base + other.get_absolute_url()}
                    for other in sorted(group, key=lambda a: a.language)
                ]
        return urls

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)

    def get_latest_lastmod(self):
        """For the index, in one statement (Django's default reads every article)."""
        latest = self.items().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return max(filter(None, latest.values()), default=None)


class TaxonomySitemap(SiteSitemap):
    """Pages of one taxonomy (articles.reading.taxonomies) that list a visible article."""

    changefreq = "daily"

    def __init__(self, taxonomy, *, root):
        super().__init__(root=root)
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


class PageSitemap(SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home", "articles:article-list", "articles:archive"]

    def location(self, name):
        return reverse(name)


class IndexSitemap(SiteSitemap):
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


def sitemaps_for(request):
    root = site_root(request)
    return {
        "pages": PageSitemap(root=root),
        "indexes": IndexSitemap(root=root),
        "articles": ArticleSitemap(root=root),
        **{taxonomy.sitemap: TaxonomySitemap(taxonomy, root=root) for taxonomy in TAXONOMIES},
    }


@x_robots_tag
@shows_article_text  # the articles' latest update time
def sitemap_index(request):
    """/sitemap.xml: every non-empty part and each of its pages (?p=2...), on the site's
    address (Django's index view would take the Sites framework's domain), with the articles'
    latest update time (the other parts' would cost a read of every row)."""
    root = site_root(request)
    parts = []
    for part, site in sitemaps_for(request).items():
        if not site.paginator.count:
            continue
        url = root + reverse("sitemap-part", kwargs={"section": part})
        lastmod = site.get_latest_lastmod() if isinstance(site, ArticleSitemap) else None
        parts.append(SitemapIndexItem(url, lastmod))
        parts += [
            SitemapIndexItem(f"{url}?p={page}", lastmod)
            for page in range(2, site.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": parts}, content_type="application/xml"
    )


def sitemap(request, section):
    """/sitemap-<part>.xml: Django's sitemap view for one of this request's sitemaps. Not
    marked shows_article_text(): a text edit moves the version of the one articles' part that
    lists the article (ArticleSitemap.part_path()); the other parts show publish times or
    nothing."""
    return sitemap_view(request, sitemaps=sitemaps_for(request), section=section)
