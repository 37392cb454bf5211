"""The public pages' `date` filter (articles/jinja) is Django's, remembered per time zone and
language, and absolute addresses are the site's root plus the path as urljoin() gives them."""

from datetime import UTC, datetime

from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

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
