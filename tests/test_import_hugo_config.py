"""The whole Hugo site comes across: the config/ directory, author taxonomies, data pages and
a report that gives every skipped file its reason. Each test writes its own site."""

from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command

from articles.hugo.importer import import_site
from articles.hugo.permalinks import request_path
from articles.hugo.site import merge_config, open_site
from articles.models import Article, Author, Topic
from tests.hugo_sites import SHARED, page, write_site

pytestmark = pytest.mark.django_db
METANAV = SHARED / "hugo-corpus" / "yi-work-metanav"


def write_config(root, files):
    """files: {"_default/config.toml": text}; paths under config/."""
    for rel, text in files.items():
        path = Path(root) / "config" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# The config/ directory


def test_config_directory_merged_over_root_file_then_environment(tmp_path):
    write_site(tmp_path, {"news/a.md": page()}, config='defaultContentLanguage = "en"\n')
    write_config(
        tmp_path,
        {
            "_default/config.toml": 'defaultContentLanguage = "zh-cn"\n'
            '[taxonomies]\ntag = "tags"\nnews = "news"\n'
            '[permalinks]\nnews = "/default/:slug/"\n',
            "_default/languages.toml": "[zh-cn]\nweight = 1\n[en]\nweight = 2\n",
            "_default/menus.en.toml": '[[main]]\nname = "Home"\n',
            "_default/params.zh-cn.yaml": "logo: x.png\n",
            "production/taxonomies.toml": 'games = "games"\n',
            "production/config.toml": '[permalinks]\nnews = "/prod/:slug/"\n',
            "staging/config.toml": '[permalinks]\nnews = "/staging/:slug/"\n',
        },
    )
    site = open_site(tmp_path)
    assert site.default_language == "zh-cn"  # config/ wins over the root file
    assert site.languages == {"zh-cn", "en"}
    assert set(site.taxonomies) == {"tags", "news", "games"}  # maps merged, not replaced
    assert site.permalinks == {"news": "/prod/:slug/"}  # production by default
    assert site.config["languages"]["en"]["menus"] == {"main": [{"name": "Home"}]}
    assert site.config["languages"]["zh-cn"]["params"] == {"logo": "x.png"}
    assert open_site(tmp_path, environment="staging").permalinks == {"news": "/staging/:slug/"}
    assert open_site(tmp_path, environment="nowhere").permalinks == {"news": "/default/:slug/"}


def test_config_keys_are_case_insensitive(tmp_path):
    config = (
        'DefaultContentLanguage = "en"\nUglyURLs = true\n'
        '[Taxonomies]\nTag = "tags"\nseries = "series"\n[Permalinks]\nposts = "/p/:slug/"\n'
    )
    site = open_site(write_site(tmp_path, {"posts/a.md": page()}, config=config))
    assert site.default_language == "en"
    assert site.ugly_urls
    assert site.topic_taxonomies == ["series"]
    assert site.permalinks == {"posts": "/p/:slug/"}
    merged = merge_config({"Params": {"A": 1, "b": 2}}, {"params": {"a": 3}})
    assert merged == {"params": {"b": 2, "a": 3}}


def test_permalinks_from_config_directory_become_redirects(tmp_path):
    write_site(tmp_path, {"posts/a.md": page("甲", slug="alpha")}, config=None)
    write_config(tmp_path, {"_default/hugo.toml": '[Permalinks]\nposts = "/p/:slug/"\n'})
    report = import_site(site_dir=tmp_path)
    assert not report.failed
    article = Article.objects.get()
    assert Redirect.objects.get(old_path="/p/alpha/").new_path == article.get_absolute_url()


def test_environment_option_of_the_command(tmp_path, capsys):
    write_site(tmp_path, {"posts/a.md": page("甲", slug="alpha")}, config=None)
    write_config(
        tmp_path,
        {
            "production/config.toml": '[permalinks]\nposts = "/prod/:slug/"\n',
            "staging/config.toml": '[permalinks]\nposts = "/staging/:slug/"\n',
        },
    )
    call_command("import_hugo", str(tmp_path), "--environment", "staging", "--jobs", "1")
    assert Redirect.objects.filter(old_path="/staging/alpha/").exists()
    assert not Redirect.objects.filter(old_path="/prod/alpha/").exists()


def test_unused_config_keys_are_named_once_in_report_and_summary(tmp_path, capsys):
    write_site(
        tmp_path, {"posts/a.md": page()}, config='baseURL = "https://x/"\n[privacy]\nx = 1\n'
    )
    write_config(
        tmp_path,
        {
            "_default/params.toml": "a = 1\n",
            "_default/config.toml": '[Permalinks]\nposts = ":slug"\n[privacy]\ny = 2\n',
        },
    )
    report_file = tmp_path / "report.json"
    call_command("import_hugo", str(tmp_path), "--jobs", "1", "--report", str(report_file))
    messages = [w["message"] for w in import_site(site_dir=tmp_path).warnings]
    named = [m for m in messages if m.startswith("config keys not used")]
    text = " ".join(named)
    assert text.count("baseURL") == 1 and text.count("privacy") == 1 and "params" in text
    assert "ermalinks" not in text
    assert "config keys not used by the import" in capsys.readouterr().out


@pytest.mark.skipif(not METANAV.is_dir(), reason="../shared/hugo-corpus is not here")
def test_corpus_site_config_directory_is_read():
    site = open_site(METANAV)
    assert {"navigation", "games", "nfts", "news"} <= set(site.topic_taxonomies)
    assert "authors" not in site.topic_taxonomies and site.author_taxonomy == "authors"
    assert site.default_language == "zh-cn"
    assert site.languages == {"zh-cn", "en"}
    assert site.permalinks == {"posts": ":filename"}  # written [Permalinks]


# Authors are bylines, never topics


AUTHOR_CONFIG = '[taxonomies]\nauthor = "authors"\ntag = "tags"\nnews = "news"\n'


def test_author_taxonomy_is_bylines_not_topics(tmp_path, client):
    files = {"news/a.md": page("甲", authors='["小一"]', news='["元宇宙"]')}
    report = import_site(site_dir=write_site(tmp_path, files, config=AUTHOR_CONFIG))
    assert not report.failed
    author = Author.objects.get()
    assert author.name == "小一"
    assert list(Topic.objects.values_list("name", flat=True)) == ["元宇宙"]
    old = request_path("/authors/小一/")
    assert Redirect.objects.get(old_path=old).new_path == author.get_absolute_url()
    response = client.get("/authors/小一/")
    assert response.status_code == 301
    assert response["Location"] == author.get_absolute_url()


# Data pages come in as drafts


def test_data_pages_are_drafts_with_a_reason(tmp_path):
    files = {
        "news/article.md": page("文章"),
        "news/hidden.md": page("隐藏", hidePage="true"),
        "news/never.md": page("不渲染", _build="{render: never}"),
        "news/unlisted.md": page("不列出", build="{list: false}"),
        "news/comment.md": page("注释", body="<!-- link 广告链接\n adtype: 1 -> 横图 -->"),
        "news/empty.md": page("空", body=""),
        "ads/1/index.md": page("广告", body="一张广告图"),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert not report.failed
    published = list(Article.objects.published().values_list("title", flat=True))
    assert published == ["文章"]
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 6
    reasons = {w["file"]: w["message"] for w in report.warnings if "draft" in w["message"]}
    assert set(reasons) == set(files) - {"news/article.md"}
    assert "hidePage" in reasons["news/hidden.md"]
    assert "render: never" in reasons["news/never.md"]
    assert "list: false" in reasons["news/unlisted.md"]
    assert "no body" in reasons["news/comment.md"] and "no body" in reasons["news/empty.md"]
    assert "ads/" in reasons["ads/1/index.md"]


def test_an_image_only_body_is_an_article(tmp_path):
    files = {"news/a.md": page("图", body="![](https://example.com/x.png)")}
    import_site(site_dir=write_site(tmp_path, files))
    assert Article.objects.get().status == Article.Status.PUBLISHED


# The report


def test_skipped_translations_have_a_reason_in_report_and_summary(tmp_path, capsys):
    files = {"news/a/index.md": page("中文"), "news/a/index.fr.md": page("Français")}
    write_site(tmp_path, files)
    report = import_site(site_dir=tmp_path, dry_run=True)
    assert report.skipped == ["news/a/index.fr.md"]
    assert report.skip_reasons() == {
        "in another language (fr): the site has no such language (zh-hans, en)": [
            "news/a/index.fr.md"
        ]
    }
    call_command("import_hugo", str(tmp_path), "--jobs", "1")
    out = capsys.readouterr().out
    assert "skipped 1: in another language (fr)" in out


def test_dry_run_counts_equal_the_real_run(tmp_path):
    files = {
        f"news/{n}.md": page(
            f"第{n}篇",
            tags='["元宇宙", "GameFi"]',
            categories='["news"]',
            news='["链游"]',
            aliases=f'["/old/{n}/"]',
        )
        for n in range(4)
    }
    files["news/en.en.md"] = page("English")
    write_site(tmp_path, files)
    dry = import_site(site_dir=tmp_path, dry_run=True)
    assert not Redirect.objects.exists() and not Article.objects.exists()
    real = import_site(site_dir=tmp_path)
    assert dry.counts() == real.counts()
    # permalinks and aliases, one tag (/tags/gamefi/ is already the tag's URL), section, topic,
    # and the list pages: /categories/, /news/, and page/1/ of /, /tags/, /categories/, /news/,
    # /categories/news/, /news/链游/, /tags/元宇宙/ and /tags/gamefi/; the English page (its
    # own translation group, nothing to lead its URL to) adds /en/ -> /
    assert real.redirects == Redirect.objects.count() == 4 * 2 + 1 + 1 + 1 + 10 + 1


def test_a_directory_entry_without_body_stays_published(tmp_path):
    """A portal's directory card: no body, but a summary and a link out (readers had its page)."""
    files = {
        "navigation/card/index.md": page(
            "某项目", body="", description="一个元宇宙项目", link="https://example.com/"
        ),
        "navigation/link-only/index.md": page("只有链接", body="", link="https://example.org/"),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert not report.failed
    assert sorted(Article.objects.published().values_list("title", flat=True)) == [
        "只有链接",
        "某项目",
    ]


def test_a_site_whose_related_lists_include_newer_pages_is_told_the_setting(
    tmp_path, settings, capsys
):
    config = 'baseURL = "https://x/"\n[related]\nincludeNewer = true\nthreshold = 80\n'
    write_site(tmp_path, {"posts/a.md": page()}, config=config)

    messages = [w["message"] for w in import_site(site_dir=tmp_path).warnings]
    assert any(
        "related.includeNewer = true" in m and "RELATED_INCLUDE_NEWER=1" in m for m in messages
    )
    call_command("import_hugo", str(tmp_path), "--jobs", "1")
    assert "related.includeNewer = true" in capsys.readouterr().out

    settings.NEWSROOM = {**settings.NEWSROOM, "RELATED_INCLUDE_NEWER": True}
    messages = [w["message"] for w in import_site(site_dir=tmp_path).warnings]
    assert not any("includeNewer" in m for m in messages)
