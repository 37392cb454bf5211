"""articles.reading.labels: byline, topics, tags and previous/next read in one statement."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Author, Topic
from articles.reading import labels
from articles.reading.labels import attach_labels

pytestmark = pytest.mark.django_db


def names(items):
    return [item.name for item in items]


def test_labels_match_the_related_managers(make_article):
    article = make_article(
        authors=["乙作者", "甲作者", "丙作者"],
        topics=["元宇宙", "GameFi"],
        tags=["NFT", "Web3", "区块链"],
    )
    other = make_article(authors=["甲作者"], tags=["NFT"])
    fresh = Article.objects.get(pk=article.pk)
    expected = (
        [link.author.name for link in fresh.article_authors.all()],
        names(fresh.topics.all()),
        names(fresh.tags.all()),
    )
    with CaptureQueriesContext(connection) as ctx:
        listed = attach_labels(Article.objects.filter(pk__in=[article.pk, other.pk]).for_cards())
    assert len(ctx) == 2
    got = {a.pk: a for a in listed}[article.pk]
    with CaptureQueriesContext(connection) as ctx:
        assert (names(got.byline), names(got.topic_list), names(got.tag_list)) == expected
        assert names(got.byline) == ["乙作者", "甲作者", "丙作者"]
    assert len(ctx) == 0
    other_got = {a.pk: a for a in listed}[other.pk]
    assert names(other_got.byline) == ["甲作者"] and other_got.topic_list == []


def test_byline_follows_position_not_name(make_article):
    article = make_article()
    for position, name in [(2, "阿"), (0, "赵"), (1, "钱")]:
        ArticleAuthor.objects.create(
            article=article, author=Author.objects.create(name=name), position=position
        )
    (got,) = attach_labels([Article.objects.get(pk=article.pk)], (labels.AUTHORS,))
    assert names(got.byline) == ["赵", "钱", "阿"]


def test_labelled_objects_link_to_their_pages(make_article):
    article = make_article(authors=["甲作者"], topics=["元宇宙"], tags=["NFT"])
    (got,) = attach_labels([Article.objects.get(pk=article.pk)])
    assert got.byline[0].get_absolute_url() == Author.objects.get().get_absolute_url()
    assert got.topic_list[0].get_absolute_url() == article.topics.get().get_absolute_url()
    assert got.tag_list[0].get_absolute_url() == article.tags.get().get_absolute_url()


def test_without_labels_the_properties_fall_back_to_queries(make_article):
    article = make_article(authors=["甲作者"], tags=["NFT"])
    plain = Article.objects.get(pk=article.pk)
    assert names(plain.byline) == ["甲作者"] and names(plain.tag_list) == ["NFT"]


def test_labels_not_asked_for_are_read_not_reported_empty(make_article):
    article = make_article(authors=["甲作者"], topics=["元宇宙"], tags=["NFT"])
    (card,) = attach_labels([Article.objects.get(pk=article.pk)], (labels.AUTHORS,))
    with CaptureQueriesContext(connection) as ctx:
        assert names(card.byline) == ["甲作者"]
    assert len(ctx) == 0  # read with the card
    assert names(card.topic_list) == ["元宇宙"] and names(card.tag_list) == ["NFT"]


def test_labelled_authors_load_the_fields_labels_do_not_read(make_article):
    author = Author.objects.create(name="甲作者", bio="写元宇宙十年。")
    topic = Topic.objects.create(name="元宇宙", description="虚拟世界的新闻。")
    article = make_article(authors=[author], topics=[topic])
    (got,) = attach_labels([Article.objects.get(pk=article.pk)])
    assert got.byline[0].bio == "写元宇宙十年。"
    assert got.topic_list[0].description == "虚拟世界的新闻。"


def test_articles_read_with_iterator_still_give_the_right_labels(make_article):
    make_article(authors=["甲作者"], topics=["元宇宙"], tags=["NFT"])
    make_article(authors=["乙作者"])
    got = {a.title: a for a in Article.objects.for_cards().iterator()}
    assert sorted(names(a.byline)[0] for a in got.values()) == ["乙作者", "甲作者"]
    assert [names(a.topic_list) for a in got.values()].count(["元宇宙"]) == 1


def neighbours(article):
    (got,) = attach_labels([Article.objects.get(pk=article.pk)], neighbours=True)
    previous, following = got.previous_article, got.next_article
    return (previous.title if previous else None, following.title if following else None)


def test_previous_and_next_by_publish_time(make_article):
    now = timezone.now()
    make_article(title="最早", published_at=now - timedelta(days=3))
    middle = make_article(title="中间", published_at=now - timedelta(days=2))
    make_article(title="草稿", status=Article.Status.DRAFT, published_at=now - timedelta(days=1))
    make_article(title="较新", published_at=now - timedelta(hours=1))
    make_article(title="定时", published_at=now + timedelta(hours=1))
    assert neighbours(middle) == ("最早", "较新")


def test_articles_published_in_the_same_second_are_neither_skipped_nor_repeated(make_article):
    moment = timezone.now() - timedelta(hours=2)
    first, second, third = (make_article(title=t, published_at=moment) for t in "甲乙丙")
    make_article(title="之后", published_at=moment + timedelta(minutes=1))
    assert neighbours(first) == (None, "乙")
    assert neighbours(second) == ("甲", "丙")
    assert neighbours(third) == ("乙", "之后")


def test_a_draft_without_a_publish_time_has_no_neighbours(make_article):
    make_article(title="已发布")
    draft = make_article(title="草稿", status=Article.Status.DRAFT, published_at=None)
    assert neighbours(draft) == (None, None)


def test_article_page_links_previous_and_next(client, make_article):
    now = timezone.now()
    make_article(title="上一篇的标题", published_at=now - timedelta(days=2))
    article = make_article(title="本文", published_at=now - timedelta(days=1))
    make_article(title="下一篇的标题", published_at=now - timedelta(hours=1))
    html = client.get(article.get_absolute_url()).text
    nav = html.split('class="prev-next"')[1].split("</nav>")[0]
    assert 'rel="prev"' in nav and "上一篇的标题" in nav
    assert 'rel="next"' in nav and "下一篇的标题" in nav


def test_attach_is_one_statement_for_any_number_of_articles(make_article):
    for n in range(12):
        make_article(authors=[f"作者{n % 3}"], tags=[f"标签{n % 4}"], topics=["元宇宙"])
    articles = list(Article.objects.all())
    with CaptureQueriesContext(connection) as ctx:
        attach_labels(articles, neighbours=True)
    assert len(ctx) == 1
    assert all(len(a.byline) == 1 and len(a.tag_list) == 1 for a in articles)
