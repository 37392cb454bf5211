"""Pages in the site's other languages import as translation articles, linked by Hugo's rules
(same bundle or path and stem, or the same translationKey), and export back beside their
default-language article. docs/HUGO.md, "Translations"."""

import uuid
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.core.management import call_command

from articles.hugo.importer import import_site
from articles.hugo.permalinks import request_path
from articles.hugo.site import SiteError
from articles.models import Article, Author, Channel, Section, Tag, Topic
from tests.hugo_sites import NEWS_CONFIG, SHARED, page, png, write_site

pytestmark = pytest.mark.django_db


def groups():
    """{frozenset of (language, title)} for every translation group."""
    found = {}
    for a in Article.objects.all():
        found.setdefault(a.translation_group, set()).add((a.language, a.title))
    return {frozenset(v) for v in found.values()}


def reasons(report):
    return {w["file"]: w["message"] for w in report.warnings}


def redirects():
    return dict(Redirect.objects.values_list("old_path", "new_path"))


def test_bundle_translation_joins_its_default_language_page(tmp_path):
    files = {"news/a/index.md": page("中文"), "news/a/index.en.md": page("English")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert sorted(report.created) == ["news/a/index.en.md", "news/a/index.md"]
    assert report.skipped == []
    zh, en = Article.objects.get(title="中文"), Article.objects.get(title="English")
    assert (zh.language, en.language) == ("zh-hans", "en")
    assert zh.translation_group == en.translation_group
    assert en.source_path == "news/a/index.en.md"
    assert zh.slug != en.slug


def test_single_file_translation_and_suffixed_default_page(tmp_path):
    files = {
        "posts/post.md": page("帖子"),
        "posts/post.en.md": page("Post"),
        "news/b/index.zh-cn.md": page("乙"),
        "news/b/index.en.md": page("B"),
    }
    import_site(site_dir=write_site(tmp_path, files))
    assert groups() == {
        frozenset({("zh-hans", "帖子"), ("en", "Post")}),
        frozenset({("zh-hans", "乙"), ("en", "B")}),
    }


def test_a_translation_without_counterpart_gets_its_own_group(tmp_path):
    files = {"news/a/index.md": page("中文"), "news/b/index.en.md": page("Only English")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert groups() == {frozenset({("zh-hans", "中文")}), frozenset({("en", "Only English")})}
    assert "news/b/index.en.md" not in reasons(report)  # nothing to say
    english = Article.objects.get(language="en").get_absolute_url()
    assert redirects()["/en/news/b/"] == english  # its own page, /en/articles/...


def test_translation_key_links_across_folders_and_wins_over_the_path(tmp_path):
    files = {
        "news/a/index.md": page("甲", translationKey='"k1"'),
        "news/b/index.md": page("乙"),
        # Same folder as 乙, but its translationKey says it is 甲's translation.
        "news/b/index.en.md": page("A in English", translationKey='"k1"'),
        "other/x.en.md": page("Keyed nowhere", translationKey='"nobody"'),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert groups() == {
        frozenset({("zh-hans", "甲"), ("en", "A in English")}),
        frozenset({("zh-hans", "乙")}),
        frozenset({("en", "Keyed nowhere")}),
    }
    assert "translationKey 'nobody'" in reasons(report)["other/x.en.md"]


def test_a_language_the_site_lacks_is_skipped_with_a_reason(tmp_path):
    files = {
        "news/a/index.md": page("中文"),
        "news/a/index.fr.md": page("Français"),
        "news/a/index.zh-tw.md": page("繁體"),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert [a.title for a in Article.objects.all()] == ["中文"]
    assert sorted(report.skipped) == ["news/a/index.fr.md", "news/a/index.zh-tw.md"]
    assert "the site has no such language" in reasons(report)["news/a/index.fr.md"]
    assert "(zh-tw)" in reasons(report)["news/a/index.zh-tw.md"]


def test_old_urls_of_a_language_the_site_lacks_lead_to_the_default_language(tmp_path):
    files = {
        "news/a/index.md": page("中文", tags='["Web3"]', aliases='["/old-a/"]'),
        "news/a/index.zh-tw.md": page("繁體", tags='["Web3", "桌面環境"]', aliases='["/old-tw/"]'),
        "news/b/index.zh-tw.md": page("只有繁體"),  # no default-language page
        "news/b/index.fr.md": page("Seulement", translationKey='"k"'),
        "news/c.md": page("丙", translationKey='"k"'),
    }
    import_site(site_dir=write_site(tmp_path, files))
    found = redirects()
    a = Article.objects.get(title="中文").get_absolute_url()
    c = Article.objects.get(title="丙").get_absolute_url()
    assert found["/zh-tw/news/a/"] == a  # the same page, in the site's language
    assert found["/zh-tw/old-tw/"] == found["/old-tw/"] == a  # Hugo's prefixed alias too
    assert found["/zh-tw/news/b/"] == "/"  # nothing to lead to: the home page
    assert found["/fr/news/b/"] == c  # by translationKey
    assert found["/zh-tw/"] == found["/fr/"] == "/"
    web3 = Tag.objects.get(name="Web3").get_absolute_url()
    assert found["/zh-tw/tags/web3/"] == web3  # a tag the articles have
    assert found[request_path("/zh-tw/tags/桌面環境/")] == "/tags/"  # only the skipped page had it
    assert found["/zh-tw/tags/web3/page/1/"] == web3
    assert not Tag.objects.filter(name="桌面環境").exists()


def test_a_second_claim_on_a_group_and_language_is_skipped_not_a_crash(tmp_path):
    files = {
        "news/a/index.md": page("甲", translationKey='"k"'),
        "news/a/index.en.md": page("First", translationKey='"k"'),
        "news/z.en.md": page("Second", translationKey='"k"'),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert not report.failed
    assert report.skipped == ["news/z.en.md"]
    assert "news/a/index.en.md" in reasons(report)["news/z.en.md"]
    assert groups() == {frozenset({("zh-hans", "甲"), ("en", "First")})}
    again = import_site(site_dir=tmp_path)
    assert again.skipped == ["news/z.en.md"] and not again.failed


def test_translation_of_a_failing_page_imports_in_its_own_group(tmp_path):
    files = {"news/a.md": "---\ndate: 2024-01-01\n---\nno title", "news/a.en.md": page("E")}
    report = import_site(site_dir=write_site(tmp_path, files))
    assert [f["file"] for f in report.failed] == ["news/a.md"]
    assert report.created == ["news/a.en.md"]
    assert "news/a.md was not imported" in reasons(report)["news/a.en.md"]
    assert Article.objects.get().language == "en"

    # Fixed: the next import links the unchanged translation to it.
    write_site(tmp_path, {"news/a.md": page("中文")})
    again = import_site(site_dir=tmp_path)
    assert again.created == ["news/a.md"] and again.unchanged == ["news/a.en.md"]
    assert groups() == {frozenset({("zh-hans", "中文"), ("en", "E")})}


def test_reimport_is_idempotent_and_keeps_groups(tmp_path):
    files = {
        "news/a/index.md": page("中文"),
        "news/a/index.en.md": page("English"),
        "news/b.en.md": page("Lone"),
    }
    import_site(site_dir=write_site(tmp_path, files))
    before = {a.source_path: (a.pk, a.translation_group, a.slug) for a in Article.objects.all()}
    again = import_site(site_dir=tmp_path)
    assert sorted(again.unchanged) == sorted(files) and not again.created and not again.updated
    write_site(tmp_path, {"news/a/index.en.md": page("English, revised")})
    third = import_site(site_dir=tmp_path)
    # A bundle's digest counts the sizes of its other files: 中文 is rewritten, unchanged.
    assert sorted(third.updated) == ["news/a/index.en.md", "news/a/index.md"]
    after = {a.source_path: (a.pk, a.translation_group, a.slug) for a in Article.objects.all()}
    assert after == before


def test_dry_run_reports_what_the_real_run_does(tmp_path):
    files = {
        "news/a/index.md": page("甲", translationKey='"k"'),
        "news/a/index.en.md": page("A", translationKey='"k"'),
        "news/z.en.md": page("Z", translationKey='"k"'),
        "news/b/index.md": "---\nno: title\n---\n",
        "news/b/index.en.md": page("B"),
        "news/c.fr.md": page("C"),
    }
    write_site(tmp_path, files)
    dry = import_site(site_dir=tmp_path, dry_run=True)
    assert Article.objects.count() == 0 and Redirect.objects.count() == 0
    real = import_site(site_dir=tmp_path)
    assert dry.counts() == real.counts()
    assert dry.skipped == real.skipped and dry.warnings == real.warnings


def test_old_urls_of_translations_lead_to_their_own_pages(tmp_path):
    files = {
        "news/a/index.md": page("中文", aliases='["/old/zh/"]'),
        "news/a/index.en.md": page("English", slug='"english-a"', aliases='["/old/en/"]'),
    }
    import_site(site_dir=write_site(tmp_path, files))
    zh = Article.objects.get(language="zh-hans").get_absolute_url()
    en = Article.objects.get(language="en").get_absolute_url()
    assert en == "/en/articles/english-a/"
    found = redirects()
    assert found["/en/news/english-a/"] == en
    assert found["/old/en/"] == en
    assert "/en/" not in found  # the English home page itself
    assert found["/news/a/"] == zh


def test_list_and_term_pages_of_the_other_language_lead_where_their_twins_do(tmp_path):
    files = {
        "news/a/index.md": page("中文", tags='["Web3"]', authors='["Cindy"]'),
        "news/a/index.en.md": page("English", slug='"english-a"', tags='["Web3"]'),
    }
    config = NEWS_CONFIG + "\n[languages.zh-cn]\nweight = 1\n[languages.en]\nweight = 2\n"
    import_site(site_dir=write_site(tmp_path, files, config=config))
    found = redirects()
    tag = Tag.objects.get(name="Web3").get_absolute_url()
    # The tag's pages have those very paths in both languages: nothing to redirect.
    assert tag == "/tags/web3/" and "/tags/web3/" not in found and "/en/tags/web3/" not in found
    assert found["/en/news/"] == "/en" + found["/news/"]  # the list, in English
    assert found["/en/tags/web3/page/1/"] == "/en/tags/web3/"
    assert not any(old.startswith("/en/en/") for old in found)


def test_translations_of_data_pages_stay_as_before(tmp_path):
    files = {
        "pNews/1/index.md": page("资讯频道", hidePage="true", news='["GameFi"]'),
        "pNews/1/index.en.md": page("News channel", hidePage="true", news='["GameFi"]'),
        "ads/1/a/index.md": page("广告", adtype='"1"', link='"https://ads.example.com/a"'),
        "ads/1/a/index.en.md": page("Ad", adtype='"1"', link='"https://ads.example.com/a"'),
        "news/a/index.md": page("文", news='["GameFi"]'),
    }
    report = import_site(site_dir=write_site(tmp_path, files))
    assert Channel.objects.get().translations["en"]["title"] == "News channel"
    assert {"pNews/1/index.en.md", "ads/1/a/index.en.md"} <= set(report.skipped)
    assert "a data page" in reasons(report)["pNews/1/index.en.md"]
    assert not Article.objects.filter(language="en").exists()


PER_LANGUAGE_DIRS = """
defaultContentLanguage = "zh-cn"
[languages.zh-cn]
contentDir = "content/zh-cn"
[languages.en]
contentDir = "content/en"
"""


def test_per_language_content_folders_are_each_languages_pages(tmp_path):
    """`[languages.<lang>] contentDir`: the same path in two language folders is one page in
    two languages, as the same path with two suffixes is."""
    files = {
        "zh-cn/news/a/index.md": page("中文", aliases='["/old/"]'),
        "zh-cn/news/a/cover.png": png(),
        "en/news/a/index.md": page("English", slug='"english-a"', featuredImage='"cover.png"'),
        "en/news/a/cover.png": png(color=(1, 2, 3)),
        "en/news/only-en.md": page("Only English"),
        "zh-cn/posts/b.md": page("乙"),
        "en/posts/b.md": page("B"),
        "en/posts/c.fr.md": page("Français"),  # a suffix still says the language
    }
    report = import_site(site_dir=write_site(tmp_path, files, config=PER_LANGUAGE_DIRS))
    assert not report.failed
    assert groups() == {
        frozenset({("zh-hans", "中文"), ("en", "English")}),
        frozenset({("zh-hans", "乙"), ("en", "B")}),
        frozenset({("en", "Only English")}),
    }
    en = Article.objects.get(title="English")
    assert en.source_path == "news/a/index.en.md" and en.featured_image  # its own folder's image
    assert Article.objects.get(title="中文").source_path == "news/a/index.md"
    found = redirects()
    assert found["/en/news/english-a/"] == en.get_absolute_url()
    assert found["/news/a/"] == Article.objects.get(title="中文").get_absolute_url()
    assert "posts/c.fr.md" in set(report.skipped) or "en/posts/c.fr.md" in reasons(report)


def test_a_language_folder_outside_the_site_is_refused(tmp_path):
    config = '[languages.en]\ncontentDir = "../elsewhere"\n'
    with pytest.raises(SiteError, match="leaves the site"):
        import_site(site_dir=write_site(tmp_path, {"a.md": page()}, config=config))


def wipe():
    for model in [Article, Author, Section, Topic, Tag, Redirect]:
        model.objects.all().delete()


def test_export_writes_translations_into_their_group_bundle_and_round_trips(tmp_path):
    files = {
        "news/a/index.md": page("中文", tags='["元宇宙"]'),
        "news/a/index.en.md": page("English", tags='["metaverse"]'),
        "posts/p.md": page("帖子", translationKey='"p"'),
        "other/q.en.md": page("Post", translationKey='"p"'),
        "news/b.en.md": page("Lone"),
    }
    import_site(site_dir=write_site(tmp_path / "site", files))
    before = groups()
    assert len(before) == 3
    call_command("export_hugo", str(tmp_path / "out"))
    articles = tmp_path / "out" / "content" / "articles"
    zh_slug = Article.objects.get(title="中文").slug
    assert sorted(p.name for p in (articles / zh_slug).iterdir()) == ["index.en.html", "index.html"]
    lone = Article.objects.get(title="Lone").slug
    assert [p.name for p in (articles / lone).iterdir()] == ["index.en.html"]
    config = (tmp_path / "out" / "config.toml").read_text(encoding="utf-8")
    assert "[languages.en]" in config and "[languages.zh-cn]" in config

    wipe()
    again = import_site(site_dir=tmp_path / "out")
    assert not again.failed and not again.skipped, (again.failed, again.skipped)
    assert groups() == before


CORPUS_SITE = SHARED / "hugo-corpus" / "yi-work-metanav"


@pytest.mark.skipif(not CORPUS_SITE.is_dir(), reason="../shared/hugo-corpus is not here")
def test_corpus_english_articles_are_linked_to_their_chinese_pages():
    report = import_site(site_dir=CORPUS_SITE)
    content = CORPUS_SITE / "content"
    english = sorted(
        p.relative_to(content).as_posix()
        for p in content.rglob("*.en.md")
        if not p.name.startswith("_index")
    )
    assert len(english) == 73
    articles = {a.source_path: a for a in Article.objects.all()}
    imported = [rel for rel in english if rel in articles]
    # Every English page whose zh-cn page is an article is one too, in its group.
    for rel in english:
        sibling = rel.replace(".en.md", ".zh-cn.md")
        if sibling in articles:
            en = articles[rel]
            assert en.language == "en"
            assert en.translation_group == articles[sibling].translation_group
        else:  # the zh-cn page is a channel or an ad
            assert rel in report.skipped and rel not in articles
    assert len(imported) == 40
    assert Article.objects.filter(language="zh-hans").count() == 40
    assert len({a.translation_group for a in articles.values()}) == 40
    assert isinstance(articles[imported[0]].translation_group, uuid.UUID)
    assert Path(imported[0]).name == "index.en.md"
