import re

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article, Section, Tag
from articles.text.slugs import clean_slug, pinyin_slug, validate_slug_script

pytestmark = pytest.mark.django_db


def test_chinese_title_gets_a_pinyin_slug():
    assert (
        pinyin_slug("上海在元宇宙赛道率先起跑")
        == "shang-hai-zai-yuan-yu-zhou-sai-dao-lv-xian-qi-pao"
    )


def test_long_title_is_cut_at_a_clause_break():
    slug = pinyin_slug("上海在元宇宙赛道率先起跑，“张江元宇宙创新发展联盟”启动")

    assert slug == "shang-hai-zai-yuan-yu-zhou-sai-dao-lv-xian-qi-pao"


def test_slug_without_clause_breaks_is_cut_at_a_word_boundary():
    slug = pinyin_slug("一" * 100)

    assert len(slug) <= 80
    assert not slug.endswith("-") and slug.split("-")[-1] == "yi"


@pytest.mark.parametrize("title", ["!!!", "   ", "——", ""])
def test_slug_is_never_empty(title):
    assert pinyin_slug(title)


def test_article_slug_collisions_get_a_suffix():
    first = Article.objects.create(title="元宇宙周报")
    second = Article.objects.create(title="元宇宙周报")
    third = Article.objects.create(title="元宇宙周报")

    assert [first.slug, second.slug, third.slug] == [
        "yuan-yu-zhou-zhou-bao",
        "yuan-yu-zhou-zhou-bao-2",
        "yuan-yu-zhou-zhou-bao-3",
    ]


def test_an_editor_given_slug_is_kept():
    assert Article.objects.create(title="标题", slug="my-own-slug").slug == "my-own-slug"


def test_chinese_tags_get_unique_working_slugs(make_article, client):
    article = make_article(tags=["元宇宙", "元宇宙导航", "Web3.0"])

    slugs = dict(Tag.objects.values_list("name", "slug"))
    assert slugs == {
        "元宇宙": "yuan-yu-zhou",
        "元宇宙导航": "yuan-yu-zhou-dao-hang",
        "Web3.0": "web30",
    }
    for tag in article.tags.all():
        assert client.get(tag.get_absolute_url()).status_code == 200


def test_tags_whose_pinyin_collides_get_distinct_slugs():
    first = Tag.objects.create(name="公式")
    second = Tag.objects.create(name="公事")

    assert first.slug == "gong-shi"
    assert second.slug != first.slug and second.slug.startswith("gong-shi")


def test_cjk_slug_in_url_resolves(client, make_article):
    section = Section.objects.create(name="新闻", slug="新闻")
    make_article(title="中文网址", section=section)

    response = client.get("/sections/新闻/")

    assert response.status_code == 200
    assert "中文网址" in response.text


# Editors' slugs: no look-alikes


@pytest.mark.parametrize(
    "slug",
    [
        "раураl",  # Cyrillic р, а, у beside Latin l: looks like "paypal"
        "gооgle",  # Cyrillic о
        "αpple",  # Greek alpha
        "ѕhang-hai",  # Cyrillic dze
    ],
)
def test_slugs_mixing_alphabets_are_refused(slug):
    with pytest.raises(ValidationError) as refused:
        validate_slug_script(slug)
    assert refused.value.code == "slug_mixed_scripts"
    with pytest.raises(ValidationError):
        clean_slug(slug)


@pytest.mark.parametrize(
    "slug",
    [
        "shang-hai-zai-yuan-yu-zhou",
        "新闻",
        "元宇宙-web3",
        "web3-0",
        "москва",
        "αθήνα",
        "東京-とうきょう",
        "2024-nian",
    ],
)
def test_pinyin_chinese_and_single_alphabet_slugs_pass(slug):
    validate_slug_script(slug)
    assert clean_slug(slug) == slug


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("ｎｅｗｓ", "news"), ("ｗｅｂ３", "web3"), ("news①", "news1"), ("ﬁle", "file")],
)
def test_compatibility_characters_are_normalised_or_refused(typed, normal):
    assert clean_slug(typed) == normal
    with pytest.raises(ValidationError) as refused:
        validate_slug_script(typed)
    assert refused.value.code == "slug_not_normalised"


def test_fullwidth_look_alike_mixing_is_refused_after_normalising():
    with pytest.raises(ValidationError):
        clean_slug("ｐаураl")


def test_admin_refuses_a_look_alike_slug_and_keeps_the_text(admin_client, make_article):
    from django.urls import reverse

    from tests.admin_forms import admin_form

    article = make_article(title="原标题")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_form(admin_client, url)
    form["slug"] = "раураl"  # Cyrillic а and р among Latin letters
    form["body"] = "<p>编辑刚写的正文</p>"

    response = admin_client.post(url, form)

    assert response.status_code == 200  # the form again, with the error
    assert "混用了不同字母表" in response.text and "编辑刚写的正文" in response.text
    article.refresh_from_db()
    assert article.slug != "раураl"


@pytest.mark.parametrize("model", ["section", "topic", "tag"])
def test_taxonomy_admin_refuses_a_look_alike_slug(admin_client, model):
    from django.urls import reverse

    response = admin_client.post(
        reverse(f"admin:articles_{model}_add"), {"name": "支付", "slug": "раураl"}
    )

    assert response.status_code == 200 and "混用了不同字母表" in response.text


# Tags the way Chinese editors type them: a name is enough, in every place a tag is made.

TAG_ADD = "/admin/articles/tag/add/"


def test_tag_add_form_needs_only_a_chinese_name(admin_client):
    form = admin_client.get(TAG_ADD).text
    assert 'name="slug"' in form and not re.search(r'<input[^>]*name="slug"[^>]*required', form)

    response = admin_client.post(TAG_ADD, {"name": "区块链", "slug": ""})

    assert response.status_code == 302
    assert Tag.objects.get(name="区块链").slug == "qu-kuai-lian"


def test_tag_popup_beside_the_tag_field_needs_only_a_chinese_name(admin_client):
    url = f"{TAG_ADD}?_to_field=id&_popup=1"

    response = admin_client.post(url, {"name": "数字藏品", "_popup": "1", "_to_field": "id"})

    tag = Tag.objects.get(name="数字藏品")
    assert tag.slug == "shu-zi-cang-pin"
    assert response.status_code == 200  # the popup's answer to the article form
    assert f"&quot;value&quot;: &quot;{tag.pk}&quot;" in response.text


def test_tags_added_in_the_admin_whose_pinyin_collides_get_distinct_slugs(admin_client):
    admin_client.post(TAG_ADD, {"name": "公式"})
    admin_client.post(TAG_ADD, {"name": "公事"})

    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["gong-shi", "gong-shi-1"]


def test_clearing_a_tags_slug_in_the_admin_makes_it_anew(admin_client):
    tag = Tag.objects.create(name="元宇宙", slug="old")
    url = f"/admin/articles/tag/{tag.pk}/change/"

    assert admin_client.post(url, {"name": "元宇宙", "slug": ""}).status_code == 302

    tag.refresh_from_db()
    assert tag.slug == "yuan-yu-zhou"


def article_form_with_tags(client, *tags):
    from tests.admin_forms import admin_form

    data = admin_form(client, "/admin/articles/article/add/")
    data.update({"title": "新标签的文章", "body": "<p>正文</p>", "status": "draft"})
    data["taggedarticle_set-TOTAL_FORMS"] = str(len(tags))
    for n, tag in enumerate(tags):
        data[f"taggedarticle_set-{n}-tag"] = str(tag)
    return data


def test_a_new_chinese_tag_typed_in_the_article_form_gets_its_pinyin_slug(admin_client):
    existing = Tag.objects.create(name="Web3")
    form = admin_client.get("/admin/articles/article/add/").text
    assert re.search(r'<select[^>]*name="taggedarticle_set-0-tag"[^>]*data-tags="true"', form)

    data = article_form_with_tags(admin_client, "区块链", existing.pk)
    response = admin_client.post("/admin/articles/article/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="新标签的文章")
    assert sorted(article.tags.values_list("name", "slug")) == [
        ("Web3", existing.slug),
        ("区块链", "qu-kuai-lian"),
    ]


def test_a_typed_name_of_an_existing_tag_is_that_tag(admin_client):
    existing = Tag.objects.create(name="元宇宙")

    data = article_form_with_tags(admin_client, "元宇宙")
    assert admin_client.post("/admin/articles/article/add/", data).status_code == 302

    assert list(Article.objects.get().tags.all()) == [existing]
    assert Tag.objects.count() == 1


def test_an_article_form_sent_back_keeps_the_typed_tag_and_makes_none(admin_client):
    data = article_form_with_tags(admin_client, "区块链", "区块链")

    response = admin_client.post("/admin/articles/article/add/", data)

    assert response.status_code == 200  # the same new tag twice: the form again
    assert "同一个新标签只能添加一次" in response.text
    assert '<option value="区块链" selected>区块链</option>' in response.text
    assert not Tag.objects.exists() and not Article.objects.exists()


def test_only_who_may_add_tags_can_type_a_new_one(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username="w", password="pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_article", "change_article", "view_article", "view_tag"]
            + ["add_taggedarticle", "change_taggedarticle", "view_taggedarticle"]
        )
    )
    client.force_login(user)
    assert 'data-tags="true"' not in client.get("/admin/articles/article/add/").text

    data = article_form_with_tags(client, "区块链")
    response = client.post("/admin/articles/article/add/", data)

    assert response.status_code == 200
    assert not Tag.objects.exists() and not Article.objects.exists()
