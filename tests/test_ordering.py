from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.reading_order import in_reading_order

pytestmark = pytest.mark.django_db


def titles(queryset):
    return [article.title for article in queryset]


def listed_titles(client, url):
    return [article.title for article in client.get(url).context["articles"]]


def test_lists_order_by_weight_then_newest_with_unweighted_last(client, make_article, section):
    now = timezone.now()
    make_article(title="新无权重", section=section, published_at=now - timedelta(hours=1))
    make_article(title="旧无权重", section=section, published_at=now - timedelta(days=3))
    make_article(title="权重2", section=section, weight=2, published_at=now - timedelta(days=1))
    make_article(title="权重1", section=section, weight=1, published_at=now - timedelta(days=2))
    expected = ["权重1", "权重2", "新无权重", "旧无权重"]

    assert titles(in_reading_order(Article.objects.published())) == expected  # the definition
    assert listed_titles(client, reverse("articles:article-list")) == expected
    assert listed_titles(client, section.get_absolute_url()) == expected


def test_pinned_article_comes_first_in_every_list_it_is_in(client, make_article, place, section):
    make_article(title="最新", section=section, tags=["链游"])
    old = make_article(
        title="置顶旧闻",
        section=section,
        tags=["链游"],
        published_at=timezone.now() - timedelta(days=30),
    )
    place(old, "pinned")

    assert titles(in_reading_order(Article.objects.published()))[0] == "置顶旧闻"
    for url in [
        reverse("articles:article-list"),
        section.get_absolute_url(),
        old.tags.get().get_absolute_url(),
    ]:
        text = client.get(url).text
        assert text.index("置顶旧闻") < text.index("最新"), url


def test_home_page_lists_live_pins_first_in_reading_order(client, make_article, place):
    now = timezone.now()
    make_article(title="最新")
    for title, days, weight in [("置顶甲", 9, None), ("置顶乙", 5, None), ("置顶丙", 20, 1)]:
        place(
            make_article(title=title, published_at=now - timedelta(days=days), weight=weight),
            "pinned",
        )
    expired = make_article(title="过期置顶", published_at=now - timedelta(days=30))
    place(expired, "pinned", ends_at=now - timedelta(minutes=1))
    place(expired, "carousel")  # in another slot: not pinned by that

    latest = client.get(reverse("articles:home")).text.split('class="latest')[1]
    titles = ["置顶甲", "置顶乙", "置顶丙", "最新", "过期置顶"]
    order = sorted(titles, key=lambda title: latest.index(f">{title}</a>"))
    assert order == ["置顶丙", "置顶乙", "置顶甲", "最新", "过期置顶"]
    assert latest.count("badge-pin") == 3


def test_expired_pin_no_longer_lifts_the_article(make_article, place):
    make_article(title="最新")
    old = make_article(title="过期置顶", published_at=timezone.now() - timedelta(days=3))
    place(old, "pinned", ends_at=timezone.now() - timedelta(minutes=1))

    assert titles(in_reading_order(Article.objects.published()))[0] == "最新"


def test_lists_are_paginated_twenty_to_a_page(client, make_article):
    for _ in range(21):
        make_article()

    first = client.get(reverse("articles:article-list"))
    second = client.get(reverse("articles:article-list") + "?page=2")

    assert len(first.context["articles"]) == 20
    assert len(second.context["articles"]) == 1
