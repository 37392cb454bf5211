"""The portal's pages in a real browser, at phone and desktop widths: the home page's blocks, a
directory entry, a game profile and a filtered games list render without a console error or a
CSP violation, their images load, and no logo is drawn wider than it is. Screenshots land in
test-results/e2e/portal-*.png."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.media.renditions import make_article_renditions
from articles.models import Article, Channel, Section, Topic
from articles.portal.fields import ensure_preset_fields

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""
# Scroll through the page so lazy images load, then back to the top.
LOAD_LAZY_IMAGES = """async () => {
  for (let y = 0; y < document.body.scrollHeight; y += 300) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 30));
  }
  window.scrollTo(0, 0);
}"""
# Images drawn wider than their natural width (upscaled, hence blurred), and images that failed.
# Images a reader cannot see are left out: the share block's QR code sits in a closed <details>
# and is loaded only when it opens (tests/e2e/test_share_browser.py checks it then).
BAD_IMAGES = """() => [...document.images].filter(
  (img) => img.getBoundingClientRect().width > 0 && !img.closest('details:not([open])')
).map(
  (img) => img.naturalWidth === 0 ? 'broken ' + img.currentSrc
    : img.getBoundingClientRect().width > img.naturalWidth + 1
      ? 'upscaled ' + img.currentSrc + ' ' + img.getBoundingClientRect().width + '>' + img.naturalWidth
      : null
).filter(Boolean)"""


def logo(name, color, size):
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).ellipse(
        [size[0] // 5, size[1] // 5, size[0] * 4 // 5, size[1] * 4 // 5], fill="white"
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def publish(section, title, n, **fields):
    article = Article.objects.create(
        title=title,
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=n + 1),
        description=f"{title}：元宇宙与 Web3 项目的简短介绍，说明它做什么、适合谁。",
        body="<h2 id='intro'>简介</h2><p>正文。</p><h3 id='more'>更多</h3><p>正文。</p>",
        **fields,
    )
    make_article_renditions(article)
    return article


@pytest.fixture
def portal_site():
    news = Section.objects.create(name="资讯", slug="news")
    directory = Section.objects.create(name="导航", slug="navigation")
    games = Section.objects.create(name="游戏", slug="games")
    ensure_preset_fields(directory)
    ensure_preset_fields(games)
    worlds = Topic.objects.create(name="虚拟世界")
    channel = Channel.objects.create(
        section=directory,
        title="虚拟世界",
        icon_svg='<svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="10"/></svg>',
    )
    channel.topics.add(worlds)
    publish(news, "一条元宇宙新闻", 0, featured_image=logo("news.png", (70, 90, 200), (1200, 675)))
    entries = []
    for n, (title, size) in enumerate([("Decentraland", (120, 120)), ("小图标项目", (48, 48))]):
        entry = publish(
            directory,
            title,
            n,
            featured_image=logo(f"logo{n}.png", (230, 80, 80), size),
            fields={"link": f"https://example.org/{n}/"},
        )
        entry.topics.add(worlds)
        entries.append(entry)
    game = publish(
        games,
        "Axie Infinity",
        0,
        toc=True,
        featured_image=logo("axie.png", (40, 90, 160), (200, 200)),
        fields={
            "score": 9,
            "status": "Live",
            "blockchain": ["Ethereum", "Ronin"],
            "nft_support": True,
            "website": "https://example.org/axie/",
            "twitter": "https://twitter.com/example",
        },
    )
    publish(games, "The Sandbox", 1, fields={"score": 7.5, "status": "Beta"})
    return {"entry": entries[0], "game": game, "games": games}


def test_portal_pages_render_cleanly_at_both_widths(page, portal_site, screenshot):
    page.add_init_script(WATCH_VIOLATIONS)
    pages = {
        "home": "/",
        "entry": portal_site["entry"].get_absolute_url(),
        "game": portal_site["game"].get_absolute_url(),
        "games": portal_site["games"].get_absolute_url() + "?blockchain=Ethereum&sort=score",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(LOAD_LAZY_IMAGES)
            page.wait_for_load_state("networkidle")
            assert page.evaluate(BAD_IMAGES) == [], (url, width)
        assert page.evaluate("window.__csp") == [], url
        screenshot(page, f"portal-{name}")

    page.goto(pages["entry"])
    visit = page.locator("a.visit")
    assert visit.get_attribute("href") == "https://example.org/0/"
    assert visit.get_attribute("target") == "_blank"
    assert visit.is_visible()

    page.goto(pages["game"])
    assert page.locator(".facts").is_visible()
    assert page.locator("nav.toc a").first.is_visible()
