"""/sitemap.xml: an index of the parts (/sitemap-<part>.xml): visible articles in pages of
ArticleSitemap.limit, the taxonomy and author pages that list them, fixed pages."""

import datetime
import math
from html import escape
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import RFC3986_SUBDELIMS, http_date

from articles.models import Article, Topic, Vocabulary
from articles.models.addresses import cached_reverse
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
        """Django's entries (location, lastmod, changefreq, priority), each with its
        translations as hreflang alternates: an article that has another language version lists
        every version, itself included. From plain rows, the addresses from one reverse() per
        language: Django's way (a model instance and a reverse() per article) was half of a
        2,000-article part's 0.25 s of CPU, which every text edit spends again."""
        part = self.paginator.page(page)  # EmptyPage, PageNotAnInteger: the view's 404
        rows = self.items()[part.start_index() - 1 : part.end_index()]
        groups = rows.values("translation_group")
        rows = rows.annotate(lastmod=Greatest("updated_at", "published_at"))
        root, address = f"{self.root.scheme}://{self.root.netloc}", _ArticleAddresses()
        versions = {}
        others = self.items().filter(translation_group__in=groups)
        for group, language, slug in others.values_list("translation_group", "language", "slug"):
            versions.setdefault(group, []).append((language, root + address(language, slug)))
        urls = []
        for slug, language, group, lastmod in rows.values_list(
            "slug", "language", "translation_group", "lastmod"
        ):
            group = versions.get(group, ())
            urls.append(
                {
                    "location": root + address(language, slug),
                    "lastmod": lastmod,
                    "changefreq": self.changefreq,
                    "priority": str(self.priority),
                    "alternates": [
                        {"lang_code": code, "location": url} for code, url in sorted(group)
                    ]
                    if len(group) > 1
                    else [],
                }
            )
        if urls:
            self.latest_lastmod = max(url["lastmod"] for url in urls)
        return urls

    def get_latest_lastmod(self):
        """For the index, in one statement (Django's default reads every article)."""
        return self.count_and_latest()[1]

    def count_and_latest(self):
        """(visible articles, their latest update or publish time), in one statement: what
        the index shows of this sitemap."""
        found = self.items().aggregate(
            count=Count("pk"), updated=Max("updated_at"), published=Max("published_at")
        )
        return found["count"], max(
            filter(None, (found["updated"], found["published"])), default=None
        )


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
        # Django's Sitemap.paginator is a new Paginator, and a new COUNT, at every use.
        if isinstance(site, ArticleSitemap):
            count, lastmod = site.count_and_latest()
        else:
            count, lastmod = site.paginator.count, None
        if not count:
            continue
        url = root + reverse("sitemap-part", kwargs={"section": part})
        parts.append(SitemapIndexItem(url, lastmod))
        parts += [
            SitemapIndexItem(f"{url}?p={page}", lastmod)
            for page in range(2, math.ceil(count / site.limit) + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": parts}, content_type="application/xml"
    )


@x_robots_tag
def sitemap(request, section):
    """/sitemap-<part>.xml: what Django's sitemap view answers for one of this request's
    sitemaps (its Last-Modified too), written by urlset_xml(). Not marked
    shows_article_text(): a text edit moves the version of the one articles' part that lists
    the article (ArticleSitemap.part_path()); the other parts show publish times or nothing."""
    sitemaps = sitemaps_for(request)
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site, page = sitemaps[section], request.GET.get("p", 1)
    try:
        urls = site.get_urls(page=page, protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(f"No page {page!r}") from error
    lastmod = getattr(site, "latest_lastmod", None)
    headers = {"Last-Modified": http_date(_aware(lastmod).timestamp())} if lastmod else None
    return HttpResponse(urlset_xml(urls), content_type="application/xml", headers=headers)


class _ArticleAddresses:
    """Article.get_absolute_url() from an article's language and slug: the path reversed once
    per language, the slug quoted as reverse() quotes it."""

    SLUG = "__slug__"

    def __init__(self):
        self.around = {}

    def __call__(self, language, slug):
        around = self.around.get(language)
        if around is None:
            path = cached_reverse("articles:article-detail", language=language, slug=self.SLUG)
            around = self.around[language] = path.split(self.SLUG)
        return around[0] + quote(slug, safe=_UNQUOTED) + around[1]


_UNQUOTED = RFC3986_SUBDELIMS + "/~:@"
_URLSET = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)


def _aware(moment):
    """A sitemap's lastmod as Django's view takes it for Last-Modified: a date at midnight,
    a naive time in the current time zone."""
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _day(moment):
    """{{ lastmod|date:"Y-m-d" }}: an aware time in the current time zone."""
    if isinstance(moment, datetime.datetime) and settings.USE_TZ and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d")


def urlset_xml(urls):
    """The bytes Django's sitemap.xml template renders for `urls`, written as one string: the
    template was the other half of a 2,000-article part's CPU. tests/test_sitemap_seo.py
    compares the two."""
    out = [_URLSET]
    for url in urls:
        out.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url.get("lastmod"):
            out.append(f"<lastmod>{_day(url['lastmod'])}</lastmod>")
        if url.get("changefreq"):
            out.append(f"<changefreq>{escape(str(url['changefreq']))}</changefreq>")
        if url.get("priority"):
            out.append(f"<priority>{escape(str(url['priority']))}</priority>")
        for alternate in url.get("alternates") or ():
            out.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(str(alternate["lang_code"]))}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        out.append("</url>")
    out.append("\n</urlset>\n")
    return "".join(out)
