"""Sections and topics carry their names in other languages (the Hugo import fills them from
`_index.<lang>.md`); readers of that language see them in the menu, cards, kicker and headings."""

import pytest

from articles.models import Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def news(make_article):
    section = Section.objects.create(
        name="资讯类别", slug="news", translations={"en": {"name": "Metaverse News"}}
    )
    article = make_article(title="一篇文章", section=section)
    return section, article


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("en", "Metaverse News", "资讯类别"), ("zh-hans", "资讯类别", "Metaverse News")],
)
def test_a_reader_sees_the_section_in_their_language(client, news, language, shown, hidden):
    section, article = news
    for url in ("/", section.get_absolute_url(), article.get_absolute_url(), "/articles/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).text
        assert shown in page, url
        assert hidden not in page, url


def test_a_language_without_a_name_falls_back_to_the_rows_own(client, make_article):
    section = Section.objects.create(name="游戏类", slug="games")
    make_article(title="游戏文章", section=section)
    assert "游戏类" in client.get(section.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").text
