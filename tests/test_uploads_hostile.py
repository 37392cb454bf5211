"""Crafted malicious files against every upload: the editor endpoint, featured images, avatars.

Every image is opened, verified and re-encoded by Pillow, so what is stored is pixels we wrote,
under a name we chose; anything else is refused.
"""

import io
import os
import zlib
from struct import pack

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from articles.models import Article, Author

from .admin_forms import form_data

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.domain)</script>"
PHP = b"<?php system($_GET['cmd']); ?>"
GPS = {1: "N", 2: (31.0, 13.0, 30.0), 3: "E", 4: (121.0, 28.0, 12.0)}
UPLOAD_URL = "/editor/upload/"


def picture(fmt="JPEG", *, size=(40, 30), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 140, 90)).save(buffer, fmt, **save)
    return buffer.getvalue()


def with_gps():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x8825] = GPS
    exif[0x0112] = 6  # rotate 90°: checks orientation is applied before EXIF is dropped
    return picture("JPEG", size=(40, 30), exif=exif.tobytes())


def png_bomb(width, height):
    """A tiny PNG that claims width×height pixels (a decompression bomb)."""

    def chunk(kind, body):
        return pack(">I", len(body)) + kind + body + pack(">I", zlib.crc32(kind + body))

    header = pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(2)</script><rect width='10' height='10'/></svg>"
)
HTML_AS_JPEG = b"<html><body><script>alert(1)</script></body></html>"
GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.cookie);/*" + b"\x00" * 16


def _png_with_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", (SCRIPT + PHP).decode())
    return picture("PNG", pnginfo=info)


def stored_files():
    root = default_storage.location
    found = []
    for folder, _dirs, files in os.walk(root):
        found += [os.path.join(folder, name) for name in files]
    return found


@pytest.fixture
def upload(staff_client):
    def post(content, name="photo.jpg", content_type="image/jpeg"):
        return staff_client.post(
            UPLOAD_URL, {"upload": SimpleUploadedFile(name, content, content_type=content_type)}
        )

    return post


# -- files that must be refused ------------------------------------------------------------

REFUSED = {
    "svg-with-script": (SVG, "logo.svg", "image/svg+xml"),
    "svg-named-png": (SVG, "logo.png", "image/png"),
    "html-named-jpeg": (HTML_AS_JPEG, "photo.jpg", "image/jpeg"),
    "gif-header-then-javascript": (GIF_JS, "anim.gif", "image/gif"),
    "php-named-jpeg": (PHP, "shell.php.jpg", "image/jpeg"),
    "truncated-jpeg": (picture("JPEG")[:200], "cut.jpg", "image/jpeg"),
    "empty-file": (b"", "empty.png", "image/png"),
    "pdf": (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF", "doc.jpg", "image/jpeg"),
    "bmp-not-allowed": (picture("BMP"), "photo.bmp", "image/bmp"),
    "tiff-not-allowed": (picture("TIFF"), "photo.tif", "image/tiff"),
    "decompression-bomb-400-megapixels": (png_bomb(20000, 20000), "bomb.png", "image/png"),
    "decompression-bomb-4-gigapixels": (png_bomb(65000, 65000), "bomb2.png", "image/png"),
    "over-the-pixel-cap": (png_bomb(8000, 6000), "big.png", "image/png"),
}


@pytest.mark.parametrize("content,name,content_type", REFUSED.values(), ids=REFUSED.keys())
def test_editor_upload_refuses_what_is_not_a_plain_image(upload, content, name, content_type):
    response = upload(content, name, content_type)

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert stored_files() == []


def test_editor_upload_refuses_files_over_the_byte_cap(upload, settings):
    settings.UPLOAD_MAX_BYTES = 50_000
    response = upload(picture("PNG") + b"\x00" * 60_000, "big.png", "image/png")
    assert response.status_code == 400
    assert "太大" in response.json()["error"]["message"]
    assert stored_files() == []


# -- files that are accepted, but only as re-encoded pixels --------------------------------

POLYGLOTS = {
    "jpeg-with-php-appended": (picture("JPEG") + PHP, "photo.jpg"),
    "jpeg-with-html-appended": (picture("JPEG") + SCRIPT, "photo.jpg"),
    "jpeg-with-script-in-comment": (picture("JPEG", comment=SCRIPT + PHP), "photo.jpg"),
    "gif-with-script-in-comment": (picture("GIF", comment=SCRIPT + PHP), "anim.gif"),
    "gif-with-javascript-appended": (picture("GIF") + b";" + SCRIPT, "anim.gif"),
    "png-with-script-in-text-chunk": (_png_with_text(), "pic.png"),
    "png-with-php-appended": (picture("PNG") + PHP, "pic.png"),
    "webp-with-script-appended": (picture("WEBP") + SCRIPT, "pic.webp"),
}


@pytest.mark.parametrize("content,name", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_polyglot_payloads_do_not_survive_reencoding(upload, content, name):
    assert SCRIPT in content or PHP in content

    response = upload(content, name, "image/jpeg")

    assert response.status_code == 200, response.content
    (path,) = stored_files()
    stored = open(path, "rb").read()
    for needle in (b"<script", b"<?php", b"alert(", b"system("):
        assert needle not in stored
    Image.open(io.BytesIO(stored)).verify()


def test_gps_location_and_camera_exif_are_stripped_and_orientation_applied(upload):
    source = with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)

    response = upload(source, "IMG_0001.jpg")

    (path,) = stored_files()
    with Image.open(path) as stored:
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info
        assert stored.size == (30, 40)  # rotated upright, then EXIF dropped
    assert b"SpyCam" not in open(path, "rb").read()
    assert response.json()["url"].endswith(".jpg")


@pytest.mark.parametrize(
    "hostile_name",
    [
        "../../../newsroom/settings.py",
        "..\\..\\evil.jpg",
        "shell.php",
        "index.html",
        "photo.jpg\x00.php",
        "\u202egpj.exe",
        "a" * 300 + ".jpg",
    ],
)
def test_the_stored_file_name_is_ours_never_the_uploaders(upload, hostile_name):
    response = upload(picture("PNG"), hostile_name, "text/html")

    assert response.status_code == 200
    url = response.json()["url"]
    stored_name = url.rsplit("/", 1)[1]
    assert len(stored_name) == 32 + 4 and stored_name.endswith(".png")
    (path,) = stored_files()
    assert path.startswith(str(default_storage.location))
    assert "/uploads/" in path


def test_package_upload_url_also_reencodes_and_renames(staff_client):
    """django-ckeditor-5's own URL must not be a way round the checks."""
    response = staff_client.post(
        "/ckeditor5/image_upload/",
        {"upload": SimpleUploadedFile("x.html", picture("GIF") + SCRIPT, "text/html")},
    )
    assert response.status_code == 200
    (path,) = stored_files()
    assert path.endswith(".gif") and SCRIPT not in open(path, "rb").read()
    assert (
        staff_client.post(
            "/ckeditor5/image_upload/",
            {"upload": SimpleUploadedFile("x.svg", SVG, "image/svg+xml")},
        ).status_code
        == 400
    )


@pytest.mark.parametrize("url", [UPLOAD_URL, "/ckeditor5/image_upload/"])
def test_only_signed_in_staff_may_upload(client, django_user_model, url):
    def attempt():
        return client.post(url, {"upload": SimpleUploadedFile("p.png", picture("PNG"))})

    # 403, not a redirect to the login page: that would name a hidden ADMIN_URL.
    refused = {403}
    assert attempt().status_code in refused  # anonymous
    reader = django_user_model.objects.create_user(username="reader", password="x")
    client.force_login(reader)
    assert attempt().status_code in refused  # signed in but not staff
    assert client.get(url).status_code in {302, 403, 405}
    assert stored_files() == []


# -- the same checks through the admin forms (featured image, avatar) ----------------------


def test_featured_image_svg_is_refused_and_the_text_stays_in_the_form(staff_client):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"title": "恶意题图测试", "body": "<p>正文还在</p>", "featured_image_alt": "图"}
    data["featured_image"] = SimpleUploadedFile("x.svg", SVG, content_type="image/svg+xml")

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert not Article.objects.exists()
    assert "恶意题图测试" in response.text and "正文还在" in response.text
    assert stored_files() == []


def test_featured_image_polyglot_is_stored_reencoded_without_gps(staff_client):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"title": "题图", "featured_image_alt": "图"}
    source = with_gps() + PHP
    data["featured_image"] = SimpleUploadedFile(
        "../../x.php.jpg", source, content_type="image/jpeg"
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.text[:3000]
    article = Article.objects.get()
    name = article.featured_image.name
    assert ".php" not in name and ".." not in name
    stored = article.featured_image.read()
    assert PHP not in stored and b"SpyCam" not in stored
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}


@pytest.mark.parametrize(
    "content,name",
    [(SVG, "me.svg"), (png_bomb(20000, 20000), "me.png"), (HTML_AS_JPEG, "me.jpg")],
    ids=["svg", "bomb", "html"],
)
def test_avatar_refuses_hostile_files(staff_client, content, name):
    url = reverse("admin:articles_author_add")
    data = form_data(staff_client, url, form_id="author_form")
    data |= {"name": "黑客", "avatar": SimpleUploadedFile(name, content, content_type="image/png")}

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert not Author.objects.exists()
    assert stored_files() == []


def test_avatar_is_reencoded_without_exif(staff_client):
    url = reverse("admin:articles_author_add")
    data = form_data(staff_client, url, form_id="author_form")
    data |= {"name": "林晓舟", "avatar": SimpleUploadedFile("me.jpg", with_gps() + SCRIPT)}

    assert staff_client.post(url, data).status_code == 302
    stored = Author.objects.get().avatar.read()
    assert SCRIPT not in stored and b"SpyCam" not in stored


# -- sizes the WebP renditions cannot take: a form error, not a 500 at save ---------------

OVERSIZED = {
    "wider-than-webp": ((16384, 8), "16383"),
    "taller-than-webp": ((8, 16384), "16383"),
    "a-sliver": ((16000, 1), "100"),
}


@pytest.mark.parametrize("size,limit", OVERSIZED.values(), ids=OVERSIZED.keys())
def test_featured_image_webp_cannot_take_is_a_form_error(staff_client, size, limit):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"title": "超宽题图", "featured_image_alt": "图"}
    data["featured_image"] = SimpleUploadedFile("wide.png", picture("PNG", size=size))
    staff_client.raise_request_exception = False

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert limit in response.text and "超宽题图" in response.text
    assert not Article.objects.exists()
    assert stored_files() == []


def test_the_largest_side_webp_takes_is_accepted_with_its_renditions(staff_client):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"title": "最宽题图", "featured_image_alt": "图"}
    data["featured_image"] = SimpleUploadedFile("wide.png", picture("PNG", size=(16383, 200)))

    assert staff_client.post(url, data).status_code == 302
    assert any(path.endswith(".webp") for path in stored_files())


def test_editor_upload_refuses_an_image_webp_cannot_take(upload):
    response = upload(picture("PNG", size=(16384, 8)), "wide.png", "image/png")

    assert response.status_code == 400
    assert "16383" in response.json()["error"]["message"]
    assert stored_files() == []
