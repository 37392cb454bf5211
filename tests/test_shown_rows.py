"""shown_rows() (articles/querysets/rows.py): the rows a list page shows, made without
Model.__init__, are the rows the ORM gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Placement, Section
from articles.querysets.rows import shown_rows

pytestmark = pytest.mark.django_db

LOADED = ("id", "title", "slug", "language", "description", "published_at", "fields", "weight")


def test_the_rows_are_the_orms(make_article, image_upload):
    news = Section.objects.create(name="资讯", slug="news", translations={"en": {"name": "News"}})
    make_article(title="有栏目", section=news, fields={"score": 3}, weight=2)
    make_article(title="无栏目", featured_image=image_upload("a.png", size=(300, 200)))
    queryset = Article.objects.published().for_cards().for_list_page().order_by("pk")

    with CaptureQueriesContext(connection) as queries:
        made = shown_rows(queryset)
    assert len(queries) == 1
    for mine, orms in zip(made, queryset, strict=True):
        assert type(mine) is Article and not mine._state.adding and mine._state.db == "default"
        assert {name: getattr(mine, name) for name in LOADED} == {
            name: getattr(orms, name) for name in LOADED
        }
        assert mine.get_deferred_fields() == orms.get_deferred_fields()
        assert mine.featured_image.name == orms.featured_image.name
        assert mine.featured_image_width == orms.featured_image_width
        assert mine.get_absolute_url() == orms.get_absolute_url()
        with CaptureQueriesContext(connection) as queries:
            section = mine.section
        assert len(queries) == 0  # the select_related() object came with the row
        assert section == orms.section
        assert section is None or section.translations == {"en": {"name": "News"}}


def test_a_deferred_field_loads_when_read(make_article):
    make_article(title="正文", body="<p>正文在这里</p>")
    (article,) = shown_rows(Article.objects.for_list_page())
    with CaptureQueriesContext(connection) as queries:
        assert article.body == "<p>正文在这里</p>"
    assert len(queries) == 1


def test_nested_related_objects_and_other_shapes(make_article, place):
    news = Section.objects.create(name="资讯", slug="news")
    place(make_article(title="轮播", section=news), "carousel")
    rows = Placement.objects.select_related("article", "article__section")
    (placement,) = shown_rows(rows)
    with CaptureQueriesContext(connection) as queries:
        assert placement.article.section.name == "资讯"
    assert len(queries) == 0
    # Annotations are read the ordinary way, and so still there.
    (annotated,) = shown_rows(Article.objects.extra(select={"one": "1"}))
    assert annotated.one == 1
