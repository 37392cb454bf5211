"""The Hugo import reads nothing outside SITE_DIR and bounds every size and every scan; the
export writes nothing outside OUT_DIR. Each hostile site or row is written by the test."""

import json
import shlex
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.hugo import limits
from articles.hugo.exporter import export_site
from articles.hugo.importer import SiteError, import_site
from articles.hugo.markdown import render_body
from articles.hugo.shortcodes import escape_for_export, split_words
from articles.models import Article, ContentIssue, Section, Topic
from tests.hugo_sites import page, png, write_site

pytestmark = pytest.mark.django_db
QUICK = 2.0  # seconds; generous: the unbounded versions took from 3 s to hours


def failure(report, rel):
    return next(f["error"] for f in report.failed if f["file"] == rel)


def warnings_of(report, rel):
    return [w["message"] for w in report.warnings if w["file"] == rel]


def files_under(root, *, but):
    return {p for p in Path(root).rglob("*") if not p.is_relative_to(but)}


def timed(function, *args, **kwargs):
    start = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - start


# -- 2. nothing outside SITE_DIR is read ------------------------------------------------------


def test_symlinked_content_file_leaving_the_site_is_refused_and_the_rest_imported(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(page("机密文件", body="不该公开"), encoding="utf-8")
    outside_dir = tmp_path / "outside"
    outside_dir.mkdir()
    (outside_dir / "x.md").write_text(page("外部目录"), encoding="utf-8")
    site = write_site(tmp_path / "site", {"news/ok.md": page("正常"), "news/inner.md": page("内")})
    (site / "content" / "news" / "leak.md").symlink_to(secret)
    (site / "content" / "news" / "alias.md").symlink_to(site / "content" / "news" / "inner.md")
    (site / "content" / "linked").symlink_to(outside_dir, target_is_directory=True)

    report = import_site(site_dir=site)

    assert "outside the site" in failure(report, "news/leak.md")
    assert sorted(report.created) == ["news/alias.md", "news/inner.md", "news/ok.md"]
    titles = set(Article.objects.values_list("title", flat=True))
    assert "机密文件" not in titles and "外部目录" not in titles


def test_symlinked_section_index_leaving_the_site_is_not_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(page("机密栏目", description='"机密简介"'), encoding="utf-8")
    site = write_site(tmp_path / "site", {"news/a.md": page(categories='["news"]')})
    (site / "content" / "news" / "_index.md").symlink_to(secret)

    report = import_site(site_dir=site)

    assert report.created == ["news/a.md"]
    assert any("outside the site" in m for m in warnings_of(report, "news/_index.md"))
    section = Article.objects.get().section
    assert section.name == "news" and section.description == ""


@pytest.mark.parametrize("where", ["../elsewhere", "absolute"])
def test_content_dir_outside_the_site_is_refused(tmp_path, where):
    elsewhere = write_site(tmp_path / "elsewhere", {"a.md": page("外面的文章")}, config=None)
    content_dir = str(elsewhere) if where == "absolute" else where
    site = write_site(tmp_path / "site", {}, config=f"contentDir = {json.dumps(content_dir)}\n")

    with pytest.raises(SiteError, match="contentDir .* leaves the site"):
        import_site(site_dir=site)
    with pytest.raises(CommandError) as exc:
        call_command("import_hugo", str(site), "--jobs", "1")
    assert exc.value.returncode == 2
    assert not Article.objects.exists()


def test_symlinked_config_leaving_the_site_is_refused(tmp_path):
    outside = tmp_path / "outside.toml"
    outside.write_text('contentDir = "content"\n', encoding="utf-8")
    site = write_site(tmp_path / "site", {"a.md": page()}, config=None)
    (site / "config.toml").symlink_to(outside)

    with pytest.raises(SiteError, match="outside the site"):
        import_site(site_dir=site)


def test_symlinked_images_leaving_the_site_are_refused(tmp_path, settings):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.png").write_bytes(png(color=(1, 2, 3)))
    (outside / "static.png").write_bytes(png(color=(4, 5, 6)))
    body = "![内](pic.png)\n\n![静态](/s.png)\n"
    site = write_site(
        tmp_path / "site",
        {"news/a/index.md": page("图", body=body, featuredImage="cover.png")},
        config=f"staticDir = [{json.dumps(str(outside))}]\n",
    )
    bundle = site / "content" / "news" / "a"
    (bundle / "pic.png").symlink_to(outside / "private.png")
    (bundle / "cover.png").symlink_to(outside / "private.png")
    (outside / "s.png").symlink_to(outside / "static.png")

    report = import_site(site_dir=site)

    article = Article.objects.get()
    messages = warnings_of(report, "news/a/index.md")
    assert sum("leaves the site" in m for m in messages) == 3, messages
    assert not article.featured_image
    assert "/media/" not in article.body and 'title="pic.png"' in article.body
    assert article.content_issues.filter(kind=ContentIssue.Kind.BROKEN_IMAGE_PATH).count() == 3
    assert not (Path(settings.MEDIA_ROOT) / "articles" / "hugo").exists()


def test_image_over_the_upload_limit_is_not_read(tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 100
    site = write_site(tmp_path, {"a/index.md": page(body="![](big.png)"), "a/big.png": png()})

    report = import_site(site_dir=site)

    assert any("too large" in m for m in warnings_of(report, "a/index.md"))
    assert "/media/" not in Article.objects.get().body


# -- 4. bounded sizes -------------------------------------------------------------------------


def alias_bomb(levels):
    lines = [
        "---",
        'title: "炸弹"',
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]")
    return "\n".join([*lines, "---", "正文"]) + "\n"


@pytest.mark.parametrize("levels", [5, 8])
def test_yaml_alias_bomb_is_refused_quickly(tmp_path, levels):
    text = alias_bomb(levels)
    assert len(text.encode()) < 500
    site = write_site(tmp_path, {"news/bomb.md": text, "news/ok.md": page()})

    report, took = timed(import_site, site_dir=site)

    assert "aliases would repeat" in failure(report, "news/bomb.md")
    assert report.created == ["news/ok.md"]
    assert took < QUICK + 3  # includes the import of the good page
    assert max(len(json.dumps(a.extra)) for a in Article.objects.all()) < 1000


def test_yaml_alias_bomb_in_the_config_is_refused(tmp_path):
    config = alias_bomb(8).split("---\n")[1].replace("title:", "baseURL:")
    site = write_site(tmp_path, {"a.md": page()}, config=None)
    (site / "config.yaml").write_text(config, encoding="utf-8")

    with pytest.raises(SiteError, match="aliases would repeat"):
        timed(import_site, site_dir=site)


def test_a_few_anchors_and_merge_keys_still_import(tmp_path):
    text = "---\ntitle: t\nbase: &base {toc: true, x: 1}\nmine:\n  <<: *base\n  y: 2\n---\nbody\n"
    report = import_site(site_dir=write_site(tmp_path, {"a.md": text}))
    assert report.created == ["a.md"]
    article = Article.objects.get()
    assert article.extra["mine"] == {"toc": True, "x": 1, "y": 2}


def test_oversized_front_matter_is_refused(tmp_path):
    big = "x" * (limits.MAX_FRONT_MATTER_BYTES + 10)
    for fence, line in [("---", f"k: {big}"), ("+++", f'k = "{big}"')]:
        text = f'{fence}\ntitle = "t"\n{line}\n{fence}\n' if fence == "+++" else None
        text = text or f"{fence}\ntitle: t\n{line}\n{fence}\n"
        site = write_site(tmp_path / fence.strip("-+") / fence[0], {"a.md": text})
        report = import_site(site_dir=site)
        assert "front matter too large" in failure(report, "a.md")
    assert not Article.objects.exists()


def test_twenty_megabyte_file_is_reported_and_skipped(tmp_path):
    site = write_site(tmp_path, {"news/ok.md": page()})
    with open(site / "content" / "news" / "huge.md", "w", encoding="utf-8") as handle:
        handle.write(page("巨大") + "字" * (7 * 1024 * 1024))  # 3 bytes each: 21 MB

    report, took = timed(import_site, site_dir=site)

    assert "too large (21 MB, over the 2 MB limit" in failure(report, "news/huge.md")
    assert report.created == ["news/ok.md"]
    assert took < QUICK + 3


def test_file_size_limit_is_configurable(tmp_path):
    site = write_site(tmp_path, {"small.md": page(), "bigger.md": page(body="长" * 1000)})

    report = import_site(site_dir=site, max_file_bytes=1000)
    assert report.created == ["small.md"] and "over the 1000 bytes" in failure(report, "bigger.md")

    with pytest.raises(CommandError) as exc:
        call_command("import_hugo", str(site), "--jobs", "1", "--max-file-size", "0.001")
    assert exc.value.returncode == 1
    call_command("import_hugo", str(site), "--jobs", "1", "--max-file-size", "1")
    assert Article.objects.count() == 2


def test_body_over_the_limit_is_reported_and_skipped(tmp_path):
    body = ("中文内容，今天天气很好。" * 40 + "\n\n") * 1000  # 1.4 MB of Markdown
    site = write_site(tmp_path, {"big.md": page(body=body), "ok.md": page()})

    report, took = timed(import_site, site_dir=site)

    assert "body too large" in failure(report, "big.md")
    assert report.created == ["ok.md"]
    assert took < QUICK + 5


def test_body_over_the_limit_once_sanitised_with_images_is_refused(tmp_path):
    # The worker's check sees 300 KB; the sanitiser makes each "<" four bytes ("&lt;").
    html = '---\ntitle: t\n---\n<p><img src="a.png"> ' + "<" * 300_000 + "</p>\n"
    site = write_site(tmp_path, {"a/index.html": html, "a/a.png": png()})

    report = import_site(site_dir=site)

    assert "body too large" in failure(report, "a/index.html")
    assert not Article.objects.exists()


def test_extra_is_bounded_and_what_is_over_is_dropped_with_a_warning(tmp_path):
    value = "x" * 30_000
    text = f"---\ntitle: t\na: &v {value}\nb: *v\nc: *v\nsmall: 1\n---\nbody\n"

    report = import_site(site_dir=write_site(tmp_path, {"a.md": text}))

    article = Article.objects.get()
    assert len(json.dumps(article.extra, ensure_ascii=False).encode()) <= limits.MAX_EXTRA_BYTES
    assert sorted(article.extra) == ["a", "b", "small"]
    assert any("'c' dropped" in m for m in warnings_of(report, "a.md"))


def test_long_description_is_cut_with_a_warning(tmp_path):
    text = page(description='"' + "摘" * 5000 + '"')

    report = import_site(site_dir=write_site(tmp_path, {"a.md": text}))

    assert len(Article.objects.get().description) == limits.MAX_DESCRIPTION_CHARS
    assert any("description cut" in m for m in warnings_of(report, "a.md"))


# -- 4. scans in linear time ------------------------------------------------------------------

# Each took from 20 s to well over a minute with the regexes and shlex this replaced.
PATHOLOGICAL = {
    "a=": ("{{< " + "a=" * 5000) * 100,
    "unclosed quotes": '{{< figure src="' + 'a "b' * 5000 + "a" * 1_000_000 + " >}}",
    "many spaces": ("{{<a" + " " * 3000 + "x") * 4,
    "long argument": '{{< figure src="' + "a" * 1_000_000 + '" >}}',
    "opens without end": "{{< x " * 200_000,
    "escaped opens": "{{</*" * 200_000,
    "unclosed pairs": "{{< admonition >}}" * 20_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_shortcodes_are_processed_quickly(text):
    _, took = timed(render_body, text, is_markdown=False)
    assert took < QUICK
    _, took = timed(escape_for_export, text)
    assert took < QUICK


def test_many_unclosed_img_tags_import_quickly(tmp_path):
    html = "---\ntitle: t\n---\n" + "<img " * 100_000
    report, took = timed(import_site, site_dir=write_site(tmp_path, {"a.html": html}))
    assert report.created == ["a.html"]
    assert took < QUICK + 3


def test_shortcodes_nested_too_deep_are_refused(tmp_path):
    def nested(levels):
        return page(body="{{< details >}}" * levels + "x" + "{{< /details >}}" * levels)

    site = write_site(tmp_path, {"deep.md": nested(11), "ok.md": nested(10)})

    report = import_site(site_dir=site)

    assert "nested more than 10 deep" in failure(report, "deep.md")
    assert report.created == ["ok.md"]
    assert Article.objects.get().body.count("<details") == 10


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=list("ab= \t\n\"'\\\u3000\x0b"), max_size=16))
def test_split_words_reads_arguments_as_shlex_does(text):
    try:
        expected = shlex.split(text, posix=True)
    except ValueError:
        expected = ValueError
    try:
        got = split_words(text)
    except ValueError:
        got = ValueError
    assert got == expected


# -- 3. nothing outside OUT_DIR is written ----------------------------------------------------


def test_export_of_hostile_names_writes_nothing_outside_and_reports(tmp_path, make_article):
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    evil = ["../../../evil-topic", f"{tmp_path}/abs-evil", ".hidden"]
    for name in evil:
        Topic.objects.create(name=name, slug=f"t{len(name)}")
    Topic.objects.create(name="正常话题", slug="ok")
    section = Section.objects.create(name="资讯", slug="news")
    make_article(title="坏", section=section, extra={"categories": ["../../../evil-category"]})
    make_article(title="字典", extra={"categories": {"a": 1}})
    good = make_article(title="好")
    before = files_under(tmp_path, but=out)

    report = export_site(out_dir=out)

    assert files_under(tmp_path, but=out) == before
    assert not list(tmp_path.rglob("*evil*"))
    assert report.articles == 3
    assert (out / "content" / "articles" / good.slug / "index.html").is_file()
    assert (out / "content" / "news" / "正常话题" / "_index.md").is_file()
    for name in [*evil, "../../../evil-category"]:
        assert any(repr(name)[:40] in line for line in report.skipped), (name, report.skipped)
    assert any("extra.categories is not a list" in line for line in report.skipped)


def test_crafted_media_path_in_a_body_does_not_abort_the_export(tmp_path, make_article):
    crafted = make_article(title="坏图")
    Article.objects.filter(pk=crafted.pk).update(
        body='<p><img src="/media/../../etc/passwd"><img src="/media/a/../../../x.png"></p>'
    )
    later = make_article(title="后面的文章")

    report = export_site(out_dir=tmp_path / "out")

    assert report.articles == 2
    assert (tmp_path / "out" / "content" / "articles" / later.slug / "index.html").is_file()
    assert sum("not a path inside media" in line for line in report.skipped) == 2
    bundle = tmp_path / "out" / "content" / "articles" / crafted.slug
    assert sorted(p.name for p in bundle.iterdir()) == ["index.html"]


def test_symlink_planted_in_out_dir_is_not_followed(tmp_path, make_article):
    article = make_article(title="文章")
    outside = tmp_path / "outside"
    outside.mkdir()
    articles = tmp_path / "out" / "content" / "articles"
    articles.mkdir(parents=True)
    (articles / article.slug).symlink_to(outside, target_is_directory=True)

    report = export_site(out_dir=tmp_path / "out")

    assert list(outside.iterdir()) == []
    assert report.articles == 0
    assert any("outside the export folder" in line for line in report.skipped)


def test_export_command_reports_skipped_values_and_exits_1(tmp_path, make_article, capsys):
    Topic.objects.create(name="../../x", slug="x")
    make_article(title="文章")

    with pytest.raises(CommandError) as exc:
        call_command("export_hugo", str(tmp_path / "out"))

    assert exc.value.returncode == 1
    assert "skipped: news term '../../x'" in capsys.readouterr().err
