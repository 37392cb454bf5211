"""Database faults are short and clear: a lost or busy database answers 503 with Retry-After,
wherever the error is raised; cached pages are still served; PostgreSQL connections have
timeouts and checked pools."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from articles.reading import views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_lost_database_gives_503_with_retry_after(client, monkeypatch, error):
    def down(*args, **kwargs):
        raise error("terminating connection due to administrator command")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", down)

    response = client.get("/articles/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert "服务暂时不可用" in response.content.decode()


def test_other_errors_are_still_errors(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", broken)
    with pytest.raises(ValueError):
        client.get("/articles/")


def _database_down(monkeypatch):
    """Every new statement fails as it would with PostgreSQL gone."""

    def down(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", down)


def test_unknown_url_with_the_database_down_gives_503_not_500(monkeypatch, caplog):
    # The 404 page reads the database (its menu, the old-URL redirects), outside any view.
    _database_down(monkeypatch)

    response = Client(raise_request_exception=False).get("/no-such-page/at-all/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "服务暂时不可用" in response.content.decode()
    # One line from newsroom.unavailable, no traceback from django.request.
    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == [
        "newsroom.unavailable"
    ]


def test_cached_pages_are_served_while_the_database_is_down(client, settings, make_article):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True}
    article = make_article(title="数据库停了也能读")
    urls = [article.get_absolute_url(), reverse("articles:home")]
    for url in urls:
        client.get(url)
    with pytest.MonkeyPatch.context() as patch:
        _database_down(patch)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["X-Page-Cache"] == "hit"
        assert client.get(reverse("articles:article-list")).status_code == 503  # not cached


def test_postgresql_connections_get_timeouts_and_checked_pools():
    url = "postgres://postgres@127.0.0.1:5432/newsroom"
    script = (
        "import json, newsroom.settings as s; d = s.DATABASES['default'];"
        "print(json.dumps({'options': d['OPTIONS'], 'checks': d['CONN_HEALTH_CHECKS']}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE", "REDIS"))}

    def settings_with(**extra):
        out = subprocess.run(
            [sys.executable, "-c", script],
            env={**env, "SECRET_KEY": "k", "DEBUG": "0", "DATABASE_URL": url, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    default = settings_with()
    assert default["checks"] is True  # Django 5.2: the pool gets check=check_connection
    assert default["options"]["connect_timeout"] == 2
    assert default["options"]["pool"]["timeout"] == 1
    assert "-c statement_timeout=30000" in default["options"]["options"]
    assert "-c lock_timeout=3000" in default["options"]["options"]
    tuned = settings_with(
        DATABASE_LOCK_TIMEOUT="500",
        DATABASE_STATEMENT_TIMEOUT="5000",
        DATABASE_CONNECT_TIMEOUT="3",
        DATABASE_POOL_TIMEOUT="0.5",
    )
    assert "-c lock_timeout=500" in tuned["options"]["options"]
    assert "-c statement_timeout=5000" in tuned["options"]["options"]
    assert tuned["options"]["connect_timeout"] == 3
    assert tuned["options"]["pool"]["timeout"] == 0.5
    assert settings_with(DATABASE_POOL="0")["checks"] is True


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (make test-pg)")


def _other_connection():
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=False)


def test_a_locked_table_fails_fast_with_503(on_postgresql, client):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        (lock_timeout,) = cursor.fetchone()
    assert lock_timeout == "3s"  # settings.py's default, DATABASE_LOCK_TIMEOUT
    with _other_connection() as other:
        other.execute("LOCK TABLE articles_article IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.get(reverse("articles:article-list"))
        took = time.monotonic() - started
        other.rollback()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert 2.5 < took < 6  # waited for the lock_timeout, not for the lock


def test_pooled_connections_the_server_closed_are_replaced(on_postgresql):
    pool = connection.pool
    if pool is None:
        pytest.skip("DATABASE_POOL=0")
    pool.open(wait=True)
    with pool.connection() as pooled:
        pid = pooled.info.backend_pid
    with _other_connection() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.commit()
    time.sleep(0.2)

    for _ in range(pool.max_size):
        with pool.connection() as pooled:
            assert pooled.execute("SELECT 1").fetchone() == (1,)


DOWN = """
import os, time, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# Production serves static files from collectstatic's manifest, which a fresh checkout lacks:
# plain static storage, so the 404 page's {% static %} does not fail for that reason.
plain = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client(raise_request_exception=False, SERVER_NAME="127.0.0.1")
with override_settings(STORAGES=plain):
    for path in ["/", "/articles/", "/no-such-page/"]:
        started = time.monotonic()
        response = client.get(path)
        print(path, response.status_code, response.get("Retry-After"), time.monotonic() - started)
"""


def test_postgresql_down_answers_503_within_the_pool_timeout(tmp_path):
    # Production settings (pool on, DATABASE_POOL_TIMEOUT 1 s) and nothing listening.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/newsroom",
        "SECRET_KEY": "down-test-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", DOWN],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout

    answers = [line.split() for line in out.splitlines() if line.startswith("/")]
    assert [(path, status, retry) for path, status, retry, _ in answers] == [
        ("/", "503", "5"),
        ("/articles/", "503", "5"),
        ("/no-such-page/", "503", "5"),
    ]
    assert all(float(took) < 2 for *_, took in answers)  # was 10 s (pool timeout 10)
