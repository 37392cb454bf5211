"""The public site on a 390 x 844 phone: once the reader scrolls, the sticky header keeps at most
64 px of the screen (with the section row and the search box still in it); the home carousel's
dots are tap targets of at least 24 x 24 px that show which slide is on screen, and tapping one
turns the carousel without scrolling the page (the slide never ends up under the header).
Screenshots land in test-results/e2e/phone-*.png."""

import io

import pytest
from django.core.management import call_command

from articles.models import Article, MenuItem

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
HEADER_MAX = 64

# How many px of the viewport the header covers, from its box on screen.
HEADER_ON_SCREEN = """() => {
  const box = document.querySelector('.site-header').getBoundingClientRect();
  return Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
}"""
HEADER_BOTTOM = (
    "() => Math.max(0, document.querySelector('.site-header').getBoundingClientRect().bottom)"
)
# True when the element's centre is on screen and not covered by anything (the header included).
REACHABLE = """(selector) => {
  const element = document.querySelector(selector);
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (y < 0 || y > innerHeight) return false;
  const hit = document.elementFromPoint(x, y);
  return hit === element || element.contains(hit);
}"""
DOTS = ".carousel-dots a"
# A dot's mark (site.css draws it as the link's ::before): its size and colour.
DOT_LOOK = """(dot) => {
  const mark = getComputedStyle(dot, '::before');
  return [mark.width, mark.height, mark.backgroundColor, mark.opacity].join(' ');
}"""


@pytest.fixture
def demo():
    call_command("load_demo", "--no-admin", stdout=io.StringIO())


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def scroll_to(page, y):
    page.evaluate("(y) => window.scrollTo({top: y, behavior: 'instant'})", y)
    page.wait_for_timeout(100)


@pytest.mark.parametrize("menu", [False, True], ids=["section-links", "main-menu"])
def test_scrolled_header_takes_at_most_64px_of_a_phone(phone, demo, menu, screenshot):
    if menu:  # the editors' main menu, with a sub-menu, instead of the section links
        news = MenuItem.objects.create(name="资讯", url="/sections/news/", position=1)
        MenuItem.objects.create(name="游戏", url="/sections/games/", position=2)
        MenuItem.objects.create(name="导航", url="/sections/navigation/", position=3)
        MenuItem.objects.create(name="快讯", url="/articles/", parent=news, position=1)
    article = Article.objects.published().filter(section__slug="news").first()
    english = Article.objects.create(
        title="A long English article",
        language="en",
        section=article.section,
        status=Article.Status.PUBLISHED,
        published_at=article.published_at,
        body="".join(f"<p>Paragraph {n} of a long article.</p>" for n in range(60)),
    )
    for url in ("/", article.get_absolute_url(), "/articles/", english.get_absolute_url()):
        phone.goto(url)
        at_top = phone.evaluate(HEADER_ON_SCREEN)
        assert at_top > 0, url
        scroll_to(phone, 700)
        assert phone.evaluate("window.scrollY") > 300, url  # the page did scroll
        on_screen = phone.evaluate(HEADER_ON_SCREEN)
        assert 0 < on_screen <= HEADER_MAX, (url, at_top, on_screen)
        # What stays is what a reader needs while reading: the sections and the search box.
        assert phone.evaluate(REACHABLE, "#header-q"), url
        assert phone.evaluate(REACHABLE, ".site-nav a"), url
        scroll_to(phone, 0)
    phone.goto("/")
    scroll_to(phone, 700)
    phone.screenshot(path=_shot(f"phone-header-scrolled-{'menu' if menu else 'sections'}"))
    scroll_to(phone, 0)
    screenshot(phone, f"phone-header-{'menu' if menu else 'sections'}")


def dot_boxes(page):
    return [page.locator(DOTS).nth(i).bounding_box() for i in range(page.locator(DOTS).count())]


def current_dots(page):
    return page.eval_on_selector_all(
        DOTS, "(dots) => dots.map((dot) => dot.getAttribute('aria-current'))"
    )


def slide_in_view(page):
    """The index of the slide the carousel shows."""
    return page.evaluate(
        """() => {
          const track = document.querySelector('.carousel-track');
          return Math.round(track.scrollLeft / track.clientWidth);
        }"""
    )


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["390", "1280"])
def test_carousel_dots_are_tap_targets_with_an_active_state(page, demo, viewport):
    page.set_viewport_size(viewport)
    page.goto("/")
    count = page.locator(".carousel .slide").count()
    assert count >= 3
    assert page.locator(DOTS).count() == count

    for box in dot_boxes(page):
        assert box["width"] >= 24 and box["height"] >= 24, box
    assert current_dots(page) == ["true"] + [None] * (count - 1)

    # The active dot looks different from the others, not only in the accessibility tree.
    def look(i):
        return page.locator(DOTS).nth(i).evaluate(DOT_LOOK)

    page.wait_for_function("() => document.getAnimations().length === 0")
    assert look(0) != look(1)
    before = [look(i) for i in range(count)]

    # Swiping (the track scrolled by hand) moves the active state along.
    page.evaluate(
        """() => {
          const track = document.querySelector('.carousel-track');
          track.scrollTo({left: track.clientWidth * 1, behavior: 'instant'});
        }"""
    )
    page.wait_for_function(
        "() => document.querySelector('.carousel-dots a:nth-child(2)')"
        ".getAttribute('aria-current') === 'true'"
    )
    assert current_dots(page) == [None, "true"] + [None] * (count - 2)

    page.evaluate(
        "document.querySelector('.carousel-track').scrollTo({left: 0, behavior: 'instant'})"
    )
    page.wait_for_function(
        "() => document.querySelector('.carousel-dots a').getAttribute('aria-current') === 'true'"
    )
    page.wait_for_function("() => document.getAnimations().length === 0")

    # Tapping a dot with the carousel half under the header turns the carousel, and only that.
    top = page.evaluate("document.querySelector('.carousel').getBoundingClientRect().top")
    header = page.evaluate(HEADER_BOTTOM)
    scroll_to(page, int(top + page.evaluate("scrollY") - header + 60))
    assert page.evaluate(REACHABLE, f"{DOTS}:nth-child(3)")
    y = page.evaluate("scrollY")
    page.locator(DOTS).nth(2).click()
    page.wait_for_function(
        "() => document.querySelector('.carousel-dots a:nth-child(3)')"
        ".getAttribute('aria-current') === 'true'"
    )
    page.wait_for_timeout(700)  # the smooth scroll of the track
    page.wait_for_function("() => document.getAnimations().length === 0")
    assert page.evaluate("scrollY") == y
    assert page.evaluate("location.hash") == ""
    assert slide_in_view(page) == 2
    assert current_dots(page) == [None, None, "true"] + [None] * (count - 3)
    assert [look(i) for i in range(count)] == [before[1], before[1], before[0], *before[3:]]

    # From the top of the page, keyboard: Enter on a dot turns the carousel, scrollY stays.
    scroll_to(page, 0)
    page.locator(DOTS).nth(3).focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(700)
    assert page.evaluate("scrollY") == 0
    assert slide_in_view(page) == 3
    if viewport == PHONE:
        page.screenshot(path=_shot("phone-carousel"))


def _shot(name):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
