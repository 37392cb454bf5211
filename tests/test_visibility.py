from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Placement

pytestmark = pytest.mark.django_db


def test_published_includes_only_published_articles_whose_time_has_come(make_article):
    live = make_article(title="已发布")
    make_article(title="草稿", status=Article.Status.DRAFT)
    make_article(title="定时", published_at=timezone.now() + timedelta(minutes=5))

    assert list(Article.objects.published()) == [live]


def test_an_article_taken_back_to_draft_is_hidden_though_its_publish_time_has_passed(
    make_article, place
):
    withdrawn = make_article(title="撤回")
    pin = place(withdrawn, "pinned")
    withdrawn.status = Article.Status.DRAFT
    withdrawn.save()
    assert withdrawn.published_at < timezone.now()  # kept: only the status hides it

    assert withdrawn not in Article.objects.published()
    assert pin not in Placement.objects.live()


def test_scheduled_article_appears_from_its_minute_without_any_worker(make_article):
    when = timezone.now() + timedelta(hours=2)
    article = make_article(published_at=when)

    assert article not in Article.objects.published(at=when - timedelta(seconds=1))
    assert article in Article.objects.published(at=when)


def test_publishing_without_a_time_stamps_now(make_article):
    article = make_article(status=Article.Status.DRAFT)
    article.status = Article.Status.PUBLISHED
    article.save()

    assert article.published_at is not None
    assert article in Article.objects.published()


@pytest.mark.parametrize("kind", ["draft", "scheduled"])
def test_anonymous_reader_gets_404_for_hidden_article(client, make_article, kind):
    if kind == "draft":
        article = make_article(status=Article.Status.DRAFT)
    else:
        article = make_article(published_at=timezone.now() + timedelta(days=1))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 404


def test_logged_in_non_staff_user_gets_404_for_draft(client, django_user_model, make_article):
    article = make_article(status=Article.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("reader", password="x"))

    assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_preview_shows_draft_with_banner_and_is_never_cached(staff_client, make_article):
    article = make_article(title="预览中的草稿", status=Article.Status.DRAFT)

    response = staff_client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert "预览中的草稿" in response.text
    assert "草稿" in response.text and "preview-banner" in response.text
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_hidden_articles_stay_out_of_every_list(client, make_article, section):
    make_article(
        title="看得见", section=section, tags=["元宇宙"], topics=["GameFi"], authors=["Cindy"]
    )
    make_article(
        title="看不见的草稿",
        status=Article.Status.DRAFT,
        section=section,
        tags=["元宇宙"],
        topics=["GameFi"],
        authors=["Cindy"],
    )
    article = Article.objects.get(title="看得见")
    urls = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        article.section.get_absolute_url(),
        article.tags.get().get_absolute_url(),
        article.topics.get().get_absolute_url(),
        article.byline[0].get_absolute_url(),
    ]
    for url in urls:
        text = client.get(url).text
        assert "看得见" in text, url
        assert "看不见的草稿" not in text, url
