"""Videos from Hugo's youtube and bilibili shortcodes: a click-to-load placeholder the sanitiser
keeps (with only a provider and a checked video id), which static/js/embeds.js turns into the
player, allowed by the page's Content-Security-Policy."""

import re
from pathlib import Path

import pytest

from articles.hugo.markdown import render_body
from articles.text.sanitize import sanitize_html, video_embed

STATIC = Path(__file__).resolve().parents[1] / "static"


def rendered(markdown):
    html, unknown = render_body(markdown)
    assert unknown == []
    return sanitize_html(html)


def data_attributes(html):
    return re.findall(r'(data-[\w-]+)="([^"]*)"', html)


def test_youtube_shortcode_becomes_a_click_to_load_placeholder():
    html = rendered('{{< youtube id="w7Ft2ymGmfc" title="发布会" >}}')
    assert data_attributes(html) == [("data-embed", "youtube"), ("data-embed-id", "w7Ft2ymGmfc")]
    assert 'class="video-embed"' in html
    assert 'href="https://www.youtube.com/watch?v=w7Ft2ymGmfc"' in html  # the no-JS fallback
    assert "播放视频" in html and "发布会" in html and "YouTube" in html
    assert "<iframe" not in html  # nothing from the provider loads before a click
    assert sanitize_html(html) == html


def test_bilibili_shortcode_keeps_the_part_number():
    html = rendered("{{< bilibili BV1Sx411T7QQ 3 >}}")
    assert data_attributes(html) == [
        ("data-embed", "bilibili"),
        ("data-embed-id", "BV1Sx411T7QQ"),
        ("data-embed-page", "3"),
    ]
    assert 'href="https://www.bilibili.com/video/BV1Sx411T7QQ/?p=3"' in html
    assert "哔哩哔哩" in html and sanitize_html(html) == html


@pytest.mark.parametrize(
    "shortcode",
    [
        '{{< youtube "javascript:alert(1)" >}}',
        '{{< youtube id="short" >}}',
        '{{< bilibili "https://evil.example/x" >}}',
        "{{< bilibili BV1Sx411T7QQ 0 >}}",
    ],
)
def test_a_bad_video_id_gives_a_plain_link_and_no_embed(shortcode):
    html = rendered(shortcode)
    pairs = data_attributes(html)
    if pairs:  # a good id with a bad part number: embedded, without the part
        assert "data-embed-page" not in dict(pairs)
    else:
        assert 'class="video-link"' in html and 'href="javascript:' not in html


@pytest.mark.parametrize(
    "dirty",
    [
        '<div data-embed="youtube" data-embed-id="https://evil.example/x">x</div>',
        '<div data-embed="youtube" data-embed-id="BV1Sx411T7QQ">x</div>',  # bilibili's id
        '<div data-embed="vimeo" data-embed-id="w7Ft2ymGmfc">x</div>',
        '<div data-embed="youtube">x</div>',
        '<div data-embed="youtube" data-embed-id="w7Ft2ymGmfc" data-embed-page="2">x</div>',
        '<div data-embed-id="w7Ft2ymGmfc">x</div>',
    ],
)
def test_the_sanitiser_drops_placeholder_data_that_does_not_fit(dirty):
    assert data_attributes(sanitize_html(dirty)) == []


@pytest.mark.parametrize("page", ["0", "1000", "2x", "javascript:1", ""])
def test_the_sanitiser_drops_a_bad_part_number(page):
    dirty = (
        f'<div data-embed="bilibili" data-embed-id="BV1Sx411T7QQ" data-embed-page="{page}">x</div>'
    )
    assert data_attributes(sanitize_html(dirty)) == [
        ("data-embed", "bilibili"),
        ("data-embed-id", "BV1Sx411T7QQ"),
    ]


def test_the_sanitiser_keeps_only_the_allowlisted_data_attributes_on_divs():
    dirty = (
        '<div data-embed="youtube" data-embed-id="w7Ft2ymGmfc" data-src="https://evil.example" '
        'data-embed-url="https://evil.example">x</div>'
        '<span data-embed="youtube" data-embed-id="w7Ft2ymGmfc">y</span>'
    )
    assert data_attributes(sanitize_html(dirty)) == [
        ("data-embed", "youtube"),
        ("data-embed-id", "w7Ft2ymGmfc"),
    ]


def test_an_editors_body_keeps_a_placeholder(make_article):
    embed = video_embed("bilibili", "BV1Sx411T7QQ", page="2", title="片段")
    article = make_article(body=f"<p>前言</p>{embed}<p>后记</p>")
    assert embed in article.body


def test_the_article_page_allows_the_players_frames(client, make_article, settings):
    article = make_article(body=video_embed("youtube", "w7Ft2ymGmfc"))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    frames = re.search(r"frame-src ([^;]*)", policy).group(1).split()
    assert "https://www.youtube-nocookie.com" in frames
    assert "https://player.bilibili.com" in frames
    assert "script-src 'self'" in policy
    assert 'data-embed="youtube"' in response.content.decode()


def test_the_script_builds_player_urls_from_the_id_alone():
    script = (STATIC / "js" / "embeds.js").read_text()
    assert "https://www.youtube-nocookie.com/embed/" in script
    assert "https://player.bilibili.com/player.html?" in script
    assert 'setAttribute(\n      "sandbox"' in script or '"sandbox"' in script
    assert "href" not in script.replace("a.video-link", "")  # never the body's link as src


def test_the_stylesheet_gives_the_placeholder_a_16_by_9_box():
    css = (STATIC / "css" / "embeds.css").read_text()
    assert re.search(r"\.video-embed\s*\{[^}]*aspect-ratio:\s*16\s*/\s*9", css)
