"""A sitemap part is written without Django's template or a model instance per article
(articles/reading/sitemaps.py: urlset_xml(), ArticleSitemap.get_urls()): it must be the very
bytes Django's own sitemap machinery writes for the same articles."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from django.utils.http import http_date

from articles.models import Article
from articles.reading.sitemaps import ArticleSitemap, urlset_xml

pytestmark = pytest.mark.django_db
ROOT = "http://testserver"


def djangos_entries(articles):
    """What django.contrib.sitemaps' Sitemap.get_urls() gives for these articles with
    ArticleSitemap's settings, and each article's language versions as alternates."""
    entries = []
    for article in articles:
        group = [article, *article.translations()]
        entries.append(
            {
                "location": ROOT + article.get_absolute_url(),
                "lastmod": max(article.updated_at, article.published_at),
                "changefreq": "weekly",
                "priority": "0.8",
                "alternates": [
                    {"lang_code": other.language, "location": ROOT + other.get_absolute_url()}
                    for other in sorted(group, key=lambda a: a.language)
                ]
                if len(group) > 1
                else [],
            }
        )
    return entries


@pytest.fixture
def site(make_article):
    """Chinese slugs, an English translation, a backdated and a re-edited article, a draft."""
    chinese = make_article(title="元宇宙周报", slug="元宇宙-周报")
    make_article(
        title="Metaverse weekly",
        slug="metaverse-weekly",
        language="en",
        translation_group=chinese.translation_group,
    )
    make_article(title="旧闻", published_at=timezone.now() - timedelta(days=400))
    edited = make_article(title="改过的", slug="gai_guo-de")
    Article.objects.filter(pk=edited.pk).update(updated_at=timezone.now() + timedelta(days=2))
    make_article(title="草稿", status=Article.Status.DRAFT)


def visible_articles():
    return list(ArticleSitemap.visible().order_by("pk"))


def test_a_part_is_the_bytes_djangos_sitemap_template_writes(client, site):
    response = client.get("/sitemap-articles.xml")
    articles = visible_articles()
    assert len(articles) == 4  # the draft is not listed
    expected = render_to_string("sitemap.xml", {"urlset": djangos_entries(articles)})
    assert response.content.decode() == expected
    assert 'hreflang="en"' in expected and "%E5%85%83" in expected  # the cases are there
    newest = max(max(a.updated_at, a.published_at) for a in articles)
    assert response["Last-Modified"] == http_date(newest.timestamp())
    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_each_page_of_a_part_lists_its_own_articles(client, site, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    articles = visible_articles()
    second = client.get("/sitemap-articles.xml?p=2")
    expected = render_to_string("sitemap.xml", {"urlset": djangos_entries(articles[3:])})
    assert second.content.decode() == expected
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-articles.xml?p=x").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_index_names_every_page_of_each_part_and_counts_each_once(
    client, site, make_article, monkeypatch
):
    monkeypatch.setattr(ArticleSitemap, "limit", 3)
    make_article(title="带标签的", tags=["元宇宙"], authors=["林晓舟"])
    with CaptureQueriesContext(connection) as queries:
        index = client.get("/sitemap.xml").content.decode()
    counted = [
        query["sql"].split(" FROM ", 1)[1].split(" ", 1)[0]
        for query in queries
        if query["sql"].startswith("SELECT COUNT(")
    ]
    assert '"articles_tag"' in counted
    assert len(counted) == len(set(counted)), counted  # no sitemap counted twice
    assert f"{ROOT}/sitemap-articles.xml</loc>" in index
    assert f"{ROOT}/sitemap-articles.xml?p=2</loc>" in index
    assert f"{ROOT}/sitemap-tags.xml</loc>" in index
    assert "?p=3" not in index  # 5 articles, 3 a page
    newest = max(max(a.updated_at, a.published_at) for a in visible_articles())
    lastmod = dateformat.format(timezone.localtime(newest), "c")
    assert index.count(f"<lastmod>{lastmod}</lastmod>") == 2  # the articles' parts


def test_urlset_xml_writes_what_the_template_writes_for_any_entry():
    """Values to escape, a date rather than a time, a naive time, missing fields, none at all."""
    moment = datetime.datetime(2026, 3, 1, 20, 30, tzinfo=datetime.UTC)  # 3/2 in Shanghai
    entries = [
        {
            "location": "http://x/a?b=1&c=<2>",
            "lastmod": moment,
            "changefreq": "daily",
            "priority": "0.5",
            "alternates": [{"lang_code": "en", "location": "http://x/'en\""}],
        },
        {
            "location": "http://x/d",
            "lastmod": datetime.date(2025, 1, 9),
            "changefreq": None,
            "priority": "",
            "alternates": [],
        },
        {"location": "http://x/n", "lastmod": datetime.datetime(2025, 5, 5, 23, 0)},
        {"location": "http://x/none", "lastmod": None, "priority": 1.0},
    ]
    for urls in (entries, []):
        assert urlset_xml(urls) == render_to_string("sitemap.xml", {"urlset": urls})
    assert "<lastmod>2026-03-02</lastmod>" in urlset_xml(entries)
