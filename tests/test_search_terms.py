"""Search finds what the site is about: section, topic, tag and author names, kept current."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.hugo.importer import import_site
from articles.models import Article, ArticleAuthor, Author, Section, Tag, Topic
from articles.models.search_terms import refresh_search_terms
from articles.search import query as search
from tests.admin_forms import admin_form
from tests.hugo_sites import write_site

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")
PLAIN = {"description": "", "body": "<p>与标签无关的正文。</p>"}


@pytest.fixture(autouse=True)
def fresh_word_stats(monkeypatch):
    monkeypatch.setattr(search, "_word_stats", (float("-inf"), None))


def found(client, query):
    cache.clear()
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


def labelled(make_article, kind, name, **fields):
    """An article whose only mention of `name` is one label of this kind."""
    fields = {**PLAIN, **fields}
    if kind == "section":
        return make_article(section=Section.objects.create(name=name), **fields)
    return make_article(**{kind: [name]}, **fields)


@pytest.mark.parametrize(
    ("kind", "name", "query"),
    [
        ("tags", "Web3", "web3"),
        ("tags", "NFT", "NFT"),
        ("tags", "区块链", "区块链"),
        ("topics", "元宇宙", "元宇宙"),
        ("section", "游戏", "游戏"),
        ("authors", "林晓舟", "林晓舟"),
        ("authors", "Cindy Li", "cindy li"),
    ],
)
def test_a_label_name_finds_the_article_it_labels(client, make_article, kind, name, query):
    labelled(make_article, kind, name, title="一篇报道")
    make_article(title="另一篇报道", **PLAIN)

    assert found(client, query) == ["一篇报道"]


def test_a_topic_is_found_by_its_english_name_too(client, make_article):
    topic = Topic.objects.create(name="元宇宙", translations={"en": {"name": "Metaverse"}})
    make_article(title="一篇报道", topics=[topic], **PLAIN)

    assert found(client, "metaverse") == ["一篇报道"]


def test_title_matches_come_first_then_tag_matches_then_summary_then_body(client, make_article):
    def ago(days):
        return timezone.now() - timedelta(days=days, minutes=1)

    make_article(title="正文提到", body="<p>区块链</p>", published_at=ago(0))
    make_article(title="摘要提到", description="区块链", body="", published_at=ago(1))
    make_article(title="打了标签", tags=["区块链"], **PLAIN, published_at=ago(2))
    make_article(
        title="标签加摘要", tags=["区块链"], description="区块链", body="", published_at=ago(10)
    )
    make_article(title="区块链周报", **PLAIN, published_at=ago(60))

    assert found(client, "区块链") == [
        "区块链周报",
        "标签加摘要",
        "打了标签",
        "摘要提到",
        "正文提到",
    ]


def test_a_word_in_the_title_and_another_in_a_tag_rank_with_the_tag_matches(client, make_article):
    now = timezone.now()
    make_article(title="市场", body="<p>上海 Web3 企业</p>", published_at=now)
    make_article(title="上海观察", tags=["Web3"], **PLAIN, published_at=now - timedelta(days=9))

    assert found(client, "上海 Web3") == ["上海观察", "市场"]


@pytest.mark.parametrize("kind", ["tags", "topics", "section", "authors"])
def test_renaming_a_label_changes_what_search_finds(client, make_article, kind):
    article = labelled(make_article, kind, "区块链", title="一篇报道")
    label = {
        "tags": Tag,
        "topics": Topic,
        "section": Section,
        "authors": Author,
    }[kind].objects.get(name="区块链")
    version = Article.objects.get(pk=article.pk).edit_version

    label.name = "以太坊"
    label.save()

    assert found(client, "以太坊") == ["一篇报道"]
    assert found(client, "区块链") == []
    # A rename is not an edit of the article: no conflict for an editor who has it open.
    assert Article.objects.get(pk=article.pk).edit_version == version


def test_renaming_a_section_in_another_language_changes_what_search_finds(client, make_article):
    section = Section.objects.create(name="游戏", translations={"en": {"name": "Games"}})
    make_article(title="一篇报道", section=section, **PLAIN)
    section.translations = {"en": {"name": "Play"}}
    section.save(update_fields=["translations"])

    assert found(client, "play") == ["一篇报道"]
    assert found(client, "games") == []


def test_taking_a_label_off_or_deleting_it_forgets_it(client, make_article):
    article = make_article(
        title="一篇报道",
        section=Section.objects.create(name="游戏"),
        tags=["NFT", "区块链"],
        topics=["元宇宙"],
        authors=["林晓舟"],
        **PLAIN,
    )
    article.tags.remove("NFT")
    Tag.objects.get(name="区块链").delete()
    article.topics.clear()
    Author.objects.get(name="林晓舟").delete()
    Section.objects.get(name="游戏").delete()

    for query in ("NFT", "区块链", "元宇宙", "林晓舟", "游戏"):
        assert found(client, query) == [], query
    assert Article.objects.get(pk=article.pk).search_terms == ""


def test_links_deleted_in_bulk_refresh_each_article_once(client, make_article):
    article = make_article(title="一篇报道", authors=["林晓舟", "Cindy"], **PLAIN)
    with CaptureQueriesContext(connection) as ctx:
        ArticleAuthor.objects.filter(article=article).delete()
    reads = [q for q in ctx.captured_queries if "UNION ALL" in q["sql"]]

    assert len(reads) == 1
    assert found(client, "林晓舟") == [] and found(client, "cindy") == []


def test_adding_from_the_labels_side_is_seen_too(client, make_article):
    article = make_article(title="一篇报道", **PLAIN)
    topic = Topic.objects.create(name="元宇宙")
    topic.articles.add(article)
    assert found(client, "元宇宙") == ["一篇报道"]
    topic.articles.clear()
    assert found(client, "元宇宙") == []


def test_changing_the_section_of_an_article_changes_what_search_finds(client, make_article):
    article = make_article(title="一篇报道", section=Section.objects.create(name="游戏"), **PLAIN)
    article.section = Section.objects.create(name="导航")
    article.save()

    assert found(client, "导航") == ["一篇报道"]
    assert found(client, "游戏") == []


def test_the_admin_form_keeps_search_terms_current(staff_client, make_article, client):
    article = make_article(title="一篇报道", tags=["NFT"], **PLAIN)
    author = Author.objects.create(name="林晓舟")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form(staff_client, url)
    data.update(
        {
            "article_authors-0-author": str(author.pk),
            "article_authors-0-position": "0",
            "taggedarticle_set-0-DELETE": "on",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert found(client, "林晓舟") == ["一篇报道"]
    assert found(client, "NFT") == []


def test_the_hugo_import_makes_tags_and_authors_searchable(client, tmp_path):
    text = "---\ntitle: 一篇报道\ndate: 2021-03-04\ntags: [区块链]\nauthors: [林晓舟]\n"
    text += "categories: [游戏]\n---\n与标签无关的正文。\n"
    report = import_site(site_dir=write_site(tmp_path, {"posts/a.md": text}))
    assert not report.failed, report.failed

    for query in ("区块链", "林晓舟", "游戏"):
        assert found(client, query) == ["一篇报道"], query


def test_refresh_writes_only_rows_whose_terms_changed(make_article):
    tagged = make_article(title="一", tags=["NFT"])
    untouched = make_article(title="二", tags=["Web3"])
    Article.objects.filter(pk=tagged.pk).update(search_terms="")

    written = refresh_search_terms(article_ids=[tagged.pk, untouched.pk])

    assert written == {tagged.pk: "nft"}


def test_the_migration_fills_the_terms_of_existing_articles(make_article):
    fill = __import__("articles.migrations.0017_search_terms", fromlist=["x"]).fill_search_terms
    section = Section.objects.create(name="游戏", translations={"en": {"name": "Games"}})
    article = make_article(section=section, tags=["NFT"], topics=["元宇宙"], authors=["林晓舟"])
    expected = Article.objects.get(pk=article.pk).search_terms
    Article.objects.update(search_terms="")

    fill(apps, connection.schema_editor())

    assert Article.objects.get(pk=article.pk).search_terms == expected
    assert set(expected.split()) >= {"游戏", "games", "nft", "元宇宙", "林晓舟"}


def test_search_page_queries_do_not_grow_with_label_matches(client, make_article):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SEARCH, {"q": "区块链"}).status_code == 200
        return len(ctx)

    make_article(title="一", tags=["区块链"], authors=["甲"], topics=["专题"])
    search.word_stats()
    one = queries()
    for n in range(25):
        make_article(title=f"文{n}", tags=["区块链", f"t{n}"], authors=["甲", f"乙{n}"])
    assert queries() == one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_vector_holds_the_label_words(make_article):
    article = make_article(title="上海", tags=["Web3"], authors=["林晓舟"], **PLAIN)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ plainto_tsquery('simple', %s),"
            " pg_get_expr(d.adbin, d.adrelid) FROM articles_article a, pg_attrdef d"
            " JOIN pg_attribute t ON t.attrelid = d.adrelid AND t.attnum = d.adnum"
            " WHERE a.id = %s AND d.adrelid = 'articles_article'::regclass"
            " AND t.attname = 'search_vector'",
            ["web3 林晓舟", article.pk],
        )
        matches, expression = cursor.fetchone()
    assert matches
    assert "search_terms" in expression


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_label_search_reads_the_stored_vector(make_article):
    make_article(title="上海", tags=["Web3"], **PLAIN)
    plan = search.candidates(Article.objects.published(), "web3").explain()
    assert "search_vector @@" in plan and "to_tsvector" not in plan
