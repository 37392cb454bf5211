"""Scheduled articles and placements appear by themselves; staff preview drafts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """clock.set(moment): every timezone.now() in the code under test returns that moment."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def test_scheduled_article_appears_at_its_minute_without_any_job(client, make_article, clock):
    start = timezone.now()
    article = make_article(published_at=start + timedelta(minutes=30))
    url = article.get_absolute_url()

    clock.set(start + timedelta(minutes=29, seconds=59))
    assert client.get(url).status_code == 404
    assert article not in Article.objects.published()

    clock.set(start + timedelta(minutes=30))
    assert client.get(url).status_code == 200
    assert article in Article.objects.published()


def test_placement_window_opens_and_closes_by_itself(client, make_article, place, clock):
    start = timezone.now()
    article = make_article(title="限时轮播")
    place(
        article,
        "carousel",
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=2),
    )
    home = reverse("articles:home")

    clock.set(start + timedelta(minutes=59))
    assert not Placement.objects.live().exists()
    clock.set(start + timedelta(hours=1))
    assert list(Placement.objects.live()) == [article.placements.get()]
    assert "限时轮播" in client.get(home).text
    clock.set(start + timedelta(hours=2))
    assert not Placement.objects.live().exists()


def test_admin_list_and_form_say_scheduled_for_when(staff_client, make_article):
    when = timezone.now() + timedelta(days=1)
    article = make_article(published_at=when)
    label = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")

    listing = staff_client.get(reverse("admin:articles_article_changelist"))
    form = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert f"定时发布：{label}" in listing.text
    assert f"定时发布：将于 {label} 对读者可见" in form.text


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_staff_preview_an_unpublished_article_uncached(staff_client, make_article, kind):
    fields = (
        {"status": Article.Status.DRAFT}
        if kind == "draft"
        else {"published_at": timezone.now() + timedelta(days=1)}
    )
    article = make_article(title="还没发布", **fields)

    response = staff_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "还没发布" in response.text
    assert "no-cache" in response.headers["Cache-Control"]
    assert (
        "private" in response.headers["Cache-Control"]
        or "no-store" in response.headers["Cache-Control"]
    )


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_anonymous_reader_gets_404_for_unpublished(client, make_article, kind):
    fields = (
        {"status": Article.Status.DRAFT}
        if kind == "draft"
        else {"published_at": timezone.now() + timedelta(days=1)}
    )
    article = make_article(**fields)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_logged_in_non_staff_user_gets_404_for_a_draft(client, make_article, django_user_model):
    reader = django_user_model.objects.create_user(username="reader", password="pw-reader-1")
    client.force_login(reader)
    article = make_article(status=Article.Status.DRAFT)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_writer_previews_from_the_admin_links(client, role_user, make_article):
    writer = role_user("Writer")
    client.force_login(writer)
    draft = make_article(status=Article.Status.DRAFT, created_by=writer)
    url = draft.get_absolute_url()

    form = client.get(reverse("admin:articles_article_change", args=[draft.pk]))
    listing = client.get(reverse("admin:articles_article_changelist"))

    assert f'href="{url}"' in form.text and ">预览</a>" in form.text  # one language
    assert f'href="{url}"' in listing.text
    assert client.get(url).status_code == 200
