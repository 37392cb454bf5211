"""Odd cases of Hugo content, each in a small site the test writes itself."""

import datetime as dt
import json

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.hugo import importer
from articles.hugo.dates import parse_date
from articles.hugo.importer import import_site
from articles.models import Article, Author, ContentIssue, Section, Tag, Topic
from tests.hugo_sites import page, png, write_site

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


def only(report):
    assert not report.failed, report.failed
    return Article.objects.get()


# Formats and encodings


def test_toml_front_matter_with_native_dates(tmp_path):
    text = '+++\ntitle = "TOML 页"\ndate = 2021-03-04T05:06:07+08:00\nlastmod = 2021-03-05\n'
    text += 'tags = ["a", "b"]\nauthors = ["Ann"]\n[menu.footer]\nweight = 3\n+++\n正文\n'
    article = only(import_site(site_dir=write_site(tmp_path, {"posts/t.md": text})))
    assert article.title == "TOML 页"
    assert article.published_at == dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=CST)
    assert article.updated_at == dt.datetime(2021, 3, 5, tzinfo=CST)
    assert article.extra == {"menu": {"footer": {"weight": 3}}}
    assert sorted(article.tags.names()) == ["a", "b"]


def test_json_front_matter(tmp_path):
    text = '{\n "title": "JSON 页",\n "date": "2023-01-02T03:04:05Z",\n "categories": ["Tech"]\n}\n# Body\n'
    article = only(import_site(site_dir=write_site(tmp_path, {"posts/j/index.md": text})))
    assert article.published_at == dt.datetime(2023, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert article.section.name == "Tech"
    assert '<h1 id="body">Body</h1>' in article.body


def test_bom_and_crlf(tmp_path):
    text = "\ufeff---\r\ntitle: 带 BOM\r\ndraft: true\r\n---\r\n第一段\r\n\r\n第二段\r\n"
    article = only(import_site(site_dir=write_site(tmp_path, {"p.md": text.encode("utf-8")})))
    assert article.title == "带 BOM"
    assert article.status == Article.Status.DRAFT
    assert article.body.count("<p>") == 2


def test_bare_content_folder_without_config(tmp_path):
    write_site(tmp_path, {"news/x/index.md": page(news='["GameFi"]')}, config=None)
    article = only(import_site(site_dir=tmp_path / "content"))
    assert [t.name for t in article.topics.all()] == ["GameFi"]  # `news` assumed without config


# Dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-05", dt.datetime(2024, 2, 5, tzinfo=CST)),
        ("2018-06-14 23:32:47", dt.datetime(2018, 6, 14, 23, 32, 47, tzinfo=CST)),
        ("2022-01-01T00:00:00Z", dt.datetime(2022, 1, 1, tzinfo=dt.UTC)),
        ("2018-10-30T8:59:56+08:00", dt.datetime(2018, 10, 30, 8, 59, 56, tzinfo=CST)),
        ("2022-07-06T12:49:43.229+0800", dt.datetime(2022, 7, 6, 12, 49, 43, 229000, tzinfo=CST)),
        ("2022-07-28T21:38:40+08:00", dt.datetime(2022, 7, 28, 21, 38, 40, tzinfo=CST)),
    ],
)
def test_every_date_shape(text, expected):
    assert parse_date(text) == expected


def test_timezone_option_applies_to_dates_without_zone(tmp_path):
    site = write_site(tmp_path, {"a.md": page(date="2020-05-01 10:00:00")})
    article = only(import_site(site_dir=site, tz="UTC"))
    assert article.published_at == dt.datetime(2020, 5, 1, 10, tzinfo=dt.UTC)


def test_future_date_is_scheduled_not_visible(tmp_path):
    future = (timezone.now() + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    article = only(import_site(site_dir=write_site(tmp_path, {"a.md": page(date=future)})))
    assert article.is_scheduled
    assert not Article.objects.published().exists()


def test_draft_is_not_published(tmp_path):
    article = only(import_site(site_dir=write_site(tmp_path, {"a.md": page(draft="true")})))
    assert article.status == Article.Status.DRAFT


# Front-matter mapping


def test_single_author_forms_and_weight_and_extra(tmp_path):
    files = {
        "a.md": page("甲", author='"Biwen"', weight="7", toc="true", featuredImage1="x.jpg"),
        "b.md": page("乙", author="\n  name: Lruihao\n  link: mailto:a@b.c", weight=""),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert not report.failed
    a, b = Article.objects.get(title="甲"), Article.objects.get(title="乙")
    assert [x.name for x in a.byline] == ["Biwen"]
    assert a.weight == 7 and a.toc is True and a.extra == {"featuredImage1": "x.jpg"}
    assert [x.name for x in b.byline] == ["Lruihao"]
    assert b.weight is None and b.extra == {"authorLink": "mailto:a@b.c"}


def test_pinned_and_empty_terms(tmp_path):
    files = {"a.md": page(pinned="true", tags='["x", ""]', categories="")}
    article = only(import_site(site_dir=write_site(tmp_path, files)))
    assert list(article.placements.values_list("slot__key", flat=True)) == ["pinned"]
    assert list(article.tags.names()) == ["x"]
    assert article.section is None


def test_featured_image_forms(tmp_path):
    files = {
        "a/index.md": page("列表", featuredImage='["cover.png"]'),
        "a/cover.png": png(),
        "b/index.md": page("静态", featuredImage="/images/s.png"),
        "static/images/s.png": png(color=(1, 2, 3)),
        "c/index.md": page("资源", resources="\n  - name: featured-image\n    src: r.png"),
        "c/r.png": png(color=(9, 9, 9)),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert not report.failed and not report.warnings
    for title in ["列表", "静态", "资源"]:
        article = Article.objects.get(title=title)
        assert article.featured_image.name.startswith("articles/hugo/"), title
        assert article.featured_image_alt == title


def test_existing_authors_tags_sections_are_reused(tmp_path, section):
    Author.objects.create(name="Cindy")
    files = {
        "a.md": page("一", authors='["Cindy"]', categories='["news"]', tags='["T"]'),
        "b.md": page("二", authors='["Cindy"]', categories='["资讯"]', tags='["T"]'),
    }
    assert not import_site(site_dir=write_site(tmp_path, files)).failed
    assert Author.objects.count() == 1 and Tag.objects.count() == 1
    assert Section.objects.count() == 1
    assert set(Article.objects.values_list("section__slug", flat=True)) == {"news"}


# Body: Markdown, shortcodes, images


def test_markdown_extensions(tmp_path):
    body = "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ [^1]\n\n- [x] done\n\n[^1]: note\n"
    article = only(import_site(site_dir=write_site(tmp_path, {"a.md": page(body=body)})))
    assert "<table>" in article.body and "<s>gone</s>" in article.body
    # Form controls never reach a body (docs/SECURITY.md): the task list's box becomes text.
    assert "☑ done" in article.body and "<input" not in article.body
    assert "footnote" in article.body


def test_known_shortcodes_rendered(tmp_path):
    body = (
        '{{< admonition tip "小心" >}}\n**粗体**\n{{< /admonition >}}\n\n'
        '{{< details "更多" >}}\n隐藏\n{{< /details >}}\n\n'
        '{{< figure src="f.png" caption="图说" >}}\n\n'
        '{{< link "https://example.com/" "例子" >}} {{< bilibili BV1xx411c7mD >}} '
        "{{< youtube dQw4w9WgXcQ >}}\n"
    )
    files = {"a/index.md": page(body=body), "a/f.png": png()}
    report = import_site(site_dir=write_site(tmp_path, files))
    article = only(report)
    assert '<details class="admonition tip" open=""><summary>小心</summary>' in article.body
    assert "<strong>粗体</strong>" in article.body
    assert "<summary>更多</summary>" in article.body
    assert (
        "<figcaption>图说</figcaption>" in article.body and "/media/articles/hugo/" in article.body
    )
    assert 'href="https://example.com/"' in article.body
    assert "https://www.bilibili.com/video/BV1xx411c7mD/" in article.body
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in article.body
    assert not report.warnings


def test_unknown_shortcode_kept_as_text_and_reported(tmp_path):
    body = '{{< mermaid >}}\ngraph LR\n{{< /mermaid >}}\n\n{{% music id="1" %}}\n'
    report = import_site(site_dir=write_site(tmp_path, {"a.md": page(body=body)}))
    article = only(report)
    assert "{{&lt; mermaid &gt;}}" in article.body and "graph LR" in article.body
    assert "{{% music id=&quot;1&quot; %}}" in article.body or "music" in article.body
    names = set(article.content_issues.values_list("detail", flat=True))
    assert names == {"mermaid", "music"}
    assert {w["file"] for w in report.warnings} == {"a.md"}


def test_escaped_shortcode_shown_literally_never_run(tmp_path):
    body = '```\n{{</* figure src="/nope.png" */>}}\n```\n\nInline {{</* youtube x */>}}.\n'
    report = import_site(site_dir=write_site(tmp_path, {"a.md": page(body=body)}))
    article = only(report)
    assert '{{&lt; figure src="/nope.png" &gt;}}' in article.body
    assert "{{&lt; youtube x &gt;}}" in article.body
    assert "<figure" not in article.body and not report.warnings


def test_script_in_markdown_is_sanitised(tmp_path):
    body = '<script>alert(1)</script>\n\n<p onclick="x()">hi</p>\n'
    article = only(import_site(site_dir=write_site(tmp_path, {"a.md": page(body=body)})))
    assert "<script" not in article.body and "onclick" not in article.body


def test_images_bundle_static_missing_remote_windows(tmp_path):
    body = (
        "![a](local.png)\n\n![b](/img/s.png)\n\n![c](gone.jpg)\n\n"
        "![d](https://example.com/r.jpg)\n\n![e](C:\\Users\\me\\x.jpg)\n"
    )
    files = {
        "a/index.md": page(body=body),
        "a/local.png": png(),
        "static/img/s.png": png(color=(3, 3, 3)),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    article = only(report)
    assert article.body.count('src="/media/articles/hugo/') == 2
    assert 'src="https://example.com/r.jpg"' in article.body  # left where it is
    kinds = sorted(article.content_issues.values_list("kind", flat=True))
    assert kinds == ["broken_image_path", "missing_image", "remote_image"]
    messages = " | ".join(w["message"] for w in report.warnings)
    assert "gone.jpg" in messages and "https://example.com/r.jpg" in messages
    assert "C:\\Users\\me\\x.jpg" in messages
    assert {w["file"] for w in report.warnings} == {"a/index.md"}


def test_unreadable_image_reported(tmp_path):
    files = {"a/index.md": page(body="![x](bad.png)"), "a/bad.png": b"not an image"}
    report = import_site(site_dir=write_site(tmp_path, files))
    article = only(report)
    assert list(article.content_issues.values_list("kind", flat=True)) == ["unreadable_image"]


def test_same_image_stored_once(tmp_path, settings):
    files = {
        "a/index.md": page("一", featuredImage="c.png"),
        "a/c.png": png(),
        "b/index.md": page("二", featuredImage="c.png"),
        "b/c.png": png(),
    }
    only_files = import_site(site_dir=write_site(tmp_path, files))
    assert not only_files.failed
    names = set(Article.objects.values_list("featured_image", flat=True))
    assert len(names) == 1
    assert len(list((settings.MEDIA_ROOT / "articles" / "hugo").rglob("*.png"))) == 1


# Structure: translations, section pages, duplicates, sections option


def test_translations_import_as_articles_in_their_language(tmp_path):
    """More in tests/test_import_hugo_translations.py."""
    files = {
        "news/a/index.zh-cn.md": page("中文"),
        "news/a/index.en.md": page("English"),
        "news/_index.md": page("资讯栏目", description='"新闻"'),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    rows = Article.objects.order_by("language")
    assert [(a.language, a.title) for a in rows] == [("en", "English"), ("zh-hans", "中文")]
    assert report.skipped == []


def test_section_index_gives_title_and_description(tmp_path):
    files = {
        "news/_index.md": page("资讯", description='"行业新闻"'),
        "news/a/index.md": page("文", categories='["news"]'),
    }
    article = only(import_site(site_dir=write_site(tmp_path, files)))
    assert (article.section.name, article.section.slug) == ("资讯", "news")
    assert article.section.description == "行业新闻"


@pytest.mark.parametrize("order", ["folder first", "term page first"])
def test_the_category_term_page_names_the_section_over_the_folder_index(tmp_path, order):
    """What the old site showed as the category (categories/news/_index.md) is the section's
    name, not the content folder's English title."""
    folder = {"news/_index.md": page("News", description='"English folder"')}
    term = {"categories/news/_index.zh-cn.md": page("元宇宙资讯", description='"行业新闻"')}
    files = {**folder, **term} if order == "folder first" else {**term, **folder}
    files["news/a/index.md"] = page("文", categories='["news"]')
    article = only(import_site(site_dir=write_site(tmp_path, files)))
    assert (article.section.name, article.section.slug) == ("元宇宙资讯", "news")
    assert article.section.description == "行业新闻"


def test_duplicate_page_in_default_language_skipped_with_warning(tmp_path):
    files = {"a/index.md": page("无后缀"), "a/index.zh-cn.md": page("有后缀")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert [a.title for a in Article.objects.all()] == ["有后缀"]
    assert report.skipped == ["a/index.md"]
    assert report.warnings[0]["file"] == "a/index.md"


def test_section_option_limits_import(tmp_path):
    files = {"news/a.md": page("新闻"), "games/b.md": page("游戏")}
    import_site(site_dir=write_site(tmp_path, files), sections=["news"])
    assert [a.title for a in Article.objects.all()] == ["新闻"]


def test_duplicate_slugs_get_suffixes(tmp_path):
    files = {"a.md": page("同名", slug="same"), "b.md": page("同名", slug="same")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same", "same-2"]
    assert len(report.created) == 2


# Permalinks and redirects


def test_permalink_config_slug_url_and_aliases_redirect(tmp_path, client):
    config = '[permalinks]\nposts = "/:year/:month/:slug/"\n'
    files = {
        "posts/a.md": page("甲", date="2021-02-03", slug="hello", aliases='["/old/a/", "rel"]'),
        "pages/b.md": page("乙", url="/custom/path/"),
        "news/My Post/index.md": page("丙"),
    }
    import_site(site_dir=write_site(tmp_path, files, config=config))
    a, b, c = (Article.objects.get(title=t) for t in ["甲", "乙", "丙"])
    for old, article in [
        ("/2021/02/hello/", a),
        ("/old/a/", a),
        ("/2021/02/rel", a),
        ("/custom/path/", b),
        ("/news/my-post/", c),
    ]:
        assert Redirect.objects.get(old_path=old).new_path == article.get_absolute_url(), old
    assert client.get("/custom/path/").status_code == 301


def test_taxonomy_pages_redirect(tmp_path):
    files = {"a.md": page(tags='["Web 3.0", "元宇宙"]', categories='["News"]', news='["GameFi"]')}
    import_site(site_dir=write_site(tmp_path, files))
    old_paths = set(Redirect.objects.values_list("old_path", flat=True))
    assert {"/tags/web-3.0/", "/categories/news/", "/news/gamefi/"} <= old_paths
    assert "/tags/%E5%85%83%E5%AE%87%E5%AE%99/" in old_paths


# Bad files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: [unclosed\n---\nbody", "YAML"),
        (b"---\ntitle: \xff\xfe\n---\n", "not UTF-8"),
        ("---\ndraft: false\n---\nno title", "no title"),
        ("---\ntitle: x\nbody never closes", "never closed"),
        ("+++\ntitle = \n+++\n", "TOML"),
        ("---\ntitle: x\ndate: yesterday\n---\n", "date"),
        ("", "no title"),
    ],
)
def test_bad_file_reported_and_rest_goes_on(tmp_path, content, reason):
    files = {"bad.md": content, "good.md": page("好")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert [f["file"] for f in report.failed] == ["bad.md"]
    assert reason in report.failed[0]["error"]
    assert report.created == ["good.md"]


def test_crash_mid_file_leaves_no_half_article(tmp_path, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importer.ContentIssue.objects, "bulk_create", explode)
    files = {"a.md": page(tags='["t"]', authors='["新作者"]')}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert report.failed == [{"file": "a.md", "error": "RuntimeError: disk on fire"}]
    assert not Article.objects.exists() and not Author.objects.exists()


# Re-import


def test_reimport_creates_no_duplicates_and_updates_changes(tmp_path):
    site = write_site(tmp_path, {"a.md": page("原题", tags='["x"]'), "b.md": page("乙")})
    first = import_site(site_dir=site)
    assert len(first.created) == 2
    (site / "content" / "a.md").write_text(page("新题", tags='["y"]'), encoding="utf-8")
    second = import_site(site_dir=site)
    assert (second.created, second.updated, second.unchanged) == ([], ["a.md"], ["b.md"])
    article = Article.objects.get(source_path="a.md")
    assert article.title == "新题" and list(article.tags.names()) == ["y"]
    assert Article.objects.count() == 2


def test_reimport_leaves_editor_changes_alone_unless_overwrite(tmp_path):
    site = write_site(tmp_path, {"a.md": page("原题")})
    import_site(site_dir=site)
    article = Article.objects.get()
    article.title = "编辑改过的标题"
    article.save()
    (site / "content" / "a.md").write_text(page("文件里的新标题"), encoding="utf-8")
    report = import_site(site_dir=site)
    assert report.skipped == ["a.md"]
    assert "changed in the admin" in report.warnings[0]["message"]
    assert Article.objects.get().title == "编辑改过的标题"
    report = import_site(site_dir=site, overwrite=True)
    assert report.updated == ["a.md"]
    assert Article.objects.get().title == "文件里的新标题"


def test_editor_save_without_changes_is_not_an_edit(tmp_path):
    site = write_site(tmp_path, {"a/index.md": page(body="**b** ![x](gone.png)", tags='["t"]')})
    import_site(site_dir=site)
    Article.objects.get().save()
    (site / "content" / "a" / "index.md").write_text(page("改"), encoding="utf-8")
    assert import_site(site_dir=site).updated == ["a/index.md"]


def test_dry_run_writes_nothing(tmp_path, settings):
    files = {"a/index.md": page(featuredImage="c.png", tags='["t"]'), "a/c.png": png()}
    report = import_site(site_dir=write_site(tmp_path, files), dry_run=True)
    assert report.created == ["a/index.md"] and report.redirects > 0
    assert not Article.objects.exists() and not Tag.objects.exists()
    assert not Redirect.objects.exists()
    assert not (settings.MEDIA_ROOT / "articles").exists()


# Issues are cleared when fixed


def test_issues_cleared_when_editor_fixes_article(tmp_path):
    body = "![x](gone.png)\n\n{{< mermaid >}}\n"
    import_site(site_dir=write_site(tmp_path, {"a.md": page(body=body)}))
    article = Article.objects.get()
    assert article.content_issues.count() == 2
    article.body = article.body.replace("mermaid", "图表")
    article.save()
    assert list(article.content_issues.values_list("kind", flat=True)) == ["missing_image"]
    article.body = "<p>图片已删除</p>"
    article.save()
    assert not ContentIssue.objects.exists()


# The command


def test_command_exit_status(tmp_path):
    with pytest.raises(CommandError) as missing:
        call_command("import_hugo", str(tmp_path / "nope"))
    assert missing.value.returncode == 2
    with pytest.raises(CommandError) as bad_zone:
        call_command("import_hugo", str(tmp_path), "--timezone", "Mars/Base")
    assert bad_zone.value.returncode == 2
    site = write_site(tmp_path / "s", {"bad.md": "---\n: :\n---", "ok.md": page()})
    report_file = tmp_path / "r.json"
    with pytest.raises(CommandError) as failed:
        call_command("import_hugo", str(site), "--report", str(report_file))
    assert failed.value.returncode == 1
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["failed"][0]["file"] == "bad.md" and data["created"] == ["ok.md"]


def test_command_dry_run_and_plain_progress(tmp_path, capsys):
    site = write_site(tmp_path, {"a.md": page(), "b.md": page("二")})
    call_command("import_hugo", str(site), "--dry-run")
    captured = capsys.readouterr()
    assert "[2/2] b.md" in captured.err
    assert "Dry run" in captured.out
    assert not Article.objects.exists()


def test_topic_taxonomy_from_config(tmp_path):
    config = '[taxonomies]\ntag = "tags"\nseries = "series"\n'
    files = {"a.md": page(series='["入门"]', news='["kept in extra"]')}
    article = only(import_site(site_dir=write_site(tmp_path, files, config=config)))
    assert [t.name for t in article.topics.all()] == ["入门"]
    assert article.extra == {"news": ["kept in extra"]}
    assert Topic.objects.count() == 1


def test_terms_that_differ_only_in_case_or_slug(tmp_path):
    files = {"a.md": page(tags='["C", "C++", "c"]', authors='["Bob", "bob"]')}
    article = only(import_site(site_dir=write_site(tmp_path, files)))
    assert sorted(article.tags.names()) == ["C", "C++"]
    assert [a.name for a in article.byline] == ["Bob"]
