"""Sharing an article: its WeChat QR code (an SVG made here, no third-party script) and the
links of the share block (templates/includes/share.html)."""

import io

import segno
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.models.addresses import cached_reverse
from articles.reading.site_url import absolute_url

WEIBO_SHARE = "https://service.weibo.com/share/share.php"


def qr_svg(url):
    """The QR code of `url` as a standalone SVG: black modules on a white quiet zone (so it scans
    on a dark page too), no script and no style attribute."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", border=4, dark="#000", light="#fff", xmldecl=False, omitsize=True
    )
    return buffer.getvalue()


@require_safe
@cache_control(public=True, max_age=3600)
def article_qr(request, slug):
    """/articles/<slug>/qr.svg: the article's absolute URL as a QR code, for WeChat's scanner.
    Only for an article readers can see; the page cache keeps it like a page."""
    article = get_object_or_404(Article.objects.published().only("slug", "language"), slug=slug)
    url = absolute_url(request, article.get_absolute_url())
    return HttpResponse(qr_svg(url), content_type="image/svg+xml")


def share_links(request, article):
    """The article's absolute URL, its Weibo share link and its QR code's address."""
    url = absolute_url(request, article.get_absolute_url())
    weibo = {"url": url, "title": article.title}
    if article.featured_image:
        weibo["pic"] = absolute_url(request, article.featured_image.url)
    qr = cached_reverse("articles:article-qr", slug=article.slug)
    return {"url": url, "weibo": f"{WEIBO_SHARE}?{urlencode(weibo)}", "qr": qr}
