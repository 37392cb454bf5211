"""阅读量 and 热榜: a beacon counts each reader once, never a bot, with no database write per
view; finished minutes reach the database in one statement; the pages show the totals and the
most-read lists of the last 24 hours and 7 days, at most a minute old."""

import importlib
import time
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.audience import counting, figures, flush
from articles.models import Article, Section, ViewCount
from articles.pagecache.middleware import local_pages

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_process():
    """Each test starts as a new process would: it has not flushed yet."""
    flush.flush_clock.reset()
    local_pages.clear()
    yield
    flush.flush_clock.reset()
    local_pages.clear()


class Clock:
    """time.time() moved on by hand; the cache's expiry and the buffer's minutes follow it."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def expiring_clock(clock):
    """The clock, for a test that needs the cache's entries to expire with it: local memory
    only, as Redis (REDIS_URL) keeps its own time."""
    if not isinstance(caches["default"], LocMemCache):
        pytest.skip("the cache's expiry cannot be moved on from here")
    return clock


def beacon(client, article, *, agent=CHROME, address="198.51.100.7", **headers):
    """A reader's page posting its beacon through our proxy (REMOTE_ADDR 127.0.0.1)."""
    return client.post(
        reverse("articles:read-beacon", args=[article.pk]),
        headers={"user-agent": agent, "x-forwarded-for": address, **headers},
    )


def stored_views(article):
    return ViewCount.objects.filter(article=article).aggregate(total=Sum("views"))["total"] or 0


def flushed_views(article, clock):
    """The article's views once the minute they were counted in is over and written."""
    clock.advance(70)
    flush.flush_views()
    return stored_views(article)


def test_a_reader_is_counted_once_per_article_in_half_an_hour(client, make_article, expiring_clock):
    clock = expiring_clock
    article, other = make_article(), make_article()

    for _reload in range(3):
        assert beacon(client, article).status_code == 204
    beacon(client, article, address="198.51.100.8")  # another reader
    beacon(client, other)  # the same reader, another article

    assert flushed_views(article, clock) == 2
    assert stored_views(other) == 1
    clock.advance(30 * 60)
    beacon(client, article)  # the same reader again, half an hour later
    assert flushed_views(article, clock) == 3


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile "
        "Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
)
def test_bots_are_not_counted(client, make_article, clock, agent):
    article = make_article()

    assert beacon(client, article, agent=agent).status_code == 204

    assert flushed_views(article, clock) == 0


def test_readers_browsers_are_counted(client, make_article, clock):
    article = make_article()
    agents = [
        CHROME,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800323b) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
    ]
    for agent in agents:
        beacon(client, article, agent=agent)

    assert flushed_views(article, clock) == 3


def test_a_post_from_another_site_or_a_prefetch_is_not_counted(client, make_article, clock):
    article = make_article()

    beacon(client, article, sec_fetch_site="cross-site")
    beacon(client, article, sec_purpose="prefetch", address="198.51.100.9")
    beacon(client, article, sec_fetch_site="same-origin", address="198.51.100.10")

    assert flushed_views(article, clock) == 1


def test_the_beacon_answers_204_is_never_cached_and_takes_only_posts(client, make_article):
    article = make_article()

    response = beacon(client, article)

    assert response.status_code == 204 and response.content == b""
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("articles:read-beacon", args=[article.pk])).status_code == 405


def test_views_cost_no_database_query_until_the_minute_is_flushed(
    client, make_article, clock, django_assert_num_queries
):
    articles = [make_article() for _ in range(3)]
    beacon(client, articles[0], address="198.51.100.1")  # this process's first flush: nothing

    with django_assert_num_queries(0):
        for n in range(30):
            assert beacon(client, articles[n % 3], address=f"198.51.100.{n + 2}").status_code == 204
    assert ViewCount.objects.count() == 0

    clock.advance(70)  # the minute is over: the next beacon writes it
    with CaptureQueriesContext(connection) as queries:
        beacon(client, articles[0], address="203.0.113.1")
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]

    assert len(writes) == 1 and writes[0].startswith("INSERT INTO")
    assert [stored_views(article) for article in articles] == [11, 10, 10]
    with django_assert_num_queries(0):  # at most one flush a minute per process
        beacon(client, articles[1], address="203.0.113.2")


def test_each_process_tries_to_flush_once_a_minute_at_most(
    client, make_article, clock, monkeypatch
):
    article = make_article()
    tries = []
    monkeypatch.setattr(flush, "flush_views", lambda **kwargs: tries.append(kwargs) or 0)

    for minute in range(3):
        for n in range(5):
            beacon(client, article, address=f"198.51.{minute}.{n}")
        clock.advance(60)

    assert len(tries) == 3


def test_a_flush_writes_every_article_and_hour_in_one_statement(make_article, clock):
    first, second = make_article(), make_article()
    clock.now = (clock.now // 3600) * 3600 + 58 * 60  # 2 minutes before the hour
    for n in range(4):
        counting.record_view(article_id=first.pk, address=f"a{n}", user_agent=CHROME)
    counting.record_view(article_id=second.pk, address="b", user_agent=CHROME)
    clock.advance(60)
    counting.record_view(article_id=first.pk, address="c", user_agent=CHROME)
    clock.advance(120)  # the next hour
    counting.record_view(article_id=first.pk, address="d", user_agent=CHROME)
    counting.record_view(article_id=999_999, address="e", user_agent=CHROME)  # no such article
    clock.advance(70)

    with CaptureQueriesContext(connection) as queries:
        assert flush.flush_views() == 7
    statements = [q["sql"].split()[0] for q in queries.captured_queries]

    # Which articles exist, the write, then the new totals and the articles' pages (figures.py).
    assert statements == ["SELECT", "INSERT", "SELECT", "SELECT"]
    rows = ViewCount.objects.order_by("article_id", "hour").values_list("article_id", "views")
    assert list(rows) == [(first.pk, 5), (first.pk, 1), (second.pk, 1)]
    assert flush.flush_views() == 0  # written once, not twice


def test_flushes_add_to_the_hour_already_written(make_article, clock):
    article = make_article()
    clock.now = (clock.now // 3600) * 3600 + 60  # early in an hour
    counting.record_view(article_id=article.pk, address="a", user_agent=CHROME)
    clock.advance(70)
    flush.flush_views()
    counting.record_view(article_id=article.pk, address="b", user_agent=CHROME)
    counting.record_view(article_id=article.pk, address="c", user_agent=CHROME)
    clock.advance(70)
    flush.flush_views()

    assert list(ViewCount.objects.values_list("views", flat=True)) == [3]


def test_buffered_views_survive_a_restart_and_written_ones_a_cache_flush(
    client, make_article, clock
):
    article = make_article()
    for n in range(3):
        beacon(client, article, address=f"198.51.100.{n}")

    # A new process: the counting modules start from nothing, the shared cache is kept.
    importlib.reload(counting)
    importlib.reload(flush)
    clock.advance(70)
    assert flush.flush_if_due() == 3
    cache.clear()  # the cache restarted too: what was written is in the database

    html = client.get(article.get_absolute_url()).text
    assert "阅读 3" in html


def test_a_failing_database_keeps_the_views_for_the_next_flush(make_article, clock, monkeypatch):
    article = make_article()
    counting.record_view(article_id=article.pk, address="a", user_agent=CHROME)
    clock.advance(70)

    def fail(views):
        raise DatabaseError("the database went away")

    with monkeypatch.context() as broken:
        broken.setattr("articles.audience.flush.write_view_counts", fail)
        assert flush.flush_if_due() == 0
    assert flush.flush_views() == 1 and stored_views(article) == 1


def test_the_command_writes_what_waits(make_article, clock):
    article = make_article()
    counting.record_view(article_id=article.pk, address="a", user_agent=CHROME)
    clock.advance(70)

    call_command("flush_views")

    assert stored_views(article) == 1


def read(article, *, hours_ago, views):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    ViewCount.objects.create(article=article, hour=hour, views=views)


def titles(entries):
    return [entry["title"] for entry in entries]


def test_most_read_lists_rank_the_last_24_hours_and_the_last_7_days_apart(make_article):
    old = make_article(title="三天前很火")
    read(old, hours_ago=72, views=100)
    fresh = make_article(title="今天")
    read(fresh, hours_ago=0, views=10)
    steady = make_article(title="一直有人读")
    read(steady, hours_ago=2, views=30)
    read(steady, hours_ago=30, views=30)
    forgotten = make_article(title="上个月")
    read(forgotten, hours_ago=8 * 24, views=500)

    lists, _until = figures.most_read()

    assert titles(lists["day"]) == ["一直有人读", "今天"]
    assert [entry["views"] for entry in lists["day"]] == [30, 10]
    assert titles(lists["week"]) == ["三天前很火", "一直有人读", "今天"]
    assert [entry["views"] for entry in lists["week"]] == [100, 60, 10]
    assert lists["week"][0]["url"] == old.get_absolute_url()


def test_a_section_lists_its_own_articles_and_the_site_its_ten_most_read(make_article):
    news = Section.objects.create(name="资讯", slug="news")
    games = Section.objects.create(name="游戏", slug="games")
    for n in range(12):
        read(make_article(title=f"资讯{n}", section=news), hours_ago=1, views=100 + n)
    read(make_article(title="游戏", section=games), hours_ago=1, views=5)

    site, _ = figures.most_read()
    in_games, _ = figures.most_read(section=games)
    in_news, _ = figures.most_read(section=news)

    assert titles(site["day"]) == [f"资讯{n}" for n in range(11, 1, -1)]
    assert titles(in_games["day"]) == titles(in_games["week"]) == ["游戏"]
    assert len(in_news["week"]) == 10


def test_drafts_scheduled_and_unpublished_articles_never_show_in_the_lists(client, make_article):
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    scheduled = make_article(title="定时", published_at=timezone.now() + timedelta(hours=2))
    shown = make_article(title="已发布")
    english = make_article(title="In English", language="en")
    for article in (draft, scheduled, shown, english):
        read(article, hours_ago=1, views=50)

    home = client.get("/").text
    assert "已发布" in home and "草稿" not in home and "定时" not in home
    assert "In English" not in home and "In English" in client.get("/en/").text

    shown.status = Article.Status.DRAFT
    shown.save()  # taken down: the lists name the generation, so it leaves them at once
    assert "24小时热榜" not in client.get("/").text


def test_home_and_section_pages_show_the_blocks_only_with_something_in_them(
    client, make_article, section
):
    article = make_article(title="热门文章", section=section)
    quiet = Section.objects.create(name="冷门", slug="quiet")
    make_article(title="没人读", section=quiet)
    assert "most-read" not in client.get("/").text

    cache.clear()
    read(article, hours_ago=3 * 24, views=7)
    home = client.get("/").text
    assert "7日热榜" in home and "24小时热榜" not in home  # read 3 days ago only
    assert f'<a href="{article.get_absolute_url()}">热门文章</a>' in home

    read(article, hours_ago=1, views=5)
    cache.clear()
    page = client.get(section.get_absolute_url()).text
    assert "24小时热榜" in page and "7日热榜" in page and "阅读 12" in page
    assert "most-read" not in client.get(quiet.get_absolute_url()).text


def test_the_article_page_shows_its_count_and_loads_the_beacon(client, make_article):
    article = make_article(title="有人读")
    read(article, hours_ago=1, views=1000)
    read(article, hours_ago=50, views=234)
    english = make_article(title="Read in English", language="en")
    read(english, hours_ago=1, views=1)

    html = client.get(article.get_absolute_url()).text
    assert "阅读 1,234" in html
    beacon_url = reverse("articles:read-beacon", args=[article.pk])
    assert f'src="/static/js/reads.js" data-read-url="{beacon_url}" defer' in html
    with_one = client.get(english.get_absolute_url()).text
    assert "1 read<" in with_one.replace("\n", "")
    read(english, hours_ago=2, views=1233)
    cache.clear()
    assert "1,234 reads" in client.get(english.get_absolute_url()).text


def test_staff_previews_and_reading_load_no_beacon(staff_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    published = make_article()

    assert "reads.js" not in staff_client.get(draft.get_absolute_url()).text
    assert "reads.js" not in staff_client.get(published.get_absolute_url()).text


def test_cached_pages_with_figures_are_kept_a_minute_and_others_as_long_as_ever(
    client, make_article, section, expiring_clock, page_cache
):
    """Most-read lists are kept a minute; an article's page until a flush writes views for it
    (only its own figure changes it), however long that takes."""
    clock = expiring_clock
    article = make_article(section=section, tags=["元宇宙"])
    unread = make_article(section=section)
    read(article, hours_ago=1, views=3)
    tag_page = article.tags.get().get_absolute_url()
    pages = ["/", section.get_absolute_url(), article.get_absolute_url(), tag_page]
    for url in [*pages, unread.get_absolute_url()]:
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"

    clock.advance(61)
    answers = {url: client.get(url)["X-Page-Cache"] for url in pages}
    assert answers == {
        "/": "miss",
        section.get_absolute_url(): "miss",
        article.get_absolute_url(): "hit",
        tag_page: "hit",
    }

    for n in range(2):
        counting.record_view(article_id=article.pk, address=f"r{n}", user_agent=CHROME)
    clock.advance(70)
    assert flush.flush_views() == 2

    answer = client.get(article.get_absolute_url())
    assert answer["X-Page-Cache"] == "miss" and "阅读 5" in answer.text
    assert client.get(unread.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_total_read_before_a_flush_never_replaces_the_flushed_one(make_article, monkeypatch):
    """A request that summed the views just before a flush wrote new ones stores nothing over
    the flush's total: the page rendered after the flush must show the new figure."""
    from django.db.models import QuerySet

    from articles.audience import figures

    article = make_article()
    read(article, hours_ago=1, views=3)
    aggregate = QuerySet.aggregate

    def flushed_meanwhile(queryset, *args, **kwargs):
        found = aggregate(queryset, *args, **kwargs)
        read(article, hours_ago=0, views=2)
        figures.totals_changed({article.pk})
        return found

    monkeypatch.setattr(QuerySet, "aggregate", flushed_meanwhile)
    assert figures.view_total(article) == 3  # what that request read
    monkeypatch.undo()
    assert figures.view_total(article) == 5
