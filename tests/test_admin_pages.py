import pytest
from django.urls import reverse

from articles.models import Article, Placement, Slot

pytestmark = pytest.mark.django_db


def test_article_changelist_add_and_change_pages_load_for_staff(staff_client, make_article, place):
    article = make_article(authors=["Cindy"], tags=["元宇宙"], topics=["GameFi"])
    place(article, "carousel")

    for url in [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_changelist") + "?status__exact=published&slot=carousel",
        reverse("admin:articles_article_changelist") + "?q=正文",
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url


def test_changelist_shows_authors_and_placements(staff_client, make_article, place):
    article = make_article(title="列表里的文章", authors=["Cindy", "林晓舟"])
    place(article, "carousel")

    text = staff_client.get(reverse("admin:articles_article_changelist")).text

    assert "Cindy、林晓舟" in text
    assert Slot.objects.get(key="carousel").name in text


def test_body_uses_ckeditor5(staff_client):
    text = staff_client.get(reverse("admin:articles_article_add")).text

    assert "django_ckeditor_5" in text


def test_featured_image_requires_alt_text(staff_client, image_upload):
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "有题图没有替代文字",
            "status": "draft",
            "featured_image": image_upload(),
            "featured_image_alt": "",
            "lightbox": "on",
            "extra": "{}",
            "article_authors-TOTAL_FORMS": "0",
            "article_authors-INITIAL_FORMS": "0",
            "taggedarticle_set-TOTAL_FORMS": "0",
            "taggedarticle_set-INITIAL_FORMS": "0",
            "placements-TOTAL_FORMS": "0",
            "placements-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "替代文字" in response.text
    assert "有题图没有替代文字" in response.text  # the editor's text stays in the form
    assert not Article.objects.exists()


def test_bulk_publish_and_unpublish(staff_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")

    staff_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and draft.published_at

    staff_client.post(url, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_author_and_tag_autocomplete_answer(staff_client, make_article):
    make_article(authors=["Cindy"], tags=["元宇宙"])
    base = reverse("admin:autocomplete")

    authors = staff_client.get(
        base,
        {
            "term": "Cin",
            "app_label": "articles",
            "model_name": "articleauthor",
            "field_name": "author",
        },
    ).json()
    tags = staff_client.get(
        base,
        {
            "term": "元宇",
            "app_label": "articles",
            "model_name": "taggedarticle",
            "field_name": "tag",
        },
    ).json()

    assert [r["text"] for r in authors["results"]] == ["Cindy"]
    assert [r["text"] for r in tags["results"]] == ["元宇宙"]


def test_placement_admin_records_who_created_it(staff_client, staff_user, make_article):
    article = make_article()

    staff_client.post(
        reverse("admin:articles_placement_add"),
        {"slot": Slot.objects.get(key="carousel").pk, "article": article.pk, "position": 1},
    )

    assert Placement.objects.get().created_by == staff_user


def test_a_refused_form_with_a_cleared_slug_shows_its_errors_not_a_500(staff_client, make_article):
    """The preview link is the saved article's page, not the posted (empty) slug's."""
    from tests.admin_forms import admin_form

    article = make_article(title="有网址的文章")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_form(staff_client, url)
    form.update(slug="", title="")

    response = staff_client.post(url, form)

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert response.context["preview_url"] == article.get_absolute_url()
