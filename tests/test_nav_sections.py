"""The header's section menu lists only sections readers can find an article in."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section
from articles.pagecache.middleware import local_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["page-cache-off", "page-cache-on"])
def page_cache(request, settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": request.param}
    local_pages.clear()
    yield request.param
    local_pages.clear()


def menu(client):
    html = client.get(reverse("articles:home")).text
    return html.split('class="site-nav"')[1].split("</nav>")[0]


def move_clock_to(monkeypatch, moment):
    """Readers' clock (publish times) and the cache's clock (next event, expiry) move together."""
    offset = (moment - timezone.now()).total_seconds()
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=offset))


def test_a_new_section_appears_with_its_first_published_article(client, make_article, page_cache):
    games = Section.objects.create(name="链游", slug="games")
    assert "链游" not in menu(client)

    draft = make_article(title="草稿", section=games, status=Article.Status.DRAFT)
    assert "链游" not in menu(client)

    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    assert "链游" in menu(client)

    draft.status = Article.Status.DRAFT
    draft.save()
    assert "链游" not in menu(client)


def test_a_scheduled_first_article_shows_its_section_at_its_minute(
    client, make_article, monkeypatch, page_cache
):
    make_article(title="别的栏目的文章", section=Section.objects.create(name="资讯", slug="news"))
    games = Section.objects.create(name="链游", slug="games")
    when = timezone.now() + timedelta(minutes=10)
    make_article(title="定时首篇", section=games, published_at=when)
    for _ in range(2):  # the second from what this process and the page cache kept
        assert "资讯" in menu(client) and "链游" not in menu(client)

    move_clock_to(monkeypatch, when + timedelta(seconds=1))

    assert "链游" in menu(client)
