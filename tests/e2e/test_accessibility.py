"""axe-core in a real browser: every public page type, in Chinese and under /en/, at phone (390 px)
and desktop (1280 px) widths, and the main admin pages signed in, have no accessibility
violation whose impact is serious or critical.

axe-core's own axe.min.js comes from the axe-playwright-python package (the test extra in
pyproject.toml); it is evaluated in the page through Playwright, which the site's
Content-Security-Policy does not block (no inline <script> is added). The content is the demo
newsroom (`manage.py load_demo`) plus one English article, so every kind of page has real
cards, images, tags, authors, portal entries and game profiles on it.
"""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from articles.curation import ads
from articles.models import (
    AdSpot,
    Article,
    ArticleAuthor,
    Author,
    Section,
    Tag,
    Topic,
    Vocabulary,
)
from tests.conftest import image_bytes
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What fails the test. AXE_IMPACTS=minor,moderate,serious,critical shows the lesser ones too.
BLOCKING = tuple(os.environ.get("AXE_IMPACTS", "serious,critical").split(","))
WIDTHS = (390, 1280)


def axe_source():
    axe_playwright_python = pytest.importorskip(
        "axe_playwright_python", reason="pip install -e '.[test]' (axe-playwright-python)"
    )
    return (Path(axe_playwright_python.__file__).with_name("axe.min.js")).read_text("utf-8")


# Third-party markup we do not write and cannot change from our templates. Each entry drops only
# one rule's findings on elements inside one selector, never a whole page. Keep the reason.
THIRD_PARTY = [
    # Django admin's breadcrumbs: white links in a light-blue sentence on its blue bar, styled by
    # admin/css/base.css (every admin page).
    ("link-in-text-block", ".breadcrumbs", "Django admin"),
    # select2, the widget of Django admin's autocomplete fields (section, topics, the author and
    # tag inlines): its combobox <span> has no name, its search box no label, and its multiple
    # choice <ul> holds <span>s.
    ("aria-input-field-name", ".select2-container", "select2"),
    ("label", ".select2-container", "select2"),
    ("list", ".select2-container", "select2"),
    # Django's AdminSplitDateTime (the publish time): one <label> for two inputs, pointing at
    # neither.
    ("label", "p.datetime", "Django admin"),
    # Django's TabularInline: a cell's input is named by its column header (<th>), not a label.
    ("label", ".tabular td.delete", "Django admin"),
    ("label", ".tabular td.field-position", "Django admin"),
]

RUN_AXE = """async ({excluded, blocking}) => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  const out = [];
  for (const violation of results.violations) {
    if (!blocking.includes(violation.impact)) continue;
    const nodes = violation.nodes.filter((node) => {
      const selector = node.target[node.target.length - 1];
      let element = null;
      try { element = typeof selector === 'string' ? document.querySelector(selector) : null; }
      catch (e) { element = null; }
      return !excluded.some((rule) => rule.id === violation.id && element
                                       && element.closest(rule.selector));
    });
    if (nodes.length) out.push({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: nodes.map((node) => node.target.join(' >>> ')),
      summary: nodes[0].failureSummary,
    });
  }
  return out;
}"""


def check(page, label, found, *, excluded=()):
    """Runs axe on the page as it is now and adds its blocking violations to `found`."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    excluded = [{"id": rule, "selector": selector} for rule, selector, _why in excluded]
    for violation in page.evaluate(RUN_AXE, {"excluded": excluded, "blocking": list(BLOCKING)}):
        found.append((label, violation))


def report(found):
    lines = []
    for label, violation in found:
        lines.append(f"{label}: {violation['id']} ({violation['impact']}) {violation['help']}")
        lines += [f"    {target}" for target in violation["targets"][:8]]
        if len(violation["targets"]) > 8:
            lines.append(f"    ... {len(violation['targets']) - 8} more")
        lines.append("    " + (violation["summary"] or "").replace("\n", "\n    "))
    return f"{len(found)} serious or critical axe violations:\n" + "\n".join(lines)


def audit(page, urls, *, widths=WIDTHS, excluded=()):
    found = []
    for url in urls:
        response = page.goto(url)
        assert response.status == (404 if "no-such-page" in url else 200), url
        if response.status == 404:  # the browser logs the page's own 404 status as an error
            page.console_watch.errors[:] = [
                error for error in page.console_watch.errors if not error.endswith(response.url)
            ]
        page.wait_for_load_state("networkidle")
        for width in widths:
            page.set_viewport_size({"width": width, "height": 844 if width < 760 else 900})
            page.wait_for_timeout(50)
            check(page, f"{url} @ {width}px", found, excluded=excluded)
    return found


@pytest.fixture
def demo_site():
    """The demo newsroom, plus an English article with an author, a tag and a topic, and a
    banner ad (its "广告" label sits on the ad's image)."""
    call_command("load_demo", "--no-admin", stdout=io.StringIO())
    source = (
        Article.objects.published()
        .filter(section__slug="news", featured_image__gt="", tags__isnull=False)
        .exclude(authors=None)
        .exclude(topics=None)
        .distinct()
        .first()
    )
    english = Article.objects.create(
        title="Shanghai opens a metaverse talent programme",
        language="en",
        translation_group=source.translation_group,
        section=source.section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=2),
        description="The city's new programme for people who build virtual worlds.",
        body="<h2 id='why'>Why</h2><p>Body text.</p><p>More body text.</p>",
    )
    author = source.authors.first() or Author.objects.create(name="Cindy")
    ArticleAuthor.objects.create(article=english, author=author, position=0)
    english.tags.add(source.tags.first() or Tag.objects.create(name="元宇宙"))
    english.topics.add(source.topics.first() or Topic.objects.create(name="元宇宙"))
    moderator = get_user_model().objects.create_user("ads", is_staff=True, is_superuser=True)
    ads.add_ad(
        by=moderator,
        spot=AdSpot.objects.get(key="banner"),
        title="横幅广告",
        image=ContentFile(image_bytes(size=(1120, 120), color=(250, 250, 250)), name="ad.png"),
        link="https://example.com/ad",
        alt="示例广告",
    )
    return {"source": source, "english": english}


def public_urls(site, prefix=""):
    """One URL of each kind of public page, in the language of `prefix` ("" or "/en")."""
    article = site["english"] if prefix else site["source"]
    game = Article.objects.filter(section__slug="games", fields__has_key="score").first()
    entry = Article.objects.filter(section__slug="navigation").first()
    published = article.published_at
    vocabulary = Vocabulary.objects.first()
    urls = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        article.tags.first().get_absolute_url(),
        article.topics.first().get_absolute_url(),
        article.authors.first().get_absolute_url(),
        article.section.get_absolute_url(),
        Section.objects.get(slug="navigation").get_absolute_url(),
        Section.objects.get(slug="games").get_absolute_url() + "?sort=score",
        "/tags/",
        "/sections/",
        "/authors/",
        "/topics/",
        "/search/?q=%E5%85%83%E5%AE%87%E5%AE%99",  # 元宇宙
        "/search/?q=zzzznothing",
        "/archive/",
        f"/archive/{published:%Y}/",
        f"/archive/{published:%Y}/{published:%m}/",
        "/no-such-page/",
    ]
    if not prefix:  # portal entries and games are in Chinese only in the demo
        urls += [entry.get_absolute_url(), game.get_absolute_url()]
    if vocabulary:
        urls.append(f"/vocabularies/{vocabulary.key}/")
    return [url if url.startswith(prefix + "/") or not prefix else prefix + url for url in urls]


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["zh", "en"])
def test_public_pages_have_no_serious_axe_violations(page, demo_site, prefix, screenshot):
    urls = public_urls(demo_site, prefix)
    found = audit(page, urls)
    assert found == [], report(found)
    for name, url in (("home", urls[0]), ("article", urls[2]), ("list", urls[6])):
        page.goto(url)
        screenshot(page, f"a11y-{prefix.strip('/') or 'zh'}-{name}")


def test_admin_pages_have_no_serious_axe_violations(page, demo_site, staff_user, admin_login):
    article = demo_site["source"]
    found = audit(page, ["/admin/login/"], widths=(1280,), excluded=THIRD_PARTY)
    admin_login(page, staff_user.username, "pw-staff-123")
    found += audit(
        page,
        [
            "/admin/",
            "/admin/articles/article/",
            f"/admin/articles/article/{article.pk}/change/",
            "/admin/articles/slot/desk/",
        ],
        widths=(1280,),
        excluded=THIRD_PARTY,
    )
    assert found == [], report(found)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in (
        ("change", f"/admin/articles/article/{article.pk}/change/"),
        ("desk", "/admin/articles/slot/desk/"),
    ):
        page.goto(url)
        page.screenshot(path=SCREENSHOTS / f"a11y-admin-{name}.png", full_page=True)
