"""The public pages' `date` filter (articles/jinja) is Django's, remembered per time zone and
language, and absolute addresses are the site's root plus the path as urljoin() gives them."""

from datetime import UTC, date, datetime

import pytest
from django.template import defaultfilters, engines
from django.test import RequestFactory
from django.utils import timezone, translation

from articles.jinja import date as jinja_date
from articles.reading.site_url import absolute_url

WHEN = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)


def rendered(source, **context):
    return engines["jinja2"].from_string(source).render(context)


def test_the_date_follows_the_time_zone_and_the_language():
    with timezone.override("Asia/Shanghai"):
        assert rendered('{{ when|date("Y-m-d H:i") }}', when=WHEN) == "2026-03-02 07:30"
    with timezone.override("UTC"):
        assert rendered('{{ when|date("Y-m-d H:i") }}', when=WHEN) == "2026-03-01 23:30"
    with translation.override("en"), timezone.override("UTC"):
        assert rendered('{{ when|date("F") }}', when=WHEN) == "March"
    with translation.override("zh-hans"), timezone.override("UTC"):
        assert rendered('{{ when|date("F") }}', when=WHEN) == "三月"
    assert rendered('{{ when|date("Y") }}', when=None) == ""
    assert rendered('{{ when|date("Y") }}', when=["not", "a", "date"]) == ""


@pytest.mark.parametrize(
    "fmt",
    ["Y-m-d", "c", "Y-m-d H:i", "H:i:s", "Y年m月d日", "d/m/Y", "F", "N j, Y", "\\Y Y", "", None],
)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns"])
def test_the_date_is_djangos(fmt, zone):
    """Formats of numbers only are written without Django's format machinery: the same text."""
    whens = [
        WHEN,
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 0, 59, 999999, tzinfo=UTC),
        datetime(2026, 7, 1, 9, 8, 7),  # naive: shown as it is
        date(2026, 5, 4),
    ]
    with timezone.override(zone):
        for when in whens:
            djangos = outcome(defaultfilters.date, timezone.template_localtime(when), fmt)
            assert outcome(jinja_date, when, fmt) == djangos, (when, fmt)


def outcome(write, *args):
    try:
        return write(*args)
    except TypeError as error:  # a date given a time's format: an error in both
        return str(error)


def test_absolute_addresses_are_per_request(settings):
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["a.example", "b.example"]
    factory = RequestFactory()
    first, second = factory.get("/", HTTP_HOST="a.example"), factory.get("/", HTTP_HOST="b.example")
    assert absolute_url(first, "/articles/x/") == "http://a.example/articles/x/"
    assert absolute_url(second, "/articles/x/") == "http://b.example/articles/x/"
    assert absolute_url(first, "/articles/./y/../z/") == "http://a.example/articles/z/"
    assert absolute_url(first, "/标签/区块链/") == (
        "http://a.example/%E6%A0%87%E7%AD%BE/%E5%8C%BA%E5%9D%97%E9%93%BE/"
    )
    assert absolute_url(first, "https://cdn.example/a.png") == "https://cdn.example/a.png"
    assert absolute_url(first, "//cdn.example/a.png") == "http://cdn.example/a.png"
