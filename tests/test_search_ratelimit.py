"""Search misses are limited per client (newsroom/ratelimit.py): 429 + Retry-After past the rate."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from newsroom.ratelimit import parse_rate

pytestmark = pytest.mark.django_db


def newsroom_with(rate):
    return override_settings(NEWSROOM={**settings.NEWSROOM, "SEARCH_RATE": rate})


def test_parse_rate():
    assert parse_rate("30/60") == (30, 60)
    assert parse_rate("5") == (5, 60)
    assert parse_rate("0") is None
    assert parse_rate("") is None
    with pytest.raises(ValueError):
        parse_rate("-1/10")


def in_one_window(at=6030.0):
    # Windows are fixed and aligned to the clock: a test that crossed a minute's end between two
    # requests would see its count start again. The clock stands still inside one window.
    return mock.patch("newsroom.ratelimit.time.time", return_value=at)


def test_a_client_over_the_rate_gets_429_with_retry_after(client):
    with newsroom_with("3/60"), in_one_window(6030.0):
        answers = [client.get("/search/", {"q": f"词{n}"}) for n in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[-1]
    assert int(refused["Retry-After"]) == 31  # the window 6000-6060 ends in 30 s, plus one
    assert "no-store" in refused["Cache-Control"]
    assert "搜索太频繁" in refused.content.decode()


def test_other_clients_and_other_pages_are_not_counted(client):
    with newsroom_with("2/60"), in_one_window():
        for n in range(3):
            client.get("/search/", {"q": f"a{n}"}, REMOTE_ADDR="10.0.0.1")
        assert client.get("/search/", {"q": "b"}, REMOTE_ADDR="10.0.0.2").status_code == 200
        assert client.get("/", REMOTE_ADDR="10.0.0.1").status_code == 200
        assert client.get("/search/", {"q": "c"}, REMOTE_ADDR="10.0.0.1").status_code == 429


def test_the_window_ends(client):
    with newsroom_with("1/60"), mock.patch("newsroom.ratelimit.time.time") as now:
        now.return_value = 6000.0
        assert client.get("/search/", {"q": "x"}).status_code == 200
        assert client.get("/search/", {"q": "y"}).status_code == 429
        now.return_value = 6060.0
        assert client.get("/search/", {"q": "z"}).status_code == 200


def test_a_failing_cache_lets_search_through(client, caplog):
    with (
        newsroom_with("1/60"),
        mock.patch.object(cache, "incr", side_effect=ConnectionError("down")),
    ):
        answers = [client.get("/search/", {"q": f"q{n}"}).status_code for n in range(3)]
    assert answers == [200, 200, 200]
    assert sum("search rate limit off" in r.message for r in caplog.records) == 1


def test_switched_off(client):
    with newsroom_with("0"):
        assert all(client.get("/search/", {"q": f"q{n}"}).status_code == 200 for n in range(5))
