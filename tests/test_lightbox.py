"""The lightbox: GLightbox is vendored with its licence, and only articles with the lightbox on
(and body images to show) load it, from our own static files."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "glightbox"
ASSETS = (
    "vendor/glightbox/glightbox.min.js",
    "vendor/glightbox/glightbox.min.css",
    "js/lightbox.js",
)
BODY = '<figure class="image"><img src="https://example.com/a.jpg" alt="图"><figcaption>说明</figcaption></figure>'


def test_glightbox_is_vendored_with_its_mit_licence():
    assert (VENDOR / "glightbox.min.js").stat().st_size > 10_000
    assert (VENDOR / "glightbox.min.css").stat().st_size > 1_000
    licence = (VENDOR / "LICENSE.md").read_text()
    assert "MIT License" in licence and "Biati Digital" in licence


def test_lightbox_script_loads_nothing_from_the_internet():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "lightbox.js").read_text()
    assert "http" not in script
    assert ".article.has-lightbox .article-body img" in script


def test_article_with_lightbox_loads_the_gallery_from_our_static_files(client, make_article):
    article = make_article(body=BODY, lightbox=True)

    html = client.get(article.get_absolute_url()).content.decode()

    assert 'class="article has-lightbox"' in html
    for asset in ASSETS:
        assert (
            f'"{settings.STATIC_URL}{asset}"' in html or f'"/{settings.STATIC_URL}{asset}"' in html
        )
    # No inline scripts (JSON-LD data aside): a Content-Security-Policy will forbid them.
    scripts = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "ld+json" not in tag]
    assert scripts and all(" src=" in tag for tag in scripts)
    assert " onclick=" not in html


@pytest.mark.parametrize(
    ("lightbox", "body"),
    [(False, BODY), (True, "<p>没有图片的文章。</p>")],
    ids=["off", "no-images"],
)
def test_article_without_lightbox_or_images_loads_no_gallery(client, make_article, lightbox, body):
    article = make_article(body=body, lightbox=lightbox)

    html = client.get(article.get_absolute_url()).content.decode()

    assert not any(asset in html for asset in ASSETS)


def test_listing_pages_load_no_gallery(client, make_article):
    make_article(body=BODY, lightbox=True)
    for url in (reverse("articles:home"), reverse("articles:article-list")):
        html = client.get(url).content.decode()
        assert "glightbox" not in html and "lightbox.js" not in html
