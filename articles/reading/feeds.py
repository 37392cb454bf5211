"""RSS 2.0 and Atom feeds: the whole site, and one per section, topic, tag and author."""

import copy
import hashlib
import html
import io
import mimetypes
import re
from urllib.parse import urljoin
from xml.sax.saxutils import escape as escape_xml

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.xmlutils import SimplerXMLGenerator

from articles.models import Article
from articles.pagecache.narrowed import text_scope
from articles.reading.labels import attach_labels
from articles.reading.site_url import site_root
from articles.text.sanitize import sanitize_html

FEED_SIZE = 30
# What the items show, and the section's name beside them (no Section made per row). The
# image's width and height too: ImageField reads them as each row loads, and a deferred one
# would cost a query per article.
_FEED_COLUMNS = (
    *("title", "language", "slug", "description", "body", "published_at", "updated_at"),
    *("featured_image", "featured_image_width", "featured_image_height", "section"),
)
# What Django's XML generator refuses to write (SimplerXMLGenerator.characters()).
_CONTROL = re.compile(r"[\x00-\x08\x0B-\x0C\x0E-\x1F]")
_ROOT_RELATIVE = re.compile(r'(\s(?:src|href)=")(/[^/"][^"]*|/)"')


_BODIES_KEPT = 512
_bodies_by_digest = {}


def feed_body(body, *, root):
    """sanitize_html(body), its root-relative links made absolute on `root` (readers fetch
    feeds out of context), kept by this process: a feed shows the same thirty bodies on every
    render. Keyed by a blake2b digest of the body, the iframe hosts the sanitiser allows (its
    only setting) and the root, the whole of what the result depends on, so an entry is never
    stale: an edit changes the body and so the key. At most 512 bodies; past that the memo
    starts empty."""
    key = (
        hashlib.blake2b(body.encode(), digest_size=16).digest(),
        tuple(settings.SANITIZER_IFRAME_HOSTS),
        root,
    )
    content = _bodies_by_digest.get(key)
    if content is None:
        if len(_bodies_by_digest) >= _BODIES_KEPT:
            _bodies_by_digest.clear()
        cleaned = sanitize_html(body)
        content = cleaned and _ROOT_RELATIVE.sub(rf'\1{root}\2"', cleaned)
        _bodies_by_digest[key] = content
    return content


def _as_html(text):
    return html.escape(text, quote=False) if text else text


class QuickXMLGenerator(SimplerXMLGenerator):
    """SimplerXMLGenerator with a shortcut for text without attributes, most of a feed's
    elements (about 400 a render): one write where the generic path takes three calls of two
    layers each (about 0.25 ms a render). The same bytes; other elements, and text with the
    control characters Django's generator refuses, take the generic path."""

    def addQuickElement(self, name, contents=None, attrs=None):
        if attrs or not contents or not isinstance(contents, str) or _CONTROL.search(contents):
            super().addQuickElement(name, contents, attrs)
            return
        self._finish_pending_start_element()
        self._write(f"<{name}>{escape_xml(contents)}</{name}>")


class BufferedWrite:
    """Writes the feed with QuickXMLGenerator into a string, then into the response at once:
    the generator makes a write per tag and per text (about 1,800 for thirty items), and each
    one written into an HttpResponse, or a byte buffer, is encoded on its own. The same bytes:
    the generator spells what the encoding cannot as a character reference, so does encode().
    Subclasses write the document (Django's write() after startDocument())."""

    def write(self, outfile, encoding):
        buffer = io.StringIO()
        handler = QuickXMLGenerator(buffer, encoding, short_empty_elements=True)
        handler.startDocument()
        self.write_document(handler)
        outfile.write(buffer.getvalue().encode(encoding, "xmlcharrefreplace"))


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

    def write_document(self, handler):
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

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

    def write_document(self, handler):
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

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
        # One feed object serves every request (urls.py): the address goes on a copy.
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

    def subtitle(self, obj=None):
        return None  # RSS has none; Atom's is the description (LatestArticlesAtomFeed)

    def items(self, obj=None):
        articles = self.narrow(Article.objects.published(), obj)
        newest = articles.only(*_FEED_COLUMNS).annotate(section_name=F("section__name"))
        return attach_labels(newest.order_by("-published_at", "-pk")[:FEED_SIZE])

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
        # About 0.7 ms for a 9 KB body: once per body and process (feed_body()).
        return {"content": feed_body(item.body or "", root=self.root)}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return "、".join(author.name for author in item.byline) or None

    def item_categories(self, item):
        names = [item.section_name] if item.section_id is not None else []
        names += [topic.name for topic in item.topic_list]
        names += [tag.name for tag in item.tag_list]
        return list(dict.fromkeys(names))

    def item_enclosures(self, item):
        image = item.featured_image
        if not image:
            return []
        try:
            length = image.size
        except OSError:
            length = 0
        # Enclosure() applies iri_to_uri(): with urljoin(), that is site_url.absolute_url().
        return [
            Enclosure(
                url=urljoin(self.root + "/", image.url),
                length=str(length),
                mime_type=mimetypes.guess_type(image.name)[0] or "image/jpeg",
            )
        ]

    def get_feed(self, obj, request):
        """Django's get_feed(), calling the methods above directly: Django's asks inspect, for
        each of fifteen attributes of each of the thirty items, whether its method takes the
        item (about 1 ms a request). The links are absolute already: no Sites domain is put
        before them."""
        feed = self.feed_type(
            title=self.title(obj),
            subtitle=self.subtitle(obj),
            link=self.link(obj),
            description=self.description(obj),
            language=get_language(),
            feed_url=self.feed_url(obj),
        )
        articles = self.items(obj)
        # A text edit to an article it does not list leaves it cached (pagecache/narrowed.py).
        request.page_text_scope = text_scope([article.pk for article in articles])
        for item in articles:
            link = self.item_link(item)
            feed.add_item(
                title=self.item_title(item),
                link=link,
                description=self.item_description(item),
                unique_id=link,
                enclosures=self.item_enclosures(item),
                pubdate=self.item_pubdate(item),
                updateddate=self.item_updateddate(item),
                author_name=self.item_author_name(item),
                categories=self.item_categories(item),
                **self.item_extra_kwargs(item),
            )
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
