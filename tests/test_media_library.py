"""The media library: every uploaded or imported image once per content, with its alt text,
caption, uploader and the articles using it; deleting one in use is refused; the article form
picks from it (articles/models/media.py, articles/admin/media_library.py, media_pick.py)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from articles.hugo.importer import import_site
from articles.media.storage import recording_writes
from articles.models import Article, MediaImage
from articles.models.media import register_stored

from .admin_forms import form_data
from .conftest import image_bytes
from .hugo_sites import page, write_site

pytestmark = pytest.mark.django_db

UPLOAD = "/editor/upload/"
CHANGELIST = "admin:articles_mediaimage_changelist"
PICKER = "admin:articles_mediaimage_picker"


def upload(client, data, name="photo.png"):
    response = client.post(UPLOAD, {"upload": SimpleUploadedFile(name, data, "image/png")})
    assert response.status_code == 200, response.content
    return response.json()["url"]


def files_under(folder):
    root = Path(default_storage.path(folder))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def library_image(data=None, *, name="uploads/2026/12/lib.png", **fields):
    stored = default_storage.save(name, ContentFile(data or image_bytes(color=(9, 9, 9))))
    image = register_stored(stored)
    if fields:
        MediaImage.objects.filter(pk=image.pk).update(**fields)
        image.refresh_from_db()
    return image


# --- Registration and same content stored once -----------------------------------------------


def test_an_editor_upload_is_registered_with_its_uploader_and_name(staff_client, staff_user):
    url = upload(staff_client, image_bytes(size=(120, 80)), name="发布会.png")

    image = MediaImage.objects.get()
    assert url == image.url == default_storage.url(image.file.name)
    assert (image.width, image.height) == (120, 80)
    assert image.uploaded_by == staff_user
    assert image.original_name == "发布会.png"
    assert image.size == default_storage.size(image.file.name)
    assert len(image.sha256) == 64


def test_the_same_content_uploaded_twice_is_stored_once(staff_client):
    data = image_bytes(size=(90, 60), color=(200, 10, 10))
    first = upload(staff_client, data, name="a.png")
    with recording_writes() as written:
        second = upload(staff_client, data, name="b.png")
    assert written == []  # found by its sha256 before anything was written
    other = upload(staff_client, image_bytes(size=(90, 60), color=(10, 200, 10)))

    assert second == first
    assert other != first
    assert MediaImage.objects.count() == 2
    assert len(files_under("uploads")) == 2


def test_two_uploads_of_the_same_bytes_at_once_keep_one_file(staff_client, monkeypatch):
    """The race: both miss the lookup, both write; the second to register gets the first's
    file and its own copy is deleted."""
    data = image_bytes(size=(90, 60), color=(7, 70, 7))
    first = upload(staff_client, data)
    monkeypatch.setattr(type(MediaImage.objects), "find", lambda self, sha256: None)

    second = upload(staff_client, data)

    assert second == first
    assert MediaImage.objects.count() == 1
    assert len(files_under("uploads")) == 1


def test_a_featured_image_uploaded_in_the_admin_is_registered_with_its_alt(
    staff_client, staff_user, make_article
):
    article = make_article(title="题图文章")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {
        "featured_image": SimpleUploadedFile("cover.png", image_bytes(size=(300, 200))),
        "featured_image_alt": "发布会现场",
        "featured_image_caption": "摄影：小王",
    }
    assert staff_client.post(url, data).status_code == 302

    article.refresh_from_db()
    image = MediaImage.objects.get()
    assert image.file.name == article.featured_image.name
    assert (image.alt, image.caption) == ("发布会现场", "摄影：小王")
    assert image.uploaded_by == staff_user
    assert image.original_name == "cover.png"


def test_a_featured_image_with_known_content_reuses_the_library_file(staff_client, make_article):
    data = image_bytes(size=(300, 200), color=(1, 2, 3))
    known = upload(staff_client, data)
    article = make_article(title="同一张图")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = form_data(staff_client, url, form_id="article_form")
    form |= {"featured_image": SimpleUploadedFile("again.png", data), "featured_image_alt": "图"}
    assert staff_client.post(url, form).status_code == 302

    article.refresh_from_db()
    assert article.featured_image.url == known
    assert files_under("articles") == []  # no second copy under the featured image's folder
    assert MediaImage.objects.count() == 1


def test_imported_images_are_registered_and_reuse_an_uploaded_copy(tmp_path, staff_client):
    shared = image_bytes(size=(200, 100), color=(5, 6, 7))
    uploaded = upload(staff_client, shared)
    site = write_site(
        tmp_path / "site",
        {
            "news/a/index.md": page("甲", featuredImage="cover.png"),
            "news/a/cover.png": image_bytes(size=(200, 100), color=(90, 1, 1)),
            "news/b/index.md": page("乙", featuredImage="same.png"),
            "news/b/same.png": shared,
        },
    )

    import_site(site_dir=site)

    a, b = Article.objects.get(title="甲"), Article.objects.get(title="乙")
    assert MediaImage.objects.filter(file=a.featured_image.name).exists()
    assert b.featured_image.url == uploaded  # the same bytes: the uploaded file, not a copy
    assert MediaImage.objects.count() == 2
    import_site(site_dir=site)  # again: nothing registered twice
    assert MediaImage.objects.count() == 2


def test_backfill_registers_featured_and_body_images_once(make_article):
    featured = default_storage.save("articles/2026/01/f.png", ContentFile(image_bytes()))
    body = default_storage.save("uploads/2026/01/b.png", ContentFile(image_bytes(color=(1, 1, 1))))
    make_article(
        featured_image=featured,
        featured_image_alt="题图说明文字",
        body=f'<p>x</p><img src="/media/{body}" alt="b"><img src="https://elsewhere.example/x.png">',
    )
    make_article(body='<img src="/media/uploads/missing.png" alt="">')

    call_command("backfill_media_library", stdout=open("/dev/null", "w"))
    call_command("backfill_media_library", stdout=open("/dev/null", "w"))

    assert sorted(MediaImage.objects.values_list("file", flat=True)) == sorted([featured, body])
    assert MediaImage.objects.get(file=featured).alt == "题图说明文字"


# --- Where used ------------------------------------------------------------------------------


def test_where_used_finds_featured_and_body_uses_only(make_article):
    image = library_image()
    other = library_image(image_bytes(color=(2, 2, 2)), name="uploads/2026/12/other.png")
    as_featured = make_article(title="题图用它", featured_image=image.file.name)
    in_body = make_article(title="正文用它", body=f'<p><img src="{image.url}" alt="x"></p>')
    make_article(title="用别的", body=f'<p><img src="{other.url}" alt="x"></p>')

    assert set(image.used_by()) == {as_featured, in_body}
    assert set(MediaImage.objects.with_use().filter(in_use=False)) == set()
    in_body.body = "<p>换掉了</p>"
    in_body.save()
    assert list(image.used_by()) == [as_featured]


def test_the_change_page_lists_the_articles_using_the_image(staff_client, make_article):
    image = library_image(alt="旧的替代文字")
    article = make_article(title="用这张图的文章", body=f'<img src="{image.url}" alt="">')
    url = reverse("admin:articles_mediaimage_change", args=[image.pk])

    page_html = staff_client.get(url).content.decode()

    assert reverse("admin:articles_article_change", args=[article.pk]) in page_html
    assert "用这张图的文章" in page_html
    data = form_data(staff_client, url, form_id="mediaimage_form")
    data |= {"alt": "新的替代文字", "caption": "新的说明"}
    assert staff_client.post(url, data).status_code == 302
    image.refresh_from_db()
    assert (image.alt, image.caption) == ("新的替代文字", "新的说明")


# --- Deleting --------------------------------------------------------------------------------


def test_deleting_an_image_in_use_is_refused_with_the_articles_named(staff_client, make_article):
    image = library_image()
    make_article(title="还在用它", featured_image=image.file.name)
    url = reverse("admin:articles_mediaimage_delete", args=[image.pk])

    response = staff_client.post(url, {"post": "yes"}, follow=True)

    change = reverse("admin:articles_mediaimage_change", args=[image.pk])
    assert response.redirect_chain == [(change, 302)]  # back to the image, with the reason
    assert MediaImage.objects.filter(pk=image.pk).exists()
    assert default_storage.exists(image.file.name)
    text = response.content.decode()
    assert "不能删除" in text and "还在用它" in text


def test_deleting_an_unused_image_removes_the_row_and_the_file(
    staff_client, django_capture_on_commit_callbacks
):
    image = library_image()
    url = reverse("admin:articles_mediaimage_delete", args=[image.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(url, {"post": "yes"}).status_code == 302

    assert not MediaImage.objects.exists()
    assert not default_storage.exists(image.file.name)


def test_the_delete_action_refuses_a_selection_with_an_image_in_use(staff_client, make_article):
    used = library_image()
    unused = library_image(image_bytes(color=(3, 3, 3)), name="uploads/2026/12/u.png")
    make_article(title="在用的文章", body=f'<img src="{used.url}" alt="">')
    changelist = reverse(CHANGELIST)

    response = staff_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [used.pk, unused.pk], "post": "yes"},
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "不能删除" in text and "在用的文章" in text and "什么都没有删除" in text
    assert MediaImage.objects.count() == 2
    staff_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [unused.pk], "post": "yes"}
    )
    assert list(MediaImage.objects.all()) == [used]


def test_the_admins_delete_methods_themselves_refuse_an_image_in_use(rf, staff_user, make_article):
    """Behind the pages' checks: whatever calls them, delete_model() and delete_queryset()
    never delete an image an article uses."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.core.exceptions import PermissionDenied

    used = library_image()
    library_image(image_bytes(color=(3, 3, 3)), name="uploads/2026/12/u.png")
    make_article(featured_image=used.file.name)
    model_admin = admin.site._registry[MediaImage]
    request = rf.post("/")
    request.user, request.session = staff_user, {}
    request._messages = FallbackStorage(request)

    with pytest.raises(PermissionDenied):
        model_admin.delete_model(request, used)
    model_admin.delete_queryset(request, MediaImage.objects.all())

    assert list(MediaImage.objects.all()) == [used]


# --- The changelist --------------------------------------------------------------------------


def names_listed(client, query=""):
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return {str(image) for image in response.context["cl"].result_list}


def test_the_changelist_searches_filters_and_shows_thumbnails(
    staff_client, staff_user, make_article, role_user
):
    writer = role_user("Writer")
    a = library_image(original_name="launch.png", alt="发布会", uploaded_by=staff_user)
    b = library_image(
        image_bytes(color=(4, 4, 4)),
        name="uploads/2026/12/b.png",
        original_name="map.png",
        caption="园区地图",
        uploaded_by=writer,
    )
    make_article(featured_image=a.file.name)

    assert names_listed(staff_client) == {"launch.png", "map.png"}
    assert names_listed(staff_client, "?q=发布会") == {"launch.png"}
    assert names_listed(staff_client, "?q=地图") == {"map.png"}
    assert names_listed(staff_client, "?q=launch") == {"launch.png"}
    assert names_listed(staff_client, "?use=used") == {"launch.png"}
    assert names_listed(staff_client, "?use=unused") == {"map.png"}
    assert names_listed(staff_client, f"?uploaded_by__id__exact={writer.pk}") == {"map.png"}
    year = b.created_at.year
    assert names_listed(staff_client, f"?created_at__year={year}") == {"launch.png", "map.png"}
    assert names_listed(staff_client, f"?created_at__year={year - 1}") == set()
    html = staff_client.get(reverse(CHANGELIST)).content.decode()
    assert f'class="media-thumb" src="{a.url}"' in html


# --- Reuse: the picker and the featured pick -------------------------------------------------


def test_the_picker_lists_and_searches_the_library(staff_client):
    a = library_image(original_name="launch.png", alt="发布会", caption="现场")
    library_image(image_bytes(color=(4, 4, 4)), name="uploads/2026/12/b.png", original_name="b")

    html = staff_client.get(reverse(PICKER) + "?_popup=1&target=featured&q=发布").content.decode()

    assert 'data-target="featured"' in html
    assert f'data-id="{a.pk}"' in html and f'data-url="{a.url}"' in html
    assert 'data-alt="发布会"' in html and 'data-caption="现场"' in html
    assert html.count('class="media-pick-item"') == 1


def test_the_article_form_offers_the_picker(staff_client, make_article):
    article = make_article()
    html = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    text = html.content.decode()
    assert 'name="library_image"' in text
    assert f'data-media-picker="{reverse(PICKER)}"' in text
    assert "js/media-picker.js" in text


def test_a_read_only_article_form_offers_no_picker(client, role_user, make_article):
    client.force_login(role_user("Writer"))
    article = make_article(title="别人的文章")  # not the writer's: read-only for them
    text = client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    assert b"field-library_image" not in text and b"data-media-picker" not in text


def test_picking_a_library_image_as_featured_sets_it_without_a_new_file(staff_client, make_article):
    image = library_image(alt="库里的替代文字", caption="库里的说明")
    article = make_article(title="选题图")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"library_image": str(image.pk), "featured_image_alt": ""}
    before = files_under("")

    assert staff_client.post(url, data).status_code == 302

    article.refresh_from_db()
    assert article.featured_image.name == image.file.name
    assert (article.featured_image_width, article.featured_image_height) == (64, 40)
    assert article.featured_image_alt == "库里的替代文字"
    assert article.featured_image_caption == "库里的说明"
    originals = [p for p in files_under("") if "renditions" not in p.parts]
    assert originals == [p for p in before if "renditions" not in p.parts]
    assert list(image.used_by()) == [article]


def test_a_picked_image_keeps_the_alt_the_editor_typed(staff_client, make_article):
    image = library_image(alt="库里的替代文字")
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"library_image": str(image.pk), "featured_image_alt": "编辑自己写的"}
    assert staff_client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.featured_image_alt == "编辑自己写的"


def test_a_picked_image_without_alt_text_still_asks_for_one(staff_client, make_article):
    image = library_image()
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data |= {"library_image": str(image.pk), "featured_image_alt": ""}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "必须填写替代文字" in text
    assert f'value="{image.pk}"' in text and f'data-chosen-url="{image.url}"' in text
    article.refresh_from_db()
    assert not article.featured_image


# --- Who may ---------------------------------------------------------------------------------


def test_readers_and_anonymous_get_no_library(client, django_user_model):
    image = library_image()
    urls = [reverse(CHANGELIST), reverse(PICKER), reverse(CHANGELIST) + f"{image.pk}/change/"]
    for url in urls:
        assert client.get(url).status_code == 302
    reader = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client.force_login(reader)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
    staff = django_user_model.objects.create_user("bare", password="pw-bare-1", is_staff=True)
    client.force_login(staff)  # staff, but in no role: no library permission
    for url in urls:
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["Writer", "Editor", "Moderator"])
def test_every_role_browses_and_picks(role, role_user, client):
    library_image()
    client.force_login(role_user(role))
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.get(reverse(PICKER) + "?_popup=1").status_code == 200
