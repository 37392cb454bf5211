"""Absolute URLs (feeds, sitemap, robots.txt, canonical, Open Graph, share links) use SITE_URL,
else the request's host; never the Sites framework's example.com."""

import os
import re
import subprocess
import sys
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.conf import settings as django_settings
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.urls import reverse

from articles.models import Section

from .sitemap_pages import SM, sitemap_parts, sitemap_urls

pytestmark = pytest.mark.django_db

SITE = "https://www.example.cn"
ATOM = "{http://www.w3.org/2005/Atom}"
ABSOLUTE = re.compile(r"""(?:https?:)?//[^\s"'<>]+""")


@pytest.fixture(autouse=True)
def _demo_domain_in_sites(db):
    """The Sites row as a fresh database has it: nothing may copy its domain into a URL."""
    Site.objects.update_or_create(pk=django_settings.SITE_ID, defaults={"domain": "example.com"})
    Site.objects.clear_cache()


@pytest.fixture
def story(make_article, image_upload):
    return make_article(
        title="上海元宇宙大会开幕",
        description="大会摘要",
        body='<p><a href="/tags/x/">链接</a><img src="/media/a.png" alt="图"></p>',
        section=Section.objects.create(name="资讯", slug="news"),
        authors=["林晓舟"],
        tags=["Web3"],
        featured_image=image_upload("cover.png"),
    )


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE
    return SITE


@pytest.fixture
def other_host(settings):
    settings.ALLOWED_HOSTS = ["news.internal", "testserver"]
    return {"HTTP_HOST": "news.internal:8123"}


def absolute_urls(text):
    """Every absolute URL in a response, XML-escaped ampersands undone."""
    return [url.replace("&amp;", "&") for url in ABSOLUTE.findall(text)]


def own_urls(text):
    """The absolute URLs that point at this site (not at XML namespaces or share services)."""
    foreign = ("www.w3.org", "www.sitemaps.org", "purl.org", "schema.org", "service.weibo.com")
    return [url for url in absolute_urls(text) if not any(host in url for host in foreign)]


def rss(client, **headers):
    response = client.get(reverse("articles:feed"), **headers)
    assert response.status_code == 200
    return response.text, ElementTree.fromstring(response.content).find("channel")


def test_rss_feed_uses_site_url(client, story, site_url):
    text, channel = rss(client)
    assert channel.findtext("link") == SITE + "/"
    assert channel.find(f"{ATOM}link").get("href") == SITE + reverse("articles:feed")
    (item,) = channel.findall("item")
    assert item.findtext("link") == SITE + story.get_absolute_url()
    assert item.findtext("guid") == SITE + story.get_absolute_url()
    assert item.find("enclosure").get("url").startswith(SITE + "/media/articles/")
    content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert f'href="{SITE}/tags/x/"' in content
    assert f'src="{SITE}/media/a.png"' in content
    assert own_urls(text) and all(url.startswith(SITE + "/") for url in own_urls(text))
    assert "example.com" not in text


def test_atom_feed_uses_site_url(client, story, site_url):
    response = client.get(reverse("articles:feed-atom"))
    feed = ElementTree.fromstring(response.content)
    assert feed.findtext(f"{ATOM}id") == SITE + "/"
    assert {link.get("href") for link in feed.findall(f"{ATOM}link")} == {
        SITE + "/",
        SITE + reverse("articles:feed-atom"),
    }
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == SITE + story.get_absolute_url()
    assert entry.findtext(f"{ATOM}id") == SITE + story.get_absolute_url()
    assert all(url.startswith(SITE + "/") for url in own_urls(response.text))
    assert "example.com" not in response.text


def test_taxonomy_feed_uses_site_url(client, story, site_url):
    response = client.get(reverse("articles:section-feed", kwargs={"slug": "news"}))
    channel = ElementTree.fromstring(response.content).find("channel")
    assert channel.findtext("link") == SITE + "/sections/news/"
    assert channel.find(f"{ATOM}link").get("href") == SITE + "/sections/news/feed/"
    assert "example.com" not in response.text


def test_feeds_use_the_request_host_without_site_url(client, story, other_host):
    text, channel = rss(client, **other_host)
    assert channel.findtext("link") == "http://news.internal:8123/"
    assert channel.findall("item")[0].findtext("link") == (
        "http://news.internal:8123" + story.get_absolute_url()
    )
    assert all(url.startswith("http://news.internal:8123/") for url in own_urls(text))
    assert "example.com" not in text


def sitemap_locations(client, **headers):
    """The index's part addresses and every page address in the parts."""
    parts = sitemap_parts(client, **headers)
    return parts + [url.findtext(f"{SM}loc") for url in sitemap_urls(client, **headers)]


def test_sitemap_uses_site_url(client, story, site_url):
    locations = sitemap_locations(client)
    assert SITE + story.get_absolute_url() in locations
    assert SITE + "/sections/news/" in locations
    assert all(location.startswith(SITE + "/") for location in locations)


def test_sitemap_uses_the_request_host_without_site_url(client, story, other_host):
    locations = sitemap_locations(client, **other_host)
    assert "http://news.internal:8123" + story.get_absolute_url() in locations
    assert all(location.startswith("http://news.internal:8123/") for location in locations)


def test_robots_txt_names_the_sitemap_on_site_url(client, site_url):
    assert f"Sitemap: {SITE}/sitemap.xml" in client.get("/robots.txt").text


def test_robots_txt_names_the_sitemap_on_the_request_host(client, other_host):
    text = client.get("/robots.txt", **other_host).text
    assert "Sitemap: http://news.internal:8123/sitemap.xml" in text


def head_links(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    head = response.text.split("</head>")[0]
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', head)[1]
    og_url = re.search(r'<meta property="og:url" content="([^"]+)">', head)[1]
    return response.text, head, canonical, og_url


def test_article_page_links_use_site_url(client, story, site_url):
    page, head, canonical, og_url = head_links(client, story.get_absolute_url())
    assert canonical == og_url == SITE + story.get_absolute_url()
    assert re.search(rf'<meta property="og:image" content="{SITE}/media/articles/', head)
    assert f'"@id": "{SITE}{story.get_absolute_url()}"' in head
    assert re.search(rf'hreflang="zh-hans" href="{SITE}/', head)
    assert 'value="' + SITE + story.get_absolute_url() + '"' in page  # the share block's link
    assert all(url.startswith((SITE + "/", "https://service.weibo.com/")) for url in own_urls(page))
    assert "example.com" not in page


def test_list_page_canonical_uses_site_url_and_keeps_the_page_number(
    client, make_article, site_url, settings
):
    for _ in range(settings.NEWSROOM["PAGE_SIZE"] + 1):
        make_article()
    _, _, canonical, og_url = head_links(client, "/articles/?page=2&utm_source=x")
    assert canonical == og_url == SITE + "/articles/?page=2"


def test_article_page_links_use_the_request_host_without_site_url(client, story, other_host):
    page, _, canonical, og_url = head_links(client, story.get_absolute_url(), **other_host)
    assert canonical == og_url == "http://news.internal:8123" + story.get_absolute_url()
    assert 'value="http://news.internal:8123' + story.get_absolute_url() + '"' in page
    assert "example.com" not in page


@pytest.mark.parametrize(
    "value", ["www.example.cn", "https://www.example.cn/news", "ftp://example.cn", "https://"]
)
def test_a_site_url_that_is_not_a_scheme_and_host_stops_startup(value):
    env = {**os.environ, "SITE_URL": value, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.settings"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SITE_URL must be a scheme and host" in result.stderr


def test_a_trailing_slash_on_site_url_is_dropped():
    env = {**os.environ, "SITE_URL": "https://www.example.cn/", "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import newsroom.settings as s; print(s.SITE_URL)"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "https://www.example.cn"


def test_make_run_serves_and_prints_the_login_url_on_its_port():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8765", "HOST=127.0.0.1"],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "load_demo --base-url http://127.0.0.1:8765" in result.stdout
    assert "runserver 127.0.0.1:8765" in result.stdout


def test_load_demo_prints_the_login_url_it_was_given(settings, monkeypatch):
    from articles.management.commands import load_demo

    # The content itself is not what this is about (tests/test_backup.py loads it all).
    monkeypatch.setattr(load_demo.Command, "_import_seed", lambda self: None)
    monkeypatch.setattr(load_demo.Command, "_load_articles", lambda self: 0)
    monkeypatch.setattr(load_demo, "load_portal_demo", lambda: 0)
    settings.ADMIN_URL = "desk-7f3a/"
    for _first_and_second_run in range(2):
        out = StringIO()
        call_command("load_demo", "--base-url", "http://127.0.0.1:8765", stdout=out)
        assert "http://127.0.0.1:8765/desk-7f3a/" in out.getvalue()
        assert ":8000" not in out.getvalue()
