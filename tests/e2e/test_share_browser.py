"""The share block in chromium: the WeChat QR code opens without script, 复制链接 copies the
address, and without JavaScript the address is in a field; no CSP violation on the way."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


def test_share_block_copies_the_link_and_shows_the_qr_code(
    page, make_article, live_server, settings, screenshot
):
    settings.SITE_URL = "https://www.example.cn"
    article = make_article(title="分享这篇文章")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.add_init_script(WATCH_VIOLATIONS)
    page.set_viewport_size(PHONE)
    page.goto(article.get_absolute_url())

    field = page.locator("#share-url")
    assert not field.is_visible()  # the script swaps it for the button
    page.get_by_role("button", name="复制链接").click()
    page.get_by_text("链接已复制").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "https://www.example.cn" + article.get_absolute_url()

    qr = page.get_by_alt_text("本文链接的二维码")
    assert not qr.is_visible()
    page.locator(".share-wechat summary").click()
    qr.wait_for()
    page.wait_for_timeout(300)
    assert qr.evaluate("img => img.naturalWidth") > 0
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "share-open")
    assert page.evaluate("window.__csp") == []


def test_without_javascript_the_link_is_in_a_field(browser, make_article, live_server):
    article = make_article(title="没有脚本也能分享")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(article.get_absolute_url())
        field = page.locator("#share-url")
        assert field.is_visible()
        assert field.input_value() == live_server.url + article.get_absolute_url()
        assert not page.get_by_role("button", name="复制链接").is_visible()
        page.locator(".share-wechat summary").click()
        assert page.get_by_alt_text("本文链接的二维码").is_visible()
    finally:
        context.close()
