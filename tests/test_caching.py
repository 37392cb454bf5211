"""The page cache: anonymous readers get cached pages, and no change is ever served stale."""

import sys
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from articles.models import Article, Placement, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}


def fetch(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


@pytest.fixture
def no_fill(db):
    """The home slots show their placements only: these tests count an article's title on the
    home page, which the fill rule (最新文章 by default) would show whether it is placed or not."""
    Slot.objects.filter(key__in=["carousel", "showcase"]).update(fill=Slot.Fill.NONE)


def wait_until(moment):
    """Sleep until `moment` has passed (a real clock: the cache's timeouts use it too)."""
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def test_second_anonymous_request_is_served_from_the_cache(client, make_article):
    article = make_article(title="缓存命中")
    first, _ = fetch(client, article.get_absolute_url())
    second, body = fetch(client, article.get_absolute_url())

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert "缓存命中" in body
    assert "public" in second["Cache-Control"]
    assert "max-age=1" in second["Cache-Control"]
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"]


def test_conditional_get_with_the_current_etag_gets_304(client, make_article):
    article = make_article()
    etag = fetch(client, article.get_absolute_url())[0]["ETag"]

    response = client.get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_etag_changes_when_content_changes(client, make_article):
    article = make_article()
    etag = fetch(client, article.get_absolute_url())[0]["ETag"]
    article.title = "改了标题"
    article.save()

    response = client.get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "改了标题" in response.content.decode()


def test_publishing_shows_at_once_on_cached_home_list_and_tag_pages(client, make_article):
    make_article(title="旧闻", tags=["元宇宙"])
    tag_url = reverse("articles:tag-detail", kwargs={"slug": "yuan-yu-zhou"})
    urls = [reverse("articles:home"), reverse("articles:article-list"), tag_url]
    for url in urls:
        fetch(client, url)
        assert fetch(client, url)[0]["X-Page-Cache"] == "hit"

    make_article(title="刚刚发布", tags=["元宇宙"])

    for url in urls:
        assert "刚刚发布" in fetch(client, url)[1], url


def test_editing_shows_at_once(client, make_article):
    article = make_article(title="初稿标题")
    fetch(client, article.get_absolute_url())
    article.title = "修订后的标题"
    article.save()

    assert "修订后的标题" in fetch(client, article.get_absolute_url())[1]
    assert "修订后的标题" in fetch(client, reverse("articles:article-list"))[1]


def test_unpublishing_takes_the_article_down_at_once(client, make_article):
    article = make_article(title="将被撤回")
    url = article.get_absolute_url()
    assert fetch(client, url)[0].status_code == 200
    fetch(client, reverse("articles:article-list"))

    article.status = Article.Status.DRAFT
    article.save()

    assert fetch(client, url)[0].status_code == 404
    assert "将被撤回" not in fetch(client, reverse("articles:article-list"))[1]


def test_placement_change_shows_at_once_on_the_cached_home(client, make_article, place, no_fill):
    article = make_article(title="进入轮播")
    home = reverse("articles:home")
    fetch(client, home)
    response, before = fetch(client, home)
    assert response["X-Page-Cache"] == "hit"

    placement = place(article, "carousel")
    assert fetch(client, home)[1].count("进入轮播") > before.count("进入轮播")

    placement.delete()
    assert fetch(client, home)[1].count("进入轮播") == before.count("进入轮播")


def test_scheduled_article_appears_on_cached_pages_when_its_time_comes(client, make_article):
    make_article(title="早先的文章")
    publish_at = timezone.now() + timedelta(seconds=1.5)
    scheduled = make_article(title="定时发布的文章", published_at=publish_at)
    home, listing = reverse("articles:home"), reverse("articles:article-list")
    for url in (home, listing):
        fetch(client, url)
        response, body = fetch(client, url)
        assert response["X-Page-Cache"] == "hit"
        assert "定时发布的文章" not in body
    assert fetch(client, scheduled.get_absolute_url())[0].status_code == 404

    wait_until(publish_at)

    assert "定时发布的文章" in fetch(client, home)[1]
    assert "定时发布的文章" in fetch(client, listing)[1]
    assert fetch(client, scheduled.get_absolute_url())[0].status_code == 200


def test_placement_end_takes_it_off_the_cached_home_when_it_ends(
    client, make_article, place, no_fill
):
    article = make_article(title="限时展示")
    ends_at = timezone.now() + timedelta(seconds=1.5)
    place(article, "showcase", ends_at=ends_at)
    home = reverse("articles:home")
    fetch(client, home)
    response, before = fetch(client, home)
    assert response["X-Page-Cache"] == "hit"

    wait_until(ends_at)

    assert fetch(client, home)[1].count("限时展示") < before.count("限时展示")


def test_placement_start_shows_on_the_cached_home_when_it_starts(
    client, make_article, place, no_fill
):
    article = make_article(title="稍后上轮播")
    starts_at = timezone.now() + timedelta(seconds=1.5)
    place(article, "carousel", starts_at=starts_at)
    home = reverse("articles:home")
    fetch(client, home)
    response, before = fetch(client, home)
    assert response["X-Page-Cache"] == "hit"

    wait_until(starts_at)

    assert fetch(client, home)[1].count("稍后上轮播") > before.count("稍后上轮播")


def test_logged_in_staff_never_get_or_fill_the_cache(client, staff_client, make_article):
    article = make_article(title="公开文章")
    draft = make_article(title="草稿预览", status=Article.Status.DRAFT)

    for _ in range(2):
        response = staff_client.get(article.get_absolute_url())
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]
        assert "no-cache" in response["Cache-Control"]
    assert staff_client.get(draft.get_absolute_url()).status_code == 200

    client.logout()
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_admin_is_never_cached(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_languages_are_cached_apart_and_the_browser_does_not_split_a_page(client, make_article):
    make_article()
    chinese = fetch(client, "/articles/", **{"Accept-Language": "zh-hans"})[0]
    english = fetch(client, "/en/articles/", **{"Accept-Language": "zh-hans"})[0]
    assert english["X-Page-Cache"] == "miss"
    assert english["ETag"] != chinese["ETag"]
    # / is in the site's language whatever the browser asks for: one page, one entry.
    asked_in_english = fetch(client, "/articles/", **{"Accept-Language": "en"})[0]
    assert asked_in_english["X-Page-Cache"] == "hit"
    assert asked_in_english["ETag"] == chinese["ETag"]


def test_slot_capacity_change_shows_at_once(client, make_article, place):
    for n in range(3):
        place(make_article(title=f"展示{n}"), "showcase", position=n)
    home = reverse("articles:home")
    fetch(client, home)
    slot = Slot.objects.get(key="showcase")
    slot.capacity = 1
    slot.save()

    assert fetch(client, home)[0]["X-Page-Cache"] == "miss"
    assert Placement.objects.count() == 3


def test_language_switch_works_from_a_cached_page_without_a_csrf_cookie(make_article):
    from django.test import Client

    article = make_article()
    Client().get(article.get_absolute_url())
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    assert "csrftoken" not in page.cookies

    response = reader.post(
        reverse("set_language"), {"language": "en", "next": article.get_absolute_url()}
    )

    assert response.status_code == 302


# What a client adds to a URL or a cookie buys no render and no entry ------------------------


def test_made_up_query_strings_are_answered_from_the_pages_entry(client, make_article):
    make_article(title="首页文章")
    home = reverse("articles:home")
    first, body = fetch(client, home + "?zzz=1&utm_source=newsletter")
    assert first["X-Page-Cache"] == "miss"
    # Rendered as the plain URL: the language switch's `next` and the canonical link carry
    # nothing the first reader added, since every reader of "/" gets this copy.
    assert "zzz" not in body and "newsletter" not in body

    for query in ("", "?utm_source=x&fbclid=y&zzz=2", "?page=1", "?page=", "?q=+"):
        response, again = fetch(client, home + query)
        assert response["X-Page-Cache"] == "hit", query
        assert again == body


def test_page_numbers_and_search_words_keep_their_own_entries(client, make_article):
    for n in range(21):
        make_article(title=f"列表文章{n:02d}")
    listing = reverse("articles:article-list")
    page_one = fetch(client, listing)[1]

    response, page_two = fetch(client, listing + "?page=2")
    assert response["X-Page-Cache"] == "miss"
    assert "列表文章20" in page_two and "列表文章20" not in page_one  # the oldest
    for query in ("?page=02&utm_source=x", "?page=1&page=2", "?page=%202"):
        response, body = fetch(client, listing + query)
        assert response["X-Page-Cache"] == "hit" and body == page_two, query
    assert "utm_source" not in page_two

    search = reverse("articles:search")
    words = {}
    for q in ("列表文章03", "列表文章07"):
        response, words[q] = fetch(client, f"{search}?{urlencode({'q': q})}")
        assert response["X-Page-Cache"] == "miss"
    assert words["列表文章03"] != words["列表文章07"]
    again = fetch(client, f"{search}?{urlencode({'q': '列表文章03', 'fbclid': 'y'})}")
    assert again[0]["X-Page-Cache"] == "hit" and again[1] == words["列表文章03"]


def test_search_pages_stored_are_bounded_per_generation(client, settings, make_article):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "SEARCH_PAGES": 2}
    make_article(title="搜索的文章")
    search = reverse("articles:search")

    def state(q):
        return fetch(client, f"{search}?{urlencode({'q': q})}")[0]["X-Page-Cache"]

    assert [state(q) for q in ("一", "二", "三")] == ["miss"] * 3
    assert [state(q) for q in ("一", "二", "三")] == ["hit", "hit", "miss"]
    home = reverse("articles:home")
    fetch(client, home)
    assert fetch(client, home)[0]["X-Page-Cache"] == "hit"  # other pages are not counted

    make_article(title="新的一代")  # a new generation, a new count
    assert [state("三"), state("三")] == ["miss", "hit"]


def test_a_path_that_is_no_page_keeps_its_query_for_the_redirects(client):
    from django.conf import settings
    from django.contrib.redirects.models import Redirect

    Redirect.objects.create(
        site_id=settings.SITE_ID, old_path="/old.php?id=5", new_path="/archive/"
    )

    response = client.get("/old.php?id=5")

    assert response.status_code == 301 and response["Location"] == "/archive/"


@pytest.mark.parametrize("cookie", ["made-up-session-key-0123456789", "x", ""])
def test_a_made_up_session_cookie_is_answered_from_the_cache(client, make_article, cookie):
    url = make_article(title="假会话").get_absolute_url()
    client.cookies["sessionid"] = cookie

    first = client.get(url)
    second = client.get(url)

    assert first["X-Page-Cache"] == "miss"
    assert "sessionid" not in first.cookies  # rendered without it: no deletion, so storable
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    client.cookies.clear()
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_logged_in_reader_is_never_cached(client, django_user_model, make_article):
    url = make_article().get_absolute_url()
    client.get(url)
    client.force_login(django_user_model.objects.create_user(username="reader", password="x"))

    for _ in range(2):
        response = client.get(url)
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]


def test_a_session_store_that_cannot_answer_counts_as_a_session(client, make_article, monkeypatch):
    from types import SimpleNamespace

    from articles.pagecache import canonical

    class Unreachable:
        def __init__(self, session_key):
            raise ConnectionError("session store down")

    url = make_article().get_absolute_url()
    client.get(url)
    monkeypatch.setattr(
        canonical, "import_module", lambda name: SimpleNamespace(SessionStore=Unreachable)
    )
    client.cookies["sessionid"] = "a-real-one-perhaps-0123456789"

    response = client.get(url)

    assert "X-Page-Cache" not in response and "private" in response["Cache-Control"]


class _Gone:
    """A class an older release pickled into the cache and this one no longer has."""


def test_an_entry_another_release_pickled_is_recomputed_not_a_500(monkeypatch):
    from django.core.cache import cache

    from articles.pagecache.keep import keep_shared

    cache.set("newsroom:test:gone", _Gone())
    monkeypatch.delattr(sys.modules[__name__], "_Gone")
    with pytest.raises(AttributeError):
        cache.get("newsroom:test:gone")  # what a deploy met: the old entry cannot be read

    assert keep_shared("newsroom:test:gone", lambda: "fresh", timeout=60) == "fresh"
    assert cache.get("newsroom:test:gone") == "fresh"
