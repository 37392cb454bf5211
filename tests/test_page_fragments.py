"""Pieces of pages kept between requests (cards, related articles) change with the content."""

import pytest
from django.urls import reverse

from articles.models import Author

pytestmark = pytest.mark.django_db


def test_card_shows_a_renamed_author_on_the_next_request(client, make_article):
    make_article(title="头条", authors=["林晓舟"])
    assert "林晓舟" in client.get(reverse("articles:article-list")).text

    author = Author.objects.get(name="林晓舟")
    author.name = "林小舟"
    author.save()

    html = client.get(reverse("articles:article-list")).text
    assert "林小舟" in html and "林晓舟" not in html


def test_card_of_a_retitled_article_changes_on_home_and_list(client, make_article):
    article = make_article(title="旧标题")
    for url in (reverse("articles:home"), reverse("articles:article-list")):
        assert "旧标题" in client.get(url).text

    article.title = "新标题"
    article.save()

    for url in (reverse("articles:home"), reverse("articles:article-list")):
        html = client.get(url).text
        assert "新标题" in html and "旧标题" not in html


def test_related_articles_follow_a_newly_shared_tag(client, make_article):
    def related_block():
        html = client.get(article.get_absolute_url()).text
        return html.split('class="related"')[1] if 'class="related"' in html else ""

    article = make_article(title="本文", tags=["Web3"])
    make_article(title="早就相关", tags=["Web3"])
    other = make_article(title="另一篇")
    assert "早就相关" in related_block() and "另一篇" not in related_block()

    other.tags.add("Web3")

    assert "另一篇" in related_block()


def test_scheduled_article_joins_related_lists_at_its_minute_with_the_cache_warm(
    client, make_article, settings
):
    """Only where related lists show newer articles (by default they show earlier ones, and
    a scheduled article is newer than every visible one)."""
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    def related_block():
        html = client.get(article.get_absolute_url()).text
        return html.split('class="related"')[1] if 'class="related"' in html else ""

    settings.NEWSROOM = {**settings.NEWSROOM, "RELATED_INCLUDE_NEWER": True}
    when = timezone.now() + timedelta(minutes=10)
    article = make_article(title="本文", tags=["Web3"])
    make_article(title="定时相关", tags=["Web3"], published_at=when)
    assert "定时相关" not in related_block()  # warms the related cache

    with mock.patch("django.utils.timezone.now", return_value=when + timedelta(seconds=1)):
        assert "定时相关" in related_block()


def test_section_menu_follows_a_new_renamed_and_deleted_section(client, make_article):
    from articles.models import Section

    def menu():
        html = client.get(reverse("articles:home")).text
        return html.split('class="site-nav"')[1].split("</nav>")[0]

    assert "链游" not in menu()
    section = Section.objects.create(name="链游", slug="games")
    assert "链游" not in menu()  # nothing published in it yet
    make_article(section=section)
    assert "链游" in menu()
    section.name = "链游世界"
    section.save()
    assert "链游世界" in menu()
    section.delete()
    assert "链游" not in menu()


def test_related_list_is_rendered_from_kept_links_without_queries(client, make_article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article(title="本文", tags=["Web3"])
    make_article(title="相关的文章", tags=["Web3"])
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(article.get_absolute_url()).text
    assert "相关的文章" in html
    assert not any("COUNT" in q["sql"] for q in ctx.captured_queries)  # related came from the cache
