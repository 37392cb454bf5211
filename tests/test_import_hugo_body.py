"""Body fidelity: what the Hugo site's `[markup]` config turns on (with Hugo's defaults when it
says nothing) comes across as Hugo rendered it, and through the sanitiser."""

import re
import zoneinfo
from html import escape
from urllib.parse import unquote

import pytest

from articles.hugo.markdown import heading_id, markup_options, render_body
from articles.hugo.pipeline import Task, prepare
from articles.text.sanitize import sanitize_html

OFF = {
    "goldmark": {
        "extensions": {
            "linkify": False,
            "typographer": {"disable": True},
            "definitionList": False,
        },
        "parser": {"autoHeadingID": False},
    }
}


def body(markdown, markup=None):
    html, unknown = render_body(markdown, markup=markup)
    assert unknown == []
    return sanitize_html(html)


def heading_ids(html):
    return re.findall(r'<h[1-6] id="([^"]*)"', html)


def test_custom_heading_ids_are_ids_not_text():
    html = body("## Getting started {#start}\n\nSetext title {#setext .lead}\n---\n")
    assert '<h2 id="start">Getting started</h2>' in html
    assert '<h2 id="setext" class="lead">Setext title</h2>' in html
    assert "{#" not in html


def test_automatic_ids_are_githubs_for_chinese_and_english_and_count_duplicates():
    html = body(
        "# 新闻 标题\n\n## 中文标题（二）：说明\n\n## Hello, World! It's `x_y` 2024\n\n"
        "## Hello World\n\n## Hello World\n\n## Hello World\n\n## ???\n"
    )
    assert heading_ids(html) == [
        "新闻-标题",
        "中文标题二说明",
        "hello-world-its-x_y-2024",
        "hello-world",
        "hello-world-1",
        "hello-world-2",
        "heading",
    ]


def test_an_automatic_id_avoids_a_custom_one_given_before_it():
    html = body("## Intro {#intro}\n\n## Intro\n")
    assert heading_ids(html) == ["intro", "intro-1"]


def test_ids_are_unique_across_shortcode_content_and_the_page():
    html = body('## Note\n\n{{% details summary="more" %}}\n## Note\n{{% /details %}}\n')
    assert sorted(heading_ids(html)) == ["note", "note-1"]


@pytest.mark.parametrize(
    ("text", "id_type", "expected"),
    [
        ("A  b-c_d", "github", "a--b-c_d"),
        ("Ünïcode 中文", "github", "ünïcode-中文"),
        ("Ünïcode 中文", "github-ascii", "unicode-"),
    ],
)
def test_heading_id_follows_hugo(text, id_type, expected):
    assert heading_id(text, id_type) == expected


def test_an_anchor_link_to_a_heading_survives_the_sanitiser():
    html = body("## 第一节\n\n[跳到第一节](#第一节) and [custom](#my-id)\n\n## B {#my-id}\n")
    assert '<h2 id="第一节">第一节</h2>' in html
    # Percent-encoded, as goldmark writes it; browsers decode a fragment to find its target.
    href = re.search(r'<a href="#([^"]*)" rel="noopener noreferrer">跳到第一节</a>', html)
    assert unquote(href.group(1)) == "第一节"
    assert '<a href="#my-id" rel="noopener noreferrer">custom</a>' in html
    assert '<h2 id="my-id">B</h2>' in html


def test_automatic_ids_can_be_turned_off():
    html = body("## Hello World {#kept}\n\n## Hello World\n", OFF)
    assert heading_ids(html) == ["kept"]
    assert "<h2>Hello World</h2>" in html


@pytest.mark.parametrize(
    "unsafe",
    ["javascript:x", 'a"b', "a b", "a'b", "<x>", "a" * 129, ""],
)
def test_unsafe_ids_are_dropped(unsafe):
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        assert sanitize_html(f'<{tag} id="{escape(unsafe)}">T</{tag}>') == f"<{tag}>T</{tag}>"


def test_footnote_ids_outside_headings_keep_working():
    html = body("a[^1] b[^1]\n\n[^1]: note\n")
    assert 'id="fnref1:1"' in html and 'href="#fnref1:1"' in html
    assert '<li id="fn1"' in html


def test_unsafe_custom_id_from_markdown_is_dropped_and_the_heading_kept():
    html = body("## Title {#javascript:x}\n")
    assert html.strip() == "<h2>Title</h2>"


@pytest.mark.parametrize("safe", ["中文标题", "fn1", "a-b_c", "Ünï", "a" * 128])
def test_safe_ids_are_kept(safe):
    assert sanitize_html(f'<h3 id="{safe}">t</h3>') == f'<h3 id="{safe}">t</h3>'


def test_table_column_alignment_becomes_a_class():
    table = "| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n"
    assert "style" not in render_body(table)[0]  # no style for the sanitiser to drop
    html = body("| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n")
    for tag in ("th", "td"):
        assert f'<{tag} class="align-left">' in html
        assert f'<{tag} class="align-center">' in html
        assert f'<{tag} class="align-right">' in html
    assert "<th>N</th>" in html and "<td>4</td>" in html
    assert "style" not in html


def test_the_site_stylesheet_aligns_the_classes():
    with open("static/css/site.css", encoding="utf-8") as css:
        rules = css.read()
    for side in ("left", "center", "right"):
        assert f".article-body .align-{side} {{ text-align: {side}; }}" in rules


def test_linkify_by_default_and_off_when_the_config_says_so():
    text = "见 https://example.com/a 和 www.example.org 。\n"
    on, off = body(text), body(text, OFF)
    assert '<a href="https://example.com/a" rel="noopener noreferrer">' in on
    assert '<a href="https://www.example.org" rel="noopener noreferrer">' in on  # https
    assert "<a" not in off


def test_linkify_protocol_from_the_config():
    markup = {"goldmark": {"extensions": {"linkifyProtocol": "http"}}}
    assert 'href="http://www.example.org"' in body("www.example.org\n", markup)


def test_typographer_by_default_and_off_when_the_config_says_so():
    text = '"Quoted" and it\'s -- or --- and... but `"code" --` and (c) https://a.b/x--y\n'
    on, off = body(text), body(text, OFF)
    assert '“Quoted” and it’s – or — and… but <code>"code" --</code> and (c)' in on
    assert ">https://a.b/x--y</a>" in on  # a linkified URL keeps its text
    assert '"Quoted" and it\'s -- or --- and... but' in off


def test_typographer_as_the_old_boolean():
    assert "“a”" in body('"a"\n', {"goldmark": {"extensions": {"typographer": True}}})
    assert '"a"' in body('"a"\n', {"goldmark": {"extensions": {"typographer": False}}})


def test_definition_lists_by_default_and_off_when_the_config_says_so():
    text = "术语\n: 定义一\n\nTerm\n: Definition\n"
    on, off = body(text), body(text, OFF)
    assert "<dl>\n<dt>术语</dt>\n<dd>定义一</dd>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>" in on
    assert "<dl>" not in off


def test_config_keys_are_read_in_any_case():
    markup = {"Goldmark": {"Extensions": {"LINKIFY": False}, "parser": {"AutoHeadingId": False}}}
    options = markup_options(markup)
    assert not options.linkify and not options.auto_heading_id
    assert options.typographer and options.definition_list  # Hugo's defaults stay
    assert markup_options(None) == markup_options({})


def test_the_import_pipeline_passes_the_markup_config_on():
    raw = b"---\ntitle: T\n---\n## Hello World\n\nwww.example.org\n"
    task = Task(rel="news/a.md", raw=raw, is_markdown=True, file_digest="x")
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    default = prepare(task, taxonomies={"news": "news"}, tz=tz)
    off = prepare(task, taxonomies={"news": "news"}, tz=tz, markup=OFF)
    assert default.error == "" and off.error == ""
    assert '<h2 id="hello-world">' in default.clean_body and "<a " in default.clean_body
    assert "<h2>Hello World</h2>" in off.clean_body and "<a " not in off.clean_body


@pytest.mark.django_db
def test_the_sites_markup_config_reaches_the_body(tmp_path):
    from articles.hugo.importer import import_site
    from articles.models import Article
    from tests.hugo_sites import NEWS_CONFIG, write_site

    config = NEWS_CONFIG + "\n[markup.goldmark.extensions]\ntypographer = false\n"
    text = '---\ntitle: "引号"\ndate: 2024-01-01\n---\n\n"quoted" -- text\n'
    import_site(site_dir=write_site(tmp_path, {"a.md": text}, config=config))
    body = Article.objects.get().body
    assert "&quot;quoted&quot;" in body or '"quoted"' in body
    assert "“" not in body and "–" not in body
