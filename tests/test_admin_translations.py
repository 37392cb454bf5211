"""The admin's side of translations: the changelist's language column, filter and count, the
change form's "翻译" panel, the add form opened as a translation, and the language checks."""

import uuid

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.editorial import revisions
from articles.models import Article, Section, Topic
from tests.conftest import image_bytes

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")
EN = str(dict(settings.LANGUAGES)["en"])  # as the Chinese admin names it


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def translate_url(article, language="en"):
    return f"{ADD}?translation_of={article.pk}&language={language}&section={article.section_id}"


def _field_data(form, prefix=""):
    data = {}
    for name in form.fields:
        value = form[name].value()
        key = f"{prefix}{name}"
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)
    return data


def posted_form(response, **changes):
    """What a browser would post back from the add or change form the response shows."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_field_data(formset.management_form, f"{formset.prefix}-"))
        for form in formset.forms:
            data.update(_field_data(form, f"{form.prefix}-"))
    data.update(changes)
    return data


@pytest.fixture
def original(make_article, section):
    topic = Topic.objects.create(name="元宇宙", slug="metaverse")
    article = make_article(
        title="上海赛道领先",
        body="<p>中文正文。</p>",
        description="中文摘要",
        authors=["林晓舟", "Cindy"],
        tags=["赛车"],
        topics=[topic],
        section=section,
        featured_image_alt="赛车",
    )
    article.featured_image.save("car.png", ContentFile(image_bytes()), save=True)
    return article


@pytest.fixture
def english(make_article, original):
    return make_article(
        title="Shanghai leads the race",
        language="en",
        translation_group=original.translation_group,
    )


# The changelist ---------------------------------------------------------------------------


def test_changelist_shows_language_and_translation_count(staff_client, original, english):
    text = staff_client.get(CHANGELIST).text

    assert "语言" in text
    assert EN in text
    assert 'class="translation-count" title="另有 1 个语言版本">+1<' in text


def test_changelist_filters_by_language(staff_client, original, english):
    response = staff_client.get(CHANGELIST + "?language__exact=en")

    assert "语言" in [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert list(response.context["cl"].result_list) == [english]


def test_changelist_query_count_does_not_grow_with_translations(staff_client, make_article):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(CHANGELIST).status_code == 200
        return len(queries)

    first = make_article()
    make_article(language="en", translation_group=first.translation_group, authors=["甲"])
    few = count_queries()
    for _ in range(5):
        article = make_article(authors=["乙", "丙"])
        make_article(language="en", translation_group=article.translation_group)
    assert count_queries() == few


# The change form's panel ------------------------------------------------------------------


def test_panel_lists_other_versions_with_links(staff_client, original, english):
    text = staff_client.get(change_url(original)).text

    assert "translations-panel" in text
    assert "Shanghai leads the race" in text
    assert change_url(english) in text
    # English is taken, so there is nothing left to add.
    assert f"添加{EN}翻译" not in text


def test_panel_links_readers_only_to_a_version_they_can_see(staff_client, original, english):
    text = staff_client.get(change_url(english)).text

    assert original.get_absolute_url() in text  # published, in the site's language
    assert "读者页面" in text
    text = staff_client.get(change_url(original)).text
    # The English version is published: its page is in English, under /en/.
    assert english.get_absolute_url().startswith("/en/")
    assert f'href="{english.get_absolute_url()}" target="_blank" rel="noopener">读者页面' in text
    english.status = Article.Status.DRAFT
    english.save()
    assert english.get_absolute_url() not in staff_client.get(change_url(original)).text


def test_panel_offers_each_missing_language(staff_client, original):
    text = staff_client.get(change_url(original)).text

    assert "这篇文章还没有其他语言版本" in text
    assert f"添加{EN}翻译" in text
    assert f"translation_of={original.pk}&amp;language=en" in text


# The add form opened as a translation -----------------------------------------------------


def test_add_translation_form_is_prefilled(staff_client, original):
    response = staff_client.get(translate_url(original))

    form = response.context["adminform"].form
    assert form["title"].value() == "上海赛道领先"
    assert form["body"].value() == "<p>中文正文。</p>"
    assert form["language"].value() == "en"
    assert form["status"].value() == "draft"
    assert form["section"].value() == original.section_id
    assert form["join_translation_group"].value() == str(original.translation_group)
    inlines = {i.formset.prefix: i.formset for i in response.context["inline_admin_formsets"]}
    assert [f["author"].value() for f in inlines["article_authors"].forms][:2] == [
        link.author_id for link in original.article_authors.all()
    ]
    assert f"正在把《上海赛道领先》翻译成{EN}" in response.text


def test_saving_a_translation_joins_the_group_as_a_draft(staff_client, original):
    form = staff_client.get(translate_url(original))
    data = posted_form(form, title="Shanghai leads", body="<p>English body.</p>")

    response = staff_client.post(translate_url(original), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="Shanghai leads")
    assert article.translation_group == original.translation_group
    assert article.language == "en"
    assert article.status == Article.Status.DRAFT
    assert article.section == original.section
    assert list(article.topics.all()) == list(original.topics.all())
    assert [a.name for a in article.byline] == ["林晓舟", "Cindy"]
    assert list(article.tags.names()) == ["赛车"]
    assert article.featured_image.name == original.featured_image.name
    assert (article.featured_image_width, article.featured_image_height) == (64, 40)
    assert [a.pk for a in original.translations()] == [article.pk]


def test_a_tampered_group_is_refused(staff_client, original):
    data = posted_form(
        staff_client.get(translate_url(original)),
        title="Forged",
        join_translation_group=str(uuid.uuid4()),
    )

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert "要翻译的原文不存在" in response.text
    assert not Article.objects.filter(title="Forged").exists()


def test_a_group_that_is_not_a_uuid_is_refused(staff_client, original):
    data = posted_form(
        staff_client.get(translate_url(original)), title="Forged", join_translation_group="x'--"
    )

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert "要翻译的原文不存在" in response.text


def test_a_language_the_group_has_is_refused_with_the_text_kept(staff_client, original):
    data = posted_form(
        staff_client.get(translate_url(original)),
        title="我的第二个中文版本",
        body="<p>我写的字还在。</p>",
        language="zh-hans",
    )

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert "这篇文章已经有简体中文版本：《上海赛道领先》" in response.text
    assert "我写的字还在" in response.text
    assert Article.objects.count() == 1


def test_a_tampered_language_is_refused(staff_client, original):
    data = posted_form(staff_client.get(translate_url(original)), language="fr")

    response = staff_client.post(ADD, data)

    assert response.status_code == 200
    assert Article.objects.count() == 1


def test_opening_the_add_form_for_a_taken_language_prefills_nothing(
    staff_client, original, english
):
    form = staff_client.get(translate_url(original)).context["adminform"].form

    assert not form["join_translation_group"].value()
    assert form["title"].value() in (None, "")


# The language on the change form ----------------------------------------------------------


def test_changing_to_a_language_the_group_has_is_a_form_error(staff_client, original, english):
    data = posted_form(staff_client.get(change_url(english)), language="zh-hans", title="Kept")

    response = staff_client.post(change_url(english), data)

    assert response.status_code == 200
    assert "这篇文章已经有简体中文版本" in response.text
    assert 'value="Kept"' in response.text
    english.refresh_from_db()
    assert english.language == "en"


def test_changing_to_a_free_language_saves_and_is_recorded(staff_client, original):
    data = posted_form(staff_client.get(change_url(original)), language="en")

    response = staff_client.post(change_url(original), data)

    assert response.status_code == 302
    original.refresh_from_db()
    assert original.language == "en"
    newest = revisions.versions_of(original).first()
    assert newest.field_dict["language"] == "en"
    assert "语言" in newest.revision.comment


def test_a_restore_keeps_the_current_language(staff_user, original):
    revisions.record(article=original, by=staff_user)
    old = revisions.versions_of(original).first()
    original.language = "en"
    original.save()

    revisions.restore(article=original, version=old, by=staff_user)

    original.refresh_from_db()
    assert original.language == "en"


# Roles ------------------------------------------------------------------------------------


def test_writer_adds_a_translation_they_own(client, role_user, original):
    writer = role_user("Writer")
    client.force_login(writer)

    page = client.get(change_url(original))
    assert f"添加{EN}翻译" in page.text
    form = client.get(translate_url(original))
    response = client.post(translate_url(original), posted_form(form, title="Writer's"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="Writer's")
    assert article.created_by == writer
    assert article.status == Article.Status.DRAFT
    assert article.translation_group == original.translation_group
    # ... and edits it as their own draft, while the original stays out of reach.
    assert client.get(change_url(article)).context["has_change_permission"]
    assert not client.get(change_url(original)).context["has_change_permission"]


def test_writer_cannot_publish_a_translation_on_save(client, role_user, original):
    client.force_login(role_user("Writer"))
    form = client.get(translate_url(original))

    response = client.post(
        translate_url(original), posted_form(form, title="Crafted", status="published")
    )

    assert response.status_code == 200
    assert not Article.objects.filter(title="Crafted").exists()


def test_editor_adds_a_translation_and_sees_the_panel(client, role_user, original):
    client.force_login(role_user("Editor"))

    assert f"添加{EN}翻译" in client.get(change_url(original)).text
    form = client.get(translate_url(original))
    response = client.post(translate_url(original), posted_form(form, title="Editor's"))

    assert response.status_code == 302
    assert Article.objects.get(title="Editor's").language == "en"


def test_a_new_article_without_a_group_gets_its_own(staff_client, section):
    form = staff_client.get(ADD)
    response = staff_client.post(
        ADD, posted_form(form, title="独立文章", body="<p>正文</p>", section=str(section.pk))
    )

    assert response.status_code == 302
    article = Article.objects.get(title="独立文章")
    assert article.language == "zh-hans"
    assert not Article.objects.exclude(pk=article.pk).filter(
        translation_group=article.translation_group
    )
    assert Section.objects.count() == 1


# Side by side ------------------------------------------------------------------------------


def compare_url(article, other):
    return reverse("admin:articles_article_translation_compare", args=[article.pk, other.pk])


def test_two_versions_side_by_side_field_by_field(staff_client, original, english):
    english.description = "English summary"
    english.body = "<p>English body.</p>"
    english.save()
    assert compare_url(original, english) in staff_client.get(change_url(original)).text

    response = staff_client.get(compare_url(original, english))

    assert response.status_code == 200
    rows = {str(label): (left, right) for label, left, right in response.context["rows"]}
    assert rows["标题"] == ("上海赛道领先", "Shanghai leads the race")
    assert rows["摘要"] == ("中文摘要", "English summary")
    text = response.text
    # Each body as readers see it, in a column marked with its language, original first.
    assert text.index("<p>中文正文。</p>") < text.index("<p>English body.</p>")
    assert '<td lang="en"><div class="translation-body"><p>English body.</p>' in text
    assert change_url(english) in text


def test_only_versions_of_one_article_are_compared(staff_client, original, english, make_article):
    stranger = make_article(title="别的文章")
    assert staff_client.get(compare_url(original, stranger)).status_code == 404
    assert staff_client.get(compare_url(original, original)).status_code == 404
    missing = reverse("admin:articles_article_translation_compare", args=[original.pk, 999999])
    assert staff_client.get(missing).status_code == 404


def test_side_by_side_needs_permission_to_see_both(client, django_user_model, original, english):
    nobody = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    assert client.get(compare_url(original, english)).status_code == 403
