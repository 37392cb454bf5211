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
