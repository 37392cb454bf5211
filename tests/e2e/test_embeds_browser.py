"""Click-to-load videos in a real browser, under the site's Content-Security-Policy: nothing
is fetched from the provider before the click; the click puts the sandboxed player there."""

import pytest

from articles.text.sanitize import video_embed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""
PLAYER = "<!doctype html><title>player</title><p>stub player</p>"


def test_a_video_loads_only_when_the_reader_clicks(page, make_article, screenshot):
    article = make_article(
        title="视频文章",
        body="<p>前言</p>"
        + video_embed("youtube", "w7Ft2ymGmfc", title="发布会")
        + video_embed("bilibili", "BV1Sx411T7QQ", page="2", title="片段"),
    )
    requested = []

    def provider(route):
        requested.append(route.request.url)
        route.fulfill(body=PLAYER, content_type="text/html")

    page.route("https://www.youtube-nocookie.com/**", provider)
    page.route("https://player.bilibili.com/**", provider)
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(article.get_absolute_url())
    if not page.locator('script[src*="js/embeds.js"]').count():
        # Until article_detail.html loads it for bodies with a placeholder.
        page.add_script_tag(url="/static/js/embeds.js")
    page.wait_for_selector(".video-embed.is-ready")
    page.wait_for_load_state("networkidle")
    assert requested == []  # nothing from the provider before a click
    box = page.locator(".video-embed").first.bounding_box()
    assert abs(box["width"] / box["height"] - 16 / 9) < 0.02
    screenshot(page, "video-placeholder")

    page.locator(".video-embed a.video-link").first.click()
    frame = page.locator(".video-embed iframe").first
    frame.wait_for()
    assert frame.get_attribute("src").startswith(
        "https://www.youtube-nocookie.com/embed/w7Ft2ymGmfc?"
    )
    assert "allow-scripts" in frame.get_attribute("sandbox")
    assert "allow-top-navigation" not in frame.get_attribute("sandbox")
    assert frame.get_attribute("allowfullscreen") is not None
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(article.get_absolute_url())  # the link was not followed

    page.locator(".video-embed a.video-link").first.click()  # now the bilibili one
    bilibili = page.locator(".video-embed iframe").nth(1)
    bilibili.wait_for()
    assert bilibili.get_attribute("src").startswith(
        "https://player.bilibili.com/player.html?bvid=BV1Sx411T7QQ&page=2"
    )
    page.wait_for_load_state("networkidle")
    assert len(requested) == 2
    assert page.evaluate("window.__csp") == []


def test_the_script_checks_the_id_itself(page, make_article):
    """Even markup that never went through the sanitiser gets no player from a bad id."""
    article = make_article(body=video_embed("youtube", "w7Ft2ymGmfc"))
    forged = (
        '<div class="video-embed" data-embed="youtube" data-embed-id="x/../../evil?">'
        '<a class="video-link" href="#stay">看</a></div>'
    )

    def forge(route):
        response = route.fetch()
        body = response.text().replace(
            '<div class="article-body">', f'<div class="article-body">{forged}', 1
        )
        route.fulfill(response=response, body=body)

    page.route(f"**{article.get_absolute_url()}", forge)
    page.goto(article.get_absolute_url())
    if not page.locator('script[src*="js/embeds.js"]').count():
        page.add_script_tag(url="/static/js/embeds.js")
    page.wait_for_selector(".video-embed.is-ready")  # the real one
    assert page.locator(".video-embed").count() == 2
    assert page.locator(".video-embed.is-ready").count() == 1
    page.locator(".video-embed a.video-link").first.click()
    page.wait_for_timeout(300)
    assert page.locator(".video-embed iframe").count() == 0
