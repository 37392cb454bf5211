"""The portal's reader pages: a directory entry's visit button and logo, a game's fact box and
links, filtered and sorted lists, a section's channels, the home page's blocks, the table of
contents."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Channel, Section, Topic
from articles.pagecache.canonical import canonical_query, has_search_words
from articles.portal.fields import ensure_preset_fields
from articles.reading.toc import table_of_contents
from tests.conftest import image_bytes

pytestmark = pytest.mark.django_db


def logo(name="logo.png", size=(120, 90)):
    return SimpleUploadedFile(name, image_bytes(size=size), content_type="image/png")


@pytest.fixture
def directory():
    section = Section.objects.create(name="导航", slug="navigation")
    ensure_preset_fields(section)
    return section


@pytest.fixture
def games():
    section = Section.objects.create(name="游戏", slug="games")
    ensure_preset_fields(section)
    return section


@pytest.fixture
def entry(make_article, directory):
    return make_article(
        title="Decentraland",
        section=directory,
        description="一个基于以太坊的虚拟世界。",
        featured_image=logo(),
        fields={"link": "https://decentraland.org/"},
        topics=["虚拟世界"],
    )


def make_game(make_article, section, title, **fields):
    return make_article(title=title, section=section, fields=fields)


@pytest.fixture
def three_games(make_article, games):
    return {
        "axie": make_game(
            make_article,
            games,
            "Axie Infinity",
            score=9,
            status="Live",
            blockchain=["Ethereum", "Ronin"],
            nft_support=True,
            free_to_play=False,
            website="https://axieinfinity.com/",
            twitter="https://twitter.com/AxieInfinity",
            discord="https://discord.gg/axie",
        ),
        "sandbox": make_game(
            make_article,
            games,
            "The Sandbox",
            score=7.5,
            status="Beta",
            blockchain=["Ethereum", "Polygon"],
        ),
        "unscored": make_game(
            make_article, games, "无评分游戏", status="Live", blockchain=["以太坊"]
        ),
    }


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def titles_in_order(html, titles):
    found = [(html.index(title), title) for title in titles if title in html]
    return [title for _, title in sorted(found)]


# Directory entries ---------------------------------------------------------------------------


def test_directory_entry_has_a_visit_button_to_its_link(client, entry):
    html = html_of(client, entry.get_absolute_url())

    button = re.search(r'<a class="visit"[^>]*>', html).group(0)
    assert 'href="https://decentraland.org/"' in button
    assert 'rel="noopener nofollow"' in button
    assert 'target="_blank"' in button
    assert "访问站点" in html
    assert "一个基于以太坊的虚拟世界。" in html
    assert "虚拟世界" in html  # its terms


def test_directory_entry_logo_is_shown_at_its_natural_width(client, entry):
    html = html_of(client, entry.get_absolute_url())

    figure = html[html.index('<figure class="article-figure') :]
    img = re.search(r"<img [^>]*>", figure).group(0)
    assert 'width="120" height="90"' in img
    # The browser is never asked to draw it wider than it is.
    assert 'sizes="(max-width: 120px) 100vw, 120px"' in figure[: figure.index("</figure>")]


def test_a_wide_featured_image_keeps_the_column_sizes(client, make_article, section):
    article = make_article(section=section, featured_image=logo(size=(1600, 900)))
    html = html_of(client, article.get_absolute_url())

    assert 'sizes="(max-width: 860px) 100vw, 760px"' in html
    assert 'width="860" height="484"' in html


def test_a_link_that_is_not_http_gets_no_button(client, make_article, directory):
    article = make_article(section=directory, fields={"link": "javascript:alert(1)"})
    html = html_of(client, article.get_absolute_url())

    assert 'class="visit"' not in html
    assert "javascript:" not in html


def test_an_article_outside_portal_sections_has_no_portal_blocks(client, make_article, section):
    html = html_of(
        client, make_article(section=section, fields={"link": "https://x.org/"}).get_absolute_url()
    )

    assert 'class="visit"' not in html
    assert 'class="facts"' not in html


# Game profiles -------------------------------------------------------------------------------


def test_game_profile_shows_its_facts(client, three_games, games):
    html = html_of(client, three_games["axie"].get_absolute_url())

    facts = html[html.index('<dl class="facts"') : html.index("</dl>")]
    text = re.sub(r"<[^>]+>", " ", facts)
    text = " ".join(text.split())
    assert "评分 9" in text
    assert "状态 Live" in text
    assert "支持 NFT 是" in text
    assert "免费游玩 否" in text
    assert "边玩边赚" not in text  # not set: not shown
    # Words are chips linking to the filtered list.
    assert f'href="{games.get_absolute_url()}?blockchain=Ethereum"' in facts
    assert f'href="{games.get_absolute_url()}?blockchain=Ronin"' in facts


def test_game_profile_shows_a_decimal_score_as_typed(client, three_games):
    html = html_of(client, three_games["sandbox"].get_absolute_url())

    assert "<dt>评分</dt>\n    <dd>7.5</dd>" in html


def test_game_profile_links_row_opens_each_site_apart(client, three_games):
    html = html_of(client, three_games["axie"].get_absolute_url())

    row = html[html.index('<nav class="official-links"') :]
    row = row[: row.index("</nav>")]
    links = re.findall(r"<a [^>]*>[^<]*</a>", row)
    assert [re.sub(r"<[^>]+>", "", link) for link in links] == ["官网", "Twitter", "Discord"]
    for link in links:
        assert 'rel="noopener nofollow"' in link
        assert 'target="_blank"' in link
    assert 'href="https://discord.gg/axie"' in row


# Lists: filters and sort ----------------------------------------------------------------------


def test_games_list_filters_by_a_text_field(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?status=Live")

    assert "Axie Infinity" in html
    assert "无评分游戏" in html
    assert "The Sandbox" not in html


def test_games_list_filters_by_a_word_of_a_list(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?blockchain=Polygon")
    assert "The Sandbox" in html
    assert "Axie Infinity" not in html

    html = html_of(client, games.get_absolute_url() + "?blockchain=Ethereum")
    assert "The Sandbox" in html
    assert "Axie Infinity" in html
    assert "无评分游戏" not in html

    html = html_of(client, games.get_absolute_url() + "?blockchain=以太坊")
    assert "无评分游戏" in html
    assert "Axie Infinity" not in html


def test_a_word_filter_does_not_match_part_of_a_word(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?blockchain=Ether")

    assert "Axie Infinity" not in html
    assert "没有符合筛选条件的条目。" in html


def test_unknown_filter_value_gives_an_empty_list(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?status=Nonexistent")

    for game in three_games.values():
        assert game.title not in html
    assert "没有符合筛选条件的条目。" in html


def test_unknown_parameter_is_ignored(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?colour=red&utm_source=x")

    for game in three_games.values():
        assert game.title in html


def test_filters_combine(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?status=Live&blockchain=Ronin")

    assert "Axie Infinity" in html
    assert "无评分游戏" not in html
    assert "The Sandbox" not in html


def test_games_list_sorts_by_score_high_to_low_unscored_last(client, three_games, games):
    titles = [game.title for game in three_games.values()]

    html = html_of(client, games.get_absolute_url() + "?sort=score")
    assert titles_in_order(html, titles) == ["Axie Infinity", "The Sandbox", "无评分游戏"]


def test_sort_order_differs_from_the_reading_order(client, make_article, games):
    low = make_game(make_article, games, "低分新游戏", score=2)
    high = make_game(make_article, games, "高分老游戏", score=8)
    # make_article publishes each later article a minute earlier: `low` is the newest.
    titles = [low.title, high.title]

    assert titles_in_order(html_of(client, games.get_absolute_url()), titles) == titles
    assert titles_in_order(html_of(client, games.get_absolute_url() + "?sort=score"), titles) == [
        high.title,
        low.title,
    ]


def test_an_unknown_sort_is_the_default_order(client, make_article, games):
    low = make_game(make_article, games, "低分新游戏", score=2)
    high = make_game(make_article, games, "高分老游戏", score=8)
    html = html_of(client, games.get_absolute_url() + "?sort=title")

    assert titles_in_order(html, [low.title, high.title]) == [low.title, high.title]


def test_games_list_offers_its_filters_and_sort(client, three_games, games):
    html = html_of(client, games.get_absolute_url() + "?status=Beta")

    form = html[html.index('<form class="list-filters"') :]
    form = form[: form.index("</form>")]
    assert '<select name="status">' in form
    assert '<option value="Beta" selected>Beta</option>' in form
    assert '<option value="Ethereum">Ethereum</option>' in form
    assert '<option value="score">评分</option>' in form


def test_directory_section_list_is_a_logo_grid(client, entry, directory):
    html = html_of(client, directory.get_absolute_url())

    grid = html[html.index('<ul class="logo-grid">') :]
    tile = grid[: grid.index("</li>")]
    assert "Decentraland" in tile
    assert 'width="120" height="90"' in tile
    assert 'sizes="(max-width: 96px) 100vw, 96px"' in tile  # a 120px logo fills a 96px tile
    assert "一个基于以太坊的虚拟世界。" in tile


def test_a_small_logo_in_a_tile_is_never_enlarged(client, make_article, directory):
    make_article(section=directory, title="小图标", featured_image=logo(size=(48, 48)))
    html = html_of(client, directory.get_absolute_url())

    tile = html[html.index('<li class="tile">') :]
    assert 'sizes="(max-width: 48px) 100vw, 48px"' in tile[: tile.index("</li>")]


def test_topic_page_of_directory_entries_is_a_logo_grid(client, entry):
    html = html_of(client, Topic.objects.get(name="虚拟世界").get_absolute_url())

    assert '<ul class="logo-grid">' in html


def test_news_section_list_stays_cards(client, make_article, section):
    make_article(section=section, title="一篇新闻")
    html = html_of(client, section.get_absolute_url())

    assert '<ul class="logo-grid">' not in html
    assert 'class="card' in html


# Sub-navigation ----------------------------------------------------------------------------


def test_section_page_shows_its_channels_in_order(client, entry, directory):
    tools = Channel.objects.create(section=directory, title="工具", position=2)
    worlds = Channel.objects.create(
        section=directory,
        title="元宇宙世界",
        position=1,
        icon_svg='<svg viewBox="0 0 1 1"><path d="M0 0h1v1z"/></svg>',
    )
    worlds.topics.add(Topic.objects.get(name="虚拟世界"))
    html = html_of(client, directory.get_absolute_url())

    nav = html[html.index('<nav class="channels"') :]
    nav = nav[: nav.index("</nav>")]
    assert nav.index("元宇宙世界") < nav.index("工具")
    assert f'id="channel-{tools.pk}"' in nav
    assert f'href="{Topic.objects.get(name="虚拟世界").get_absolute_url()}"' in nav
    assert '<span class="channel-icon"' in nav


def test_channels_of_another_section_are_not_shown(client, entry, directory, games):
    Channel.objects.create(section=games, title="链游")
    html = html_of(client, directory.get_absolute_url())

    assert "链游" not in html


# Home ----------------------------------------------------------------------------------------


@pytest.fixture
def portal_site(make_article, entry, directory, three_games, section):
    make_article(section=section, title="一条新闻")
    channel = Channel.objects.create(section=directory, title="虚拟世界频道")
    channel.topics.add(Topic.objects.get(name="虚拟世界"))
    return channel


def test_home_shows_a_block_per_portal_section(client, portal_site, directory, games, section):
    html = html_of(client, reverse("articles:home"))

    assert "一条新闻" in html
    directory_block = html[html.index('class="home-block home-directory"') :]
    directory_block = directory_block[: directory_block.index("</section>")]
    assert "虚拟世界频道" in directory_block
    assert "Decentraland" in directory_block
    assert f'href="{directory.get_absolute_url()}">更多' in directory_block
    games_block = html[html.index('class="home-block home-games"') :]
    games_block = games_block[: games_block.index("</section>")]
    assert titles_in_order(games_block, ["Axie Infinity", "The Sandbox", "无评分游戏"]) == [
        "Axie Infinity",
        "The Sandbox",
        "无评分游戏",
    ]
    assert f'href="{games.get_absolute_url()}">更多' in games_block
    assert f'href="{section.get_absolute_url()}">更多' in html
    # The news block shows news, not the directory or the games.
    news_block = html[html.index('<section class="latest') :]
    news_block = news_block[: news_block.index("</section>")]
    assert "Decentraland" not in news_block
    assert "Axie Infinity" not in news_block


def test_home_without_portal_sections_shows_only_the_latest(client, make_article, section):
    make_article(section=section, title="只有新闻")
    html = html_of(client, reverse("articles:home"))

    assert "只有新闻" in html
    assert "home-directory" not in html
    assert "home-games" not in html


def test_home_leaves_out_an_empty_directory(client, make_article, directory, section):
    make_article(section=section, title="一条新闻")
    make_article(section=directory, title="草稿条目", status="draft")
    html = html_of(client, reverse("articles:home"))

    assert "home-directory" not in html
    assert "草稿条目" not in html


# Table of contents ---------------------------------------------------------------------------


TOC_BODY = (
    '<h2 id="intro">简介</h2><p>一</p><h3 id="detail">细节 <em>说明</em></h3><p>二</p>'
    "<h2>没有 id</h2><h4 id='deep'>更深</h4><h5 id='too-deep'>太深</h5>"
)


def test_toc_lists_headings_with_ids():
    entries = table_of_contents(TOC_BODY)

    assert [(entry.level, entry.anchor, entry.text) for entry in entries] == [
        (2, "intro", "简介"),
        (3, "detail", "细节 说明"),
        (4, "deep", "更深"),
    ]


def test_toc_of_messy_markup_does_not_crash():
    assert table_of_contents("<h2 id='x'>未闭合<p>") == []
    assert table_of_contents("") == []
    assert [entry.anchor for entry in table_of_contents('<h2 id="a&amp;b">A&amp;B</h2>')] == ["a&b"]


def test_article_with_toc_shows_it_before_the_body(client, make_article, section):
    article = make_article(section=section, body=TOC_BODY, toc=True)
    html = html_of(client, article.get_absolute_url())

    toc = html[html.index('<nav class="toc"') : html.index('<div class="article-body">')]
    assert '<a href="#intro">简介</a>' in toc
    assert '<a href="#detail">细节 说明</a>' in toc
    assert "没有 id" not in toc


def test_article_without_toc_flag_has_none(client, make_article, section):
    article = make_article(section=section, body=TOC_BODY, toc=False)

    assert '<nav class="toc"' not in html_of(client, article.get_absolute_url())


# Query counts --------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["home", "directory", "games-filtered", "games-sorted", "entry"])
def test_portal_pages_run_as_many_queries_with_more_content(
    client, make_article, portal_site, directory, games, page
):
    urls = {
        "home": lambda: reverse("articles:home"),
        "directory": directory.get_absolute_url,
        "games-filtered": lambda: games.get_absolute_url() + "?status=Live&blockchain=Ethereum",
        "games-sorted": lambda: games.get_absolute_url() + "?sort=score",
        "entry": lambda: directory.articles.first().get_absolute_url(),
    }

    def counts():
        cache.clear()
        cold = _queries(client, urls[page]())
        return cold, _queries(client, urls[page]())

    small = counts()
    topic = Topic.objects.get(name="虚拟世界")
    for n in range(12):
        make_article(
            section=directory,
            title=f"条目{n}",
            featured_image=logo(f"l{n}.png"),
            fields={"link": f"https://e{n}.example/"},
            topics=[topic],
        )
        make_game(make_article, games, f"游戏{n}", score=n, status="Live", blockchain=["Ethereum"])
    Channel.objects.create(section=directory, title="第二频道").topics.add(topic)
    large = counts()

    assert small == large


def test_yes_no_filter_reads_yes_and_no_and_refuses_anything_else(client, three_games, games):
    games.fields.filter(key="nft_support").update(filterable=True)

    html = html_of(client, games.get_absolute_url() + "?nft_support=是")
    assert "Axie Infinity" in html
    assert "The Sandbox" not in html

    html = html_of(client, games.get_absolute_url() + "?nft_support=maybe")
    assert "Axie Infinity" not in html
    assert "没有符合筛选条件的条目。" in html


def test_a_field_that_is_not_filterable_is_not_a_filter(client, three_games, games):
    # free_to_play is declared to the cache but not filterable in this section.
    html = html_of(client, games.get_absolute_url() + "?free_to_play=no")

    for game in three_games.values():
        assert game.title in html


# The page cache's key ---------------------------------------------------------------------------


def test_page_cache_keys_sort_and_filters_and_drops_the_rest(rf):
    request = rf.get("/sections/games/?utm_source=x&status=Live&sort=score&colour=red&page=2")

    assert canonical_query(request) == "page=2&sort=score&status=Live"
    assert has_search_words(canonical_query(request))
    assert not has_search_words(canonical_query(rf.get("/sections/games/?page=2&colour=red")))


def test_page_cache_cuts_long_filter_values(rf):
    request = rf.get("/sections/games/?status=" + "x" * 5000)

    assert canonical_query(request) == "status=" + "x" * 100


def test_page_cache_keeps_each_filtered_list_apart(client, settings, three_games, games):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    url = games.get_absolute_url()

    assert "The Sandbox" in html_of(client, url)
    live = client.get(url + "?status=Live&utm_source=x")
    assert "The Sandbox" not in live.content.decode()
    beta = html_of(client, url + "?status=Beta")
    assert "The Sandbox" in beta
    assert "Axie Infinity" not in beta
    again = client.get(url + "?status=Live")
    assert again["X-Page-Cache"] == "hit"
    assert "The Sandbox" not in again.content.decode()
