"""Each public page runs the same number of queries with 1 article as with 30."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Author, Section, Tag, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def populate(make_article, place):
    section = Section.objects.create(name="资讯", slug="news")

    def make(count):
        for n in range(count):
            article = make_article(
                title=f"文章{n}",
                section=section,
                authors=["Cindy", "林晓舟", f"作者{n % 3}"],
                tags=["元宇宙", "Web3.0", f"标签{n % 4}"],
                topics=["元宇宙", "GameFi"],
            )
            if n < 8:
                place(article, "carousel", position=n)
            if n < 4:
                place(article, "showcase", position=n)
            if n == 0:
                place(article, "pinned")

    return make


def page_urls():
    article = Section.objects.get().articles.order_by("pk").first()
    return {
        "home": reverse("articles:home"),
        "list": reverse("articles:article-list"),
        "detail": article.get_absolute_url(),
        "tag": Tag.objects.get(name="元宇宙").get_absolute_url(),
        "section": Section.objects.get().get_absolute_url(),
        "topic": Topic.objects.get(name="元宇宙").get_absolute_url(),
        "author": Author.objects.get(name="Cindy").get_absolute_url(),
    }


def count_queries(client):
    cache.clear()
    counts = {}
    for name, url in page_urls().items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[name] = len(ctx)
    return counts


def test_query_count_does_not_grow_with_the_number_of_articles(client, populate, make_article):
    populate(1)
    with_one = count_queries(client)
    populate(29)
    with_thirty = count_queries(client)

    assert with_one == with_thirty


# What each page runs, exactly: just after a change (cold) and read again before the next (warm).
# Every page, cold: the section menu. Lists, cold: the next scheduled event (1: publish times,
# placement and ad windows in one UNION), the count, the page's ids (2: live pins, then the rest). The article page,
# cold: related articles (2: ranked, then their rows). Warm: the rows by primary key and the
# labels statement (byline, topics, tags, previous/next); taxonomy pages read their term first;
# home reads its carousel and showcase in one more.
BUDGETS = {
    "home": (7, 3),
    "list": (7, 2),
    "detail": (5, 2),
    "tag": (8, 3),
    "section": (8, 3),
    "topic": (8, 3),
    "author": (8, 3),
}


@pytest.mark.parametrize(("page", "budget"), sorted(BUDGETS.items()))
def test_page_runs_exactly_its_queries(client, populate, django_assert_num_queries, page, budget):
    cold, warm = budget
    populate(30)
    url = page_urls()[page]
    cache.clear()

    with django_assert_num_queries(cold):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(warm):
        assert client.get(url).status_code == 200
