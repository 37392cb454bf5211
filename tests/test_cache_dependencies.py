"""An edit readers see only on the article's own page moves that page's version and the text
version, not the generation: every other cached page stays, and the edit still shows at once
where it shows (articles/pagecache/generation.py, "Page versions"; docs/ARCHITECTURE.md,
"Dependency keys")."""

from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Topic
from articles.pagecache.generation import generation, page_version_key

from .admin_forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


@pytest.fixture
def site(reader, make_article):
    """Two published articles sharing a tag; the lists, the other article and the pages showing
    article text, each cached. -> (the edited article, list URLs, text URLs)."""
    Topic.objects.create(name="专题", slug="zhuan-ti")
    # To the minute, as the admin's form keeps it (an imported time with seconds is rounded by
    # the first save in the admin: a real change of the publish time, which counts).
    an_hour_ago = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    article = make_article(
        title="要改错字的文章",
        tags=["元宇宙"],
        body="<p>元宇宙的错别字</p>",
        published_at=an_hour_ago,
    )
    other = make_article(title="另一篇文章", tags=["元宇宙"])
    lists = [
        reverse("articles:home"),
        reverse("articles:article-list"),
        reverse("articles:tag-detail", kwargs={"slug": "yuan-yu-zhou"}),
        other.get_absolute_url(),
        "/sitemap-tags.xml",  # taxonomy parts show publish times, not update times
    ]
    text = [
        reverse("articles:search") + "?q=错别字",
        reverse("articles:feed"),
        "/sitemap-articles.xml",
    ]
    for url in [*lists, *text, article.get_absolute_url()]:
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit", url
    return article, lists, text


def source(reader, url):
    response = reader.get(url)
    return response["X-Page-Cache"], response.content.decode()


def fix_typo(article, body="<p>元宇宙的正确文字</p>"):
    article.body = body
    article.save()


def test_a_text_edit_keeps_the_lists_and_other_pages(reader, site):
    article, lists, _ = site
    before = generation()

    fix_typo(article)

    assert generation() == before
    for url in lists:
        assert reader.get(url)["X-Page-Cache"] == "hit", url


def test_a_text_edit_shows_at_once_on_its_page_and_where_text_shows(reader, site):
    article, _, text = site

    fix_typo(article)

    hit, page = source(reader, article.get_absolute_url())
    assert hit == "miss" and "正确文字" in page and "错别字" not in page
    hit, results = source(reader, text[0])  # the old words find nothing now
    assert hit == "miss" and "要改错字的文章" not in results
    hit, feed = source(reader, text[1])
    assert hit == "miss" and "正确文字" in feed
    assert source(reader, text[2])[0] == "miss"


def test_a_page_showing_text_is_rendered_once_after_an_edit_then_served(reader, site):
    """This process's copy of the old page must not hide the new one stored by the render:
    each later request would otherwise miss and render the page again (a 763 KB sitemap)."""
    article, _, text = site

    fix_typo(article)

    for url in text:
        assert reader.get(url)["X-Page-Cache"] == "miss", url
        assert reader.get(url)["X-Page-Cache"] == "hit", url


def test_a_text_edit_in_the_admin_keeps_the_lists(reader, staff_client, site):
    """The editor's form saves the byline, tags and topics again, unchanged: nothing there is a
    change either."""
    article, lists, _ = site
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data["body"] = "<p>后台改好的正文</p>"
    before = generation()

    assert staff_client.post(url, data).status_code == 302

    assert generation() == before
    for list_url in lists:
        assert reader.get(list_url)["X-Page-Cache"] == "hit", list_url
    assert "后台改好的正文" in reader.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "标题也改了"), ("description", "新的摘要"), ("slug", "new-slug"), ("weight", 9)],
)
def test_an_edit_of_what_lists_show_refreshes_every_page(reader, site, field, value):
    article, lists, _ = site
    before = generation()

    setattr(article, field, value)
    article.body = "<p>连同正文一起改</p>"
    article.save()

    assert generation() != before
    assert reader.get(lists[0])["X-Page-Cache"] == "miss"


def test_a_partial_save_is_judged_by_what_the_database_holds(reader, site):
    article, lists, _ = site
    article.title = "只在内存里的标题"  # not saved: update_fields names the body only
    article.body = "<p>只存正文</p>"
    before = generation()

    article.save(update_fields=["body"])

    assert generation() == before
    assert reader.get(lists[0])["X-Page-Cache"] == "hit"
    assert (
        "只存正文"
        in reader.get(Article.objects.get(pk=article.pk).get_absolute_url()).content.decode()
    )


def test_tags_and_topics_changed_still_refresh_every_page(reader, site):
    article, lists, _ = site
    before = generation()
    article.tags.add("新标签")
    assert generation() != before

    before = generation()
    article.topics.add(Topic.objects.get(slug="zhuan-ti"))
    assert generation() != before

    before = generation()
    article.tags.add("新标签")  # already there: no row added
    article.topics.add(Topic.objects.get(slug="zhuan-ti"))
    assert generation() == before


def test_an_edit_inside_a_transaction_moves_the_version_again_on_commit(
    site, django_capture_on_commit_callbacks
):
    """A reader rendering between the edit and its commit reads the old row under the new
    version; the second move at commit makes that page unreachable, as content_changed() does."""
    article, _, _ = site
    key = page_version_key(unquote(article.get_absolute_url()))
    before = cache.get(key)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fix_typo(article)
        during = cache.get(key)
    assert before is not None and during != before
    assert cache.get(key) != during


def test_an_old_page_never_comes_back_when_its_version_is_lost(reader, site):
    """Eviction (allkeys-lru) or a flush drops a version: the next one comes from the clock, so
    the pages stored under an older one stay unreachable."""
    article, _, _ = site
    url = article.get_absolute_url()
    cache.delete(page_version_key(unquote(url)))

    fix_typo(article)
    assert "正确文字" in reader.get(url).content.decode()

    cache.delete(page_version_key(unquote(url)))
    hit, page = source(reader, url)
    assert hit == "miss" and "正确文字" in page
    assert reader.get(url)["X-Page-Cache"] == "hit"


def test_a_reader_holding_the_old_search_page_gets_the_new_one(reader, site):
    """The ETag of a page showing article text names the text version: a conditional request
    with the old one is answered in full, not with 304."""
    article, _, text = site
    etag = reader.get(text[1])["ETag"]
    assert reader.get(text[1], HTTP_IF_NONE_MATCH=etag).status_code == 304

    fix_typo(article)

    answer = reader.get(text[1], HTTP_IF_NONE_MATCH=etag)
    assert answer.status_code == 200 and "正确文字" in answer.content.decode()


def test_a_page_at_a_chinese_path_shows_its_edit(reader, make_article):
    """The version is kept under the path as the request has it (decoded), not as reverse()
    spells it (percent-encoded)."""
    article = make_article(title="中文网址", slug="中文网址", body="<p>旧的正文</p>")
    url = article.get_absolute_url()
    assert "%" in url
    reader.get(url)
    assert reader.get(url)["X-Page-Cache"] == "hit"

    fix_typo(article, body="<p>新的正文</p>")

    assert "新的正文" in reader.get(url).content.decode()


def test_a_text_edit_re_renders_the_one_sitemap_part_listing_the_article(reader, site, monkeypatch):
    """Articles are listed oldest first, a part per ArticleSitemap.limit: a text edit moves the
    version of the part listing the article (its lastmod) and of the index, not the others."""
    from articles.reading.sitemaps import ArticleSitemap

    article, _, _ = site
    monkeypatch.setattr(ArticleSitemap, "limit", 1)
    parts = ["/sitemap-articles.xml", "/sitemap-articles.xml?p=2"]
    for url in ["/sitemap.xml", *parts]:
        reader.get(url)
        assert reader.get(url)["X-Page-Cache"] == "hit", url
    listing = parts[0] if article.pk < Article.objects.exclude(pk=article.pk).get().pk else parts[1]
    other = parts[1] if listing == parts[0] else parts[0]

    fix_typo(article)

    assert reader.get(other)["X-Page-Cache"] == "hit"
    response = reader.get(listing)
    assert response["X-Page-Cache"] == "miss" and article.get_absolute_url() in response.text
    assert reader.get("/sitemap.xml")["X-Page-Cache"] == "miss"  # the latest lastmod


def test_a_typo_fix_in_the_admin_keeps_an_imported_publish_time_to_the_second(
    reader, staff_client, site
):
    """The form shows the time to the minute; posted back unchanged, the seconds stay, and the
    save is the text edit it is (before, the first save of every imported article moved its
    time and emptied every cached page)."""
    article, lists, _ = site
    precise = article.published_at.replace(second=12, microsecond=345678)
    Article.objects.filter(pk=article.pk).update(published_at=precise)
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data["body"] = "<p>后台改好的正文</p>"
    before = generation()

    assert staff_client.post(url, data).status_code == 302

    article.refresh_from_db()
    assert article.published_at == precise
    assert generation() == before
    for list_url in lists:
        assert reader.get(list_url)["X-Page-Cache"] == "hit", list_url


def test_a_publish_time_changed_in_the_admin_is_taken_to_the_minute(staff_client, site):
    article, _, _ = site
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data["published_at_1"] = "03:04"

    assert staff_client.post(url, data).status_code == 302

    article.refresh_from_db()
    local = timezone.localtime(article.published_at)
    assert (local.hour, local.minute, local.second) == (3, 4, 0)


def test_a_text_edit_counts_its_sitemap_part_once(site):
    """The part's COUNT (ArticleSitemap.part_path(), 17-20 ms at 10,000 articles) is asked for
    after the save, which needs it, and not before it too."""
    article, _, _ = site
    with CaptureQueriesContext(connection) as queries:
        fix_typo(article)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counts) == 1, counts
