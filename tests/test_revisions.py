"""Every save keeps a revision; history, diff and restore in the admin."""

import re

import pytest
from django.urls import reverse
from reversion.models import Version

from articles.editorial import revisions, services
from articles.models import Article
from tests.admin_forms import admin_form

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save_in_admin(client, article, **changes):
    data = admin_form(client, change_url(article))
    data.update(changes)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    return article


def test_each_admin_save_keeps_a_revision_with_who_and_which_fields(
    staff_client, staff_user, make_article
):
    article = make_article(title="第一稿", body="<p>旧的正文</p>")

    save_in_admin(staff_client, article, title="第二稿")
    save_in_admin(staff_client, article, body="<p>新的正文</p>")

    entries = revisions.history(article)
    # The article came from outside the admin: its stored state was kept first, as a baseline.
    assert [entry["user"] for entry in entries] == [staff_user, staff_user, None]
    assert entries[2]["comment"].startswith("最初的版本")
    assert entries[1]["changed"] == ["标题"]
    assert entries[0]["changed"] == ["正文"]
    assert "正文" in entries[0]["comment"]
    assert entries[0]["version"].field_dict["body"] == "<p>新的正文</p>"


def test_publishing_through_the_service_keeps_a_revision(role_user, make_article):
    editor = role_user("Editor")
    draft = make_article(status=Article.Status.DRAFT)

    services.publish_article(article=draft, by=editor)

    revision = revisions.latest_revision(draft)
    assert revision.user == editor and revision.comment == "发布"


def test_history_page_lists_revisions(staff_client, make_article):
    article = make_article(title="有历史的文章")
    save_in_admin(staff_client, article, title="改名以后")

    response = staff_client.get(reverse("admin:articles_article_revisions", args=[article.pk]))

    assert response.status_code == 200
    assert "staff" in response.text
    assert "标题" in response.text


def test_diff_between_two_revisions_shows_the_body(staff_client, make_article):
    article = make_article(body="<p>第一段没变</p><p>第二段原来这样</p>")
    save_in_admin(staff_client, article, title="再存一次")
    save_in_admin(staff_client, article, body="<p>第一段没变</p><p>第二段后来那样</p>")
    newer, older = Version.objects.get_for_object(article)[:2]

    response = staff_client.get(
        reverse("admin:articles_article_revision_compare", args=[article.pk]),
        {"a": older.pk, "b": newer.pk},
    )

    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", "", response.text)
    assert "原来这样" in text and "后来那样" in text
    assert 'class="diff"' in response.text


def test_restore_brings_back_the_old_text_as_a_new_revision(staff_client, make_article):
    article = make_article(title="原标题", body="<p>原来的正文</p>")
    save_in_admin(staff_client, article, title="原标题")
    first = Version.objects.get_for_object(article).first()
    save_in_admin(staff_client, article, title="坏标题", body="<p>改坏了</p>")
    url = reverse("admin:articles_article_revision_restore", args=[article.pk, first.pk])

    confirm = staff_client.get(url)
    assert confirm.status_code == 200 and "改坏了" in confirm.text

    response = staff_client.post(url)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("原标题", "<p>原来的正文</p>")
    assert article.status == Article.Status.PUBLISHED
    assert Version.objects.get_for_object(article).count() == 4  # baseline, 2 saves, restore
    assert revisions.latest_revision(article).comment.startswith("恢复到")


def test_writer_cannot_restore_someone_elses_article(client, role_user, make_article, staff_client):
    article = make_article(title="别人的", status=Article.Status.DRAFT)
    save_in_admin(staff_client, article, title="别人的")
    version = Version.objects.get_for_object(article).first()
    save_in_admin(staff_client, article, title="别人的新标题")
    writer = role_user("Writer")
    client.force_login(writer)

    response = client.post(
        reverse("admin:articles_article_revision_restore", args=[article.pk, version.pk])
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "别人的新标题"
