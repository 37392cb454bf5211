"""Tags the way Chinese editors type them, in a real browser: a new name typed into the article
form's tag field, and the "+" popup beside it, each give a tag with its pinyin slug."""

import re

import pytest

from articles.models import Article, Tag

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def open_tag_field(page, row=0):
    page.locator(f"#id_taggedarticle_set-{row}-tag + .select2 .select2-selection").click()
    return page.locator(".select2-container--open .select2-search__field")


def test_editor_types_a_new_chinese_tag_into_the_article_form(
    new_page, admin_login, role_user, screenshot
):
    Tag.objects.create(name="张江")
    editor = role_user("Editor")
    page = new_page()
    admin_login(page, editor.username, "pw-role-123")
    page.goto("/admin/articles/article/add/")
    page.fill("#id_title", "区块链周报")

    search = open_tag_field(page)
    search.fill("区块链")
    page.locator(".select2-results__option", has_text="区块链").first.wait_for()
    screenshot(page, "tags-1-typing-a-new-tag")
    search.press("Enter")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))

    article = Article.objects.get(title="区块链周报")
    assert [(t.name, t.slug) for t in article.tags.all()] == [("区块链", "qu-kuai-lian")]


def test_the_plus_popup_needs_only_a_name(new_page, admin_login, role_user):
    editor = role_user("Editor")
    page = new_page()
    admin_login(page, editor.username, "pw-role-123")
    page.goto("/admin/articles/article/add/")

    with page.expect_popup() as opened:
        page.click("#add_id_taggedarticle_set-0-tag")
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.locator("#id_slug").get_attribute("required") is None
    popup.fill("#id_name", "数字藏品")
    popup.click("input[name=_save]")
    popup.wait_for_event("close")

    tag = Tag.objects.get(name="数字藏品")
    assert tag.slug == "shu-zi-cang-pin"
    chosen = page.locator("#id_taggedarticle_set-0-tag option:checked")
    assert chosen.get_attribute("value") == str(tag.pk)
