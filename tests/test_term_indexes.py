"""The index pages: /tags/, /sections/, /authors/, /topics/ and /vocabularies/<key>/."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from articles.models import Article, Section, Topic, Vocabulary
from articles.reading import indexes

from .sitemap_pages import sitemap_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabularies():
    news = Vocabulary.objects.create(
        key="news", name="资讯分类", translations={"en": {"name": "News"}}, position=0
    )
    games = Vocabulary.objects.create(key="games", name="游戏分类", position=1)
    return news, games


def _queries(client, url):
    """(cold, warm): just after a change, and read again before the next."""
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts.append(len(ctx))
    return tuple(counts)


def test_tag_index_lists_tags_with_a_visible_article_and_their_counts(client, make_article):
    make_article(tags=["元宇宙", "GameFi"])
    make_article(tags=["元宇宙"])
    make_article(tags=["草稿标签"], status=Article.Status.DRAFT)
    html = client.get(reverse("articles:tag-index")).content.decode()
    assert "元宇宙" in html and "GameFi" in html
    assert "草稿标签" not in html  # only a draft uses it
    assert '<span class="term-count">2</span>' in html


def test_section_and_author_indexes(client, make_article):
    news = Section.objects.create(name="资讯", slug="news", translations={"en": {"name": "News"}})
    Section.objects.create(name="空栏目", slug="empty")
    make_article(section=news, authors=["小一"])
    sections = client.get(reverse("articles:section-index")).content.decode()
    assert news.get_absolute_url() in sections and "空栏目" not in sections
    make_article(section=news, language="en")
    english = client.get("/en" + reverse("articles:section-index"))
    assert "News" in english.content.decode()  # display_name in the reader's language
    with translation.override("zh-hans"):  # the English request left English active
        authors = client.get(reverse("articles:author-index")).content.decode()
    assert "小一" in authors


def test_topics_overview_groups_topics_by_vocabulary(client, make_article, vocabularies):
    news, games = vocabularies
    metaverse = Topic.objects.create(name="元宇宙", vocabulary=news)
    rpg = Topic.objects.create(name="RPG", vocabulary=games)
    loose = Topic.objects.create(name="无分类")
    make_article(topics=[metaverse, rpg, loose])
    html = client.get(reverse("articles:topic-index")).content.decode()
    html = html[html.index("<h1>") :]
    assert (
        html.index("资讯分类") < html.index("元宇宙") < html.index("游戏分类") < html.index("RPG")
    )
    assert html.index("RPG") < html.index("无分类")
    assert reverse("articles:vocabulary-detail", kwargs={"key": "games"}) in html


def test_topics_overview_shows_the_first_topics_and_links_to_the_rest(
    client, make_article, vocabularies, monkeypatch
):
    news, _ = vocabularies
    monkeypatch.setattr(indexes, "TOPICS_PER_VOCABULARY", 2)
    topics = [Topic.objects.create(name=f"专题{n}", vocabulary=news) for n in range(3)]
    make_article(topics=topics)
    html = client.get(reverse("articles:topic-index")).content.decode()
    assert "专题0" in html and "专题1" in html and "专题2" not in html
    assert "查看全部" in html
    detail = client.get(reverse("articles:vocabulary-detail", kwargs={"key": "news"}))
    assert "专题2" in detail.content.decode()


def test_vocabulary_page_lists_only_its_topics_and_404s_for_an_unknown_key(
    client, make_article, vocabularies
):
    news, games = vocabularies
    make_article(topics=[Topic.objects.create(name="元宇宙", vocabulary=news)])
    make_article(topics=[Topic.objects.create(name="RPG", vocabulary=games)])
    html = client.get(reverse("articles:vocabulary-detail", kwargs={"key": "news"})).content
    assert "元宇宙" in html.decode() and "RPG" not in html.decode()
    assert client.get("/vocabularies/nope/").status_code == 404


def test_a_vocabulary_url_cannot_be_a_topic_url(make_article, vocabularies):
    """/topics/<slug>/ and its feeds take every path under /topics/; vocabularies live apart."""
    Topic.objects.create(name="v", slug="v")
    assert reverse("articles:vocabulary-detail", kwargs={"key": "feed"}) == "/vocabularies/feed/"
    assert not reverse("articles:vocabulary-detail", kwargs={"key": "x"}).startswith("/topics/")


def test_index_pages_are_paginated(client, make_article, settings, monkeypatch):
    monkeypatch.setattr(indexes.TermIndexView, "paginate_by", 2)
    make_article(tags=["甲", "乙", "丙"])
    first = client.get(reverse("articles:tag-index")).content.decode()
    second = client.get(reverse("articles:tag-index") + "?page=2").content.decode()
    assert first.count('class="term-count"') == 2 and second.count('class="term-count"') == 1


@pytest.mark.parametrize("many", [1, 12])
def test_index_pages_run_a_fixed_number_of_queries(client, make_article, vocabularies, many):
    news, games = vocabularies
    section = Section.objects.create(name="资讯", slug="news")
    for n in range(many):
        topic = Topic.objects.create(name=f"专题{n}", vocabulary=games if n % 2 else news)
        make_article(section=section, authors=[f"作者{n}"], tags=[f"标签{n}"], topics=[topic])
    counts = {
        name: _queries(client, reverse(f"articles:{name}"))
        for name in ["tag-index", "section-index", "author-index", "topic-index"]
    }
    counts["vocabulary"] = _queries(
        client, reverse("articles:vocabulary-detail", kwargs={"key": "news"})
    )
    # Warm: a page of terms and the paginator's count (the vocabulary page reads its
    # vocabulary first); the overview: the vocabularies, then their first topics in one
    # statement. Cold adds what every page reads once per content generation (menus, ads...).
    assert {name: warm for name, (_, warm) in counts.items()} == {
        "tag-index": 2,
        "section-index": 2,
        "author-index": 2,
        "topic-index": 2,
        "vocabulary": 3,
    }
    assert len({cold - warm for cold, warm in counts.values()}) == 1


def test_sitemap_names_the_index_pages_and_used_vocabularies(client, make_article, vocabularies):
    news, _ = vocabularies
    make_article(topics=[Topic.objects.create(name="元宇宙", vocabulary=news)])
    xml = sitemap_text(client)
    for name in ["tag-index", "section-index", "author-index", "topic-index"]:
        assert f"{reverse(f'articles:{name}')}</loc>" in xml
    assert "/vocabularies/news/</loc>" in xml
    assert "/vocabularies/games/</loc>" not in xml  # no visible topic
