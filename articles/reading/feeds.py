"""RSS 2.0 and Atom feeds: the whole site, and one per section, topic, tag and author."""

import copy
import hashlib
import html
import io
import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from articles.models import Article
from articles.pagecache.narrowed import text_scope
from articles.querysets import LIST_PAGE_UNSHOWN
from articles.reading.labels import attach_labels
from articles.reading.site_url import absolute_url, site_root
from articles.text.sanitize import sanitize_html

FEED_SIZE = 30
_ROOT_RELATIVE = re.compile(r'(\s(?:src|href)=")(/[^/"][^"]*|/)"')


_SANITIZED_KEPT = 512
_sanitized_by_digest = {}


def sanitized_body(body):
    """sanitize_html(body), kept by this process: a feed shows the same thirty bodies on every
    render. Keyed by a blake2b digest of the body and the iframe hosts the sanitiser allows (its
    only setting), the whole of what its output depends on, so an entry is never stale: an edit
    changes the body and so the key. At most 512 bodies; past that the memo starts empty."""
    key = (
        hashlib.blake2b(body.encode(), digest_size=16).digest(),
        tuple(settings.SANITIZER_IFRAME_HOSTS),
    )
    cleaned = _sanitized_by_digest.get(key)
    if cleaned is None:
        if len(_sanitized_by_digest) >= _SANITIZED_KEPT:
            _sanitized_by_digest.clear()
        cleaned = _sanitized_by_digest[key] = sanitize_html(body)
    return cleaned


def _as_html(text):
    return html.escape(text, quote=False) if text else text


class BufferedWrite:
    """Writes the whole feed into memory, then into the response at once: the XML writer
    makes a write per tag and per text (about 1,800 for thirty items), and each one written
    into an HttpResponse goes through its encoding and bookkeeping. The same bytes."""

    def write(self, outfile, encoding):
        buffer = io.BytesIO()
        super().write(buffer, encoding)
        outfile.write(buffer.getvalue())


class ContentRss(BufferedWrite, Rss201rev2Feed):
    """RSS 2.0 with the full article in <content:encoded>.

    RSS does not say whether <title>, <category> and <dc:creator> are text or HTML, and many
    readers render them as HTML: ours are plain text, so they go out HTML-escaped (a title
    `<b>` is `&amp;lt;b&amp;gt;` in the XML). Atom says its titles are text: they stay plain.
    """

    def __init__(self, *args, title, **kwargs):
        super().__init__(*args, title=_as_html(title), **kwargs)

    def add_item(self, *args, title, author_name=None, categories=(), **kwargs):
        super().add_item(
            *args,
            title=_as_html(title),
            author_name=_as_html(author_name),
            categories=[_as_html(category) for category in categories or ()],
            **kwargs,
        )

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content:encoded", item["content"])


class ContentAtom(BufferedWrite, Atom1Feed):
    """Atom with the full article in <content type="html">."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestArticlesFeed(Feed):
    feed_type = ContentRss
    url_name = "articles:feed"
    root = ""  # the site's address, set on each request's copy of the feed

    def __call__(self, request, *args, **kwargs):
        request.shows_article_text = True  # bodies and update times (pagecache: page versions)
        # One feed object serves every request (urls.py): the address goes on a copy. Django
        # would put the Sites framework's domain before relative links; absolute ones it keeps.
        feed = copy.copy(self)
        feed.root = site_root(request)
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self, obj=None):
        site = settings.NEWSROOM["SITE_NAME"]
        return f"{obj} · {site}" if obj is not None else site

    def plain_description(self, obj=None):
        return (
            getattr(obj, "description", "")
            or getattr(obj, "bio", "")
            or settings.NEWSROOM["SITE_TAGLINE"]
        )

    def description(self, obj=None):
        # Like item descriptions: RSS readers may take the channel's as HTML; ours is plain text.
        return escape(self.plain_description(obj))

    def link(self, obj=None):
        path = obj.get_absolute_url() if obj is not None else reverse("articles:home")
        return self.root + path

    def feed_url(self, obj=None):
        kwargs = {"slug": obj.slug} if obj is not None else None
        return self.root + reverse(self.url_name, kwargs=kwargs)

    def narrow(self, articles, obj):
        return articles

    def items(self, obj=None):
        articles = self.narrow(Article.objects.published(), obj)
        # The body is shown; the other columns no list shows are left out (for_list_page()).
        rows = articles.for_cards().defer("search_document", "extra", *LIST_PAGE_UNSHOWN)
        newest = attach_labels(rows.order_by("-published_at", "-pk")[:FEED_SIZE])
        self.listed = [article.pk for article in newest]
        return newest

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return self.root + item.get_absolute_url()

    def item_description(self, item):
        # Readers take <description> and Atom's <summary type="html"> as HTML; ours is plain text.
        return escape(item.description or item.title)

    def item_extra_kwargs(self, item):
        # Bodies are sanitised on save, but a row may predate a rule of the sanitiser (or have
        # been written around save()): readers get what the sanitiser lets through today.
        # About 0.7 ms for a 9 KB body: once per body and process (sanitized_body()).
        return {"content": sanitized_body(item.body or "")}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return "、".join(author.name for author in item.byline) or None

    def item_categories(self, item):
        names = [item.section.name] if item.section else []
        names += [topic.name for topic in item.topic_list]
        names += [tag.name for tag in item.tag_list]
        return list(dict.fromkeys(names))

    def item_enclosure_url(self, item):
        return item.featured_image.url if item.featured_image else None

    def item_enclosure_length(self, item):
        try:
            return item.featured_image.size
        except OSError:
            return 0

    def item_enclosure_mime_type(self, item):
        return mimetypes.guess_type(item.featured_image.name)[0] or "image/jpeg"

    def get_feed(self, obj, request):
        """Readers fetch feeds out of context: make the body's and enclosures' URLs absolute."""
        feed = super().get_feed(obj, request)
        # A text edit to an article it does not list leaves it cached (pagecache/narrowed.py).
        request.page_text_scope = text_scope(self.listed)
        for item in feed.items:
            if item.get("content"):
                item["content"] = _ROOT_RELATIVE.sub(rf'\1{self.root}\2"', item["content"])
            for enclosure in item["enclosures"]:
                enclosure.url = absolute_url(request, enclosure.url)
        return feed


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = ContentAtom
    url_name = "articles:feed-atom"
    subtitle = LatestArticlesFeed.plain_description


class TaxonomyFeed(LatestArticlesFeed):
    """The RSS feed of one section, topic, tag or author (articles.reading.taxonomies)."""

    def __init__(self, taxonomy):
        super().__init__()
        self.taxonomy = taxonomy
        self.url_name = f"articles:{taxonomy.feed_url_name}"

    def get_object(self, request, slug):
        return get_object_or_404(self.taxonomy.model, slug=slug)

    def narrow(self, articles, obj):
        return articles.filter(**{self.taxonomy.article_field: obj})


class TaxonomyAtomFeed(TaxonomyFeed):
    feed_type = ContentAtom
    subtitle = LatestArticlesFeed.plain_description

    def __init__(self, taxonomy):
        super().__init__(taxonomy)
        self.url_name = f"articles:{taxonomy.atom_url_name}"
