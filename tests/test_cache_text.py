"""A text edit refreshes the search pages and feeds that show it, not every one
(articles/pagecache/narrowed.py; docs/ARCHITECTURE.md, "Pages that show articles' text").

On PostgreSQL a search page stays cached through an edit to an article it does not show when
the article gained or lost none of the page's words; on SQLite, where search matches any
substring, every search page is rendered again. Feeds stay cached through edits to articles
they do not list, on both."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from articles.models import Article
from articles.pagecache import narrowed
from articles.pagecache.generation import text_version
from articles.reading import feeds, views

from .admin_forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

POSTGRES = connection.vendor == "postgresql"
SEARCH = f"/search/?q={quote('钱包')}"
FEED = "/feed/"


@pytest.fixture
def site(reader, make_article, monkeypatch):
    """Four published articles, oldest first: two with the word 钱包, two without; the feed
    lists the newest two, a search page one result. The search page and the feed are cached.
    -> {name: article}."""
    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    monkeypatch.setattr(views.SearchView, "paginate_by", 1)
    now = timezone.now()
    bodies = {
        "older match": "<p>旧的钱包新闻，介绍硬件钱包。</p>",
        "older other": "<p>游戏行业的新闻，玩家很多。</p>",
        "newer match": "<p>新的钱包新闻，介绍手机钱包。</p>",
        "newer other": "<p>世界新闻，天气很好。</p>",
    }
    articles = {
        name: make_article(
            title=f"文章{n}", body=body, published_at=now - timedelta(days=len(bodies) - n)
        )
        for n, (name, body) in enumerate(bodies.items())
    }
    for url in (SEARCH, FEED):
        reader.get(url)
        assert cached(reader, url), url
    return articles


def cached(reader, url):
    return reader.get(url)["X-Page-Cache"] == "hit"


def rendered(reader, url):
    response = reader.get(url)
    assert response["X-Page-Cache"] == "miss", url
    return response.content.decode()


def edit(article, old, new):
    article = Article.objects.get(pk=article.pk)
    assert old in article.body
    article.body = article.body.replace(old, new)
    article.save()


def test_a_typo_fix_elsewhere_keeps_the_search_page_on_postgresql_only(reader, site):
    edit(site["older other"], "玩家很多", "玩家不少")

    assert cached(reader, SEARCH) is POSTGRES
    assert cached(reader, FEED)  # it lists the newer two only


def test_an_edit_that_adds_the_words_refreshes_the_search_page(reader, site):
    edit(site["older other"], "游戏行业", "钱包行业")

    assert "找到 3 篇" in rendered(reader, SEARCH)
    assert cached(reader, FEED)


def test_an_edit_that_takes_the_words_from_an_article_not_shown_refreshes_the_search_page(
    reader, site
):
    """The page shows one result of two; the other losing the word leaves one page, not two."""
    assert "找到 2 篇" in reader.get(SEARCH).content.decode()
    edit(site["older match"], "钱包", "卡包")

    assert "找到 1 篇" in rendered(reader, SEARCH)


def test_an_edit_to_a_shown_article_refreshes_the_pages_showing_it(reader, site):
    edit(site["newer match"], "介绍手机", "介绍平板")

    assert "介绍平板" in rendered(reader, SEARCH)
    assert "介绍平板" in rendered(reader, FEED)


def test_an_admin_typo_fix_elsewhere_keeps_the_feed_and_the_search_page(reader, staff_client, site):
    article = site["older other"]
    url = f"/admin/articles/article/{article.pk}/change/"
    data = form_data(staff_client, url, form_id="article_form")
    data["body"] = data["body"].replace("玩家很多", "玩家不少")
    assert staff_client.post(url, data).status_code == 302
    assert "玩家不少" in Article.objects.get(pk=article.pk).body

    assert cached(reader, FEED)
    assert cached(reader, SEARCH) is POSTGRES


def test_an_edit_that_brings_out_of_date_labels_up_to_date_refreshes_the_search_page(reader, site):
    """The save rewrites the labels search ranks and finds the article by (its tag 钱包 here,
    left out of search_terms as an import might have): the words it gained are unknown."""
    article = site["older other"]
    article.tags.add("钱包")
    Article.objects.filter(pk=article.pk).update(search_terms="")  # no signal: stays cached
    reader.get(SEARCH)
    assert cached(reader, SEARCH) and "找到 2 篇" in reader.get(SEARCH).content.decode()

    edit(article, "玩家很多", "玩家不少")

    assert "找到 3 篇" in rendered(reader, SEARCH)


def test_a_lost_record_refreshes_every_page_showing_text(reader, site):
    before = text_version()
    edit(site["older other"], "玩家很多", "玩家不少")
    cache.delete_many([f"newsroom:text-changed:{v}" for v in range(before, text_version() + 1)])

    assert not cached(reader, SEARCH)
    assert not cached(reader, FEED)


def test_a_search_page_is_touched_by_a_changed_word_inside_its_query():
    scope = narrowed.text_scope([1, 2], ["Web3", "钱包"])

    assert narrowed._touches(narrowed.text_change([3], {"web3"}), scope)
    assert narrowed._touches(narrowed.text_change([3], {"钱"}), scope)  # a part of a word
    assert narrowed._touches(narrowed.text_change([2], set()), scope)  # a shown article
    assert narrowed._touches(narrowed.text_change([3], None), scope)  # words unknown
    assert not narrowed._touches(narrowed.text_change([3], {"游戏", "web2"}), scope)
    too_many = {f"w{n}" for n in range(narrowed.MAX_WORDS + 1)}
    assert narrowed._touches(narrowed.text_change([3], too_many), scope)
    feed = narrowed.text_scope([1, 2])
    assert not narrowed._touches(narrowed.text_change([3], None), feed)
    assert narrowed._touches(narrowed.text_change([1], set()), feed)
