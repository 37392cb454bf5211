"""Page metadata every page shares: canonical URL, Open Graph, Twitter card, feeds, JSON-LD."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from articles.models import Article
from articles.models.addresses import cached_reverse
from articles.pagecache.keep import GenerationMemo
from articles.reading.site_url import absolute_url as site_absolute_url
from articles.reading.site_url import site_root
from articles.reading.taxonomies import BY_MODEL

OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US"}
# json_script's escapes: the JSON can't close the <script> element or open a comment.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass
class PageMeta:
    title: str
    description: str
    url: str
    type: str = "website"
    locale: str = "zh_CN"
    image: str = ""
    image_width: int | None = None
    image_height: int | None = None
    image_alt: str = ""
    published_time: object = None
    modified_time: object = None
    section: str = ""
    tags: list = field(default_factory=list)
    feeds: list = field(default_factory=list)


def _canonical(request):
    """This page's address without tracking or other parameters, keeping the page number."""
    keep = [(key, request.GET[key]) for key in ("q", "page") if request.GET.get(key)]
    keep = [(key, value) for key, value in keep if not (key == "page" and value == "1")]
    url = site_absolute_url(request, request.path)
    return f"{url}?{urlencode(keep)}" if keep else url


def _image_url(request, image):
    return site_absolute_url(request, image.url) if image else ""


def absolute_url(context, url):
    """A path on the site's public address (settings.SITE_URL, else the request's host)."""
    return site_absolute_url(context["request"], url)


def page_meta(context):
    """Metadata for the page being rendered: an article, a section/topic/tag/author page, or
    the site itself. Uses only objects already in the context (no queries)."""
    request = context.get("request")
    if request is None:
        return None
    site_name = settings.NEWSROOM["SITE_NAME"]
    meta = PageMeta(
        title=site_name,
        description=settings.NEWSROOM["SITE_TAGLINE"],
        url=_canonical(request),
        locale=OG_LOCALES.get(get_language(), "zh_CN"),
        feeds=[
            (
                gettext("全部文章"),
                cached_reverse("articles:feed"),
                cached_reverse("articles:feed-atom"),
            )
        ],
    )
    obj = context.get("object")
    heading = context.get("heading_object")
    if isinstance(obj, Article):
        meta.title = obj.title
        meta.description = obj.description or meta.description
        meta.type = "article"
        meta.published_time = obj.published_at
        meta.modified_time = obj.updated_at
        meta.section = obj.section.display_name if obj.section else ""
        meta.tags = [tag.name for tag in obj.tag_list]
        if obj.featured_image:
            meta.image = _image_url(request, obj.featured_image)
            meta.image_width = obj.featured_image_width
            meta.image_height = obj.featured_image_height
            meta.image_alt = obj.featured_image_alt
    elif heading is not None:
        meta.title = getattr(heading, "display_name", heading.name)
        meta.description = (
            getattr(heading, "description", "") or getattr(heading, "bio", "") or meta.description
        )
        taxonomy = BY_MODEL.get(type(heading))
        if taxonomy:
            kwargs = {"slug": heading.slug}
            meta.feeds.append(
                (
                    meta.title,
                    cached_reverse(f"articles:{taxonomy.feed_url_name}", **kwargs),
                    cached_reverse(f"articles:{taxonomy.atom_url_name}", **kwargs),
                )
            )
    return meta


def json_ld(data):
    """A <script type="application/ld+json"> that no string in `data` can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


# An article page's JSON-LD, kept per content generation: a save of what lists show of the
# article, its byline, section or tags starts a new one. Keyed by what else it is made of: the
# language (the section's name), the site's address, the article and its update time (an edit
# of the body alone moves no generation, and the time is dateModified).
_json_ld = GenerationMemo(size=512)


def news_article_json_ld(context, article):
    """schema.org NewsArticle for an article page (authors attached with it by attach_labels())."""
    request = context["request"]
    if not article.is_visible:  # a preview: made afresh
        return _news_article_json_ld(request, article)
    return _json_ld.get(
        (get_language(), site_root(request), article.pk, article.updated_at),
        lambda: _news_article_json_ld(request, article),
        request=request,
    )


def _news_article_json_ld(request, article):
    home = site_absolute_url(request, cached_reverse("articles:home"))
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {
            "@type": "WebPage",
            "@id": site_absolute_url(request, article.get_absolute_url()),
        },
        "headline": article.title[:110],
        "description": article.description,
        "datePublished": article.published_at,
        "dateModified": article.updated_at,
        "inLanguage": "zh-Hans",
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": site_absolute_url(request, author.get_absolute_url()),
            }
            for author in article.byline
        ],
        "publisher": {"@type": "Organization", "name": settings.NEWSROOM["SITE_NAME"], "url": home},
    }
    if article.featured_image:
        data["image"] = [_image_url(request, article.featured_image)]
    if article.section:
        data["articleSection"] = article.section.display_name
    keywords = [tag.name for tag in article.tag_list]
    if keywords:
        data["keywords"] = keywords
    return json_ld(data)
