import pytest

from articles.models import Article, Section, Tag
from articles.text.slugs import pinyin_slug

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
