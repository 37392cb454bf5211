"""The lightbox opens body images in a real browser: click, arrow keys, caption, Escape."""

import io
import mimetypes
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from articles.media.renditions import make_article_renditions

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def serve_media(route):
    # The live server serves no media with DEBUG off; hand the browser the files directly.
    name = route.request.url.split("/media/", 1)[1]
    path = Path(settings.MEDIA_ROOT) / name
    if not path.is_file():
        route.fulfill(status=404)
        return
    route.fulfill(body=path.read_bytes(), content_type=mimetypes.guess_type(name)[0])


def stored_photo(name, color):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1000), color).save(buffer, "JPEG")
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def test_body_images_open_in_a_gallery_with_captions(page, screenshot, make_article):
    first = stored_photo("uploads/2025/01/one.jpg", (200, 40, 40))
    second = stored_photo("uploads/2025/01/two.jpg", (40, 40, 200))
    article = make_article(
        title="灯箱文章",
        lightbox=True,
        body=(
            f'<figure class="image"><img src="/media/{first}" alt="红色"><figcaption>第一张的说明</figcaption></figure>'
            f'<p>中间的段落。</p><img src="/media/{second}" alt="蓝色的图">'
        ),
    )
    make_article_renditions(article)  # as the admin does after an editor's save
    page.route("**/media/**", serve_media)
    page.goto(article.get_absolute_url())

    page.locator(".article-body img").first.click()
    page.wait_for_selector(".gslide.current img", state="visible")
    assert page.locator(".gslide.current .gslide-desc").inner_text() == "第一张的说明"
    assert "/renditions/" in page.locator(".gslide.current img").get_attribute("src")
    screenshot(page, "lightbox-open")

    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(600)
    assert page.locator(".gslide.current .gslide-desc").inner_text() == "蓝色的图"
    page.keyboard.press("Escape")
    page.wait_for_selector(".glightbox-container", state="detached")
