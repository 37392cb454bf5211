"""Reading-order pages built from index-friendly queries keep in_reading_order()'s order."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import pagination
from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(make_article, place):
    now = timezone.now()
    for n in range(25):
        make_article(
            title=f"文章{n}",
            weight=(n % 4) if n % 5 == 0 else None,
            published_at=now - timedelta(hours=n + 1),
        )
    place(Article.objects.get(title="文章20"), "pinned")
    place(Article.objects.get(title="文章7"), "pinned", position=1)
    place(Article.objects.get(title="文章3"), "pinned", ends_at=now - timedelta(minutes=1))


@pytest.mark.parametrize(("start", "stop"), [(0, 5), (0, 12), (1, 3), (2, 20), (20, 40)])
def test_slice_matches_in_reading_order(mixed, start, stop):
    expected = list(Article.objects.published().in_reading_order())[start:stop]

    got = pagination.reading_order_slice(
        Article.objects.published().for_listing(), start=start, stop=stop
    )

    assert [a.title for a in got] == [a.title for a in expected]
    assert [a.is_pinned for a in got] == [a.is_pinned for a in expected]


def test_lists_stop_at_the_page_cap(client, mixed, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGES", 1)
    url = reverse("articles:article-list")

    assert client.get(url).status_code == 200
    assert client.get(url + "?page=2").status_code == 404


def test_count_is_taken_once_per_content_generation(client, mixed, django_assert_num_queries):
    url = reverse("articles:article-list")
    client.get(url)
    with django_assert_num_queries(3):  # pinned, page, authors (cards show no tags): no COUNT
        client.get(url)
