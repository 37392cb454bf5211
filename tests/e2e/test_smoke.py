"""The public pages render in a real browser, on a phone and a desktop, without errors."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_home_and_article_render_without_console_errors(page, screenshot, make_article, place):
    article = make_article(title="浏览器里的第一篇文章", authors=["Cindy"], tags=["元宇宙"])
    place(article, "carousel")

    page.goto("/")
    assert page.locator(".slide-caption").first.inner_text() == "浏览器里的第一篇文章"
    screenshot(page, "smoke-home")

    page.click("text=浏览器里的第一篇文章 >> nth=-1")
    assert page.locator("h1.article-title").inner_text() == "浏览器里的第一篇文章"
    screenshot(page, "smoke-article")
