"""Who else is here, the conflict merge and autosave, in chromium: two editors in two browser
contexts see each other on the same article's form and one takes over; two editors save the same
article and the second keeps both sides' work, picking field by field where both changed it; text
typed and never saved comes back after the tab is closed, with a diff, and 恢复 puts it into the
form."""

import re

import pytest
from django.core.cache import cache

from articles.editorial import presence
from articles.models import Article, Author

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_until_kept(page, text):
    """Polls localStorage from outside: the CSP (no 'unsafe-eval') refuses wait_for_function."""
    script = "Object.keys(localStorage).filter(k => k.startsWith('newsroom:autosave:'))"
    script += ".map(k => localStorage[k]).join()"
    for _ in range(100):
        if text in page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} was never kept")


def leave(article, *pages):
    """Leave the forms and wait until the server has seen them go (their leave beacons), so no
    request of theirs is still running when the test's database is flushed."""
    for page in pages:
        page.goto("about:blank")
    for _ in range(50):
        members = cache.get(f"newsroom:presence:{article.pk}") or []
        keys = [f"newsroom:presence:{article.pk}:tab:{member}" for member in members]
        if not cache.get_many(keys):
            break
        pages[0].wait_for_timeout(100)
    pages[0].wait_for_timeout(300)


def open_form(page, article):
    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.locator(".ck-editor__editable").first.wait_for()


def test_two_editors_see_each_other_and_one_takes_over(
    new_page, admin_login, role_user, make_article, monkeypatch, screenshot
):
    monkeypatch.setattr(presence, "BEAT", 1)  # the page beats every second instead of 20
    lin = role_user("Editor", username="lin")
    Author.objects.create(name="林晓舟", user=lin)
    role_user("Moderator", username="wang")
    article = make_article(title="两位编辑同时打开")
    first, second = new_page(), new_page()
    admin_login(first, "lin", "pw-role-123")
    admin_login(second, "wang", "pw-role-123")

    open_form(first, article)
    open_form(second, article)

    second.locator(".editor-others", has_text="林晓舟 也在编辑这篇文章").wait_for()
    first.locator(".editor-others", has_text="wang 也在编辑这篇文章").wait_for()
    screenshot(second, "presence-1-another-editor")

    second.click(".editor-take-over")
    notice = first.locator(".editor-taken")
    notice.wait_for()
    assert re.search(r"wang 于 \d\d:\d\d 接管了这篇文章", notice.inner_text())
    assert first.locator("input[name=_save]").is_disabled()
    screenshot(first, "presence-2-taken-over")
    second.wait_for_timeout(2500)  # two more beats: the taken-over page is gone, and stays gone
    assert second.locator(".editor-others").is_hidden()
    leave(article, first, second)


def test_a_second_save_merges_instead_of_overwriting(
    new_page, admin_login, role_user, make_article, screenshot
):
    role_user("Editor", username="lin")
    role_user("Moderator", username="wang")
    article = make_article(title="两人都改的标题", description="旧摘要", body="<p>旧正文。</p>")
    lin, wang = new_page(), new_page()
    admin_login(lin, "lin", "pw-role-123")
    admin_login(wang, "wang", "pw-role-123")
    open_form(lin, article)
    open_form(wang, article)

    # wang changes the summary and the title, and saves first.
    wang.fill("#id_description", "王改的摘要")
    wang.fill("#id_title", "王改的标题")
    wang.click("input[name=_continue]")
    wang.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")

    # lin, on the form opened before, changes the title and the body, and saves.
    lin.fill("#id_title", "林改的标题")
    lin.locator(".ck-editor__editable").first.click()
    lin.keyboard.press("Control+End")
    lin.keyboard.press("Enter")
    lin.keyboard.type("林加的一段。")
    lin.click("input[name=_continue]")

    conflict = lin.locator("#edit-conflict")
    conflict.wait_for()
    assert "wang" in conflict.inner_text() and "摘要" in conflict.inner_text()  # kept: theirs
    assert lin.locator("#merge-title").count() == 1  # both changed the title
    assert (
        lin.locator("#merge-body").count() == 0 and lin.locator("#merge-description").count() == 0
    )
    saved = Article.objects.get(pk=article.pk)
    assert saved.title == "王改的标题" and "林加的一段" not in saved.body  # nothing overwritten
    # The form holds lin's text already: no autosave offer that could undo wang's summary.
    assert lin.locator(".autosave-offer").count() == 0
    screenshot(lin, "merge-1-conflict")

    lin.check("input[name=merge-title][value=theirs]")
    lin.click("input[name=_continue]")
    lin.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    lin.locator(".ck-editor__editable").first.wait_for()

    merged = Article.objects.get(pk=article.pk)
    assert merged.title == "王改的标题"  # the field both changed: lin's choice
    assert merged.description == "王改的摘要"  # only wang changed it
    assert "林加的一段。" in merged.body and "旧正文。" in merged.body  # only lin changed it
    leave(article, lin, wang)


def test_unsaved_text_comes_back_after_the_tab_is_closed(
    new_page, admin_login, role_user, make_article, screenshot
):
    role_user("Editor", username="lin")
    article = make_article(title="原来的标题", body="<p>原来的第一段。</p>")
    page = new_page()
    admin_login(page, "lin", "pw-role-123")
    open_form(page, article)

    page.fill("#id_title", "改过但没保存的标题")
    page.locator(".ck-editor__editable").first.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("崩溃前写下的第二段。")
    wait_until_kept(page, "崩溃前写下的第二段")
    context = page.context
    page.close()  # no save

    assert Article.objects.get(pk=article.pk).title == "原来的标题"
    page = context.new_page()
    page.set_default_timeout(15_000)
    open_form(page, article)
    offer = page.locator(".autosave-offer")
    offer.wait_for()
    assert "原来的标题" in offer.locator(".autosave-del").all_inner_texts()[1]
    added = " ".join(offer.locator(".autosave-diff .autosave-ins").all_inner_texts())
    assert "改过但没保存的标题" in added and "崩溃前写下的第二段。" in added
    assert "<p>" not in offer.inner_text()  # text, not markup
    screenshot(page, "autosave-1-offer")

    page.click(".autosave-restore")
    assert page.input_value("#id_title") == "改过但没保存的标题"
    assert "崩溃前写下的第二段。" in page.locator(".ck-editor__editable").first.inner_text()
    page.click("input[name=_continue]")
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")

    saved = Article.objects.get(pk=article.pk)
    assert saved.title == "改过但没保存的标题" and "崩溃前写下的第二段。" in saved.body
    page.locator(".ck-editor__editable").first.wait_for()
    page.wait_for_timeout(300)
    assert page.locator(".autosave-offer").count() == 0  # the save cleared it
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('newsroom:autosave:'))")
        == []
    )
    leave(article, page)


def test_discarding_forgets_the_kept_text(new_page, admin_login, role_user, make_article):
    role_user("Editor", username="lin")
    article = make_article(title="不要了的修改")
    page = new_page()
    admin_login(page, "lin", "pw-role-123")
    open_form(page, article)
    page.fill("#id_title", "草稿里的标题")
    wait_until_kept(page, "草稿里的标题")
    open_form(page, article)  # leaving the page without saving

    page.click(".autosave-discard")
    assert page.locator(".autosave-offer").count() == 0
    open_form(page, article)
    page.wait_for_timeout(300)
    assert page.locator(".autosave-offer").count() == 0
    assert page.input_value("#id_title") == "不要了的修改"
    leave(article, page)
