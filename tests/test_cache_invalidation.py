"""Saves readers cannot see touch nothing readers see; every save they can see still shows at
once (articles/apps.py, articles/pagecache/watch.py: watch_models(unseen=...))."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Topic
from articles.pagecache.generation import generation

from .admin_forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def cached(reader, make_article):
    """A published article and the pages that show it, each cached; returns the URLs. An
    author and a topic exist already (a new one is a change of its own)."""
    Author.objects.create(name="记者")
    Topic.objects.create(name="专题", slug="zhuan-ti")
    article = make_article(title="读者看到的文章", tags=["元宇宙"])
    urls = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        reverse("articles:tag-detail", kwargs={"slug": "yuan-yu-zhou"}),
        article.get_absolute_url(),
    ]
    for url in urls:
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit", url
    return urls


def assert_still_cached(reader, urls):
    for url in urls:
        assert reader.get(url)["X-Page-Cache"] == "hit", url


def test_saving_a_draft_keeps_every_cached_page(reader, cached, make_article):
    author, topic = Author.objects.get(name="记者"), Topic.objects.get(slug="zhuan-ti")
    before = generation()
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    draft.body = "<p>改了又改</p>"
    draft.save()
    draft.title = "草稿第二版"
    draft.save(update_fields=["title"])
    draft.tags.add("元宇宙")
    ArticleAuthor.objects.create(article=draft, author=author)
    draft.topics.add(topic)
    draft.tags.remove("元宇宙")
    draft.topics.clear()
    draft.delete()

    assert generation() == before
    assert_still_cached(reader, cached)


def test_an_editor_saving_a_draft_in_the_admin_keeps_every_cached_page(
    reader, staff_client, cached, make_article
):
    draft = make_article(title="后台草稿", status=Article.Status.DRAFT, tags=["元宇宙"])
    url = reverse("admin:articles_article_change", args=[draft.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data["body"] = "<p>编辑每两秒保存一次</p>"
    before = generation()

    assert staff_client.post(url, data).status_code == 302
    assert Article.objects.get(pk=draft.pk).body == "<p>编辑每两秒保存一次</p>"
    assert generation() == before
    assert_still_cached(reader, cached)


def test_publishing_a_draft_shows_at_once(reader, cached, make_article):
    draft = make_article(title="刚刚发布的草稿", status=Article.Status.DRAFT, tags=["元宇宙"])
    assert_still_cached(reader, cached)

    draft.status = Article.Status.PUBLISHED
    draft.save()

    for url in cached[:3]:
        assert "刚刚发布的草稿" in reader.get(url).content.decode(), url


def test_editing_a_published_article_refreshes_its_pages(reader, cached):
    article = Article.objects.get(title="读者看到的文章")
    article.title = "改过的标题"
    article.save(update_fields=["title"])

    for url in cached:
        assert "改过的标题" in reader.get(url).content.decode(), url


def test_a_published_articles_byline_tags_and_topics_show_at_once(reader, cached):
    article = Article.objects.get(title="读者看到的文章")
    url = article.get_absolute_url()
    ArticleAuthor.objects.create(article=article, author=Author.objects.get(name="记者"))
    assert "记者" in reader.get(url).content.decode()

    article.topics.add(Topic.objects.get(slug="zhuan-ti"))
    assert "专题" in reader.get(url).content.decode()

    tag_url = reverse("articles:tag-detail", kwargs={"slug": "yuan-yu-zhou"})
    assert tag_url in reader.get(url).content.decode()
    article.tags.clear()
    assert tag_url not in reader.get(url).content.decode()


def test_a_draft_given_a_future_publish_time_appears_at_that_time(reader, cached, make_article):
    draft = make_article(title="排期的草稿", status=Article.Status.DRAFT)
    assert_still_cached(reader, cached)
    publish_at = timezone.now() + timedelta(seconds=1.5)

    draft.status, draft.published_at = Article.Status.PUBLISHED, publish_at
    draft.save()
    home = reader.get(cached[0]).content.decode()
    assert "排期的草稿" not in home
    assert reader.get(cached[0])["X-Page-Cache"] == "hit"
    time.sleep((publish_at - timezone.now()).total_seconds() + 0.05)

    for url in cached[:2]:
        assert "排期的草稿" in reader.get(url).content.decode(), url


def test_a_scheduled_articles_text_edit_keeps_pages_and_shows_at_its_time(
    reader, cached, make_article
):
    publish_at = timezone.now() + timedelta(seconds=1.5)
    scheduled = make_article(title="定时文章初稿", published_at=publish_at)  # a new event
    for url in cached:
        assert "定时文章初稿" not in reader.get(url).content.decode()
    before = generation()

    scheduled.title = "定时文章终稿"
    scheduled.save()
    assert generation() == before
    assert_still_cached(reader, cached)
    time.sleep((publish_at - timezone.now()).total_seconds() + 0.05)

    home = reader.get(cached[0]).content.decode()
    assert "定时文章终稿" in home
    assert "定时文章初稿" not in home


def test_moving_a_scheduled_article_earlier_shows_it_at_the_new_time(reader, cached, make_article):
    scheduled = make_article(title="提前发布", published_at=timezone.now() + timedelta(hours=2))
    assert "提前发布" not in reader.get(cached[0]).content.decode()
    publish_at = timezone.now() + timedelta(seconds=1.5)

    scheduled.published_at = publish_at
    scheduled.save()
    time.sleep((publish_at - timezone.now()).total_seconds() + 0.05)

    assert "提前发布" in reader.get(cached[0]).content.decode()


def test_unpublishing_and_deleting_take_it_down_at_once(reader, cached, make_article):
    other = make_article(title="将被删除")
    article = Article.objects.get(title="读者看到的文章")
    article.status = Article.Status.DRAFT
    article.save()
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert "读者看到的文章" not in reader.get(cached[1]).content.decode()
    assert "将被删除" in reader.get(cached[1]).content.decode()

    other.delete()

    assert "将被删除" not in reader.get(cached[1]).content.decode()
