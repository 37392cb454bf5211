"""Two people edit the same article: the second save is refused, not silently applied."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.admin_forms import admin_form, read_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(role_user):
    alice, bob = role_user("Editor", "alice"), role_user("Editor", "bob")
    first, second = Client(), Client()
    first.force_login(alice)
    second.force_login(bob)
    return first, second


def test_every_save_bumps_the_edit_version(make_article):
    article = make_article()
    before = article.edit_version

    article.save()

    assert article.edit_version == before + 1
    assert Article.objects.get(pk=article.pk).edit_version == before + 1


def test_second_save_is_refused_and_keeps_the_second_persons_text(two_editors, make_article):
    first, second = two_editors
    article = make_article(title="原标题", body="<p>共同的开头</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice_form, bob_form = admin_form(first, url), admin_form(second, url)

    alice_form["body"] = "<p>共同的开头</p><p>Alice 加的段落</p>"
    assert first.post(url, alice_form).status_code == 302

    bob_form["title"] = "Bob 的标题"
    bob_form["body"] = "<p>共同的开头</p><p>Bob 加的段落</p>"
    response = second.post(url, bob_form)

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "原标题"
    assert "Alice 加的段落" in article.body and "Bob" not in article.body
    text = response.content.decode()
    assert "保存被拒绝" in text and "alice" in text
    resubmit = read_form(text, "article_form")
    assert resubmit["title"] == "Bob 的标题"
    assert "Bob 加的段落" in resubmit["body"]
    conflict = response.context["adminform"].form.conflict
    assert conflict["user"].username == "alice"
    body_row = next(row for row in conflict["rows"] if row["name"] == "body")
    table = re.sub(r"<[^>]+>", "", body_row["table"]).replace("&nbsp;", " ")
    assert "Alice 加的段落" in table and "Bob 加的段落" in table


def test_after_seeing_the_conflict_the_merged_text_saves(two_editors, make_article):
    first, second = two_editors
    article = make_article(body="<p>开头</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice_form, bob_form = admin_form(first, url), admin_form(second, url)
    alice_form["body"] = "<p>开头</p><p>Alice</p>"
    first.post(url, alice_form)
    bob_form["body"] = "<p>开头</p><p>Bob</p>"
    refused = second.post(url, bob_form)

    merged = read_form(refused.content.decode(), "article_form")
    merged["body"] = "<p>开头</p><p>Alice</p><p>Bob</p>"
    response = second.post(url, merged)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>开头</p><p>Alice</p><p>Bob</p>"


def test_publishing_from_the_list_meanwhile_also_counts_as_a_change(two_editors, make_article):
    first, second = two_editors
    draft = make_article(status=Article.Status.DRAFT, title="草稿")
    url = reverse("admin:articles_article_change", args=[draft.pk])
    bob_form = admin_form(second, url)

    first.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    bob_form["title"] = "Bob 改的"
    response = second.post(url, bob_form)

    assert response.status_code == 200 and "保存被拒绝" in response.text
    draft.refresh_from_db()
    assert draft.title == "草稿" and draft.status == Article.Status.PUBLISHED
