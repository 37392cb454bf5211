"""sitemap.xml, robots.txt and the metadata every page carries."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Section, Tag

from .sitemap_pages import SM, sitemap_parts, sitemap_urls

pytestmark = pytest.mark.django_db


def sitemap_entries(client):
    return {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in sitemap_urls(client)}


def test_sitemap_lists_visible_articles_with_lastmod_and_their_taxonomy(client, make_article):
    section = Section.objects.create(name="资讯", slug="news")
    Section.objects.create(name="空栏目", slug="empty")
    visible = make_article(
        title="可见", section=section, tags=["Web3"], authors=["林晓舟"], topics=["元宇宙"]
    )
    draft = make_article(title="草稿", status=Article.Status.DRAFT, tags=["草稿标签"])
    scheduled = make_article(title="定时", published_at=timezone.now() + timedelta(days=1))
    entries = sitemap_entries(client)
    base = "http://testserver"
    # The sitemap writes the site's local date (Asia/Shanghai), which is a day ahead of UTC's
    # for eight hours of every day.
    local_day = timezone.localtime(visible.updated_at).date().isoformat()
    assert entries[base + visible.get_absolute_url()].startswith(local_day)
    assert base + draft.get_absolute_url() not in entries
    assert base + scheduled.get_absolute_url() not in entries
    assert base + section.get_absolute_url() in entries
    assert base + "/sections/empty/" not in entries
    assert base + Tag.objects.get(name="Web3").get_absolute_url() in entries
    assert base + Tag.objects.get(name="草稿标签").get_absolute_url() not in entries
    assert base + "/authors/" + visible.byline[0].slug + "/" in entries
    assert base + visible.topics.get().get_absolute_url() in entries
    assert base + reverse("articles:archive") in entries


def test_the_index_names_every_page_of_articles(client, make_article, monkeypatch):
    """A site with more articles than one part holds lists all of them, in pages (?p=2),
    as the index names them; the articles' part says when the newest change was."""
    from articles.reading.sitemaps import ArticleSitemap

    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    articles = [make_article(title=f"第{n}篇") for n in range(5)]

    parts = sitemap_parts(client)
    entries = sitemap_entries(client)

    base = "http://testserver/sitemap-articles.xml"
    assert [p for p in parts if p.startswith(base)] == [base, base + "?p=2", base + "?p=3"]
    assert all(f"http://testserver{a.get_absolute_url()}" in entries for a in articles)
    index = ElementTree.fromstring(client.get(reverse("sitemap")).content)
    lastmods = {i.findtext(f"{SM}loc"): i.findtext(f"{SM}lastmod") for i in index}
    newest = max(max(a.updated_at, a.published_at) for a in articles)
    assert lastmods[base][:10] == timezone.localtime(newest).date().isoformat()
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.text
    assert "Disallow: /admin/" in response.text


def head_of(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404), url
    return response.text.split("</head>")[0]


def meta(head, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', head)
    return match and match.group(1)


@pytest.fixture
def pages(make_article, image_upload):
    section = Section.objects.create(name="资讯", slug="news", description="栏目简介")
    article = make_article(
        title="上海元宇宙大会",
        description="大会摘要",
        section=section,
        tags=["Web3"],
        authors=["林晓舟"],
        featured_image=image_upload("cover.png"),
        featured_image_alt="封面图",
    )
    return {
        "home": "/",
        "list": reverse("articles:article-list"),
        "article": article.get_absolute_url(),
        "section": section.get_absolute_url(),
        "tag": Tag.objects.get().get_absolute_url(),
        "author": article.byline[0].get_absolute_url(),
        "search": reverse("articles:search") + "?q=上海",
        "archive": reverse("articles:archive"),
        "missing": "/articles/nope/",
    }


def test_every_page_has_title_description_canonical_open_graph_and_twitter(client, pages):
    for name, url in pages.items():
        head = head_of(client, url)
        assert re.search(r"<title>[^<]+</title>", head), name
        assert meta(head, "name", "description"), name
        assert re.search(r'<link rel="canonical" href="http://testserver/', head), name
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert meta(head, "property", prop), (name, prop)
        assert meta(head, "name", "twitter:card"), name


def test_article_page_metadata_uses_the_article_and_its_image(client, pages):
    head = head_of(client, pages["article"])
    assert meta(head, "property", "og:title") == "上海元宇宙大会"
    assert meta(head, "name", "description") == "大会摘要"
    assert meta(head, "property", "og:type") == "article"
    assert meta(head, "property", "og:image").startswith("http://testserver/media/articles/")
    assert meta(head, "property", "og:image:alt") == "封面图"
    assert meta(head, "name", "twitter:card") == "summary_large_image"
    assert meta(head, "property", "article:tag") == "Web3"


def test_section_page_metadata_and_feed_links(client, pages):
    head = head_of(client, pages["section"])
    assert meta(head, "property", "og:title") == "资讯"
    assert meta(head, "name", "description") == "栏目简介"
    assert 'href="/sections/news/feed/"' in head and 'href="/sections/news/feed/atom/"' in head
    assert 'type="application/rss+xml"' in head


def test_canonical_keeps_the_page_number_and_drops_other_parameters(client, make_article):
    for n in range(21):
        make_article(title=f"文章{n}")
    head = head_of(client, reverse("articles:article-list") + "?page=2&utm_source=x")
    assert '<link rel="canonical" href="http://testserver/articles/?page=2">' in head


def test_search_pages_are_not_indexed(client, db):
    assert 'name="robots" content="noindex' in head_of(client, reverse("articles:search") + "?q=x")


def json_ld(text):
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return block, json.loads(block)


def test_article_page_has_news_article_json_ld(client, pages):
    _, data = json_ld(client.get(pages["article"]).text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "上海元宇宙大会"
    assert data["datePublished"] and data["dateModified"]
    assert data["author"][0]["name"] == "林晓舟"
    assert data["image"][0].startswith("http://testserver/media/")
    assert data["publisher"]["@type"] == "Organization"


def test_json_ld_cannot_be_broken_out_of(client, make_article):
    evil = '</script><script>alert("x")</script> & <!--'
    article = make_article(title=evil, description=evil)
    block, data = json_ld(client.get(article.get_absolute_url()).text)
    assert "</script" not in block and "<!--" not in block and "&" not in block
    assert data["headline"] == evil


def test_json_ld_is_kept_per_generation_and_never_stale(client, pages, settings):
    """The article page's JSON-LD is kept by the process (articles/jinja/seo.py): an edit of
    the article or its author shows at once, and each address gets its own."""
    article = Article.objects.get(title="上海元宇宙大会")
    assert json_ld(client.get(pages["article"]).text)[1]["headline"] == "上海元宇宙大会"

    article.title = "上海元宇宙大会（更新）"
    article.save()
    author = Author.objects.get(name="林晓舟")
    author.name = "林晓洲"
    author.save()
    _, data = json_ld(client.get(pages["article"]).text)
    assert data["headline"] == "上海元宇宙大会（更新）"
    assert data["author"][0]["name"] == "林晓洲"

    # An edit of the body alone moves no generation, but the update time: dateModified follows.
    modified = data["dateModified"]
    article.body += "<p>补充一段。</p>"
    article.save()
    assert json_ld(client.get(pages["article"]).text)[1]["dateModified"] != modified

    settings.ALLOWED_HOSTS = ["testserver", "news.example.cn"]
    other = json_ld(client.get(pages["article"], HTTP_HOST="news.example.cn").text)[1]
    assert other["mainEntityOfPage"]["@id"].startswith("http://news.example.cn/")
