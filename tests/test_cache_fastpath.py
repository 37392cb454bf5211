"""The WSGI fast path (articles/pagecache/fastpath.py): cache hits answered before Django, by its rules.

The wrapper is called as a WSGI server calls it, with environ dicts; behind it sits Django's
own handler, counting the requests that reach it, so each test can tell a fast-path answer from
one Django gave.
"""

import io
import logging
from datetime import timedelta
from urllib.parse import quote, unquote_to_bytes

import pytest
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Slot
from articles.pagecache.fastpath import PageCacheFastPath
from articles.pagecache.middleware import LocalPages, local_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    local_pages.clear()
    yield
    local_pages.clear()


class Django:
    """Django's WSGI application, as the fast path wraps it, counting the requests it answers.

    The test client's handler rather than WSGIHandler: the same middleware and responses, minus
    close_old_connections, which would end the test's transaction.
    """

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        response = self.handler(environ)
        cookies = [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(
            f"{response.status_code} {response.reason_phrase}", [*response.items(), *cookies]
        )
        return response


@pytest.fixture
def django_app():
    return Django()


@pytest.fixture
def app(django_app):
    return PageCacheFastPath(django_app)


def environ(url, *, method="GET", host="testserver", https=False, **headers):
    """What a WSGI server passes for `url`: the path percent-decoded, as latin-1 text of its
    UTF-8 bytes; the query string as sent."""
    path, _, query = url.partition("?")
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("iso-8859-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if https:  # as nginx says it (SECURE_PROXY_SSL_HEADER)
        env["HTTP_X_FORWARDED_PROTO"] = "https"
    for name, value in headers.items():
        env[f"HTTP_{name.upper()}"] = value
    return env


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.by_name = {name.lower(): value for name, value in headers}

    def __getitem__(self, name):
        return self.by_name[name.lower()]

    def __contains__(self, name):
        return name.lower() in self.by_name

    @property
    def text(self):
        return self.body.decode()


def call(application, url, **kwargs):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = int(status.split()[0]), headers

    body = b"".join(application(environ(url, **kwargs), start_response))
    return Answer(seen["status"], seen["headers"], body)


def fill(app, url, **kwargs):
    """Render and store `url` through Django, then check the next request is a fast-path hit."""
    first = call(app, url, **kwargs)
    assert first["X-Page-Cache"] == "miss", url
    calls = app.application.calls
    hit = call(app, url, **kwargs)
    assert hit["X-Page-Cache"] == "hit"
    assert app.application.calls == calls, "the hit went through Django"
    return hit


def test_a_hit_is_answered_without_django_and_identical_to_a_django_hit(
    app, django_app, make_article
):
    url = make_article(title="快速命中").get_absolute_url()
    for headers in ({}, {"ACCEPT_ENCODING": "gzip, deflate"}):
        fill(app, url, **headers)
        calls = django_app.calls

        fast = call(app, url, **headers)
        from_django = call(django_app, url, **headers)

        assert django_app.calls == calls + 1
        assert (fast.status, fast.headers, fast.body) == (
            from_django.status,
            from_django.headers,
            from_django.body,
        )
    assert fast["Content-Encoding"] == "gzip"


def test_a_hit_carries_every_header_a_rendered_page_does(app, make_article):
    url = make_article().get_absolute_url()
    miss = call(app, url, ACCEPT_ENCODING="gzip")
    hit = call(app, url, ACCEPT_ENCODING="gzip")

    assert hit.status == 200 and hit.body == miss.body
    assert {name for name, _ in hit.headers} == {name for name, _ in miss.headers}
    for name, value in miss.headers:
        if name != "X-Page-Cache":
            assert hit[name] == value, name
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Cache-Control"] == "public, max-age=1"
    assert hit["Vary"] == "Accept-Language, Cookie, Accept-Encoding"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in hit["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in hit  # plain http; see the https test


def test_head_is_answered_with_the_headers_and_no_body(app, django_app, make_article):
    url = make_article().get_absolute_url()
    get = fill(app, url)
    calls = django_app.calls

    head = call(app, url, method="HEAD")

    assert django_app.calls == calls
    assert head.status == 200 and head.body == b""
    assert head.headers == get.headers


def test_conditional_requests_get_304_as_django_gives_it(app, django_app, make_article):
    url = make_article().get_absolute_url()
    hit = fill(app, url)
    calls = django_app.calls

    for condition in (
        {"IF_NONE_MATCH": hit["ETag"]},
        {"IF_MODIFIED_SINCE": hit["Last-Modified"]},
    ):
        fast = call(app, url, **condition)
        assert django_app.calls == calls
        from_django = call(django_app, url, **condition)
        calls = django_app.calls
        assert fast.status == 304 and fast.body == b""
        assert fast.headers == from_django.headers
    # As before the fast path: the validators and the security headers, nothing of the page.
    assert {name.lower() for name, _ in fast.headers} == {
        "etag",
        "last-modified",
        "cache-control",
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
    }

    stale = call(app, url, IF_NONE_MATCH='"something-else"')
    assert stale.status == 200 and stale["X-Page-Cache"] == "hit"


def test_a_session_cookie_goes_to_django_which_answers_a_made_up_one_from_the_cache(
    app, django_app, make_article, django_assert_num_queries
):
    url = make_article().get_absolute_url()
    hit = fill(app, url)
    calls = django_app.calls

    # Telling a real session from a made-up one takes the session store (here the database),
    # which the fast path never asks: it steps aside, and Django's page cache answers.
    with django_assert_num_queries(1):
        answer = call(app, url, COOKIE="sessionid=whatever-made-up; django_language=zh-hans")

    assert django_app.calls == calls + 1
    assert answer["X-Page-Cache"] == "hit" and answer.body == hit.body
    assert answer["Cache-Control"] == "public, max-age=1"


def test_made_up_query_strings_are_answered_by_the_fast_path(app, django_app, make_article):
    url = make_article(title="带参数的地址").get_absolute_url()
    first = call(app, f"{url}?utm_source=x")
    assert first["X-Page-Cache"] == "miss"
    assert "utm_source" not in first.text  # rendered as the plain URL, as it is stored
    calls = django_app.calls

    for query in ("", "?fbclid=y&zzz=1", "?page=1", "?", "?q="):
        answer = call(app, url + query)
        assert answer["X-Page-Cache"] == "hit", query
        assert answer.body == first.body
    assert django_app.calls == calls


def test_logged_in_staff_get_their_own_page_not_the_cached_one(
    app, django_app, client, staff_user, make_article
):
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    url = make_article(title="公开").get_absolute_url()
    fill(app, url)
    client.force_login(staff_user)
    session = f"sessionid={client.cookies['sessionid'].value}"
    calls = django_app.calls

    page = call(app, url, COOKIE=session)
    preview = call(app, draft.get_absolute_url(), COOKIE=session)

    assert django_app.calls == calls + 2
    assert "X-Page-Cache" not in page and "private" in page["Cache-Control"]
    assert preview.status == 200 and "草稿" in preview.text


def test_post_goes_to_django(app, django_app, make_article):
    url = make_article().get_absolute_url()
    fill(app, url)
    calls = django_app.calls

    answer = call(app, url, method="POST")

    assert django_app.calls == calls + 1
    assert "X-Page-Cache" not in answer


def test_admin_and_private_paths_go_to_django(app, django_app, settings):
    for url in ("/admin/login/", "/static/css/site.css", "/i18n/setlang/"):
        calls = django_app.calls
        for _ in range(2):
            answer = call(app, url)
            assert "X-Page-Cache" not in answer, url
        assert django_app.calls == calls + 2, url


@pytest.mark.parametrize("change", ["publish", "edit", "unpublish", "placement"])
def test_the_next_request_after_a_change_is_fresh(app, django_app, make_article, place, change):
    if change == "placement":  # counts the title on home: the fill rule would show it unplaced
        Slot.objects.filter(key__in=["carousel", "showcase"]).update(fill=Slot.Fill.NONE)
    article = make_article(title="旧的文章")
    urls = [reverse("articles:home"), reverse("articles:article-list")]
    for url in urls:
        fill(app, url)
    before = call(app, urls[0]).text

    if change == "publish":
        make_article(title="新发布的文章")
    elif change == "edit":
        article.title = "改过的标题"
        article.save()
    elif change == "unpublish":
        article.status = Article.Status.DRAFT
        article.save()
    else:
        place(article, "carousel")

    for url in urls:
        calls = django_app.calls
        answer = call(app, url)
        assert django_app.calls == calls + 1, url
        assert answer["X-Page-Cache"] == "miss"
        body = answer.text
        if change == "publish":
            assert "新发布的文章" in body
        elif change == "edit":
            assert "改过的标题" in body and "旧的文章" not in body
        elif change == "unpublish":
            assert "旧的文章" not in body
    if change == "placement":
        assert call(app, urls[0]).text.count("旧的文章") > before.count("旧的文章")


def test_a_scheduled_article_appears_when_its_time_comes(app, django_app, make_article):
    import time

    make_article(title="早先的文章")
    publish_at = timezone.now() + timedelta(seconds=1.5)
    make_article(title="定时发布的文章", published_at=publish_at)
    home = reverse("articles:home")
    assert "定时发布的文章" not in fill(app, home).text

    time.sleep((publish_at - timezone.now()).total_seconds() + 0.05)
    calls = django_app.calls
    answer = call(app, home)

    # The next event has passed: recomputing it needs the database, which the fast path leaves
    # to Django.
    assert django_app.calls == calls + 1
    assert "定时发布的文章" in answer.text
    assert call(app, home)["X-Page-Cache"] == "hit"


def test_the_fast_path_never_queries_the_database(
    app, make_article, place, django_assert_num_queries
):
    import time

    article = make_article()
    ends_at = timezone.now() + timedelta(seconds=1.5)
    place(article, "showcase", ends_at=ends_at)
    fill(app, "/")
    time.sleep((ends_at - timezone.now()).total_seconds() + 0.05)
    to_django = []

    def not_django(environ, start_response):
        to_django.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    # The next event is due: working out the one after it is a query, left to Django's
    # request cycle (which returns the connection), so the fast path steps aside.
    with django_assert_num_queries(0):
        call(PageCacheFastPath(not_django), "/")
    assert to_django == ["/"]


def test_languages_are_answered_as_django_would_pick_them(app, django_app, make_article):
    make_article()
    english = fill(app, "/en/articles/", ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    chinese = fill(app, "/articles/", ACCEPT_LANGUAGE="en")

    # The URL says the language (newsroom/locale.py), not the browser.
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    assert english["ETag"] != chinese["ETag"]
    calls = django_app.calls
    by_cookie = call(app, "/articles/", ACCEPT_LANGUAGE="zh-hans", COOKIE="django_language=en")
    assert by_cookie["X-Page-Cache"] == "hit" and by_cookie.body == chinese.body
    assert django_app.calls == calls
    from_django = call(
        django_app, "/articles/", ACCEPT_LANGUAGE="zh-hans", COOKIE="django_language=en"
    )
    assert dict(from_django.headers)["Content-Language"] == by_cookie["Content-Language"]


def test_a_page_is_only_served_to_the_host_and_scheme_it_was_rendered_for(app, make_article):
    url = make_article().get_absolute_url()
    plain = fill(app, url)
    assert f'href="http://testserver{url}"' in plain.text  # canonical

    other_host = call(app, url, host="other.example")
    secure = call(app, url, https=True)

    assert other_host["X-Page-Cache"] == "miss"
    assert f'href="http://other.example{url}"' in other_host.text
    assert secure["X-Page-Cache"] == "miss"
    assert f'href="https://testserver{url}"' in secure.text
    secure_hit = call(app, url, https=True)
    assert secure_hit["X-Page-Cache"] == "hit"
    assert secure_hit["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in call(app, url)


def test_a_host_outside_allowed_hosts_gets_djangos_400(app, django_app, make_article, caplog):
    url = make_article().get_absolute_url()
    fill(app, url)
    calls = django_app.calls

    with caplog.at_level(logging.WARNING, logger="articles.pagecache.fastpath"):
        answer = call(app, url, host="evil.example")

    assert answer.status == 400
    assert django_app.calls == calls + 1
    # Refused by Django (django.security logs it), not a fast-path failure.
    assert not [r for r in caplog.records if r.name == "articles.pagecache.fastpath"]


def test_plain_http_is_redirected_under_ssl_redirect_even_with_a_cached_page(
    app, make_article, settings
):
    url = make_article().get_absolute_url()
    fill(app, url)
    # Switched on by a deploy while the shared cache still holds the plain-http pages.
    settings.SECURE_SSL_REDIRECT = True
    app.application = Django()  # restarted: SecurityMiddleware reads the setting at start

    answer = call(app, url)

    assert app.application.calls == 1
    assert answer.status == 301 and answer["Location"] == f"https://testserver{url}"
    assert call(app, url, https=True).status == 200


def test_unicode_paths_and_query_strings(app, django_app, make_article):
    article = make_article(title="中文地址", slug="中文地址")
    url = article.get_absolute_url()
    assert "%E4" in url
    hit = fill(app, "/articles/中文地址/")
    assert "中文地址" in hit.text
    from_django = call(django_app, "/articles/中文地址/")
    assert (hit.headers, hit.body) == (from_django.headers, from_django.body)

    search = f"/search/?q={quote('中文')}"
    assert fill(app, search).body == call(django_app, search).body
    # A path the fast path cannot answer reaches Django intact.
    assert call(app, "/articles/没有这篇/").status == 404


def test_redis_down_falls_through_to_django(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    calls = []

    def django_app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"from django"]

    with caplog.at_level(logging.WARNING):
        answer = call(PageCacheFastPath(django_app), "/")

    assert calls == ["/"]
    assert answer.body == b"from django"
    # The cache answers like an empty one and says so once (newsroom/redis_cache.py).
    assert "not answering" in caplog.text
    assert not any(record.exc_info for record in caplog.records)


def test_page_cache_off_means_django_answers_everything(app, django_app, settings, make_article):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": False}
    url = make_article().get_absolute_url()
    for _ in range(2):
        assert "X-Page-Cache" not in call(app, url)
    assert django_app.calls == 2


def test_local_copies_are_bounded_and_expire_with_the_shared_entry(monkeypatch):
    import time

    pages = LocalPages()
    entry = {"content": b"x" * 400, "headers": [("A", "b")], "expires_at": time.time() + 60}
    for n in range(5):
        pages.put(f"key-{n}", entry, limit=1000)
    assert [k for k in ("key-0", "key-1", "key-2", "key-3", "key-4") if pages.get(k)] == [
        "key-3",
        "key-4",
    ]
    pages.put("too-big", {**entry, "content": b"x" * 2000}, limit=1000)
    assert pages.get("too-big") is None

    pages.put("short", {**entry, "expires_at": time.time() + 1}, limit=1000)
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + 2)
    assert pages.get("short") is None
