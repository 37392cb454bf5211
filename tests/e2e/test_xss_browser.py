"""Every public page and the admin pages showing the XSS payloads, in a real browser: no dialog
ever opens and no payload function runs (tests/xss_payloads.py, tests/test_xss.py)."""

import pytest
from django.urls import reverse

from articles.models import Author, Tag
from tests.test_xss import _public_urls, poison_site

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TRAP = """
window.__xss = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => { window.__xss.push(name + '(' + args.join(',') + ')'); };
}
"""


@pytest.fixture
def poisoned(make_article):
    return poison_site(make_article)


@pytest.fixture
def trapped(page):
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message} @ {page.url}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.add_init_script(TRAP)
    page.dialogs = dialogs
    yield page
    # Payload images point at missing files (src=x): a 404 is expected, nothing else is.
    page.console_watch.errors[:] = [
        error for error in page.console_watch.errors if "Failed to load resource" not in error
    ]


def visit_all(page, urls):
    ran = []
    for url in urls:
        page.goto(url, wait_until="load")
        page.wait_for_timeout(30)  # autofocus, ontoggle and onerror fire just after load
        ran += [f"{call} @ {url}" for call in page.evaluate("window.__xss")]
    return ran


def test_no_public_page_runs_a_payload(trapped, poisoned):
    urls = [url for url in _public_urls(poisoned) if not url.startswith("/search/")]
    urls += [url for url in _public_urls(poisoned) if url.startswith("/search/")][::7]

    ran = visit_all(trapped, urls)

    assert trapped.dialogs == []
    assert ran == []


def test_no_admin_page_showing_the_payloads_runs_one(
    trapped,
    poisoned,
    admin_login,
    django_user_model,
):
    django_user_model.objects.create_user(
        username="xss-admin", password="pw-xss-admin-1", is_staff=True, is_superuser=True
    )
    admin_login(trapped, "xss-admin", "pw-xss-admin-1")
    urls = [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_author_changelist"),
        reverse("admin:articles_tag_changelist"),
        reverse("admin:articles_section_changelist"),
        reverse("admin:articles_topic_changelist"),
        reverse("admin:articles_author_change", args=[Author.objects.first().pk]),
        reverse("admin:articles_tag_change", args=[Tag.objects.first().pk]),
    ]
    urls += [reverse("admin:articles_article_change", args=[a.pk]) for a in poisoned[::5]]

    ran = visit_all(trapped, urls)

    assert trapped.dialogs == []
    assert ran == []
