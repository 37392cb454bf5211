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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.models import Article, Author, Section, Tag, Topic
from articles.pagecache import narrowed
from articles.pagecache.generation import bump_generation, text_version
from articles.reading import feeds, views

from .admin_forms import form_data, publish_in_admin

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


def publish(make_article, body, **relations):
    return make_article(
        title="最新快讯",
        body=body,
        published_at=timezone.now() - timedelta(seconds=1),
        **relations,
    )


def recache(reader, *urls):
    """After new tags, authors or sections (they show on every page: a new generation)."""
    for url in urls:
        reader.get(url)
        assert cached(reader, url), url


def test_a_publish_without_the_words_keeps_the_search_page_on_postgresql_only(
    reader, site, make_article
):
    Tag.objects.create(name="游戏", slug="game")
    Author.objects.create(name="编辑部", slug="desk")
    recache(reader, SEARCH, FEED)

    publish(make_article, "<p>今天的游戏新闻。</p>", tags=["游戏"], authors=["编辑部"])

    assert cached(reader, SEARCH) is POSTGRES
    assert "最新快讯" in rendered(reader, FEED)


def test_a_publish_with_the_words_refreshes_the_search_page(reader, site, make_article):
    publish(make_article, "<p>今天的钱包新闻。</p>")

    assert "最新快讯" in rendered(reader, SEARCH)


def test_the_newest_article_given_a_tag_named_like_the_words_refreshes_the_search_page(
    reader, site, make_article
):
    """Its labels are words search finds it by: the tag's name is one of the words it gained."""
    tag = Tag.objects.create(name="钱包", slug="wallet")
    newest = publish(make_article, "<p>今天的游戏新闻。</p>")
    recache(reader, SEARCH)

    newest.tags.add(tag)

    assert "最新快讯" in rendered(reader, SEARCH)


def test_an_admin_publish_without_the_words_keeps_the_search_page(reader, staff_client, site):
    section = Section.objects.create(name="资讯", slug="news")
    Article.objects.filter(pk=site["older other"].pk).update(section=section)
    topic = Topic.objects.create(name="专题", slug="topic")
    tag = Tag.objects.create(name="游戏", slug="game")
    bump_generation()  # after update(), which sends no signal
    recache(reader, SEARCH, FEED)

    response = publish_in_admin(staff_client, section=section, topic=topic, tag=tag)
    assert response.status_code == 302

    assert cached(reader, SEARCH) is POSTGRES
    assert "后台发布的快讯" in rendered(reader, FEED)


def test_a_lost_record_refreshes_every_page_showing_text(reader, site):
    before = text_version()
    edit(site["older other"], "玩家很多", "玩家不少")
    cache.delete_many([f"newsroom:text-changed:{v}" for v in range(before, text_version() + 1)])

    assert not cached(reader, SEARCH)
    assert not cached(reader, FEED)


def test_a_search_page_is_touched_by_the_words_its_query_looks_for():
    scope = narrowed.text_scope([1, 2], ["Web3.0", "钱包", "数字藏品2024"])

    def touches(words, ids=(3,)):
        return narrowed._touches(narrowed.text_change(ids, words), scope)

    assert touches({"web3.0"}) and touches({"钱包"}) and touches({"数字藏品2024"})
    assert touches({"web"}) and touches({"b3"}) and touches({"数字藏品"})  # parts it may split
    assert not touches({"钱", "数字", "藏品", "游戏", "web2", "的"})  # not a word it looks for
    assert touches(set(), ids=(2,))  # an article the page shows
    assert touches(None)  # words unknown
    assert touches({f"w{n}" for n in range(narrowed.MAX_WORDS + 1)})  # too many to keep
    feed = narrowed.text_scope([1, 2])
    assert not narrowed._touches(narrowed.text_change([3], None), feed)
    assert narrowed._touches(narrowed.text_change([1], set()), feed)


QUERY_TEXT = st.lists(
    st.sampled_from(
        [*"aBz09元宇宙钱包数字é-._@/:'+&|!#%$ ", "Web3", "2024年", "covid-19", "Ⅻ²", "ｗｅｂ", "〇"]
    ),
    max_size=10,
).map("".join)


@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's own parser")
@given(words=st.lists(QUERY_TEXT, min_size=1, max_size=4))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_word_postgresql_looks_for_touches_the_search_page(words):
    """What the scope assumes of PostgreSQL's parser, asked of PostgreSQL: every word it
    makes of a query (as the search sends it, the words joined by spaces) touches the page."""
    scope = narrowed.text_scope([1], words)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('simple', %s))", [" ".join(words)])
        looked_for = cursor.fetchone()[0]
    for word in looked_for:
        assert narrowed._touches(narrowed.text_change([2], {word}), scope), (words, word)
