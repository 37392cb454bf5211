"""Two people edit the same article: the second save is refused, not silently applied."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleAuthor, Author, Tag
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


def test_a_field_both_changed_is_refused_with_both_versions_and_the_text_kept(
    two_editors, make_article
):
    first, second = two_editors
    article = make_article(title="原标题", body="<p>共同的开头</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    alice_form, bob_form = admin_form(first, url), admin_form(second, url)

    alice_form["body"] = "<p>共同的开头</p><p>Alice 加的段落</p>"
    assert first.post(url, alice_form).status_code == 302

    bob_form["title"] = "Bob 的标题"
    bob_form["body"] = "<p>共同的开头</p><p>Bob 加的<strong>段落</strong></p>"
    response = second.post(url, bob_form)

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title == "原标题"
    assert "Alice 加的段落" in article.body and "Bob" not in article.body
    text = response.content.decode()
    assert "保存被拒绝" in text and "alice" in text
    resubmit = read_form(text, "article_form")
    assert resubmit["title"] == "Bob 的标题"
    assert "Bob 加的<strong>段落</strong>" in resubmit["body"]
    conflict = response.context["adminform"].form.conflict
    assert conflict["user"].username == "alice"
    assert [row["name"] for row in conflict["rows"]] == ["body"]  # the title only Bob changed
    table = re.sub(r"<[^>]+>", "", conflict["rows"][0]["table"]).replace("&nbsp;", " ")
    assert "Alice 加的段落" in table and "Bob 加的段落" in table  # readable text, both sides
    assert "strong" not in table and "&lt;p&gt;" not in table
    assert 'name="merge-body"' in text


def test_after_a_conflict_the_edited_text_saves_once_chosen(two_editors, make_article):
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
    merged["merge-body"] = "edit"
    response = second.post(url, merged)

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>开头</p><p>Alice</p><p>Bob</p>"


def test_publishing_from_the_list_meanwhile_is_kept_by_a_later_save(two_editors, make_article):
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

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Bob 改的" and draft.status == Article.Status.PUBLISHED


def _open_twice(two_editors, article):
    url = reverse("admin:articles_article_change", args=[article.pk])
    first, second = two_editors
    return url, admin_form(first, url), admin_form(second, url)


def test_changes_to_different_fields_both_survive(two_editors, make_article):
    first, second = two_editors
    article = make_article(body="<p>旧正文</p>", description="旧摘要")
    url, alice_form, bob_form = _open_twice(two_editors, article)

    bob_form["description"] = "Bob 的新摘要"
    assert second.post(url, bob_form).status_code == 302
    alice_form["body"] = "<p>Alice 的新正文</p>"
    response = first.post(url, alice_form, follow=True)

    article.refresh_from_db()
    assert article.body == "<p>Alice 的新正文</p>"
    assert article.description == "Bob 的新摘要"  # not reverted to what Alice's form held
    assert "已合并" in response.content.decode() and "摘要" in response.content.decode()


def test_tags_and_authors_only_the_colleague_changed_are_kept(two_editors, make_article):
    first, second = two_editors
    article = make_article(body="<p>旧正文</p>")
    writer = Author.objects.create(name="王记者", slug="wang")
    ArticleAuthor.objects.create(article=article, author=writer, position=0)
    old_tag, new_tag = Tag.objects.create(name="旧标签"), Tag.objects.create(name="新标签")
    article.tags.add(old_tag)
    url, alice_form, bob_form = _open_twice(two_editors, article)

    bob_form["taggedarticle_set-0-tag"] = str(new_tag.pk)
    bob_form["article_authors-0-DELETE"] = "on"
    assert second.post(url, bob_form).status_code == 302
    alice_form["body"] = "<p>Alice 的新正文</p>"
    assert first.post(url, alice_form).status_code == 302

    assert list(article.tags.values_list("name", flat=True)) == ["新标签"]
    assert not article.article_authors.exists()
    article.refresh_from_db()
    assert article.body == "<p>Alice 的新正文</p>"


def test_choosing_mine_or_theirs_saves_exactly_that(two_editors, make_article):
    first, second = two_editors
    article = make_article(title="旧标题", description="旧摘要")
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["title"], bob_form["description"] = "Bob 的标题", "Bob 的摘要"
    assert second.post(url, bob_form).status_code == 302
    alice_form["title"], alice_form["description"] = "Alice 的标题", "Alice 的摘要"

    refused = first.post(url, alice_form)
    rows = refused.context["adminform"].form.conflict["rows"]
    assert {row["name"] for row in rows} == {"title", "description"}
    title = next(row for row in rows if row["name"] == "title")
    assert (title["old"], title["new"]) == ("Bob 的标题", "Alice 的标题")
    retry = read_form(refused.content.decode(), "article_form")
    retry["merge-title"], retry["merge-description"] = "mine", "theirs"
    assert first.post(url, retry).status_code == 302

    article.refresh_from_db()
    assert (article.title, article.description) == ("Alice 的标题", "Bob 的摘要")


def test_saving_again_without_choosing_overwrites_nothing(two_editors, make_article):
    first, second = two_editors
    article = make_article(title="旧标题")
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["title"] = "Bob 的标题"
    assert second.post(url, bob_form).status_code == 302
    alice_form["title"] = "Alice 的标题"

    refused = first.post(url, alice_form)
    again = first.post(url, read_form(refused.content.decode(), "article_form"))
    third = first.post(url, read_form(again.content.decode(), "article_form"))

    assert again.status_code == third.status_code == 200
    assert "保存被拒绝" in third.content.decode()
    article.refresh_from_db()
    assert article.title == "Bob 的标题"


def test_choices_made_against_an_older_save_are_asked_again(two_editors, make_article):
    first, second = two_editors
    article = make_article(title="旧标题")
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["title"] = "Bob 的标题"
    second.post(url, bob_form)
    alice_form["title"] = "Alice 的标题"
    retry = read_form(first.post(url, alice_form).content.decode(), "article_form")
    bob_again = admin_form(second, url)
    bob_again["title"] = "Bob 又改了"
    second.post(url, bob_again)

    retry["merge-title"] = "mine"
    response = first.post(url, retry)

    assert response.status_code == 200 and "保存被拒绝" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "Bob 又改了"


def test_a_post_without_its_version_is_refused_and_keeps_the_text(two_editors, make_article):
    first, _second = two_editors
    article = make_article(title="旧标题")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_form(first, url)
    del form["seen_version"]
    form["title"] = "没有版本号的标题"

    response = first.post(url, form)

    assert response.status_code == 200
    assert "缺少版本号" in response.content.decode()
    assert read_form(response.content.decode(), "article_form")["title"] == "没有版本号的标题"
    article.refresh_from_db()
    assert article.title == "旧标题"


def test_tags_both_changed_are_a_conflict_shown_by_name(two_editors, make_article):
    first, second = two_editors
    article = make_article()
    old, bobs, alices = (Tag.objects.create(name=name) for name in ("旧", "区块链", "元宇宙"))
    article.tags.add(old)
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["taggedarticle_set-1-tag"] = str(bobs.pk)  # a second tag
    assert second.post(url, bob_form).status_code == 302
    alice_form["taggedarticle_set-0-tag"] = str(alices.pk)  # the first one replaced

    refused = first.post(url, alice_form)

    rows = refused.context["adminform"].form.conflict["rows"]
    assert [(row["name"], row["old"], row["new"]) for row in rows] == [
        ("tags", "旧、区块链", "元宇宙")
    ]
    assert sorted(article.tags.values_list("name", flat=True)) == ["区块链", "旧"]
    retry = read_form(refused.content.decode(), "article_form")
    retry["merge-tags"] = "mine"
    assert first.post(url, retry).status_code == 302
    assert list(article.tags.values_list("name", flat=True)) == ["元宇宙"]


def test_a_byline_row_the_colleague_deleted_does_not_block_choosing_mine(two_editors, make_article):
    first, second = two_editors
    article = make_article()
    old, new = (
        Author.objects.create(name="甲", slug="a"),
        Author.objects.create(name="乙", slug="b"),
    )
    ArticleAuthor.objects.create(article=article, author=old, position=0)
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["article_authors-0-DELETE"] = "on"
    assert second.post(url, bob_form).status_code == 302
    alice_form["article_authors-1-author"] = str(new.pk)

    refused = first.post(url, alice_form)
    assert [row["name"] for row in refused.context["adminform"].form.conflict["rows"]] == [
        "authors"
    ]
    retry = read_form(refused.content.decode(), "article_form")
    retry["merge-authors"] = "mine"

    assert first.post(url, retry).status_code == 302
    assert list(article.article_authors.values_list("author__name", flat=True)) == ["乙"]


def test_choices_survive_a_refused_inline_row(two_editors, make_article):
    first, second = two_editors
    article = make_article(title="旧标题")
    url, alice_form, bob_form = _open_twice(two_editors, article)
    bob_form["title"] = "Bob 的标题"
    assert second.post(url, bob_form).status_code == 302
    alice_form["title"] = "Alice 的标题"
    retry = read_form(first.post(url, alice_form).content.decode(), "article_form")
    retry["merge-title"] = "mine"
    retry["taggedarticle_set-0-tag"] = "新标签"
    retry["taggedarticle_set-TOTAL_FORMS"] = "2"
    retry["taggedarticle_set-1-tag"] = "新标签"  # the same new tag twice: the inline refuses

    refused_row = first.post(url, retry)
    assert "同一个新标签只能添加一次" in refused_row.content.decode()
    fixed = read_form(refused_row.content.decode(), "article_form")
    fixed["taggedarticle_set-1-tag"] = ""

    assert first.post(url, fixed).status_code == 302
    article.refresh_from_db()
    assert article.title == "Alice 的标题"
