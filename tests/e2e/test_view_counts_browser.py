"""阅读量 in chromium: the article page's script posts its beacon once (204, within the CSP), a
reload is not counted again, headless Chrome's own User-Agent is not counted at all; home, a
section and the article show the figures at phone and desktop widths."""

import time
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from articles.audience import flush
from articles.models import Section, ViewCount

from .conftest import DESKTOP, ConsoleWatch

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


@pytest.fixture
def reader(browser, live_server):
    """reader(user_agent=CHROME): a page in a browser context of its own."""
    contexts, watches = [], []

    def make(user_agent=CHROME):
        context = browser.new_context(
            viewport=DESKTOP, locale="zh-CN", base_url=live_server.url, user_agent=user_agent
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.add_init_script(WATCH_VIOLATIONS)
        watches.append(ConsoleWatch(page))
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert [error for watch in watches for error in watch.errors] == []


def open_and_beacon(page, url):
    with page.expect_response(lambda answer: "/read/" in answer.url) as beacon:
        page.goto(url)
    return beacon.value


def written_views(article):
    flush.flush_views(now=time.time() + 70)
    found = ViewCount.objects.filter(article=article).aggregate(total=Sum("views"))["total"]
    return found or 0


def test_a_reader_is_counted_once_and_headless_chrome_not_at_all(reader, make_article):
    article = make_article(title="浏览器里读")
    page = reader()

    answer = open_and_beacon(page, article.get_absolute_url())
    assert answer.status == 204 and answer.request.method == "POST"
    assert "no-store" in answer.headers["cache-control"]

    assert open_and_beacon(page, article.get_absolute_url()).status == 204  # a reload
    headless = reader(user_agent=None)  # chromium's own: HeadlessChrome
    open_and_beacon(headless, article.get_absolute_url())

    assert written_views(article) == 1
    assert page.evaluate("window.__csp") == []


def test_the_figures_at_phone_and_desktop_widths(reader, make_article, screenshot):
    section = Section.objects.create(name="资讯", slug="news")
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    titles = [
        "上海发布元宇宙产业三年行动方案，百亿基金支持数字孪生城市",
        "Web3 游戏周报：链游日活回升",
        "虚拟现实头显出货量同比增长四成",
        "数字藏品平台收紧二级市场交易",
        "AI 生成内容进入新闻编辑部",
    ]
    articles = [make_article(title=title, section=section) for title in titles]
    for n, article in enumerate(articles):
        ViewCount.objects.create(article=article, hour=hour, views=1200 - n * 170)
        ViewCount.objects.create(article=article, hour=hour - timedelta(days=3), views=n * 900)
    page = reader()

    page.goto("/")
    assert page.get_by_role("heading", name="24小时热榜").is_visible()
    assert page.get_by_role("heading", name="7日热榜").is_visible()
    screenshot(page, "most-read-home")
    page.goto(section.get_absolute_url())
    assert page.locator(".most-read").is_visible()
    screenshot(page, "most-read-section")
    page.goto(articles[0].get_absolute_url())
    assert page.locator(".view-count").inner_text() == "阅读 1,200"
    screenshot(page, "view-count-article")
    page.goto("/en/")
    assert page.evaluate("window.__csp") == []
