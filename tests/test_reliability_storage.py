"""Media storage failing (disk full, read-only, a writer killed halfway, a file gone): the editor
gets an error that says what happened, nothing is saved half, no truncated or orphan file stays,
and what they wrote is still in the form."""

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.media import renditions
from articles.media.images import clean_image
from articles.media.storage import AtomicFileSystemStorage
from articles.models import Article, Author, ContentIssue

from .admin_forms import form_data
from .conftest import image_bytes
from .faults import Killed, faulty_disk, media_files

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def disk(monkeypatch):
    return faulty_disk(monkeypatch)


@pytest.fixture(autouse=True)
def _forget_rendition_state():
    cache.clear()  # imagekit remembers made renditions in the cache; each test has its own media
    yield
    cache.clear()


class FullDiskStorage(FileSystemStorage):
    """Reads work, every write fails the way a full or read-only disk does."""

    failure = errno.ENOSPC

    def _save(self, name, content):
        raise OSError(self.failure, errno.errorcode[self.failure], name)


class ReadOnlyStorage(FullDiskStorage):
    failure = errno.EROFS


@pytest.fixture(params=[FullDiskStorage, ReadOnlyStorage], ids=["disk-full", "read-only"])
def broken_storage(request, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{request.param.__name__}"},
    }
    yield request.param


def _upload():
    return SimpleUploadedFile("photo.png", image_bytes(size=(120, 80)), content_type="image/png")


def test_new_article_with_an_image_is_not_saved_and_the_text_stays(staff_client, broken_storage):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {
        "title": "磁盘满了也不能丢的标题",
        "description": "摘要还在",
        "body": "<p>编辑辛苦写下的正文。</p>",
        "featured_image": _upload(),
        "featured_image_alt": "配图",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 200
    text = response.content.decode()
    assert ("存储空间已满" if broken_storage is FullDiskStorage else "图片无法保存") in text
    assert (
        "磁盘满了也不能丢的标题" in text and "编辑辛苦写下的正文。" in text and "摘要还在" in text
    )
    assert not Article.objects.exists()


def test_editing_an_article_with_a_new_image_keeps_the_saved_version(
    staff_client, make_article, broken_storage
):
    article = make_article(title="原来的标题", body="<p>原来的正文</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {
        "title": "改过的标题",
        "body": "<p>改过的正文</p>",
        "featured_image": _upload(),
        "featured_image_alt": "配图",
    }

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "改过的正文" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "原来的标题" and article.body == "<p>原来的正文</p>"
    assert not article.featured_image


def test_avatar_on_a_broken_disk_gives_an_error_not_a_crash(staff_client, broken_storage):
    url = reverse("admin:articles_author_add")
    data = form_data(staff_client, url, form_id="author_form")
    data |= {"name": "林晓舟", "bio": "简介还在", "avatar": _upload()}

    response = staff_client.post(url, data)

    assert response.status_code == 200
    text = response.content.decode()
    assert ("存储空间已满" if broken_storage is FullDiskStorage else "图片无法保存") in text
    assert "简介还在" in text
    assert not Author.objects.exists()


def test_editor_image_upload_reports_the_storage_error(staff_client, broken_storage):
    response = staff_client.post("/editor/upload/", {"upload": _upload()})

    if broken_storage is FullDiskStorage:
        assert response.status_code == 507
        assert "存储空间已满" in response.json()["error"]["message"]
    else:
        assert response.status_code == 503
        assert "无法保存" in response.json()["error"]["message"]


def test_saving_without_a_new_image_still_works_on_a_broken_disk(
    staff_client, make_article, broken_storage
):
    article = make_article(title="只改文字")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"body": "<p>只改了文字，不碰图片</p>"}

    assert staff_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>只改了文字，不碰图片</p>"


# --- Atomic writes ----------------------------------------------------------------------------


def test_media_storage_is_the_atomic_one():
    assert isinstance(default_storage, AtomicFileSystemStorage)


def test_a_write_the_disk_cuts_short_leaves_no_file_behind(disk, settings):
    disk.fail(keep=1000)

    with pytest.raises(OSError) as failure:
        default_storage.save("uploads/photo.png", ContentFile(b"x" * 200_000))

    assert failure.value.errno == errno.ENOSPC
    assert media_files(settings.MEDIA_ROOT) == []  # neither the final name nor the partial file


def test_a_writer_killed_mid_write_leaves_no_file_under_the_final_name(disk, settings):
    disk.fail(keep=1000, error=Killed)

    with pytest.raises(Killed):
        default_storage.save("uploads/photo.png", ContentFile(b"x" * 200_000))

    assert not default_storage.exists("uploads/photo.png")
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_complete_write_gets_its_name_whole():
    data = os.urandom(300_000)

    name = default_storage.save("uploads/photo.png", ContentFile(data))

    assert name == "uploads/photo.png"
    assert default_storage.open(name).read() == data
    assert [p.name for p in Path(default_storage.path("uploads")).iterdir()] == ["photo.png"]


def test_a_taken_name_is_never_overwritten_even_when_taken_during_the_write(monkeypatch):
    first = default_storage.save("uploads/photo.png", ContentFile(b"first"))
    real_link = os.link

    def another_writer_wins(source, target):
        if target.endswith("racer.png") and not os.path.exists(target):
            Path(target).write_bytes(b"the other writer")
        return real_link(source, target)

    monkeypatch.setattr(os, "link", another_writer_wins)
    second = default_storage.save("uploads/photo.png", ContentFile(b"second"))
    racer = default_storage.save("uploads/racer.png", ContentFile(b"ours"))

    assert first == "uploads/photo.png" and second != first
    assert default_storage.open(first).read() == b"first"
    assert default_storage.open(second).read() == b"second"
    assert racer != "uploads/racer.png"
    assert default_storage.open("uploads/racer.png").read() == b"the other writer"
    assert default_storage.open(racer).read() == b"ours"


def test_files_get_the_same_permissions_as_with_djangos_storage(tmp_path, settings):
    ours = AtomicFileSystemStorage(location=tmp_path / "ours")
    djangos = FileSystemStorage(location=tmp_path / "django")
    settings.FILE_UPLOAD_PERMISSIONS = None

    for storage in (ours, djangos):
        storage.save("a/b/photo.png", ContentFile(b"data"))

    mode = {s: os.stat(s.path("a/b/photo.png")).st_mode for s in (ours, djangos)}
    folder = {s: os.stat(s.path("a")).st_mode for s in (ours, djangos)}
    assert mode[ours] == mode[djangos] and folder[ours] == folder[djangos]


def test_overwriting_storage_replaces_the_file_in_one_step(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path, allow_overwrite=True)
    storage.save("photo.png", ContentFile(b"old"))

    assert storage.save("photo.png", ContentFile(b"new")) == "photo.png"
    assert storage.open("photo.png").read() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png"]


SLOW_WRITER = r"""
import sys, time, django
django.setup()
from django.core.files.base import File
from django.core.files.storage import default_storage

class Slow(File):
    def chunks(self, chunk_size=None):
        yield b"x" * 65536
        print("writing", flush=True)
        time.sleep(60)
        yield b"y"

default_storage.save("uploads/big.png", Slow(None, name="big.png"))
"""


def test_a_sigkilled_writer_leaves_only_a_partial_file_that_the_next_sweep_removes(settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.test_settings",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()

    left = media_files(settings.MEDIA_ROOT)
    assert not default_storage.exists("uploads/big.png")
    assert len(left) == 1 and left[0].endswith(".part")
    assert default_storage.remove_partial_files("uploads") == 1
    assert media_files(settings.MEDIA_ROOT) == []


def test_the_sweep_keeps_partial_files_of_live_writers_and_removes_old_ones(settings):
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    folder.mkdir(parents=True)
    live = folder / f".{default_storage_host()}-{os.getpid()}-aaaaaa.part"
    foreign_old = folder / ".0000beef-1-bbbbbb.part"
    for path in (live, foreign_old):
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3700
    os.utime(foreign_old, (hour_ago, hour_ago))

    assert default_storage.remove_partial_files() == 1
    assert live.exists() and not foreign_old.exists()


def default_storage_host():
    from articles.media import storage

    return storage._HOST


# --- A full disk says so ----------------------------------------------------------------------


class _DiskFullRead(io.BytesIO):
    def read(self, *args):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_while_reading_an_upload_is_not_called_an_invalid_image():
    upload = File(_DiskFullRead(image_bytes()), name="photo.png")
    upload.size = 10

    with pytest.raises(OSError) as failure:
        clean_image(upload)

    assert not isinstance(failure.value, ValidationError)
    assert failure.value.errno == errno.ENOSPC


def test_editor_upload_on_a_full_disk_says_the_disk_is_full_and_leaves_nothing(
    staff_client, disk, settings
):
    disk.fail(keep=10)

    response = staff_client.post("/editor/upload/", {"upload": _upload()})

    assert response.status_code == 507
    message = response.json()["error"]["message"]
    assert "存储空间已满" in message and "不是" not in message
    assert media_files(settings.MEDIA_ROOT) == []


def test_an_english_editor_is_told_in_english_that_the_disk_is_full(staff_client, disk):
    url = reverse("admin:articles_author_add")
    data = form_data(staff_client, url, form_id="author_form")
    data |= {"name": "Lin", "bio": "bio kept", "avatar": _upload()}
    disk.fail(keep=10)

    response = staff_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    text = response.content.decode()
    assert "The server&#x27;s disk is full" in text and "bio kept" in text


def test_an_article_whose_renditions_fill_the_disk_leaves_no_file_and_keeps_the_text(
    staff_client, disk, settings
):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {
        "title": "磁盘写满时的文章",
        "body": "<p>正文还在。</p>",
        "featured_image": _upload(),
        "featured_image_alt": "配图",
    }
    disk.fail(file=2, keep=50)  # the image itself fits; its first rendition does not

    response = staff_client.post(url, data)

    assert response.status_code == 200
    text = response.content.decode()
    assert "存储空间已满" in text and "正文还在。" in text
    assert not Article.objects.exists()
    assert (
        media_files(settings.MEDIA_ROOT) == []
    )  # the stored image and every rendition were removed


def test_a_rendition_the_disk_cut_short_is_made_on_the_next_save(disk, settings):
    name = default_storage.save("articles/photo.jpg", ContentFile(image_bytes(fmt="JPEG")))
    disk.fail(file=1, keep=20)

    with pytest.raises(OSError):
        renditions.make_renditions(name)

    assert [f for f in media_files(settings.MEDIA_ROOT) if f.startswith("renditions/")] == []
    disk.heal()
    renditions.make_renditions(name)
    made = [f for f in media_files(settings.MEDIA_ROOT) if f.startswith("renditions/")]
    assert len(made) == 2  # WebP and JPEG at the source's width: imagekit tried again


# --- A featured image file missing from storage -----------------------------------------------


def article_with_lost_image(make_article):
    name = default_storage.save(
        "articles/2026/01/lost.png", ContentFile(image_bytes(size=(600, 400)))
    )
    article = make_article(title="题图丢了", featured_image=name, featured_image_alt="配图")
    renditions.make_article_renditions(article)
    default_storage.delete(name)
    return article, name


def test_saving_the_text_of_an_article_whose_image_file_is_gone_works(staff_client, make_article):
    article, name = article_with_lost_image(make_article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"body": "<p>文件没了，文字照样保存。</p>"}

    response = staff_client.post(url, data)

    assert response.status_code == 302
    article = Article.objects.get(pk=article.pk)  # refresh_from_db() would measure the file
    assert article.body == "<p>文件没了，文字照样保存。</p>"
    assert article.featured_image.name == name
    assert (article.featured_image_width, article.featured_image_height) == (600, 400)
    assert staff_client.get(article.get_absolute_url()).status_code == 200


def test_a_missing_image_file_becomes_one_content_issue_until_it_is_fixed(
    staff_client, make_article
):
    article, name = article_with_lost_image(make_article)
    url = reverse("admin:articles_article_change", args=[article.pk])

    for text in ("<p>第一次</p>", "<p>第二次</p>"):
        data = form_data(staff_client, url, form_id="article_form") | {"body": text}
        assert staff_client.post(url, data).status_code == 302

    issue = ContentIssue.objects.get(article=article)
    assert issue.kind == ContentIssue.Kind.MISSING_IMAGE
    assert name in issue.message and "题图文件" in issue.message

    data = form_data(staff_client, url, form_id="article_form")
    data |= {"featured_image": _upload(), "featured_image_alt": "新配图"}
    assert staff_client.post(url, data).status_code == 302
    assert not ContentIssue.objects.filter(article=article).exists()
