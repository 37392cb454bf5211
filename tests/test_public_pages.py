"""Every public page renders with the seed article's data (the real Hugo article)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from articles.models import Article, Section

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SEED_TITLE = "上海在元宇宙赛道率先起跑，“张江元宇宙创新发展联盟”启动"
SEED_TAGS = ["元宇宙导航", "Web3.0", "元宇宙创业", "斗极元宇宙", "元宇宙发展", "元宇宙项目"]


@pytest.fixture
def seed_article(make_article, place, image_upload):
    article = make_article(
        title=SEED_TITLE,
        description="“元宇宙”这一概念被提出后，瞬间爆红科技产业。",
        body="<h1>上海在元宇宙赛道率先起跑</h1><p>上海在元宇宙赛道率先起跑。昨天，2022上海元宇宙峰会在上海浦东软件园举办。</p>",
        published_at=datetime(2022, 7, 28, 21, 38, 40, tzinfo=SHANGHAI),
        updated_at=datetime(2022, 7, 28, 10, 20, 40, tzinfo=SHANGHAI),
        section=Section.objects.create(name="news", slug="news"),
        authors=["Cindy"],
        tags=SEED_TAGS,
        topics=["元宇宙"],
        lightbox=True,
        featured_image=image_upload("8d9f-8ffc6dfa5cb9.jpg", fmt="JPEG"),
        featured_image_alt="峰会现场",
    )
    place(article, "carousel")
    place(article, "showcase")
    return article


def test_home_shows_the_seed_in_carousel_showcase_and_latest(client, seed_article):
    response = client.get(reverse("articles:home"))

    assert response.status_code == 200
    assert response.context["carousel"] == [seed_article]
    assert response.context["showcase"] == [seed_article]
    assert SEED_TITLE in response.text


def test_article_page_shows_everything_a_reader_needs(client, seed_article):
    response = client.get(seed_article.get_absolute_url())
    text = response.text

    assert response.status_code == 200
    assert SEED_TITLE in text
    assert 'href="/authors/cindy/"' in text
    assert "2022-07-28 21:38" in text
    assert seed_article.featured_image.url in text
    assert "2022上海元宇宙峰会" in text
    assert 'href="/sections/news/"' in text
    assert f'href="{reverse("articles:topic-detail", kwargs={"slug": "yuan-yu-zhou"})}"' in text
    for tag in SEED_TAGS:
        assert f"#{tag}" in text


@pytest.mark.parametrize(
    "url",
    [
        "/articles/",
        "/tags/web30/",
        "/tags/yuan-yu-zhou-dao-hang/",
        "/sections/news/",
        "/topics/yuan-yu-zhou/",
        "/authors/cindy/",
    ],
)
def test_listing_pages_render_the_seed(client, seed_article, url):
    response = client.get(url)

    assert response.status_code == 200
    assert SEED_TITLE in response.text


def test_previous_and_next_link_neighbours(client, make_article, seed_article):
    newer = make_article(title="更新的一篇")

    text = client.get(seed_article.get_absolute_url()).text

    assert f'rel="next" href="{newer.get_absolute_url()}"' in text


def test_unknown_pages_are_404_in_the_site_look(client, db):
    for url in [
        "/articles/nope/",
        "/tags/nope/",
        "/sections/nope/",
        "/topics/nope/",
        "/authors/nope/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
    assert "回到首页" in client.get("/articles/nope/").text


def test_site_renders_with_no_remote_assets(client, seed_article):
    text = client.get(seed_article.get_absolute_url()).text

    assert "fonts.googleapis" not in text
    # The canonical and hreflang links are absolute by their definition, and on this site.
    head = re.sub(
        r'<link rel="(canonical|alternate)"[^>]* href="http://testserver/[^"]*">',
        "",
        text.split("<body")[0],
    )
    assert 'src="http' not in text and 'href="http' not in head


def test_seed_article_is_not_visible_once_unpublished(client, seed_article):
    seed_article.status = Article.Status.DRAFT
    seed_article.save()

    assert client.get(seed_article.get_absolute_url()).status_code == 404
    assert SEED_TITLE not in client.get("/").text
