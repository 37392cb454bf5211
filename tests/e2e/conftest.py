"""Browser tests: Playwright for Python driving Debian's chromium against a live test server.

Every test here is marked `e2e` (run with `make test-e2e`). A page that logs a console error or
throws fails its test; screenshots land in test-results/e2e/.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
# data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class ConsoleWatch:
    """Collects console errors and uncaught exceptions of a page."""

    def __init__(self, page):
        self.errors = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console: {message.text} @ {message.location.get('url', '')}")


@pytest.fixture
def new_page(browser, live_server):
    """new_page(): a page in a fresh browser context (its own cookies: another person)."""
    contexts, watches = [], []

    def make():
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.console_watch = ConsoleWatch(page)
        contexts.append(context)
        watches.append(page.console_watch)
        return page

    yield make
    for context in contexts:
        context.close()
    errors = [error for watch in watches for error in watch.errors]
    assert errors == [], "\n".join(errors)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot():
    """screenshot(page, "name"): full-page PNGs at phone and desktop widths."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        original = page.viewport_size
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(size)
            page.wait_for_timeout(150)
            page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size(original)

    return take


@pytest.fixture
def admin_login():
    """admin_login(page, username, password): signs in through the real login form."""

    def login(page, username, password):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")

    return login
