"""More reading: related articles, reading time, breadcrumbs, archives, error pages."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from articles.reading.labels import attach_labels
from articles.reading.related import related_articles

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_related_articles_rank_by_shared_topics_and_tags(make_article):
    earlier = timezone.now() - timedelta(days=1)
    make_article(title="共享一个", tags=["NFT"], published_at=earlier)
    make_article(title="共享三个", topics=["元宇宙", "GameFi"], tags=["Web3"], published_at=earlier)
    make_article(title="无关", topics=["其他"], tags=["其他"], published_at=earlier)
    make_article(title="草稿", topics=["元宇宙", "GameFi"], status=Article.Status.DRAFT)
    make_article(title="定时", tags=["NFT"], published_at=timezone.now() + timedelta(days=1))
    article = make_article(
        title="本文",
        topics=["元宇宙", "GameFi"],
        tags=["Web3", "NFT"],
        published_at=timezone.now() - timedelta(hours=1),
    )
    (article,) = attach_labels([Article.objects.get(pk=article.pk)])
    with CaptureQueriesContext(connection) as ctx:
        titles = [a.title for a in related_articles(article)]
    assert titles == ["共享三个", "共享一个"]
    assert len(ctx) <= 3


def test_related_articles_are_published_before_the_article(make_article, settings):
    """As Hugo's related content by default: a newer article never enters an older article's
    list, so publishing one leaves the older pages as they are (and cached)."""
    earlier = make_article(title="较早", tags=["NFT"], published_at=timezone.now() - timedelta(1))
    article = make_article(title="本文", tags=["NFT"], published_at=timezone.now() - timedelta(1))
    make_article(
        title="较新", tags=["NFT", "Web3"], published_at=timezone.now() - timedelta(hours=1)
    )
    Article.objects.filter(pk=earlier.pk).update(published_at=article.published_at)  # a tie
    (article,) = attach_labels([Article.objects.get(pk=article.pk)])
    assert [a.title for a in related_articles(article)] == ["较早"]

    settings.NEWSROOM = {**settings.NEWSROOM, "RELATED_INCLUDE_NEWER": True}
    assert [a.title for a in related_articles(article)] == ["较新", "较早"]


def _ranked_by_definition(article, *, limit=4):
    """Every visible article published before `article` scored by shared topics + shared tags,
    best first, newest first among equals: what related_articles() must return, computed the
    slow, obvious way."""
    topics = {t.pk for t in article.topics.all()}
    tags = {t.pk for t in article.tags.all()}
    scored = []
    for other in Article.objects.published().exclude(pk=article.pk):
        if (other.published_at, other.pk) > (article.published_at, article.pk):
            continue
        shared = len(topics & {t.pk for t in other.topics.all()})
        shared += len(tags & {t.pk for t in other.tags.all()})
        if shared:
            scored.append((shared, other.published_at, other.pk, other.title))
    return [title for *_, title in sorted(scored, reverse=True)[:limit]]


@pytest.mark.parametrize("limit", [1, 4, 8])
def test_related_articles_match_ranking_every_candidate(make_article, limit):
    import random

    rng = random.Random(7)
    topics, tags = ["元宇宙", "GameFi", "DeFi"], ["NFT", "Web3", "VR", "链游", "AI"]
    now = timezone.now()
    moments = [now - timedelta(hours=rng.randint(1, 5)) for _ in range(40)]  # many ties
    for n, moment in enumerate(moments):
        make_article(
            title=f"候选{n}",
            published_at=moment,
            topics=rng.sample(topics, rng.randint(0, 2)),
            tags=rng.sample(tags, rng.randint(0, 3)),
        )
    make_article(title="草稿", status=Article.Status.DRAFT, topics=topics, tags=tags)
    make_article(title="定时", published_at=now + timedelta(days=1), topics=topics, tags=tags)
    for article in Article.objects.published().order_by("pk")[:12]:
        (article,) = attach_labels([Article.objects.get(pk=article.pk)])
        got = [a.title for a in related_articles(article, limit=limit)]
        assert got == _ranked_by_definition(article, limit=limit), article.title


def test_article_page_shows_related_articles_and_breadcrumbs(client, make_article):
    section = Section.objects.create(name="资讯", slug="news")
    make_article(title="相关的文章", tags=["Web3"], published_at=timezone.now() - timedelta(1))
    article = make_article(
        title="本文",
        section=section,
        tags=["Web3"],
        published_at=timezone.now() - timedelta(hours=1),
    )
    html = client.get(article.get_absolute_url()).text
    assert "相关的文章" in html
    crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert 'href="/"' in crumbs and 'href="/sections/news/"' in crumbs and "本文" in crumbs


@pytest.mark.parametrize(
    ("body", "minutes"),
    [
        ("<p>" + "字" * 400 + "</p>", 1),
        ("<p>" + "字" * 2000 + "</p>", 5),
        ("<p>" + "字" * 1000 + "</p>" + "<p>" + "word " * 400 + "</p>", 4),
        ("<p>" + "&nbsp;，。" * 2000 + "</p>", 1),
        ("", 1),
    ],
)
def test_reading_time_counts_chinese_characters_and_english_words(make_article, body, minutes):
    assert make_article(body=body).reading_minutes == minutes


@pytest.fixture
def dated(make_article):
    def at(year, month, day, hour=12, **fields):
        return make_article(
            published_at=datetime(year, month, day, hour, tzinfo=SHANGHAI), **fields
        )

    return at


def test_archive_index_lists_months_with_counts(client, dated):
    dated(2024, 1, 5, title="一月一")
    dated(2024, 1, 31, 23, title="一月末")  # 15:00 UTC, still January in Shanghai
    dated(2023, 12, 1, title="去年")
    dated(2024, 2, 1, title="草稿", status=Article.Status.DRAFT)
    response = client.get(reverse("articles:archive"))
    years = response.context["years"]
    assert [year for year, _ in years] == [2024, 2023]
    assert [(m.month, total) for m, total in years[0][1]] == [(1, 2)]
    assert reverse("articles:archive-month", kwargs={"year": 2024, "month": "01"}) in response.text


def test_month_archive_shows_that_month_only(client, dated):
    dated(2024, 1, 31, 23, title="一月末")
    dated(2024, 2, 1, 1, title="二月初")
    response = client.get(reverse("articles:archive-month", kwargs={"year": 2024, "month": "01"}))
    assert [a.title for a in response.context["articles"]] == ["一月末"]
    assert "二月初" not in response.text


def test_year_archive_is_paginated_and_newest_first(client, dated):
    for day in range(1, 23):
        dated(2024, 3, day, title=f"三月{day}")
    dated(2023, 3, 1, title="去年")
    response = client.get(reverse("articles:archive-year", kwargs={"year": 2024}))
    titles = [a.title for a in response.context["articles"]]
    assert len(titles) == 20 and titles[0] == "三月22"
    assert "去年" not in titles


def test_empty_or_future_archive_pages_are_404(client, dated):
    dated(2024, 1, 5, title="一月")
    dated(2030, 1, 5, title="定时", status=Article.Status.PUBLISHED)
    assert (
        client.get(
            reverse("articles:archive-month", kwargs={"year": 2024, "month": "02"})
        ).status_code
        == 404
    )
    assert client.get(reverse("articles:archive-year", kwargs={"year": 2030})).status_code == 404
    assert client.get("/archive/2024/13/").status_code == 404


def test_404_page_is_in_the_site_look(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "site.css" in response.text and "site-header" in response.text


def test_500_page_renders_without_context_or_database():
    html = render_to_string("500.html")
    assert "500" in html and "<html" in html


def test_reading_time_follows_an_edited_body_although_it_is_kept_per_process():
    from articles.text.reading_time import reading_minutes

    short, long = "<p>" + "字" * 100 + "</p>", "<p>" + "字" * 5000 + "</p>"
    assert reading_minutes(short) == 1
    assert reading_minutes(long) > 1
    assert reading_minutes(short) == 1
