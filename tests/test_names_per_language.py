"""Sections and topics carry their names in other languages (the Hugo import fills them from
`_index.<lang>.md`); readers of that language see them in the menu, cards, kicker and headings."""

import pytest

from articles.models import Article, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(make_article):
    section = Section.objects.create(
        name="资讯类别", slug="news", translations={"en": {"name": "Metaverse News"}}
    )
    article = make_article(title="一篇文章", section=section)
    return section, article


@pytest.mark.parametrize(
    ("prefix", "shown", "hidden"),
    [("/en", "Metaverse News", "资讯类别"), ("", "资讯类别", "Metaverse News")],
)
def test_a_reader_sees_the_section_in_their_language(client, news, prefix, shown, hidden):
    section, article = news
    english = make_english(article)
    pages = ["/", section.get_absolute_url(), "/articles/"]
    for url in [prefix + page for page in pages] + [
        (english if prefix else article).get_absolute_url()
    ]:
        page = client.get(url).text
        assert shown in page, url
        assert hidden not in page, url


def make_english(article):
    return Article.objects.create(
        title="An article",
        language="en",
        section=article.section,
        status=Article.Status.PUBLISHED,
        published_at=article.published_at,
        translation_group=article.translation_group,
    )


def test_a_language_without_a_name_falls_back_to_the_rows_own(client, make_article):
    section = Section.objects.create(name="游戏类", slug="games")
    make_article(title="游戏文章", section=section)
    assert "游戏类" in client.get("/en" + section.get_absolute_url()).text
