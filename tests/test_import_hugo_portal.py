"""Portal content of a Hugo site: section fields, channel pages, ad pages and menus come in as
their own rows (not articles), go back out with export_hugo, and survive a round trip."""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.hugo.frontmatter import decode, split
from articles.hugo.importer import import_site
from articles.models import (
    Ad,
    AdLog,
    Article,
    Author,
    Channel,
    ContentIssue,
    MenuItem,
    Section,
    SectionField,
    Tag,
    Topic,
)
from tests.hugo_sites import SHARED, page, png, write_site

pytestmark = pytest.mark.django_db
METANAV = SHARED / "hugo-corpus" / "yi-work-metanav"

CONFIG = """
defaultContentLanguage = "zh-cn"
[taxonomies]
tag = "tags"
category = "categories"
news = "news"
games = "games"
navigation = "navigation"
[languages.zh-cn]
weight = 1
[languages.en]
weight = 2
"""
MENUS_ZH = """
[[main]]
  identifier = "home"
  name = "首页"
  url = "/"
  weight = 1
[[main]]
  identifier = "news"
  name = "资讯"
  url = "/news/"
  title = "行业资讯"
  weight = 2
[[main]]
  name = "活动"
  url = "/community/activities/a/"
  parent = "news"
  weight = 3
[[main]]
  name = "坏链接"
  url = "javascript:alert(1)"
  weight = 4
[[footer]]
  name = "关于"
  url = "https://example.com/about/"
  weight = 1
[[community]]
  name = "最新活动"
  url = "/community/activities/"
"""
MENUS_EN = """
[[main]]
  identifier = "home"
  name = "Home"
  url = "/"
  weight = 1
"""
MENUS_FR = """
[[main]]
  name = "Accueil"
  url = "/"
"""
ICO = '\'<svg class="icon" aria-hidden="true" onload="x()"><use xlink:href="#icon-a"></use></svg>\''
GAME = {
    "categories": '["games"]',
    "games": '["RPG"]',
    "score": '"7"',
    "status": '"Live"',
    "blockchain": '["Ethereum", "Polygon"]',
    "nft_support": '"Yes"',
    "play_to_earn": '["No"]',
    "website": '"https://play.example.com/"',
    "game_screen": '["featured-image.webp"]',
}


def site_files():
    return {
        "categories/games/_index.md": page("游戏", slug="games"),
        "categories/navigation/_index.md": page("导航", slug="navigation"),
        "categories/news/_index.md": page("资讯", slug="news"),
        "games/a/index.md": page("第一个游戏", **GAME),
        "games/bad/index.md": page(
            "坏游戏",
            categories='["games"]',
            score='"abc"',
            website='"javascript:alert(1)"',
            free_to_play='"Yes"',
        ),
        "navigation/site/index.md": page(
            "某站点", body="", categories='["navigation"]', link='"https://example.org/"'
        ),
        "news/n/index.md": page("新闻", categories='["news"]', news='["GameFi"]', link='"x"'),
        "pNews/1/index.md": page(
            "游戏频道", body="", weight="2", hidePage="true", ico=ICO, news='["GameFi", "DeFi"]'
        ),
        "pNews/1/index.en.md": page(
            "Games channel", body="", hidePage="true", news='["GameFi", "DeFi"]'
        ),
        "pGames/all/index.md": page(
            "all", body="", weight="1", hidePage="true", games='["RPG", "Card"]'
        ),
        "pMixed/x/index.md": page(
            "混合", body="", hidePage="true", news='["GameFi"]', games='["RPG"]'
        ),
        # A folder whose other pages all hide: its page without hidePage is a channel too.
        "pNav/a/index.md": page("甲", body="", hidePage="true", navigation='["Exchange"]'),
        "pNav/b/index.md": page("乙", body="", weight="3", navigation='["Tools"]'),
        "ads/1/a/index.md": page(
            "横幅",
            body="<!-- note -->",
            weight="4",
            adtype='"1"',
            adshow='"all"',
            link='"https://ads.example.com/a"',
            featuredImage='"wide.png"',
            featuredImage1='"narrow.png"',
        ),
        "ads/1/a/index.en.md": page("Banner", adtype='"1"', link='"https://ads.example.com/a"'),
        "ads/1/a/wide.png": png(size=(120, 13)),
        "ads/1/a/narrow.png": png(size=(75, 13), color=(10, 200, 10)),
        "ads/2/b/index.md": page(
            "两侧",
            adtype='"2"',
            adshow='"index"',
            draft="true",
            publishDate='"2030-01-01T08:00:00+08:00"',
            expiryDate='"2030-02-01T08:00:00+08:00"',
            link='"http://ads.example.com/b"',
            featuredImage='"side.png"',
        ),
        "ads/2/b/side.png": png(size=(50, 128)),
        "ads/3/missing/index.md": page(
            "缺图", adtype='"3"', link='"https://ads.example.com/c"', featuredImage='"gg_01.jpg"'
        ),
        "ads/4/unknown/index.md": page(
            "未知", adtype='"4"', link='"https://ads.example.com/d"', featuredImage='"x.png"'
        ),
        "ads/4/unknown/x.png": png(),
        "ads/1/js/index.md": page(
            "脚本", adtype='"1"', link='"javascript:alert(1)"', featuredImage='"x.png"'
        ),
        "ads/1/js/x.png": png(),
    }


def make_site(root, files=None):
    write_site(root, site_files() if files is None else files, config=CONFIG)
    menus = Path(root) / "config" / "_default"
    menus.mkdir(parents=True, exist_ok=True)
    (menus / "menus.zh-cn.toml").write_text(MENUS_ZH, encoding="utf-8")
    (menus / "menus.en.toml").write_text(MENUS_EN, encoding="utf-8")
    (menus / "menus.fr.toml").write_text(MENUS_FR, encoding="utf-8")
    return root


def warnings_of(report, file):
    return [w["message"] for w in report.warnings if w["file"] == file]


# Fields


def test_declared_fields_are_typed_and_the_rest_stays_in_extra(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    assert not report.failed, report.failed
    game = Article.objects.get(source_path="games/a/index.md")
    assert game.fields == {
        "score": 7,
        "status": "Live",
        "blockchain": ["Ethereum", "Polygon"],
        "nft_support": True,
        "play_to_earn": False,
        "website": "https://play.example.com/",
    }
    assert game.extra == {"game_screen": ["featured-image.webp"]}
    assert SectionField.objects.filter(section__slug="games").count() > 10  # presets made
    entry = Article.objects.get(source_path="navigation/site/index.md")
    assert entry.fields == {"link": "https://example.org/"} and "link" not in entry.extra
    # news declares no field: its link stays in extra
    news = Article.objects.get(source_path="news/n/index.md")
    assert news.fields == {} and news.extra == {"link": "x"}


def test_a_value_that_does_not_fit_its_field_stays_in_extra_reported(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    bad = Article.objects.get(source_path="games/bad/index.md")
    assert bad.fields == {"free_to_play": True}
    assert bad.extra == {"score": "abc", "website": "javascript:alert(1)"}
    messages = warnings_of(report, "games/bad/index.md")
    assert any("'score'" in m and "kept in extra" in m for m in messages), messages
    assert any("'website'" in m and "http" in m for m in messages), messages
    issues = ContentIssue.objects.filter(article=bad, kind=ContentIssue.Kind.OTHER)
    assert sorted(i.detail.split(":")[0] for i in issues) == ["score", "website"]


# Channels


def test_channel_pages_become_channels_of_the_taxonomys_section(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    news = Channel.objects.get(source_path="pNews/1/index.md")
    assert news.section.slug == "news" and news.title == "游戏频道" and news.position == 2
    assert news.translations == {"en": {"title": "Games channel"}}
    assert "onload" not in news.icon_svg and 'href="#icon-a"' in news.icon_svg
    assert sorted(t.name for t in news.topics.all()) == ["DeFi", "GameFi"]
    assert {t.vocabulary.key for t in news.topics.all()} == {"news"}
    games = Channel.objects.get(source_path="pGames/all/index.md")
    assert games.section.slug == "games"
    assert sorted(t.name for t in games.topics.all()) == ["Card", "RPG"]
    assert "pNews/1/index.md" in report.channels
    channel_pages = ["pNews/1/index.md", "pGames/all/index.md", "pNav/a/index.md"]
    assert not Article.objects.filter(source_path__in=channel_pages).exists()


def test_a_page_in_a_folder_of_hidden_pages_is_a_channel(tmp_path):
    import_site(site_dir=make_site(tmp_path))
    b = Channel.objects.get(source_path="pNav/b/index.md")
    assert b.section.slug == "navigation" and b.position == 3
    assert not Article.objects.filter(source_path__startswith="pNav/").exists()


def test_a_folder_whose_index_cascades_hidepage_holds_channels(tmp_path):
    files = {
        "pTop/_index.md": page("频道", body="", cascade="\n  hidePage: true"),
        "pTop/a/index.md": page("甲", body="", navigation='["Exchange"]'),
        "other/b/index.md": page("乙", navigation='["Exchange"]'),
    }
    import_site(site_dir=write_site(tmp_path, files, config=CONFIG))
    assert Channel.objects.get().source_path == "pTop/a/index.md"
    assert Article.objects.get().source_path == "other/b/index.md"


def test_a_channel_page_that_cannot_be_placed_stays_a_draft_with_its_reason(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    mixed = Article.objects.get(source_path="pMixed/x/index.md")
    assert mixed.status == Article.Status.DRAFT
    messages = warnings_of(report, "pMixed/x/index.md")
    assert any("not a channel" in m and "2 taxonomies" in m for m in messages), messages
    assert not Channel.objects.filter(source_path="pMixed/x/index.md").exists()


# Ads


def test_ad_pages_become_ads_with_their_images_and_a_log(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    banner = Ad.objects.get(source_path="ads/1/a/index.md")
    assert (banner.spot.key, banner.pages, banner.position) == ("banner", "all", 4)
    assert banner.link == "https://ads.example.com/a" and banner.enabled
    assert banner.title == "横幅"
    assert banner.image.name.startswith("articles/hugo/") and banner.image_width == 120
    assert banner.phone_image.name and banner.phone_image.name != banner.image.name
    side = Ad.objects.get(source_path="ads/2/b/index.md")
    assert (side.spot.key, side.pages, side.enabled) == ("side", "index", False)
    assert Ad.objects.count() == 2  # index.en.md is the same ad, not another
    logs = AdLog.objects.filter(ad=banner)
    assert [(log.action, log.user) for log in logs] == [("added", None)]
    assert sorted(report.ads) == ["ads/1/a/index.md", "ads/2/b/index.md"]
    assert not Article.objects.filter(source_path__startswith="ads/").exists()


def test_ad_pages_that_cannot_be_ads_are_reported_and_skipped(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    reasons = report.skip_reasons()
    missing = [r for r in reasons if "gg_01.jpg" in r and "not found" in r]
    assert reasons[missing[0]] == ["ads/3/missing/index.md"]
    assert any("unknown adtype '4'" in r for r in reasons)
    assert any("javascript:alert(1)" in r and "http(s)" in r for r in reasons)
    skipped = {"ads/3/missing/index.md", "ads/4/unknown/index.md", "ads/1/js/index.md"}
    assert skipped <= set(report.skipped)
    assert not Ad.objects.filter(source_path__in=skipped).exists()
    assert not Article.objects.filter(source_path__in=skipped).exists()


# Menus


def test_menus_per_language_with_parents(tmp_path):
    report = import_site(site_dir=make_site(tmp_path))
    zh = MenuItem.objects.filter(language="zh-hans", menu="main")
    assert [(m.name, m.url, m.position) for m in zh] == [
        ("首页", "/", 1),
        ("资讯", "/news/", 2),
        ("活动", "/community/activities/a/", 3),
    ]
    child = zh.get(name="活动")
    assert child.parent.identifier == "news" and zh.get(name="资讯").title == "行业资讯"
    assert MenuItem.objects.get(menu="footer").url == "https://example.com/about/"
    assert [m.name for m in MenuItem.objects.filter(language="en")] == ["Home"]
    assert report.menu_items == 5
    messages = warnings_of(report, "config/_default/menus.zh-cn.toml")
    assert any("'community'" in m and "not imported" in m for m in messages), messages
    assert any("javascript:alert(1)" in m for m in messages), messages
    fr = warnings_of(report, "config/_default/menus.fr.toml")
    assert any("'fr'" in m and "no such language" in m for m in fr), fr


def test_menus_in_the_config_file_and_per_language_tables(tmp_path):
    config = (
        CONFIG
        + """
[[menu.main]]
  name = "资讯"
  pageRef = "news"
  weight = 1
[[menu.main]]
  name = "二级"
  url = "/a/"
  parent = "资讯"
  weight = 2
[[menu.main]]
  name = "三级"
  url = "/a/b/"
  parent = "二级"
  weight = 3
[[languages.en.menus.footer]]
  name = "About"
  url = "https://example.com/"
"""
    )
    write_site(tmp_path, {"news/a.md": page()}, config=config)
    MenuItem.objects.create(name="资讯", identifier="mine", url="/mine/", language="zh-hans")
    report = import_site(site_dir=tmp_path)
    assert MenuItem.objects.filter(identifier="mine", url="/mine/").exists()  # an editor's
    MenuItem.objects.filter(identifier="mine").delete()
    zh = MenuItem.objects.filter(language="zh-hans")
    assert [(m.name, m.url, m.parent and m.parent.name) for m in zh] == [
        ("资讯", "/news/", None),
        ("二级", "/a/", "资讯"),
        ("三级", "/a/b/", "资讯"),  # menus have one level: under its top entry
    ]
    assert MenuItem.objects.get(language="en").menu == "footer"
    assert report.menu_items == 4
    # The same name twice is two rows, matched again on a re-import: nothing new.
    config = config.replace('name = "三级"', 'name = "二级"')
    write_site(tmp_path, {"news/a.md": page()}, config=config)
    import_site(site_dir=tmp_path)
    again = import_site(site_dir=tmp_path)
    assert again.menu_items == 0 and MenuItem.objects.filter(name="二级").count() == 2


# Re-import and dry run


def test_reimport_changes_nothing_then_updates_what_changed(tmp_path):
    site = make_site(tmp_path)
    import_site(site_dir=site)
    hand_made = MenuItem.objects.create(menu="main", language="zh-hans", name="手工", url="/x/")
    channels, logs = Channel.objects.count(), AdLog.objects.count()
    again = import_site(site_dir=site)
    assert (again.channels, again.ads, again.menu_items) == ([], [], 0)
    assert Channel.objects.count() == channels and AdLog.objects.count() == logs
    assert Ad.objects.count() == 2 and MenuItem.objects.filter(pk=hand_made.pk).exists()

    files = site_files()
    files["ads/1/a/index.md"] = files["ads/1/a/index.md"].replace("weight: 4", "weight: 9")
    files["pNews/1/index.md"] = files["pNews/1/index.md"].replace("游戏频道", "游戏")
    write_site(site, files, config=CONFIG)
    (site / "config/_default/menus.zh-cn.toml").write_text(
        MENUS_ZH.replace('name = "首页"', 'name = "主页"'), encoding="utf-8"
    )
    third = import_site(site_dir=site)
    assert third.ads == ["ads/1/a/index.md"] and third.channels == ["pNews/1/index.md"]
    banner = Ad.objects.get(source_path="ads/1/a/index.md")
    assert banner.position == 9
    assert AdLog.objects.filter(ad=banner).first().changes == {"position": [4, 9]}
    assert Channel.objects.get(source_path="pNews/1/index.md").title == "游戏"
    assert Channel.objects.count() == channels
    assert MenuItem.objects.get(language="zh-hans", identifier="home").name == "主页"
    assert third.menu_items == 1 and MenuItem.objects.filter(pk=hand_made.pk).exists()


def test_a_channel_or_menu_entry_an_editor_changed_is_left_alone(tmp_path):
    site = make_site(tmp_path)
    import_site(site_dir=site)
    channel = Channel.objects.get(source_path="pNews/1/index.md")
    channel.title = "编辑改过的频道"
    channel.save()
    home = MenuItem.objects.get(language="zh-hans", identifier="home")
    home.name = "编辑改过的首页"
    home.save()

    report = import_site(site_dir=site)
    assert Channel.objects.get(pk=channel.pk).title == "编辑改过的频道"
    assert MenuItem.objects.get(pk=home.pk).name == "编辑改过的首页"
    assert "pNews/1/index.md" in report.skipped
    assert any("'编辑改过的首页' changed in the admin" in w["message"] for w in report.warnings)

    overwritten = import_site(site_dir=site, overwrite=True)
    assert overwritten.channels == ["pNews/1/index.md"]
    assert Channel.objects.get(pk=channel.pk).title != "编辑改过的频道"
    assert MenuItem.objects.get(pk=home.pk).name == "首页"


def test_an_ad_an_editor_changed_is_left_alone(tmp_path, staff_user):
    site = make_site(tmp_path)
    import_site(site_dir=site)
    banner = Ad.objects.get(source_path="ads/1/a/index.md")
    Ad.objects.filter(pk=banner.pk).update(position=1)
    AdLog.objects.create(ad=banner, action="changed", user=staff_user, changes={})
    report = import_site(site_dir=site)
    assert "ads/1/a/index.md" in report.skipped
    assert Ad.objects.get(pk=banner.pk).position == 1
    import_site(site_dir=site, overwrite=True)
    assert Ad.objects.get(pk=banner.pk).position == 4


def test_dry_run_counts_equal_the_real_run(tmp_path):
    site = make_site(tmp_path)
    dry = import_site(site_dir=site, dry_run=True)
    assert not (Channel.objects.exists() or Ad.objects.exists() or MenuItem.objects.exists())
    assert not SectionField.objects.exists()
    real = import_site(site_dir=site)
    assert dry.counts() == real.counts()
    assert (len(real.channels), len(real.ads), real.menu_items) == (4, 2, 5)


def test_a_data_page_imported_as_an_article_before_becomes_a_channel(tmp_path):
    site = make_site(tmp_path, {"pNews/1/index.md": site_files()["pNews/1/index.md"]})
    Article.objects.create(title="旧", source_path="pNews/1/index.md", source_digest="0" * 64)
    import_site(site_dir=site, overwrite=True)
    assert Channel.objects.filter(source_path="pNews/1/index.md").exists()
    assert not Article.objects.filter(source_path="pNews/1/index.md").exists()


# Export and the round trip


def portal_snapshot():
    return {
        "fields": {a.title: a.fields for a in Article.objects.all()},
        "extra": {a.title: a.extra for a in Article.objects.all()},
        "channels": sorted(
            (
                c.section.slug,
                c.title,
                c.position,
                c.icon_svg,
                c.translations,
                sorted(t.name for t in c.topics.all()),
            )
            for c in Channel.objects.all()
        ),
        "ads": sorted(
            (
                a.spot.key,
                a.title,
                a.link,
                a.pages,
                a.position,
                a.enabled,
                a.starts_at,
                a.ends_at,
                a.image.name,
                a.phone_image.name,
            )
            for a in Ad.objects.all()
        ),
        "menus": sorted(
            (
                m.menu,
                m.language,
                m.name,
                m.url,
                m.title,
                m.identifier,
                m.position,
                m.parent and m.parent.name,
            )
            for m in MenuItem.objects.all()
        ),
    }


def wipe():
    for model in [Article, Channel, Ad, MenuItem, Author, Section, Topic, Tag]:
        model.objects.all().delete()


def test_export_writes_fields_channels_ads_and_menus(tmp_path):
    import_site(site_dir=make_site(tmp_path / "site"))
    call_command("export_hugo", str(tmp_path / "out"))
    content = tmp_path / "out" / "content"
    game = next(p for p in content.glob("articles/*/index.html") if "score: 7" in p.read_text())
    meta = split(decode(game.read_bytes())).meta
    assert (meta["nft_support"], meta["play_to_earn"], meta["score"]) == ("Yes", "No", 7)
    channel = split(decode((content / "pNews/1/index.md").read_bytes())).meta
    assert channel["hidePage"] is True and channel["news"] == ["DeFi", "GameFi"]
    assert channel["weight"] == 2 and "#icon-a" in channel["ico"]
    english = split(decode((content / "pNews/1/index.en.md").read_bytes())).meta
    assert english["title"] == "Games channel"
    ad = split(decode((content / "ads/1/a/index.md").read_bytes())).meta
    assert (ad["adtype"], ad["adshow"], ad["weight"]) == ("1", "all", 4)
    assert (content / "ads/1/a" / ad["featuredImage"]).is_file()
    assert (content / "ads/1/a" / ad["featuredImage1"]).is_file()
    menus = (tmp_path / "out/config/_default/menus.zh-cn.toml").read_text(encoding="utf-8")
    assert '[[main]]\n  identifier = "home"\n  name = "首页"' in menus
    assert 'parent = "news"' in menus and "[[footer]]" in menus


def test_round_trip_gives_the_same_fields_channels_ads_and_menus(tmp_path):
    first = import_site(site_dir=make_site(tmp_path / "site"))
    assert not first.failed
    before = portal_snapshot()
    call_command("export_hugo", str(tmp_path / "out"))
    wipe()
    again = import_site(site_dir=tmp_path / "out")
    assert not again.failed, again.failed
    after = portal_snapshot()
    for key in ["fields", "extra", "channels", "ads", "menus"]:
        assert after[key] == before[key], key


def test_an_ads_window_is_hugos_publish_and_expiry_date(tmp_path):
    assert not import_site(site_dir=make_site(tmp_path / "site")).failed
    side = Ad.objects.get(spot__key="side")
    assert (side.starts_at.isoformat(), side.ends_at.isoformat()) == (
        "2030-01-01T00:00:00+00:00",
        "2030-02-01T00:00:00+00:00",
    )
    assert Ad.objects.get(spot__key="banner").starts_at is None


def test_an_ad_whose_window_is_wrong_is_reported(tmp_path):
    files = site_files()
    files["ads/2/b/index.md"] = files["ads/2/b/index.md"].replace(
        '"2030-02-01T08:00:00+08:00"', '"2029-01-01"'
    )
    report = import_site(site_dir=make_site(tmp_path / "site", files))
    assert not Ad.objects.filter(spot__key="side").exists()
    assert any("expiryDate is not after publishDate" in w["message"] for w in report.warnings)


# The corpus


@pytest.mark.skipif(not METANAV.is_dir(), reason="../shared/hugo-corpus is not here")
def test_corpus_portal_content():
    report = import_site(site_dir=METANAV)
    content = METANAV / "content"
    for article in Article.objects.filter(section__slug="navigation"):
        meta = split(decode((content / article.source_path).read_bytes())).meta
        if meta.get("link"):
            assert article.fields.get("link") == meta["link"], article.source_path
    games = Article.objects.filter(section__slug="games")
    assert games.exists()
    declared = set(SectionField.objects.filter(section__slug="games").values_list("key", flat=True))
    for game in games:
        meta = split(decode((content / game.source_path).read_bytes())).meta
        facts = {key for key in declared & set(meta) if meta[key] not in ("", [], None)}
        assert facts and facts == set(game.fields), game.source_path
        assert not facts & set(game.extra), game.source_path
    expected = {}
    for folder, slug in [("pNews", "news"), ("pNavigation", "navigation"), ("pGames", "games")]:
        expected[slug] = sorted(
            str(p.parent.name) for p in (content / folder).glob("*/index.zh-cn.md")
        )
    expected["nfts"] = ["all"]
    for slug, folders in expected.items():
        channels = Channel.objects.filter(section__slug=slug)
        assert sorted(c.source_path.split("/")[1] for c in channels) == folders, slug
    assert Channel.objects.get(source_path="pNavigation/Developer/index.zh-cn.md").translations == {
        "en": {"title": "Developer"}
    }
    for language, code in [("zh-cn", "zh-hans"), ("en", "en")]:
        toml = (METANAV / f"config/_default/menus.{language}.toml").read_text(encoding="utf-8")
        names = [
            line.split('"')[1] for line in toml.splitlines() if line.strip().startswith("name")
        ]
        main = list(
            MenuItem.objects.filter(language=code, menu="main").values_list("name", flat=True)
        )
        assert main == names[:6], language  # the [[main]] entries; [[community]] is reported
    portal_pages = Article.objects.filter(
        source_path__regex=r"^(ads|pNews|pNavigation|pGames|pNft)/"
    )
    assert not portal_pages.exists()
    assert any("gg_01.jpg" in w["message"] for w in report.warnings)
