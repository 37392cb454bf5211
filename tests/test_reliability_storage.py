"""Media storage failing (disk full, read-only): the editor gets an error, nothing is saved half,
and what they wrote is still in the form."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article, Author

from .admin_forms import form_data
from .conftest import image_bytes

pytestmark = pytest.mark.django_db


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
    assert "图片无法保存" in text
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
    assert "图片无法保存" in response.content.decode()
    assert "简介还在" in response.content.decode()
    assert not Author.objects.exists()


def test_editor_image_upload_reports_the_storage_error(staff_client, broken_storage):
    response = staff_client.post("/editor/upload/", {"upload": _upload()})

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
