"""Importing with worker processes (jobs > 1) writes exactly what an in-process import writes."""

import multiprocessing
import os
from unittest import mock

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command

from articles.hugo import pipeline
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


@pytest.fixture
def preparing_pids(tmp_path):
    """Spy on pipeline.prepare: each call appends the pid that ran it to a file, so calls made
    in forked workers are seen too (a mock's call list would stay in the child). Also records
    how each ProcessPoolExecutor was made. Yields a function returning (pids, pool_args)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("the spy reaches workers only when they are forked")
    log = tmp_path / "prepare-pids.txt"
    real_prepare, real_pool = pipeline.prepare, pipeline.ProcessPoolExecutor
    pools = []

    def spy_prepare(task, **kwargs):
        with open(log, "a", encoding="ascii") as out:
            out.write(f"{os.getpid()}\n")
        return real_prepare(task, **kwargs)

    def spy_pool(*args, **kwargs):
        pools.append((args, kwargs))
        return real_pool(*args, **kwargs)

    def seen():
        lines = log.read_text(encoding="ascii").split() if log.exists() else []
        return [int(pid) for pid in lines], pools

    with (
        mock.patch.object(pipeline, "prepare", spy_prepare),
        mock.patch.object(pipeline, "ProcessPoolExecutor", spy_pool),
    ):
        yield seen


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


def test_jobs_prepare_every_page_in_a_pool_of_that_many_worker_processes(tmp_path, preparing_pids):
    import_site(site_dir=write_site(tmp_path, FILES), jobs=2)
    pids, pools = preparing_pids()
    assert len(pools) == 1
    args, kwargs = pools[0]
    assert (args[0] if args else kwargs["max_workers"]) == 2
    assert len(pids) == 5  # every page, the broken one included
    assert os.getpid() not in pids  # none prepared by the process that writes
    assert Article.objects.count() == 4


def test_one_job_prepares_in_process_without_a_pool(tmp_path, preparing_pids):
    import_site(site_dir=write_site(tmp_path, FILES), jobs=1)
    pids, pools = preparing_pids()
    assert pools == []
    assert pids == [os.getpid()] * 5


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


def test_import_command_takes_jobs(tmp_path, capsys, preparing_pids):
    site = write_site(tmp_path, {k: v for k, v in FILES.items() if "broken" not in k})
    call_command("import_hugo", str(site), "--jobs", "2")
    assert "created 4," in capsys.readouterr().out
    assert Article.objects.count() == 4
    pids, pools = preparing_pids()
    assert len(pools) == 1 and len(pids) == 4 and os.getpid() not in pids
