"""A change to the newest article refreshes the pages of its own tags, topics and authors, not
every term's (articles/pagecache/terms.py; docs/ARCHITECTURE.md, "Dependency keys"). What
cannot be told (a record gone, a cleared relation, a change other pages show) refreshes every
term's page, as before."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Section, Tag, Topic
from articles.pagecache.generation import generation

from .admin_forms import publish_in_admin

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def site(reader, make_article):
    """Three published articles, oldest first, with their own tags, topics and authors; every
    term's page cached. -> (articles, {name: URL})."""
    section = Section.objects.create(name="资讯", slug="news")
    now = timezone.now()
    owned = [("甲", "专题一", "作者一"), ("乙", "专题二", "作者二"), ("丙", "专题三", "作者三")]
    articles = [
        make_article(
            title=f"旧文章{n}",
            section=section,
            tags=[tag],
            topics=[topic],
            authors=[author],
            published_at=now - timedelta(days=3 - n),
        )
        for n, (tag, topic, author) in enumerate(owned)
    ]
    pages = {
        **{t.name: t.get_absolute_url() for t in Tag.objects.all()},
        **{t.name: t.get_absolute_url() for t in Topic.objects.all()},
        **{a.name: a.get_absolute_url() for a in Author.objects.all()},
        "section": section.get_absolute_url(),
    }
    for url in pages.values():
        reader.get(url)
        assert cached(reader, url), url
    return articles, pages


def cached(reader, url):
    return reader.get(url)["X-Page-Cache"] == "hit"


def shows(reader, url, title):
    response = reader.get(url)
    assert response["X-Page-Cache"] == "miss", url  # rendered afresh
    return title in response.content.decode()


def publish(make_article, site, **relations):
    articles, _ = site
    return make_article(
        title="最新快讯",
        section=articles[0].section,
        published_at=timezone.now() - timedelta(seconds=1),
        **relations,
    )


def test_a_publish_refreshes_its_own_terms_pages_only(reader, site, make_article):
    _, pages = site
    publish(make_article, site, tags=["甲"], topics=["专题二"], authors=["作者三"])

    for own in ("甲", "专题二", "作者三", "section"):
        assert shows(reader, pages[own], "最新快讯"), own
    for other in ("乙", "丙", "专题一", "专题三", "作者一", "作者二"):
        assert cached(reader, pages[other]), other
        assert "最新快讯" not in reader.get(pages[other]).content.decode()


def test_a_publish_in_the_admin_refreshes_the_tag_and_topic_it_was_given(
    reader, staff_client, site
):
    articles, pages = site
    response = publish_in_admin(
        staff_client,
        section=articles[0].section,
        topic=Topic.objects.get(name="专题一"),
        tag=Tag.objects.get(name="乙"),
    )
    assert response.status_code == 302

    assert shows(reader, pages["乙"], "后台发布的快讯")
    assert shows(reader, pages["专题一"], "后台发布的快讯")
    for other in ("甲", "丙", "专题二", "专题三", "作者一"):
        assert cached(reader, pages[other]), other


def test_the_newest_article_losing_a_tag_and_gaining_one_refreshes_both(reader, site):
    articles, pages = site
    newest = articles[2]

    newest.tags.remove(Tag.objects.get(name="丙"))
    newest.tags.add("乙")

    assert not shows(reader, pages["丙"], newest.title)
    assert shows(reader, pages["乙"], newest.title)
    assert cached(reader, pages["甲"]) and cached(reader, pages["专题一"])


def test_a_new_byline_refreshes_that_authors_page(reader, site):
    articles, pages = site
    ArticleAuthor.objects.create(
        article=articles[2], author=Author.objects.get(name="作者一"), position=1
    )

    assert shows(reader, pages["作者一"], articles[2].title)
    assert cached(reader, pages["作者二"])


def test_clearing_the_newest_articles_topics_refreshes_every_terms_page(reader, site):
    """A clear does not say which topics it took away."""
    articles, pages = site
    articles[2].topics.clear()

    assert not shows(reader, pages["专题三"], articles[2].title)
    assert not cached(reader, pages["甲"])


def test_a_lost_record_refreshes_every_terms_page(reader, site, make_article):
    _, pages = site
    before = generation()
    publish(make_article, site, tags=["甲"])
    cache.delete_many([f"newsroom:lists-changed:{g}" for g in range(before, generation() + 1)])

    assert not cached(reader, pages["乙"])
    assert not cached(reader, pages["专题一"])


def test_a_change_other_pages_show_refreshes_every_terms_page(reader, site):
    """An older article's title is on its neighbours' pages and in related lists."""
    articles, pages = site
    Article.objects.get(pk=articles[0].pk).save()  # nothing changed: nothing refreshed
    assert cached(reader, pages["乙"])

    oldest = Article.objects.get(pk=articles[0].pk)
    oldest.title = "改过标题的旧文章"
    oldest.save()

    assert not cached(reader, pages["乙"])
    assert shows(reader, pages["甲"], "改过标题的旧文章")


def test_a_tag_row_moved_to_another_tag_refreshes_both(reader, site):
    articles, pages = site
    row = articles[2].taggedarticle_set.get()
    row.tag = Tag.objects.get(name="甲")
    row.save()

    assert not shows(reader, pages["丙"], articles[2].title)
    assert shows(reader, pages["甲"], articles[2].title)
    assert cached(reader, pages["乙"])
