"""The newsroom's main journey, as three people do it in a real browser:
an editor writes and publishes, a moderator features it, a reader finds and reads it."""

import re

import pytest

from articles.models import Article, Section, Tag, Topic
from tests.conftest import image_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TITLE = "张江科学城发布元宇宙开放实验室计划"
BODY_WORD = "沉浸式孪生工坊"


def pick_autocomplete(page, select_id, term, choice):
    """Choose `choice` in the admin's select2 autocomplete behind <select id=select_id>."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=choice).first.click()


def test_editor_publishes_moderator_features_reader_finds(
    new_page, admin_login, role_user, screenshot, tmp_path
):
    Section.objects.create(name="资讯", slug="news")
    Topic.objects.create(name="元宇宙")
    Tag.objects.create(name="张江")
    editor = role_user("Editor")
    moderator = role_user("Moderator")
    photo = tmp_path / "lab.jpg"
    photo.write_bytes(image_bytes(size=(1200, 800), color=(30, 90, 160), fmt="JPEG"))

    # 1. The editor writes the article in CKEditor 5, with an uploaded image, a tag and a topic.
    desk = new_page()
    admin_login(desk, editor.username, "pw-role-123")
    desk.goto("/admin/articles/article/add/")
    desk.fill("#id_title", TITLE)
    desk.fill("#id_description", "开放实验室面向创业团队开放。")
    editable = desk.locator(".ck-editor__editable").first
    editable.click()
    desk.keyboard.type(f"张江科学城今天宣布启动{BODY_WORD}计划，首批二十家团队入驻。")
    desk.locator(".ck-editor input[type=file]").first.set_input_files(str(photo))
    desk.locator(".ck-editor__editable img[src*='/media/uploads/']").wait_for()
    pick_autocomplete(desk, "id_section", "资讯", "资讯")
    pick_autocomplete(desk, "id_topics", "元宇", "元宇宙")
    pick_autocomplete(desk, "id_taggedarticle_set-0-tag", "张江", "张江")
    desk.select_option("#id_status", "published")
    screenshot(desk, "journey-1-editor-writes")
    desk.click("input[name=_save]")
    desk.wait_for_url(re.compile(r"/admin/articles/article/$"))

    article = Article.objects.get(title=TITLE)
    assert article.is_visible
    assert "/media/uploads/" in article.body
    assert [t.name for t in article.tags.all()] == ["张江"]
    assert [t.name for t in article.topics.all()] == ["元宇宙"]

    # 2. The moderator puts it in the carousel from the curation desk.
    mod = new_page()
    admin_login(mod, moderator.username, "pw-role-123")
    mod.goto("/admin/articles/slot/desk/")
    screenshot(mod, "journey-2-desk-before")
    mod.goto("/admin/articles/placement/add/")
    mod.select_option("#id_slot", label="首页轮播")
    pick_autocomplete(mod, "id_article", "张江科学城", TITLE)
    mod.click("input[name=_save]")
    mod.goto("/admin/articles/slot/desk/")
    assert mod.locator(".desk-slot", has_text="首页轮播").locator(f"text={TITLE}").count() >= 1
    screenshot(mod, "journey-2-desk-after")

    # 3. A reader finds it on the home page, reads it, opens the lightbox, follows a tag,
    #    searches for a word of its body and reads the feed.
    reader = new_page()
    reader.goto("/")
    slide = reader.locator(".carousel .slide", has_text=TITLE)
    assert slide.count() == 1
    screenshot(reader, "journey-3-home")
    slide.click()
    assert reader.locator("h1.article-title").inner_text() == TITLE
    assert BODY_WORD in reader.locator(".article-body").inner_text()
    screenshot(reader, "journey-3-article")

    reader.locator(".article-body img").first.click()
    lightbox = reader.locator(".glightbox-container")
    lightbox.wait_for(state="visible")
    reader.screenshot(path=str(_shot("journey-3-lightbox")))
    reader.keyboard.press("Escape")
    lightbox.wait_for(state="detached")

    reader.locator(".tags a", has_text="张江").click()
    assert reader.locator(".card-title", has_text=TITLE).count() == 1
    screenshot(reader, "journey-3-tag")

    reader.fill("input[name=q]", BODY_WORD)
    reader.keyboard.press("Enter")
    reader.wait_for_url(re.compile(r"/search/\?q="))
    assert reader.locator("main", has_text=TITLE).count() == 1
    assert reader.locator("mark", has_text=BODY_WORD).count() >= 1
    screenshot(reader, "journey-3-search")

    feed = reader.request.get("/feed/")
    assert feed.ok
    assert TITLE in feed.text()
    assert "application/rss+xml" in feed.headers["content-type"]


def _shot(name):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
