"""The media library in a real browser: an editor uploads an image in one article's body, finds
it in the library and gives it alt text and a caption, then reuses it in a second article, in
the body from the picker and as the featured image, publishes, and a reader sees it."""

import re

import pytest

from articles.models import Article, MediaImage
from tests.conftest import image_bytes
from tests.e2e.conftest import ConsoleWatch
from tests.e2e.test_accessibility import THIRD_PARTY, audit, report

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ALT = "张江实验室外景"
CAPTION = "摄影：小王"


def pick_from_library(page, button_text, screenshot=None):
    """Click the form's picker button, choose the first image in the popup; -> nothing (the
    popup closes itself)."""
    with page.expect_popup() as opened:
        page.get_by_role("button", name=button_text).click()
    picker = opened.value
    watch = ConsoleWatch(picker)
    picker.wait_for_load_state()
    picker.locator(".media-pick-item").first.wait_for()
    if screenshot:
        screenshot(picker, "media-library-picker")
    with picker.expect_event("close"):
        picker.locator(".media-pick-item").first.click()
    assert watch.errors == []


def test_upload_find_reuse_in_body_and_as_featured_image(
    new_page, admin_login, role_user, screenshot, tmp_path
):
    editor = role_user("Editor")
    photo = tmp_path / "lab.jpg"
    photo.write_bytes(image_bytes(size=(1200, 800), color=(30, 90, 160), fmt="JPEG"))
    second = Article.objects.create(
        title="第二篇：复用媒体库图片", body="<p>第二篇的正文。</p>", created_by=editor
    )

    desk = new_page()
    admin_login(desk, editor.username, "pw-role-123")

    # 1. Upload an image in the first article's body (CKEditor's upload button).
    desk.goto("/admin/articles/article/add/")
    desk.fill("#id_title", "第一篇：上传图片")
    desk.locator(".ck-editor__editable").first.click()
    desk.keyboard.type("张江实验室今天开放。")
    desk.locator(".ck-editor input[type=file]").first.set_input_files(str(photo))
    desk.locator(".ck-editor__editable img[src*='/media/uploads/']").wait_for()
    desk.click("input[name=_save]")
    desk.wait_for_url(re.compile(r"/admin/articles/article/$"))
    image = MediaImage.objects.get()
    assert image.uploaded_by == editor and image.original_name == "lab.jpg"

    # 2. Find it in the library and give it alt text and a caption.
    desk.goto("/admin/articles/mediaimage/")
    row = desk.locator("#result_list tbody tr")
    assert row.count() == 1
    assert row.locator(f"img.media-thumb[src='{image.url}']").count() == 1
    screenshot(desk, "media-library-changelist")
    row.locator("a").first.click()
    desk.wait_for_url(re.compile(rf"/admin/articles/mediaimage/{image.pk}/change/"))
    assert desk.locator(".media-used-by a", has_text="第一篇：上传图片").count() == 1
    desk.fill("#id_alt", ALT)
    desk.fill("#id_caption", CAPTION)
    screenshot(desk, "media-library-change")
    desk.click("input[name=_save]")
    desk.wait_for_url(re.compile(r"/admin/articles/mediaimage/$"))

    # 3. The second article: insert it into the body from the picker, pick it as featured.
    desk.goto(f"/admin/articles/article/{second.pk}/change/")
    editable = desk.locator(".ck-editor__editable").first
    editable.click()
    desk.keyboard.press("End")
    pick_from_library(desk, "插入媒体库图片", screenshot=screenshot)
    inserted = editable.locator(f"img[src='{image.url}']")
    inserted.wait_for()
    assert inserted.get_attribute("alt") == ALT
    assert editable.locator("figcaption", has_text=CAPTION).count() == 1

    pick_from_library(desk, "从媒体库选择题图")
    assert desk.input_value("input[name=library_image]") == str(image.pk)
    assert desk.input_value("#id_featured_image_alt") == ALT
    assert desk.input_value("#id_featured_image_caption") == CAPTION
    assert desk.locator(f".media-picked img[src='{image.url}']").count() == 1
    desk.select_option("#id_status", "published")
    screenshot(desk, "media-library-article-form")
    # Refused for another reason (no title): the pick is shown again and kept.
    desk.fill("#id_title", "")
    desk.click("input[name=_save]")
    desk.locator(".errornote").wait_for()
    assert desk.locator(f".media-picked img[src='{image.url}']").count() == 1
    desk.fill("#id_title", second.title)
    desk.click("input[name=_save]")
    desk.wait_for_url(re.compile(r"/admin/articles/article/$"))

    second.refresh_from_db()
    assert second.is_visible
    assert second.featured_image.name == image.file.name
    assert (second.featured_image_alt, second.featured_image_caption) == (ALT, CAPTION)
    assert f'src="{image.url}"' in second.body
    assert MediaImage.objects.count() == 1  # reused, never uploaded again
    assert set(image.used_by().values_list("title", flat=True)) == {
        "第一篇：上传图片",
        "第二篇：复用媒体库图片",
    }

    # 4. A reader sees it: the featured image with its caption, and in the body.
    reader = new_page()
    reader.goto(second.get_absolute_url())
    stem = image.file.name.rsplit(".", 1)[0].rsplit("/", 1)[-1]
    hero = reader.locator(f"figure img[alt='{ALT}']").first
    hero.wait_for()
    assert stem in (hero.get_attribute("src") or "") + (hero.get_attribute("srcset") or "")
    assert reader.locator("figcaption", has_text=CAPTION).count() >= 1
    body_image = reader.locator(f".article-body img[src='{image.url}']")
    assert body_image.count() == 1
    for shown in (hero, body_image):
        shown.scroll_into_view_if_needed()
        reader.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=shown.element_handle()
        )

    # 5. The library's pages pass axe at both widths (tests/e2e/test_accessibility.py).
    found = audit(
        desk,
        [
            "/admin/articles/mediaimage/",
            f"/admin/articles/mediaimage/{image.pk}/change/",
            "/admin/articles/mediaimage/picker/?_popup=1&target=body",
        ],
        widths=(390, 1280),
        excluded=THIRD_PARTY,
    )
    assert found == [], report(found)

    # 6. Deleting it is refused while the articles use it.
    desk.goto(f"/admin/articles/mediaimage/{image.pk}/delete/")
    desk.wait_for_url(re.compile(rf"/admin/articles/mediaimage/{image.pk}/change/"))
    assert desk.locator(".messagelist .error", has_text="不能删除").count() == 1
    assert MediaImage.objects.filter(pk=image.pk).exists()
