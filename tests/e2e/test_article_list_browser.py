"""The article list in real chromium: at 1280 px (both admin sidebars open) a title wraps to at
most two lines; at 390 px the list fits the screen with title and publication state."""

import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# As long as the demo's longest titles (28 characters).
TITLES = [
    "上海在元宇宙赛道率先起跑，“张江元宇宙创新发展联盟”启动",
    "链游《星海拓荒》公测首周用户破五十万，经济模型引争议",
    "张江科学城启动数字孪生城市试点，首批二十个场景上线",
]

TITLE_LINES = """() => [...document.querySelectorAll('#result_list .field-title')].map(cell => {
    const link = cell.querySelector('a');
    const style = getComputedStyle(cell);
    const inner = cell.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return {lines: link.getClientRects().length, inner, lineHeight: parseFloat(getComputedStyle(link).lineHeight) || 17};
})"""


@pytest.fixture
def listing(new_page, admin_login, django_user_model, make_article):
    django_user_model.objects.create_superuser("boss", "b@example.com", "pw-boss-123")
    for title in TITLES:
        make_article(title=title, authors=["林晓舟", "Metabd"])
    make_article(
        title="草稿：元宇宙产业白皮书发布前的准备工作与专题策划", status=Article.Status.DRAFT
    )
    page = new_page()
    admin_login(page, "boss", "pw-boss-123")
    return page


def test_titles_wrap_to_at_most_two_lines_at_1280(listing, screenshot):
    page = listing
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/articles/article/")
    assert page.locator("#nav-sidebar").is_visible()  # the harder case: both sidebars open
    cells = page.evaluate(TITLE_LINES)
    assert len(cells) == 4
    for cell in cells:
        assert cell["lines"] <= 2, cells
        assert cell["inner"] <= 2 * cell["lineHeight"] + 4, cells
    # Nothing is pushed out of the list: its last column is on screen.
    table = page.locator("#result_list").bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    assert table["width"] <= results["width"] + 1
    screenshot(page, "article-list")


def test_the_list_fits_a_phone(listing):
    page = listing
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/articles/article/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    title = page.locator("#result_list .field-title").first.bounding_box()
    status = page.locator("#result_list td.field-status_label").first
    assert title["width"] >= 150 and status.is_visible()
    assert not page.locator("#result_list td.field-slot_names").first.is_visible()
