"""Hugo body fidelity: links between pages reach the new URLs, remote images can be fetched
(safely) into media, and media survive import -> export -> import byte for byte."""

import http.server
import io
import re
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from articles.hugo import media
from articles.hugo.digest import state_digest
from articles.hugo.importer import import_site
from articles.hugo.remote import FetchError, fetch_image
from articles.media.images import MARKER, already_normalised, clean_image
from articles.models import Article, ContentIssue
from tests.hugo_sites import page, write_site
from tests.test_export_hugo import wipe

pytestmark = pytest.mark.django_db

LINKING = page(
    "甲",
    slug='"aaa"',
    body=(
        '[one](../bee/) [two](/posts/c/#part) [three]({{< ref "/posts/c.md" >}}) '
        '[four]({{< relref "../b/index.md#sec" >}}) [five](../../posts/c.md) '
        "[six](/news/missing/) [seven](https://example.org/x) [eight](#local) "
        "[nine](https://old.example/posts/c/) [ten](/news/中文/) [eleven](../%E4%B8%AD%E6%96%87/)"
    ),
)
SITE = {
    "news/a/index.md": LINKING,
    "news/b/index.md": page("乙", slug='"bee"'),
    "posts/c.md": page("丙", slug='"c"', body="[back](../../news/aaa/)"),
    "news/中文/index.md": page("丁"),  # old URL /news/中文/, new /articles/ding/
}
CONFIG = 'baseURL = "https://old.example/"\ndefaultContentLanguage = "zh-cn"\n'


def links(slug):
    body = Article.objects.get(slug=slug).body
    return {text: href for href, text in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', body)}


def warnings_about(report, word):
    return [w for w in report.warnings if word in w["message"]]


# -- links between pages --------------------------------------------------------------------


def test_links_between_pages_point_at_the_new_article_urls(tmp_path):
    report = import_site(site_dir=write_site(tmp_path / "site", SITE, config=CONFIG))
    assert not report.failed, report.failed

    found = links("aaa")
    assert found["one"] == "/articles/bee/"  # relative to the old permalink /news/aaa/
    assert found["two"] == "/articles/c/#part"
    assert found["three"] == "/articles/c/"  # {{< ref >}}
    assert found["four"] == "/articles/bee/#sec"  # {{< relref >}} with an anchor
    assert found["five"] == "/articles/c/"  # a link to the .md file
    assert found["nine"] == "/articles/c/"  # the old site's own baseURL
    assert found["six"] == "/news/missing/"  # not in the import: left as is ...
    assert found["seven"] == "https://example.org/x"
    assert found["eight"] == "#local"
    assert found["ten"] == found["eleven"] == "/articles/ding/"
    assert links("c")["back"] == "/articles/aaa/"
    missing = warnings_about(report, "not in the import")
    assert [(w["file"], w["message"][:23]) for w in missing] == [
        ("news/a/index.md", "link '/news/missing/' p")  # ... and reported
    ]
    assert not warnings_about(report, "unknown shortcode")


def test_rewriting_links_is_idempotent_and_keeps_the_import_digest(tmp_path):
    site = write_site(tmp_path / "site", SITE, config=CONFIG)
    import_site(site_dir=site)
    first = {a.slug: a.body for a in Article.objects.all()}
    for article in Article.objects.all():  # the stored digest is of the body as rewritten
        assert state_digest(article) == article.source_digest[32:]

    again = import_site(site_dir=site)
    assert sorted(again.unchanged) == sorted(SITE) and again.skipped == []
    assert {a.slug: a.body for a in Article.objects.all()} == first

    (site / "content/posts/c.md").write_text(
        page("丙", slug='"c"', body="[back](../../news/aaa/) [b](/news/bee/)"), encoding="utf-8"
    )
    third = import_site(site_dir=site)
    assert third.updated == ["posts/c.md"] and third.skipped == []
    assert links("c") == {"back": "/articles/aaa/", "b": "/articles/bee/"}
    assert {a.slug: a.body for a in Article.objects.exclude(slug="c")} == {
        slug: body for slug, body in first.items() if slug != "c"
    }


def test_a_link_to_a_page_that_comes_in_later_is_rewritten_then(tmp_path):
    files = {**SITE, "news/b/index.md": "---\ndraft: true\n---\nno title"}
    site = write_site(tmp_path / "site", files, config=CONFIG)
    first = import_site(site_dir=site)
    assert first.failed and links("aaa")["one"] == "../bee/"
    assert warnings_about(first, "'../bee/' points at a page that is not in the import")

    (site / "content/news/b/index.md").write_text(SITE["news/b/index.md"], encoding="utf-8")
    second = import_site(site_dir=site)
    assert "news/a/index.md" in second.unchanged
    assert links("aaa")["one"] == "/articles/bee/"
    article = Article.objects.get(slug="aaa")
    assert state_digest(article) == article.source_digest[32:]  # still "as the import left it"


def test_links_in_an_article_an_editor_changed_are_left_alone(tmp_path):
    files = {**SITE, "news/b/index.md": "---\ndraft: true\n---\nno title"}
    site = write_site(tmp_path / "site", files, config=CONFIG)
    import_site(site_dir=site)
    article = Article.objects.get(slug="aaa")
    article.description = "编辑改过"
    article.save()

    (site / "content/news/b/index.md").write_text(SITE["news/b/index.md"], encoding="utf-8")
    report = import_site(site_dir=site)
    assert links("aaa")["one"] == "../bee/"
    assert warnings_about(report, "changed in the admin")


def test_a_dry_run_rewrites_nothing(tmp_path):
    report = import_site(site_dir=write_site(tmp_path / "site", SITE), dry_run=True)
    assert not report.failed and not Article.objects.exists()


# -- remote images ----------------------------------------------------------------------------


def jpeg(size=(120, 80), color=(200, 30, 30), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", **save)
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):  # noqa: N802 - the http.server API
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        if callable(body):
            body = body()
        self.send_response(status)
        for key, value in headers.items():
            if value is not None:
                self.send_header(key, value)
        if "Content-Length" not in headers:  # None: no length, the body ends when it closes
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server: server.routes[path] = (status, headers, body); server.url(path)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.routes = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.routes = _Handler.routes
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_server_allowed(settings):
    settings.HUGO_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]


def test_remote_images_are_downloaded_verified_and_stored(tmp_path, server, local_server_allowed):
    photo = jpeg()
    server.routes["/p.jpg"] = (200, {"Content-Type": "image/jpeg"}, photo)
    server.routes["/cover.jpg"] = (200, {"Content-Type": "image/jpeg"}, jpeg(color=(0, 90, 0)))
    site = write_site(
        tmp_path / "site",
        {
            "news/a/index.md": page(
                "甲",
                slug='"aaa"',
                featuredImage=f'"{server.url("/cover.jpg")}"',
                body=f"![远程]({server.url('/p.jpg')})\n\n![again]({server.url('/p.jpg')})",
            )
        },
    )
    report = import_site(site_dir=site, download_remote_images=True)
    assert not report.failed and not warnings_about(report, "remote")

    article = Article.objects.get(slug="aaa")
    assert "127.0.0.1" not in article.body
    assert article.body.count('src="/media/articles/hugo/') == 2
    assert article.featured_image.name.startswith("articles/hugo/")
    assert not ContentIssue.objects.filter(article=article).exists()
    stored = default_storage.open(article.featured_image.name).read()
    assert already_normalised(stored, "JPEG")  # re-encoded like an upload


@pytest.mark.parametrize(
    ("route", "why"),
    [
        ((200, {"Content-Type": "text/html"}, b"<script>x</script>"), "not an image"),
        ((200, {"Content-Type": "image/png"}, b"<?php system(1); ?>"), "unreadable"),
        ((404, {}, b""), "answered 404"),
        ((302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""), "private or local"),
        ((302, {"Location": "http://192.168.1.1/x.jpg"}, b""), "private or local"),
        ((200, {"Content-Type": "image/jpeg"}, b"x" * 60_000), "too large"),
    ],
    ids=[
        "html",
        "not-pillow",
        "404",
        "redirect-metadata",
        "redirect-lan",
        "too-large",
    ],
)
def test_each_remote_image_failure_is_a_warning_naming_the_url_and_why(
    tmp_path, server, local_server_allowed, settings, route, why
):
    settings.UPLOAD_MAX_BYTES = 50_000
    server.routes["/x.jpg"] = route
    url = server.url("/x.jpg")
    site = write_site(tmp_path / "site", {"a.md": page("甲", slug='"aaa"', body=f"![]({url})")})
    report = import_site(site_dir=site, download_remote_images=True)
    (warning,) = [w for w in report.warnings if url in w["message"]]
    assert why in warning["message"], warning
    article = Article.objects.get(slug="aaa")
    assert f'src="{url}"' in article.body  # left pointing at its server
    issue = ContentIssue.objects.get(article=article)
    assert issue.kind in (ContentIssue.Kind.REMOTE_IMAGE, ContentIssue.Kind.UNREADABLE_IMAGE)


def test_private_addresses_are_refused_unless_the_setting_allows_them(server, settings):
    server.routes["/p.jpg"] = (200, {"Content-Type": "image/jpeg"}, jpeg())
    settings.HUGO_FETCH_ALLOWED_ADDRESSES = []
    with pytest.raises(FetchError, match="private or local address"):
        fetch_image(server.url("/p.jpg"))
    for url in ["http://10.0.0.1/x.jpg", "http://[::1]/x.jpg", "http://169.254.169.254/"]:
        with pytest.raises(FetchError, match="private or local address"):
            fetch_image(url)
    with pytest.raises(FetchError, match="not an http"):
        fetch_image("file:///etc/passwd")
    settings.HUGO_FETCH_ALLOWED_ADDRESSES = ["127.0.0.1"]
    assert fetch_image(server.url("/p.jpg")) == jpeg()


def test_a_body_without_a_length_is_cut_at_the_cap(server, local_server_allowed):
    headers = {"Content-Type": "image/jpeg", "Content-Length": None}
    server.routes["/big.jpg"] = (200, headers, b"x" * 300_000)
    with pytest.raises(FetchError, match="too large"):
        fetch_image(server.url("/big.jpg"), max_bytes=100_000)
    assert len(fetch_image(server.url("/big.jpg"), max_bytes=400_000)) == 300_000


def test_a_slow_server_times_out(server, local_server_allowed):
    def slow():
        time.sleep(1.5)
        return jpeg()

    server.routes["/slow.jpg"] = (200, {"Content-Type": "image/jpeg"}, slow)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch_image(server.url("/slow.jpg"), timeout=0.5)
    assert time.monotonic() - started < 1.4


def test_without_the_option_the_report_says_readers_will_not_see_them(tmp_path, monkeypatch):
    monkeypatch.setattr(media, "fetch_image", lambda url: pytest.fail("downloaded"))
    body = "![](https://img.example.com/a.jpg) ![](//cdn.example.net/b.png)"
    site = write_site(tmp_path / "site", {"a.md": page("甲", body=body)})
    report = import_site(site_dir=site)
    per_image = warnings_about(report, "left on its server")
    assert len(per_image) == 2
    assert "readers will not see it" in per_image[0]["message"]
    (summary,) = warnings_about(report, "Remote images:")
    assert "2 remote image(s)" in summary["message"]
    assert summary["message"].endswith("cdn.example.net, img.example.com")


def test_hosts_the_csp_already_allows_are_not_listed(tmp_path, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"], "img-src": ["'self'", "https://img.example.com"]}
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    site = write_site(
        tmp_path / "site", {"a.md": page("甲", body="![](https://img.example.com/a.jpg)")}
    )
    report = import_site(site_dir=site)
    assert not warnings_about(report, "Remote images:")
    assert not warnings_about(report, "readers will not see it")


def test_the_command_has_the_option(tmp_path, server, local_server_allowed, capsys):
    server.routes["/p.jpg"] = (200, {"Content-Type": "image/jpeg"}, jpeg())
    url = server.url("/p.jpg")
    site = write_site(tmp_path / "site", {"a.md": page("甲", slug='"aaa"', body=f"![]({url})")})
    call_command("import_hugo", str(site), "--jobs", "1", "--download-remote-images")
    assert "/media/articles/hugo/" in Article.objects.get(slug="aaa").body


# -- byte-identical media -----------------------------------------------------------------------


def test_import_export_import_gives_byte_identical_media(tmp_path, settings):
    original = jpeg(size=(300, 200), quality=95)
    site = write_site(
        tmp_path / "site",
        {
            "news/a/index.md": page(
                "甲",
                slug='"aaa"',
                featuredImage="cover.jpg",
                body="![图](inline.jpg)\n\n![动图](pic.webp)",
            ),
            "news/a/cover.jpg": original,
            "news/a/inline.jpg": jpeg(color=(10, 10, 200)),
            "news/a/pic.webp": _webp(),
        },
    )
    assert not import_site(site_dir=site).failed
    article = Article.objects.get(slug="aaa")
    first_cover = default_storage.open(article.featured_image.name).read()
    first_inline = _body_media(article)
    assert len(first_inline) == 2
    assert first_cover != original  # a foreign JPEG is normalised once, on the way in

    call_command("export_hugo", str(tmp_path / "out"))
    wipe()
    settings.MEDIA_ROOT = tmp_path / "fresh-media"  # a new installation: nothing to reuse
    assert not import_site(site_dir=tmp_path / "out").failed
    article = Article.objects.get(slug="aaa")
    assert default_storage.open(article.featured_image.name).read() == first_cover
    assert _body_media(article) == first_inline


def _webp():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 160, 90)).save(buffer, "WEBP", quality=95)
    return buffer.getvalue()


def _body_media(article):
    names = re.findall(r'src="/media/([^"]+)"', article.body)
    return [default_storage.open(name).read() for name in names]


def test_a_copied_marker_does_not_let_metadata_or_payloads_through():
    clean = clean_image(ContentFile(jpeg(), name="a.jpg")).read()
    assert already_normalised(clean, "JPEG")
    forged = [
        clean + b"<?php system($_GET[1]); ?>",  # appended after the end
        jpeg(comment=MARKER + b"<script>"),  # a comment that is not exactly the marker
        _with_exif(clean),  # EXIF (a location) inside an otherwise clean file
    ]
    for data in forged:
        assert not already_normalised(data, "JPEG")
        again = clean_image(ContentFile(data, name="x.jpg")).read()
        assert b"<?php" not in again and b"<script>" not in again and b"SpyCam" not in again


def _with_exif(data):
    tags = Image.Exif()
    tags[0x010F] = "SpyCam"  # camera make
    exif = b"Exif\x00\x00" + tags.tobytes()
    segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    return data[:2] + segment + data[2:]


def test_a_normalised_png_gif_and_webp_pass_through_too():
    for fmt, mode in (("PNG", "RGBA"), ("GIF", "P"), ("WEBP", "RGBA"), ("WEBP", "RGB")):
        buffer = io.BytesIO()
        Image.new(mode, (40, 30)).save(buffer, fmt)
        once = clean_image(ContentFile(buffer.getvalue(), name=f"x.{fmt}")).read()
        assert clean_image(ContentFile(once, name=f"x.{fmt}")).read() == once
        assert not already_normalised(once + b"x", fmt)


def test_a_webp_with_other_chunks_or_bytes_after_its_end_is_reencoded():
    tags = Image.Exif()
    tags[0x010F] = "SpyCam"  # camera make
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "WEBP", exif=tags)
    foreign = buffer.getvalue()
    once = clean_image(ContentFile(foreign, name="x.webp")).read()
    assert once != foreign and b"SpyCam" not in once and already_normalised(once, "WEBP")
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "WEBP", xmp=MARKER + b"<script>")
    assert not already_normalised(buffer.getvalue(), "WEBP")  # a marker that is not exact
    assert not already_normalised(once[:-2], "WEBP")  # cut short: the RIFF size is wrong
    grown = bytearray(once + b"<?php?>")
    grown[4:8] = (len(grown) - 8).to_bytes(4, "little")  # a chunk-less tail, size adjusted
    assert not already_normalised(bytes(grown), "WEBP")


def test_the_reencoding_paragraph_is_in_the_docs():
    text = (Path(__file__).resolve().parents[1] / "docs" / "HUGO.md").read_text()
    assert "## Links, videos and remote images" in text
    assert "re-encoded once" in text
