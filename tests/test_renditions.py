"""Image renditions: made once when an article is saved, sized and typed right, EXIF applied,
and pages that render them without touching the storage or growing their query count."""

import io
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from imagekit.specs import ImageSpec
from PIL import Image

from articles.media import renditions
from articles.models import Article
from tests.admin_forms import admin_form

# Pillow's work, the same on either database: `once` (make test only).
pytestmark = [pytest.mark.django_db, pytest.mark.once]


@pytest.fixture(autouse=True)
def _forget_rendition_state():
    # imagekit remembers which renditions exist in the cache; each test has its own media folder.
    cache.clear()
    yield
    cache.clear()


def photo(*, size=(2000, 1000), fmt="JPEG", orientation=None):
    """A photo whose left half is red and right half blue, optionally with an EXIF rotation."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def with_featured(make_article, *, data=None, name="photo.jpg", **fields):
    article = make_article(**fields)
    article.featured_image.save(name, ContentFile(data or photo()), save=False)
    article.featured_image_alt = "示例图片"
    article.save()
    renditions.make_article_renditions(article)
    return article


def rendition_files(media_root):
    return sorted((Path(media_root) / "renditions").rglob("*.*"))


def test_saving_an_article_makes_webp_and_jpeg_renditions_of_each_width(make_article, settings):
    with_featured(make_article)

    made = {}
    for path in rendition_files(settings.MEDIA_ROOT):
        with Image.open(path) as image:
            made[(image.format, image.size[0])] = image.size
    assert sorted(made) == sorted(
        (fmt, width) for fmt in ("WEBP", "JPEG") for width in (480, 860, 960, 1720, 1920)
    )
    assert made[("WEBP", 480)] == (480, 240)
    assert made[("JPEG", 1920)] == (1920, 960)


def test_small_images_are_never_enlarged_and_png_stays_png(make_article, settings):
    with_featured(make_article, data=photo(size=(600, 400), fmt="PNG"), name="chart.png")

    made = set()
    for path in rendition_files(settings.MEDIA_ROOT):
        with Image.open(path) as image:
            made.add((image.format, image.size))
    assert made == {
        ("WEBP", (480, 320)),
        ("PNG", (480, 320)),
        ("WEBP", (600, 400)),
        ("PNG", (600, 400)),
    }


def test_saving_again_reads_no_image_and_rewrites_no_rendition(make_article, settings):
    article = with_featured(
        make_article, body='<p>正文</p><img src="/media/uploads/2025/01/body.jpg" alt="x">'
    )
    default_storage.save("uploads/2025/01/body.jpg", ContentFile(photo()))
    article.save()
    renditions.make_article_renditions(article)  # the body image now exists: renditions made
    before = {path: path.stat().st_mtime_ns for path in rendition_files(settings.MEDIA_ROOT)}
    assert len(before) == 10 + 5  # featured: 5 widths x 2 formats; body: 5 widths, JPEG only
    cache.clear()  # even without imagekit's memory, existing files are found and kept

    with mock.patch.object(ImageSpec, "generate") as generate:
        article.save()
        renditions.make_article_renditions(article)
        again = Article.objects.get(pk=article.pk)
        again.save()
        renditions.make_article_renditions(again)

    generate.assert_not_called()
    after = {path: path.stat().st_mtime_ns for path in rendition_files(settings.MEDIA_ROOT)}
    assert after == before


def test_exif_orientation_is_applied_to_renditions_and_stored_size(make_article, settings):
    # Imported files skip clean_image, so the EXIF rotation is still in the file.
    article = with_featured(make_article, data=photo(size=(800, 400), orientation=6))

    article.refresh_from_db()
    assert (article.featured_image_width, article.featured_image_height) == (400, 800)
    path = next(p for p in rendition_files(settings.MEDIA_ROOT) if p.name.startswith("400w"))
    with Image.open(path) as image:
        assert image.size == (400, 800)
        # Orientation 6 means "turn a quarter clockwise": the red left half ends up on top.
        red, green, blue = image.convert("RGB").getpixel((200, 100))
        assert red > 200 and blue < 60


def test_computed_sizes_match_the_files_made(make_article, settings):
    with_featured(make_article, data=photo(size=(1999, 1333)))

    for path in rendition_files(settings.MEDIA_ROOT):
        with Image.open(path) as image:
            assert renditions.scaled_size((1999, 1333), image.size[0]) == image.size


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.sources = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        elif tag == "source":
            self.sources.append(dict(attrs))


def images_of(response):
    parser = Images()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def illustrated(make_article, place, settings):
    """Five articles with photos, all in the carousel, the first three in the showcase."""
    articles = []
    for n in range(5):
        article = with_featured(make_article, data=photo(size=(1200 + n, 800)), name=f"p{n}.jpg")
        place(article, "carousel", position=n)
        if n < 3:
            place(article, "showcase", position=n)
        articles.append(article)
    return articles


def test_every_img_on_home_list_and_detail_has_its_rendition_size(client, illustrated):
    urls = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        illustrated[0].get_absolute_url(),
    ]
    for url in urls:
        found = images_of(client.get(url))
        assert found.imgs, url
        for img in found.imgs:
            assert img["width"].isdigit() and img["height"].isdigit(), (url, img)
            if img["src"].endswith("/qr.svg"):
                continue  # the share block's QR code: made on the server, no photo
            assert "/media/renditions/" in img["src"], (url, img)
            assert img.get("alt"), (url, img)
        assert all(s["type"] == "image/webp" and ".webp 480w" in s["srcset"] for s in found.sources)
        photos = [img for img in found.imgs if not img["src"].endswith("/qr.svg")]
        assert len(found.sources) == len(photos), url


def test_card_img_size_is_the_card_rendition(client, illustrated):
    found = images_of(client.get(reverse("articles:article-list")))
    card = found.imgs[0]
    # The newest article's 1200 x 800 photo at 480 wide; the srcset stops at the source width.
    assert (card["width"], card["height"]) == ("480", "320")
    assert card["src"].endswith(".jpg") and "/480w-" in card["src"]
    assert [c.split()[1] for c in found.sources[0]["srcset"].split(", ")] == [
        "480w",
        "860w",
        "960w",
        "1200w",
    ]


def test_home_loads_the_first_slide_eagerly_and_the_rest_lazily(client, illustrated):
    found = images_of(client.get(reverse("articles:home")))
    slides, showcase, cards = found.imgs[:5], found.imgs[5:8], found.imgs[8:]
    assert slides[0]["loading"] == "eager" and slides[0]["fetchpriority"] == "high"
    assert {img["loading"] for img in slides[1:]} == {"lazy"}
    assert {img["loading"] for img in showcase} == {"eager"}
    assert cards and {img["loading"] for img in cards} == {"lazy"}


def test_article_page_loads_its_featured_image_eagerly_at_high_priority(client, illustrated):
    img = images_of(client.get(illustrated[0].get_absolute_url())).imgs[0]
    assert img["loading"] == "eager" and img["fetchpriority"] == "high"
    assert "/860w-" in img["src"] and (img["width"], img["height"]) == ("860", "573")


def test_pages_render_images_without_touching_storage(client, illustrated):
    urls = [reverse("articles:home"), reverse("articles:article-list")]
    urls.append(illustrated[0].get_absolute_url())
    refuse = mock.Mock(side_effect=AssertionError("storage touched while rendering"))
    with (
        mock.patch.object(FileSystemStorage, "exists", refuse),
        mock.patch.object(FileSystemStorage, "open", refuse),
        mock.patch.object(FileSystemStorage, "size", refuse),
    ):
        for url in urls:
            assert client.get(url).status_code == 200


def test_image_query_count_does_not_grow_with_the_number_of_articles(client, make_article, place):
    def home_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("articles:home"))
            client.get(reverse("articles:article-list"))
        return len(ctx)

    first = with_featured(make_article, data=photo(size=(600, 400)), name="a.jpg")
    place(first, "carousel")
    few = home_queries()
    for n in range(6):
        article = with_featured(make_article, data=photo(size=(600, 400)), name=f"b{n}.jpg")
        place(article, "carousel", position=n + 1)
    assert home_queries() == few


# --- Body images ------------------------------------------------------------------------------


def test_body_image_in_media_gets_size_srcset_and_lazy_loading(make_article):
    name = default_storage.save("uploads/2025/01/body.jpg", ContentFile(photo(size=(1500, 1000))))
    article = make_article(
        body=f'<figure class="image"><img src="/media/{name}" alt="图"></figure>'
    )
    renditions.make_article_renditions(article)

    img = Images()
    img.feed(article.body)
    attrs = img.imgs[0]
    assert attrs["src"] == f"/media/{name}"
    assert (attrs["width"], attrs["height"]) == ("860", "573")
    assert attrs["loading"] == "lazy" and attrs["sizes"] == renditions.BODY_SIZES
    widths = [candidate.split()[1] for candidate in attrs["srcset"].split(", ")]
    assert widths == ["480w", "860w", "960w", "1500w"]
    assert all(".jpg " in candidate for candidate in attrs["srcset"].split(", "))
    for candidate in attrs["srcset"].split(", "):
        assert default_storage.exists(candidate.split()[0].removeprefix("/media/"))


def test_body_rewriting_is_idempotent(make_article):
    name = default_storage.save("uploads/2025/01/body.png", ContentFile(photo(fmt="PNG")))
    article = make_article(
        body=(
            f'<p>前</p><img src="/media/{name}" alt="a &gt; b &amp; &quot;c&quot;" class="wide">'
            '<img src="https://example.com/remote.jpg" alt="外链">'
        )
    )
    first = article.body

    article.save()
    article.refresh_from_db()
    article.save()

    assert article.body == first
    assert first.count('loading="lazy"') == 2
    assert 'alt="a &gt; b &amp; &quot;c&quot;"' in first


def test_remote_and_missing_images_only_get_lazy_loading(make_article):
    article = make_article(
        body=(
            '<img src="https://example.com/remote.jpg" alt="外链">'
            '<img src="/media/uploads/2025/01/gone.jpg" alt="缺失">'
        )
    )
    assert article.body == (
        '<img src="https://example.com/remote.jpg" alt="外链" loading="lazy">'
        '<img src="/media/uploads/2025/01/gone.jpg" alt="缺失" loading="lazy">'
    )


def test_body_gif_keeps_its_animation_and_gets_its_size(make_article, settings):
    name = default_storage.save(
        "uploads/2025/01/anim.gif", ContentFile(photo(size=(300, 200), fmt="GIF"))
    )
    article = make_article(body=f'<img src="/media/{name}" alt="动图">')

    assert (
        article.body
        == f'<img src="/media/{name}" alt="动图" width="300" height="200" loading="lazy">'
    )
    assert rendition_files(settings.MEDIA_ROOT) == []


def test_image_uploaded_in_the_editor_gets_renditions_when_the_article_is_saved(
    staff_client, make_article, settings
):
    upload = io.BytesIO(photo(size=(2400, 1600), orientation=6))
    upload.name = "phone.jpg"
    url = staff_client.post(reverse("articles:editor-upload"), {"upload": upload}).json()["url"]

    article = make_article(body=f'<figure class="image"><img src="{url}" alt="手机照片"></figure>')
    renditions.make_article_renditions(article)

    # clean_image stood the photo upright (1600 x 2400), so 1720 and 1920 collapse onto 1600.
    assert 'width="860" height="1290"' in article.body
    assert len(rendition_files(settings.MEDIA_ROOT)) == 4


def test_make_renditions_command_remakes_missing_renditions(make_article, settings):
    with_featured(make_article)
    made = rendition_files(settings.MEDIA_ROOT)
    for path in made:
        path.unlink()
    cache.clear()

    call_command("make_renditions", stdout=io.StringIO())

    assert rendition_files(settings.MEDIA_ROOT) == made


def test_saving_an_article_reads_image_sizes_but_makes_no_rendition(make_article, settings):
    name = default_storage.save("uploads/2025/01/body.jpg", ContentFile(photo(size=(1500, 1000))))
    article = make_article(body=f'<img src="/media/{name}" alt="图">')
    article.featured_image.save("photo.jpg", ContentFile(photo()), save=False)
    article.featured_image_alt = "示例图片"

    with mock.patch.object(ImageSpec, "generate") as generate:
        article.save()

    generate.assert_not_called()
    assert rendition_files(settings.MEDIA_ROOT) == []
    assert 'width="860" height="573"' in article.body  # the srcset is derived all the same


def test_the_admin_makes_the_renditions_when_an_editor_saves(admin_client, make_article, settings):
    name = default_storage.save("uploads/2025/01/body.jpg", ContentFile(photo(size=(1500, 1000))))
    article = make_article(body="<p>旧</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_form(admin_client, url)
    form["body"] = f'<p>新</p><img src="/media/{name}" alt="图">'

    assert admin_client.post(url, form).status_code == 302

    assert len(rendition_files(settings.MEDIA_ROOT)) == 4  # 480, 860, 960 and 1500 wide, JPEG
