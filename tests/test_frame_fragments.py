"""The page frame's kept fragments (articles/jinja/fragments.py) and the remembered
addresses (articles/models/addresses.py) are never stale: within one content generation each
page still gets its own marks, query and language, and a change shows on the next request."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from articles.models import Article, MenuItem
from articles.models.addresses import cached_reverse

pytestmark = pytest.mark.django_db


def _current(html):
    """(link, aria-current) of the main menu's marked entries."""
    menu = html.split('<nav class="site-nav menu-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="(\w+)"', menu)


def test_the_main_menu_marks_the_page_being_read_on_every_path(client, make_article):
    make_article(title="菜单测试")
    MenuItem.objects.create(menu="main", name="文章", url="/articles/", position=1)
    MenuItem.objects.create(menu="main", name="标签", url="/tags/", position=2)
    # No write between the requests: one generation, three paths.
    assert _current(client.get("/articles/").content.decode()) == [("/articles/", "page")]
    assert _current(client.get("/tags/").content.decode()) == [("/tags/", "page")]
    assert _current(client.get("/").content.decode()) == []


def test_a_menu_edit_shows_on_the_next_request(client, make_article):
    make_article()
    item = MenuItem.objects.create(menu="footer", name="关于我们", url="/about/")
    assert "关于我们" in client.get("/").content.decode()
    item.name = "联系我们"
    item.save()
    html = client.get("/").content.decode()
    assert "联系我们" in html and "关于我们" not in html


def test_the_header_search_form_shows_only_its_own_query(client, make_article):
    make_article(title="元宇宙新闻")
    found = client.get("/search/", {"q": "元宇宙"}).content.decode()
    assert 'id="header-q" type="search" name="q" value="元宇宙"' in found
    assert 'id="header-q" type="search" name="q" value=""' in client.get("/").content.decode()


def test_the_frame_follows_the_language(client, make_article):
    make_article()
    chinese, english = client.get("/").content.decode(), client.get("/en/").content.decode()
    assert 'action="/en/search/"' in english and 'action="/search/"' in chinese
    assert 'href="/en/feed/"' in english and 'href="/feed/"' in chinese


def test_remembered_addresses_are_reverse_in_each_language(make_article):
    article = make_article(slug="yi-pian")
    english = make_article(slug="an-article", language="en")
    assert article.get_absolute_url() == reverse("articles:article-detail", args=["yi-pian"])
    with translation.override("en"):
        assert article.get_absolute_url() == "/articles/yi-pian/"
        assert english.get_absolute_url() == "/en/articles/an-article/"
        assert cached_reverse("articles:home") == "/en/"
    assert cached_reverse("articles:home") == "/"
    assert Article.objects.get(pk=english.pk).get_absolute_url() == "/en/articles/an-article/"
