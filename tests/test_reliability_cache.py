"""A failing cache is a slower site, not a dead one (newsroom/redis_cache.py).

With a real Redis that stops, freezes or was never there: pages render uncached, admin saves
succeed, a logged-in editor stays logged in, login and search work, the log gets one warning,
and when Redis is back caching resumes without serving anything that changed meanwhile.
"""

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.models import Article

from .admin_forms import form_data

pytestmark = pytest.mark.django_db

REDIS_SERVER = shutil.which("redis-server")
RETRY_AFTER = 0.2


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, port):
        self.port, self.process = port, None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)


def use_redis(settings, port, *, retry_after=RETRY_AFTER):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                "socket_connect_timeout": 0.3,
                "socket_timeout": 0.3,
                "retry_after": retry_after,
                "warn_every": 30,
            },
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True}


@pytest.fixture
def redis_server(settings):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    use_redis(settings, server.port)
    yield server
    server.stop()


@pytest.fixture
def editor(django_user_model):
    django_user_model.objects.create_user(
        username="editor", password="pw-editor-123", is_staff=True, is_superuser=True
    )
    client = Client()
    assert client.login(username="editor", password="pw-editor-123")
    return client


def cache_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "newsroom.redis_cache"]


def tracebacks(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def save_title(editor, article, title):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(editor, url, form_id="article_form")
    data["title"] = title
    return editor.post(url, data)


def test_redis_stopping_leaves_pages_saves_sessions_and_login_working(
    redis_server, settings, editor, make_article, caplog
):
    caplog.set_level(logging.WARNING)
    article = make_article(title="缓存停了也能看")
    reader = Client()
    url = article.get_absolute_url()
    assert reader.get(url)["X-Page-Cache"] == "miss"
    assert reader.get(url)["X-Page-Cache"] == "hit"

    redis_server.stop()

    for page in (url, reverse("articles:home"), reverse("articles:article-list")):
        response = reader.get(page)
        assert response.status_code == 200, page
        assert response.get("X-Page-Cache") != "hit"
    settings.NEWSROOM = {**settings.NEWSROOM, "SEARCH_RATE": "1/60"}
    searcher = Client()  # the limiter fails open: more searches than the rate allows
    assert [searcher.get("/search/", {"q": f"词{n}"}).status_code for n in range(3)] == [200] * 3
    # The editor is still logged in (the session is in the database) and the save lands.
    assert editor.get(reverse("admin:index")).status_code == 200
    assert save_title(editor, article, "缓存停了也能保存").status_code == 302
    assert Article.objects.get(pk=article.pk).title == "缓存停了也能保存"
    # Nothing kept during the outage is kept for the next request: the cards say it too.
    assert "缓存停了也能保存" in reader.get(url).content.decode()
    assert "缓存停了也能保存" in reader.get(reverse("articles:home")).content.decode()
    # Logging in goes through django-axes.
    settings.AXES_ENABLED = True
    login = Client().post(
        reverse("admin:login"), {"username": "editor", "password": "pw-editor-123"}
    )
    assert login.status_code == 302
    assert not tracebacks(caplog)
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1
    assert "not answering" in warnings[0]

    redis_server.start()
    time.sleep(RETRY_AFTER + 0.1)

    assert reader.get(url)["X-Page-Cache"] == "miss"
    response = reader.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "缓存停了也能保存" in response.content.decode()
    assert editor.get(reverse("admin:index")).status_code == 200
    assert "answers again" in cache_warnings(caplog)[-1]
    assert len(cache_warnings(caplog)) == 2


def test_a_frozen_redis_coming_back_serves_nothing_that_changed_meanwhile(
    redis_server, settings, editor, make_article, caplog
):
    # SIGSTOP: Redis keeps its data but answers nothing (calls time out). An edit made then
    # could not start a new generation in Redis; when Redis answers again its old pages must
    # not come back. One probe a second, as in production, so a slow render on a busy machine
    # pays one timeout.
    use_redis(settings, redis_server.port, retry_after=1)
    article = make_article(title="冻结之前的标题")
    reader = Client()
    url, home = article.get_absolute_url(), reverse("articles:home")
    for page in (url, home):
        reader.get(page)
        assert reader.get(page)["X-Page-Cache"] == "hit"

    os.kill(redis_server.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    assert reader.get(url).status_code == 200
    assert time.monotonic() - started < 2  # a timeout or two, not one per cache call
    assert save_title(editor, article, "冻结期间改的标题").status_code == 302
    os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(1.1)

    for page in (url, home):
        body = reader.get(page).content.decode()
        assert "冻结期间改的标题" in body, page
        assert "冻结之前的标题" not in body, page
    assert reader.get(url)["X-Page-Cache"] == "hit"


def test_a_logout_while_redis_is_frozen_stays_a_logout(redis_server, settings, editor):
    # The session's cached copy could not be deleted during the outage; it is afterwards, so
    # the old cookie (another tab, a copied cookie) is not logged in again.
    assert editor.get(reverse("admin:index")).status_code == 200
    old_cookie = editor.cookies[settings.SESSION_COOKIE_NAME].value
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    editor.post(reverse("admin:logout"))
    os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(RETRY_AFTER + 0.1)

    other_tab = Client()
    other_tab.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    assert other_tab.get(reverse("admin:index")).status_code == 302  # to the login page


def test_a_cache_at_a_closed_port_is_a_slower_site_not_a_dead_one(
    settings, editor, make_article, caplog
):
    caplog.set_level(logging.WARNING)
    use_redis(settings, free_port())  # nothing listens there
    article = make_article(title="从来没有缓存")
    reader = Client()

    for _ in range(3):
        assert reader.get(article.get_absolute_url()).status_code == 200
    assert save_title(editor, article, "没有缓存也能保存").status_code == 302
    assert Article.objects.get(pk=article.pk).title == "没有缓存也能保存"
    assert editor.get(reverse("admin:index")).status_code == 200
    assert cache.get("anything", "default") == "default"
    assert cache.add("k", 1) is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_many(["a", "b"]) == {}
    assert not tracebacks(caplog)
    assert len(cache_warnings(caplog)) == 1


def test_a_frozen_redis_costs_one_timeout_per_retry_interval_not_one_per_call(redis_server):
    cache.set("warm", 1)
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    answers = [cache.get("warm", "missed") for _ in range(20)]
    took = time.monotonic() - started
    os.kill(redis_server.process.pid, signal.SIGCONT)

    assert answers == ["missed"] * 20
    # One call waits for the 0.3 s read timeout (twice: one retry on a fresh connection), the
    # next 19 within the retry interval do not try; one per call would be 20 x 0.6 s.
    assert took < 1.5


def test_past_max_dropped_keys_the_cache_is_emptied_when_redis_is_back(redis_server, monkeypatch):
    monkeypatch.setattr("newsroom.redis_cache.MAX_DROPPED", 5)
    cache.set("kept-from-before", "stale")
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    for n in range(6):  # more writes lost than the process keeps track of
        cache.set(f"lost-{n}", n)
    os.kill(redis_server.process.pid, signal.SIGCONT)
    time.sleep(RETRY_AFTER + 0.1)

    assert cache.get("kept-from-before") is None


def test_redis_timeouts_come_from_the_environment():
    script = "import json, newsroom.settings as s;print(json.dumps(s.CACHES['default']['OPTIONS']))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDIS")}
    env |= {"SECRET_KEY": "k", "DEBUG": "0", "REDIS_URL": "redis://127.0.0.1:6379/0"}

    def options(**extra):
        out = subprocess.run(
            [sys.executable, "-c", script],
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    assert options() == {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 1.0,
        "retry_after": 1.0,
        "warn_every": 30.0,
    }
    tuned = options(REDIS_CONNECT_TIMEOUT="0.1", REDIS_TIMEOUT="0.2", REDIS_RETRY_AFTER="5")
    assert (tuned["socket_connect_timeout"], tuned["socket_timeout"]) == (0.1, 0.2)
    assert tuned["retry_after"] == 5.0
