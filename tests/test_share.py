"""Sharing an article: the WeChat QR code, the Weibo link, copy link, and the share card's tags."""

import html
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
import segno
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db

SITE = "https://www.example.cn"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def story(make_article, image_upload, settings):
    settings.SITE_URL = SITE
    return make_article(
        title="上海元宇宙大会开幕 & <闭幕>",
        description="大会摘要",
        featured_image=image_upload("cover.png"),
        featured_image_alt="封面",
    )


def share_block(page):
    match = re.search(r'<section class="share".*?</section>', page, flags=re.S)
    assert match, "the article page has no share block"
    return match[0]


def attribute(markup, element_pattern, name):
    element = re.search(element_pattern, markup)[0]
    return html.unescape(re.search(rf'{name}="([^"]*)"', element)[1])


def meta(head, key, value):
    match = re.search(rf'<meta {key}="{re.escape(value)}" content="([^"]*)">', head)
    assert match, f"no <meta {key}={value}>"
    return html.unescape(match[1])


def modules(svg):
    """The dark modules of a QR code drawn by segno's SVG writer, as a set of (row, column):
    its path is runs of `h<length>` joined by relative moves, one module per unit."""
    root = ElementTree.fromstring(svg)
    size = int(root.get("viewBox").split()[2])
    (path,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == "qrline"]
    dark, x, y = set(), 0.0, 0.0
    for command, numbers in re.findall(r"([MmHhVv])([-\d. ]+)", path.get("d")):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        elif command == "h":
            dark |= {(int(y), int(x) + i) for i in range(int(values[0]))}
            x += values[0]
    return dark, size


def expected_modules(url, *, border):
    code = segno.make(url, error="m", micro=False)
    dark = {
        (r + border, c + border)
        for r, row in enumerate(code.matrix)
        for c, cell in enumerate(row)
        if cell
    }
    return dark, code.symbol_size(border=border)[0]


def test_qr_code_encodes_the_articles_address_on_site_url(client, story):
    response = client.get(reverse("articles:article-qr", kwargs={"slug": story.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert modules(response.content) == expected_modules(SITE + story.get_absolute_url(), border=4)


def test_qr_code_of_the_request_host_without_site_url(client, story, settings):
    settings.SITE_URL = ""
    response = client.get(reverse("articles:article-qr", kwargs={"slug": story.slug}))
    expected = expected_modules("http://testserver" + story.get_absolute_url(), border=4)
    assert modules(response.content) == expected


def test_qr_code_svg_is_inert(client, story):
    """Served from our origin, the SVG carries nothing a browser would run or fetch, and no
    style attribute the page's CSP would refuse if it were ever inlined."""
    svg = client.get(reverse("articles:article-qr", kwargs={"slug": story.slug})).content
    root = ElementTree.fromstring(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "path", "g", "title", "desc", "rect"}
    names = {name.split("}")[-1] for element in root.iter() for name in element.attrib}
    assert not {name for name in names if name.startswith("on") or name in {"style", "href"}}


def test_qr_code_is_public_and_kept_by_the_page_cache(client, story, settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    url = reverse("articles:article-qr", kwargs={"slug": story.slug})
    first = client.get(url)
    assert "public" in first["Cache-Control"]
    assert not first.cookies
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert second.content == first.content


def test_no_qr_code_for_an_article_readers_cannot_see(client, make_article, admin_client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    for article in (draft, scheduled):
        url = reverse("articles:article-qr", kwargs={"slug": article.slug})
        assert client.get(url).status_code == 404
        assert admin_client.get(url).status_code == 404
    assert client.get("/articles/no-such-article/qr.svg").status_code == 404


def test_article_page_has_wechat_qr_weibo_link_and_copy_link(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    block = share_block(page)
    article_url = SITE + story.get_absolute_url()

    qr = attribute(block, r'<img [^>]*alt="本文链接的二维码"[^>]*>', "src")
    assert qr == reverse("articles:article-qr", kwargs={"slug": story.slug})
    assert "<details" in block  # opens without script

    weibo = urlsplit(attribute(block, r'<a [^>]*class="[^"]*share-weibo[^"]*"[^>]*>', "href"))
    assert (weibo.scheme, weibo.netloc, weibo.path) == (
        "https",
        "service.weibo.com",
        "/share/share.php",
    )
    query = parse_qs(weibo.query)
    assert query["url"] == [article_url]
    assert query["title"] == [story.title]
    assert query["pic"][0].startswith(SITE + "/media/articles/")

    # Without script: the link in a read-only field. With it: the button, which the script shows.
    assert attribute(block, r'<input [^>]*id="share-url"[^>]*>', "value") == article_url
    assert re.search(r"<input [^>]*readonly", block)
    button = re.search(r"<button [^>]*data-copy-target=\"share-url\"[^>]*>", block)[0]
    assert " hidden" in button
    assert re.search(r'<script src="/static/js/share\.js" defer></script>', page)


def test_share_block_has_no_inline_script_or_style(client, story):
    response = client.get(story.get_absolute_url())
    block = share_block(response.content.decode())
    assert "style=" not in block
    assert not re.search(r"\son[a-z]+=", block)
    assert "<script" not in block
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


def test_copy_link_script_is_static_and_needs_no_inline_code():
    script = (Path(django_settings.BASE_DIR) / "static" / "js" / "share.js").read_text()
    assert "navigator.clipboard.writeText" in script
    assert "eval(" not in script and "innerHTML" not in script


def test_preview_of_a_draft_has_no_share_block(admin_client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    page = admin_client.get(draft.get_absolute_url()).content.decode()
    assert '<section class="share"' not in page


def test_open_graph_and_wechat_card_fields(client, story):
    head = client.get(story.get_absolute_url()).content.decode().split("</head>")[0]
    article_url = SITE + story.get_absolute_url()
    assert meta(head, "property", "og:type") == "article"
    assert meta(head, "property", "og:title") == story.title
    assert meta(head, "property", "og:description") == "大会摘要"
    assert meta(head, "property", "og:url") == article_url
    image = meta(head, "property", "og:image")
    assert image.startswith(SITE + "/media/articles/")
    published = meta(head, "property", "article:published_time")
    assert published == timezone.localtime(story.published_at).isoformat()
    # WeChat's share card reads these as well as Open Graph.
    assert meta(head, "itemprop", "name") == story.title
    assert meta(head, "itemprop", "description") == "大会摘要"
    assert meta(head, "itemprop", "image") == image


def test_article_without_image_or_description_still_has_a_card(client, make_article, settings):
    settings.SITE_URL = SITE
    article = make_article(title="没有图")
    head = client.get(article.get_absolute_url()).content.decode().split("</head>")[0]
    assert meta(head, "itemprop", "name") == "没有图"
    assert meta(head, "itemprop", "description") == settings.NEWSROOM["SITE_TAGLINE"]
    assert 'itemprop="image"' not in head
    block = share_block(client.get(article.get_absolute_url()).content.decode())
    query = parse_qs(urlsplit(attribute(block, r"<a [^>]*share-weibo[^>]*>", "href")).query)
    assert "pic" not in query
