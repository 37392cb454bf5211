"""Reading-order pages built from index-friendly queries keep in_reading_order()'s order."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article, ArticleAuthor, Author, Section, Tag, Topic
from articles.reading import pagination
from tests.reading_order import in_reading_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(make_article, place):
    now = timezone.now()
    for n in range(25):
        make_article(
            title=f"文章{n}",
            weight=(n % 4) if n % 5 == 0 else None,
            published_at=now - timedelta(hours=n + 1),
        )
    place(Article.objects.get(title="文章20"), "pinned")
    place(Article.objects.get(title="文章7"), "pinned", position=1)
    place(Article.objects.get(title="文章3"), "pinned", ends_at=now - timedelta(minutes=1))


@pytest.mark.parametrize(("start", "stop"), [(0, 5), (0, 12), (1, 3), (2, 20), (20, 40)])
def test_slice_matches_in_reading_order(mixed, start, stop):
    expected = list(in_reading_order(Article.objects.published()))[start:stop]

    got = pagination.reading_order_slice(
        Article.objects.published().for_cards(), start=start, stop=stop
    )

    assert [a.title for a in got] == [a.title for a in expected]
    assert [a.is_pinned for a in got] == [a.is_pinned for a in expected]


@pytest.mark.parametrize(("start", "stop"), [(0, 5), (0, 12), (1, 3), (2, 20), (20, 40)])
@pytest.mark.parametrize("of", [None, "tags", "topics", "authors", "section"])
def test_compiled_statements_give_the_orms_pages(mixed, start, stop, of):
    """ListStatements (the list of every article, a term's list) read the same page as the
    ORM's reading_order_slice(), pinned first, in any language."""
    section = Section.objects.create(name="资讯", slug="news")
    tag, topic = Tag.objects.create(name="元宇宙"), Topic.objects.create(name="游戏")
    author = Author.objects.create(name="林")
    for n, article in enumerate(Article.objects.order_by("pk")):
        if n % 3:
            article.tags.add(tag)
            article.topics.add(topic)
            ArticleAuthor.objects.create(article=article, author=author)
            article.section = section
            article.save()
    term = {"tags": tag, "topics": topic, "authors": author, "section": section}.get(of)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            visible = Article.objects.published().for_cards()
            if term is not None:
                visible = visible.filter(**{of: term})
            orms = pagination.reading_order_slice(visible.all(), start=start, stop=stop)
            bound = pagination.ListStatements(of).bound(**({"term": term.pk} if term else {}))
            mine = pagination.reading_order_slice(
                visible.all(), start=start, stop=stop, order_ids=bound.order_ids, rows=bound.rows
            )
        assert [(a.pk, a.is_pinned, a.title, a.section_id) for a in mine] == [
            (a.pk, a.is_pinned, a.title, a.section_id) for a in orms
        ]
        assert [a.byline for a in mine] == [a.byline for a in orms]
        with translation.override(language):
            assert bound.count() == visible.count()
        assert bool(orms) == (language == "zh-hans" and start < (25 if of is None else 16))


def test_lists_stop_at_the_page_cap(client, mixed, monkeypatch):
    monkeypatch.setattr(pagination, "MAX_PAGES", 1)
    url = reverse("articles:article-list")

    assert client.get(url).status_code == 200
    assert client.get(url + "?page=2").status_code == 404


def test_count_is_taken_once_per_content_generation(client, mixed, django_assert_num_queries):
    url = reverse("articles:article-list")
    client.get(url)
    with django_assert_num_queries(0):  # the page is kept: no COUNT, no ids, no rows, no byline
        client.get(url)


def list_titles(client, url):
    return [a.title for a in client.get(url).context["articles"]]


def wait_until(moment):
    """Sleep until `moment` has passed (a real clock: the cache's timeouts use it too)."""
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


def test_kept_page_ids_follow_every_change(client, mixed, make_article, place):
    """A page's ids are kept per content generation: publishing, unpublishing, pinning and a
    pin's end all show on the next request."""
    url = reverse("articles:article-list")
    first = list_titles(client, url)
    assert first[:2] == ["文章20", "文章7"]

    fresh = make_article(title="刚发布", published_at=timezone.now() - timedelta(seconds=1))
    assert "刚发布" in list_titles(client, url)

    fresh.status = Article.Status.DRAFT
    fresh.save()
    assert "刚发布" not in list_titles(client, url)

    old = Article.objects.get(title="文章24")
    ends_at = timezone.now() + timedelta(seconds=1.5)
    place(old, "pinned", position=2, ends_at=ends_at)
    assert list_titles(client, url)[2] == "文章24"
    assert list_titles(client, url)[2] == "文章24"  # from the kept ids

    wait_until(ends_at)
    assert "文章24" not in list_titles(client, url)[:3]


def test_a_scheduled_article_joins_the_kept_page_at_its_time(client, mixed, make_article):
    url = reverse("articles:article-list")
    publish_at = timezone.now() + timedelta(seconds=1.5)
    make_article(title="定时发布", published_at=publish_at)
    assert "定时发布" not in list_titles(client, url)
    assert "定时发布" not in list_titles(client, url)

    wait_until(publish_at)
    assert "定时发布" in list_titles(client, url)


def test_a_kept_page_shows_every_edit_of_what_lists_show(client, make_article):
    """A list page's rows and labels are kept per content generation (issue 17): a title, a
    byline name or a tag's name edited shows on the next request."""
    article = make_article(title="旧标题", authors=["林晓舟"], tags=["元宇宙"])
    tag_url = article.tags.get().get_absolute_url()
    url = reverse("articles:article-list")
    assert "旧标题" in client.get(url).text and "林晓舟" in client.get(tag_url).text

    article.title = "新标题"
    article.save()
    author = article.authors.get()
    author.name = "林晓洲"
    author.save()

    assert "新标题" in client.get(url).text
    page = client.get(tag_url).text
    assert "新标题" in page and "林晓洲" in page and "林晓舟" not in page
