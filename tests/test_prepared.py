"""Prepared (articles/querysets/prepared.py): a statement compiled once gives, for each call's
values, the rows the ORM gives, and refuses a statement that would freeze the clock or the
language of its first call."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Q, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from articles.models import Article, Section
from articles.querysets import prepared as prepared_module
from articles.querysets.prepared import Prepared
from articles.reading.views import visible_article

pytestmark = pytest.mark.django_db

SHOWN = ("id", "title", "slug", "language", "body", "published_at", "updated_at", "fields")


def test_the_rows_are_the_orms_for_each_calls_values(make_article):
    news = Section.objects.create(name="资讯", slug="news", translations={"en": {"name": "News"}})
    first = make_article(title="有栏目", section=news, fields={"score": 3}, body="<p>一</p>")
    second = make_article(title="无栏目", body="<p>二</p>")
    prepared, now = visible_article, timezone.now()
    for article in (first, second, first):
        with CaptureQueriesContext(connection) as queries:
            (mine,) = prepared(slug=article.slug, now=now, language="zh-hans")
        assert len(queries) == 1
        orms = Article.objects.for_cards().get(pk=article.pk)
        assert type(mine) is Article and not mine._state.adding and mine._state.db == "default"
        assert {name: getattr(mine, name) for name in SHOWN} == {
            name: getattr(orms, name) for name in SHOWN
        }
        assert isinstance(mine.published_at, datetime) and timezone.is_aware(mine.published_at)
        with CaptureQueriesContext(connection) as queries:
            assert mine.section == orms.section
        assert len(queries) == 0  # the section came with the row
    assert prepared(slug="no-such-article", now=now, language="zh-hans") == []


def test_the_clock_and_the_language_are_the_calls(make_article):
    later = make_article(title="定时", published_at=timezone.now() + timedelta(hours=1))
    english = make_article(title="English", language="en")
    prepared, now = visible_article, timezone.now()
    assert prepared(slug=later.slug, now=now, language="zh-hans") == []
    assert prepared(slug=later.slug, now=now + timedelta(hours=2), language="zh-hans") == [later]
    assert prepared(slug=english.slug, now=now, language="zh-hans") == []
    assert prepared(slug=english.slug, now=now, language="en") == [english]


def test_a_statement_that_reads_the_clock_or_the_language_itself_is_refused(make_article):
    article = make_article(title="正文")
    reads_clock = Prepared(
        Article,
        lambda slug, language: Article.objects.filter(
            published_at__lte=timezone.now(), language=language, slug=slug
        ),
        slug=str,
        language=str,
    )
    with pytest.raises(TypeError, match="besides its arguments"):
        reads_clock(slug=article.slug, language="zh-hans")
    reads_language = Prepared(
        Article,
        lambda slug, now: Article.objects.published(at=now).filter(slug=slug),
        slug=str,
        now=datetime,
    )
    with translation.override("zh-hans"), pytest.raises(TypeError, match="besides"):
        reads_language(slug=article.slug, now=timezone.now())


def test_lists_like_patterns_and_joined_text(make_article):
    """A list's length is the statement's shape; a value in a LIKE pattern is escaped as Django
    escapes it (a reader's % or _ is a plain character); an empty `__in` list is no rows."""
    first, second, third = (
        make_article(title=title) for title in ("100% 元宇宙", "1000 元宇宙", "a_b")
    )
    by_ids = Prepared(
        Article, lambda ids: Article.objects.filter(pk__in=ids).order_by("pk"), ids=[int]
    )
    assert by_ids(ids=[third.pk, first.pk]) == [first, third]
    assert by_ids(ids=[second.pk]) == [second]
    assert by_ids(ids=[first.pk, second.pk, third.pk]) == [first, second, third]
    assert by_ids(ids=[]) == []
    titled = Prepared(
        Article,
        lambda words: Article.objects.filter(
            *[Q(title__icontains=word) for word in words]
        ).order_by("pk"),
        words=[str],
    )
    for words in (["100%"], ["元宇宙"], ["%"], ["_"], ["a_b"], ["0%", "元"], ["\\"], ["100% 元"]):
        orms = Article.objects.filter(*[Q(title__icontains=word) for word in words]).order_by("pk")
        assert titled(words=words) == list(orms), words
    pks = Prepared(
        Article,
        lambda words: Article.objects.filter(title__in=words).values_list("pk", flat=True),
        words=[str],
    )
    assert pks.rows(words=["a_b", "无"]) == [[third.pk]]
    assert pks.driver_rows(words=["a_b", "无"]) == [(third.pk,)]


def test_values_are_named_and_used():
    with pytest.raises(TypeError, match="str, int, datetime"):
        Prepared(Article, lambda ids: Article.objects.filter(pk__in=ids), ids=list)
    unused = Prepared(Article, lambda slug, pk: Article.objects.filter(slug=slug), slug=str, pk=int)
    with pytest.raises(TypeError, match="not in the statement"):
        unused(slug="x", pk=1)
    annotated = Prepared(
        Article, lambda slug: Article.objects.annotate(one=Value(1)).filter(slug=slug), slug=str
    )
    with pytest.raises(TypeError, match="no annotations"):
        annotated(slug="x")
    with pytest.raises(TypeError, match="exactly"):
        visible_article(slug="x")


def test_the_article_page_reads_its_row_prepared(client, make_article):
    article = make_article(title="读者看到的", body="<p>正文</p>")
    assert visible_article(slug=article.slug, now=timezone.now(), language="zh-hans") == [article]
    assert "读者看到的" in client.get(article.get_absolute_url()).content.decode()
    draft = make_article(title="草稿", status=Article.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_shapes_are_statements_of_their_own_and_few_are_kept(make_article, monkeypatch):
    articles = [make_article(title=f"第{n}篇") for n in range(4)]
    newest = Prepared(
        Article,
        lambda start, stop, language: Article.objects.filter(language=language).order_by("pk")[
            start:stop
        ],
        shape=("start", "stop"),
        language=str,
    )
    monkeypatch.setattr(prepared_module, "MAX_STATEMENTS", 2)
    assert newest(start=0, stop=2, language="zh-hans") == articles[:2]
    assert newest(start=1, stop=3, language="zh-hans") == articles[1:3]
    assert newest(start=3, stop=9, language="zh-hans") == articles[3:]
    assert len(newest._statements) == 2  # the oldest shape dropped
    assert newest(start=0, stop=2, language="en") == []
    with pytest.raises(ValueError, match="at most"):
        Prepared(Article, lambda ids: Article.objects.filter(pk__in=ids), ids=[int])(
            ids=list(range(1001))
        )
