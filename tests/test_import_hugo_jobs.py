"""Importing with worker processes (jobs > 1) writes exactly what an in-process import writes."""

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command

from articles.hugo.importer import import_site
from articles.models import Article, ContentIssue, derive_text
from tests.hugo_sites import page, png, write_site

pytestmark = pytest.mark.django_db

BODY = "## 小标题\n\n上海在元宇宙赛道率先起跑。<script>alert(1)</script>\n\n- **要点** [链接](https://e.com)\n"
DATE = "2024-02-05T08:00:00+08:00"  # a page without one is published "now": digests differ
FILES = {
    "news/a/index.md": page(
        "甲篇", body=BODY, date=DATE, tags='["元宇宙", "NFT"]', authors='["作者甲"]'
    ),
    "news/b/index.md": page("乙篇", body="图：![图](c.png) {{< unknown >}}", date=DATE, slug="yi"),
    "news/b/c.png": png(),
    "news/broken.md": "---\ntitle: [unclosed\n---\n正文\n",
    "posts/c.md": page("丙篇", body="<p onclick='x()'>HTML</p>", date=DATE, aliases='["/c/"]'),
    "posts/d.md": page("甲篇", body="同名标题，另一个网址别名。", date=DATE),
}
COLUMNS = ("source_path", "title", "slug", "body", "search_document", "source_digest")


def imported(site, *, jobs):
    report = import_site(site_dir=site, jobs=jobs)
    rows = list(Article.objects.order_by("source_path").values_list(*COLUMNS))
    issues = sorted(ContentIssue.objects.values_list("article__source_path", "kind"))
    redirects = sorted(Redirect.objects.values_list("old_path", "new_path"))
    return report, rows, issues, redirects


def test_workers_write_the_same_articles_in_the_same_order_as_one_process(tmp_path):
    site = write_site(tmp_path, FILES)
    with_workers = imported(site, jobs=2)
    Article.objects.all().delete()
    Redirect.objects.all().delete()
    in_process = imported(site, jobs=1)

    assert with_workers[1:] == in_process[1:]
    report = with_workers[0]
    assert report.as_dict() == in_process[0].as_dict()
    assert report.created == ["news/a/index.md", "news/b/index.md", "posts/c.md", "posts/d.md"]
    assert [f["file"] for f in report.failed] == ["news/broken.md"]


def test_reimport_with_workers_creates_no_duplicates(tmp_path):
    site = write_site(tmp_path, FILES)
    import_site(site_dir=site, jobs=2)
    (site / "content" / "posts" / "c.md").write_text(page("丙篇改"), encoding="utf-8")
    again = import_site(site_dir=site, jobs=2)
    assert again.updated == ["posts/c.md"] and len(again.unchanged) == 3
    assert Article.objects.count() == 4
    assert Article.objects.get(source_path="posts/c.md").title == "丙篇改"


def test_text_derived_ahead_is_what_a_plain_save_stores(tmp_path):
    import_site(site_dir=write_site(tmp_path, FILES), jobs=2)
    for imported_article in Article.objects.all():
        plain = Article(
            title=imported_article.title,
            description=imported_article.description,
            body=imported_article.body,
        )
        plain.save()  # no derived=: sanitises and segments itself
        assert plain.search_document == imported_article.search_document
        assert plain.body == imported_article.body


def test_save_imported_ignores_derived_text_made_from_other_text():
    stale = derive_text(title="旧标题", description="", body="<p>旧正文</p>")
    article = Article(title="新标题", body="<p>新正文<script>x</script></p>")
    article.save_imported(derived=stale)
    fresh = derive_text(title="新标题", description="", body="<p>新正文<script>x</script></p>")
    assert (article.body, article.search_document) == (fresh.body, fresh.search_document)
    assert "新" in article.search_document and "旧" not in article.search_document


def test_import_command_takes_jobs(tmp_path, capsys):
    site = write_site(tmp_path, {k: v for k, v in FILES.items() if "broken" not in k})
    call_command("import_hugo", str(site), "--jobs", "2")
    assert "created 4," in capsys.readouterr().out
    assert Article.objects.count() == 4
