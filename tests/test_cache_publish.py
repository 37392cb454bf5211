"""Publishing the newest article moves the generation (every list shows it) and the versions of
the few article pages that show it, not the site generation: every other article's cached page
stays (articles/pagecache/generation.py, lists_changed(); docs/ARCHITECTURE.md, "Dependency
keys"). A change that reaches other articles' pages still refreshes every page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section, Tag, Topic
from articles.pagecache.generation import generation, site_generation

from .admin_forms import publish_in_admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def site(reader, make_article):
    """Three published articles in one section sharing a tag, oldest first, each page cached,
    with the lists. -> (articles, list URLs)."""
    section = Section.objects.create(name="资讯", slug="news")
    Topic.objects.create(name="专题", slug="zhuan-ti")
    now = timezone.now()
    articles = [
        make_article(
            title=f"旧文章{n}",
            section=section,
            tags=["元宇宙"],
            published_at=now - timedelta(days=3 - n),
        )
        for n in range(3)
    ]
    lists = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        section.get_absolute_url(),
        reverse("articles:tag-detail", kwargs={"slug": "yuan-yu-zhou"}),
        reverse("articles:feed"),
        "/sitemap-articles.xml",
    ]
    for url in [*lists, *(a.get_absolute_url() for a in articles)]:
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit", url
    return articles, lists


def cached(reader, url):
    return reader.get(url)["X-Page-Cache"] == "hit"


def test_publishing_the_newest_article_keeps_the_older_pages(reader, site, make_article):
    articles, lists = site
    before, site_before = generation(), site_generation()

    new = make_article(title="最新快讯", section=articles[0].section, tags=["元宇宙"])
    new.published_at = timezone.now() - timedelta(seconds=1)
    new.save()

    assert generation() != before and site_generation() == site_before
    assert cached(reader, articles[0].get_absolute_url())
    assert cached(reader, articles[1].get_absolute_url())
    previous = reader.get(articles[2].get_absolute_url())  # its "next" link is the new one
    assert previous["X-Page-Cache"] == "miss"
    assert new.get_absolute_url() in previous.content.decode()
    for url in lists:
        response = reader.get(url)
        assert response["X-Page-Cache"] == "miss", url
        assert new.get_absolute_url() in response.content.decode(), url
        assert cached(reader, url), url  # rendered once, then served


def test_publishing_in_the_admin_with_tags_and_topics_keeps_the_older_pages(
    reader, staff_client, site
):
    articles, lists = site
    site_before = site_generation()

    response = publish_in_admin(
        staff_client, section=articles[0].section, topic=Topic.objects.get(), tag=Tag.objects.get()
    )

    assert response.status_code == 302
    new = Article.objects.get(slug="admin-news")
    assert new.is_visible and list(new.tags.all()) and list(new.topics.all())
    assert site_generation() == site_before
    assert cached(reader, articles[0].get_absolute_url())
    assert not cached(reader, articles[2].get_absolute_url())
    tag_page = reader.get(lists[3]).content.decode()
    assert "后台发布的快讯" in tag_page


def test_editing_the_newest_article_title_refreshes_the_previous_page(reader, site):
    articles, _ = site
    newest = articles[2]
    site_before = site_generation()

    newest.title = "改过标题的最新文章"
    newest.save()

    assert site_generation() == site_before
    assert cached(reader, articles[0].get_absolute_url())
    page = reader.get(articles[1].get_absolute_url()).content.decode()
    assert "改过标题的最新文章" in page  # its "next" link
    assert "改过标题的最新文章" in reader.get(reverse("articles:home")).content.decode()


@pytest.mark.parametrize("case", ["backdated", "first of its section", "related lists newer"])
def test_a_publish_other_pages_may_show_refreshes_every_page(
    reader, site, make_article, settings, case
):
    """An article published with an older date may enter newer articles' related lists; the
    first visible article of a section puts the section in every page's menu."""
    articles, _ = site
    fields = {
        "section": articles[0].section,
        "tags": ["元宇宙"],
        "published_at": timezone.now() - timedelta(minutes=1),
    }
    if case == "backdated":
        fields["published_at"] = articles[1].published_at - timedelta(hours=1)
    elif case == "first of its section":
        fields["section"] = Section.objects.create(name="新栏目", slug="new-section")
    else:
        settings.NEWSROOM = {**settings.NEWSROOM, "RELATED_INCLUDE_NEWER": True}
    site_before = site_generation()

    make_article(title="另一篇", **fields)

    assert site_generation() != site_before
    for article in articles:
        assert not cached(reader, article.get_absolute_url()), article.title


@pytest.mark.parametrize("how", ["unpublished", "deleted"])
def test_the_newest_article_gone_leaves_no_link_to_it(reader, site, how):
    articles, lists = site
    newest = articles[2]
    url = newest.get_absolute_url()

    if how == "deleted":
        newest.delete()
    else:
        newest.status = Article.Status.DRAFT
        newest.save()

    assert reader.get(url).status_code == 404
    assert url not in reader.get(articles[1].get_absolute_url()).content.decode()
    for list_url in lists:
        assert url not in reader.get(list_url).content.decode(), list_url


def test_a_new_translation_shows_on_the_original_page(reader, site, make_article):
    articles, _ = site
    original = articles[2]
    english = make_article(
        title="The newest in English",
        slug="newest-en",
        language="en",
        translation_group=original.translation_group,
    )

    page = reader.get(original.get_absolute_url()).content.decode()
    assert english.get_absolute_url() in page
