"""Channels' icons (sanitised SVG or an image), their admin, and the menus editors make per
language: the header's main menu with one level of children, the footer's links."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from articles.models import Channel, MenuItem, Section, Topic
from articles.portal.menus import site_language
from articles.text.svg import (
    ALLOWED_TAGS,
    MAX_SVG_BYTES,
    SvgTooLarge,
    missing_references,
    sanitize_svg,
)

from .admin_forms import form_data

OLD_SITE_ICON = '<svg class="icon" aria-hidden="true"><use xlink:href="#icon-wenzhang"></use></svg>'
ICONFONT = (
    '<svg t="1650" class="icon" viewBox="0 0 1024 1024" version="1.1" '
    'xmlns="http://www.w3.org/2000/svg" p-id="2" width="200" height="200">'
    '<path d="M512 0L1024 512 512 1024 0 512z" fill="#4f46e5" p-id="3"></path></svg>'
)
DRAWN = '<svg viewBox="0 0 24 24"><path d="M0 0h24v24H0z"></path></svg>'


# --- sanitize_svg -------------------------------------------------------------------------


def test_the_old_sites_sprite_reference_is_kept_with_href_and_named():
    cleaned = sanitize_svg(OLD_SITE_ICON)
    assert cleaned == '<svg class="icon" aria-hidden="true"><use href="#icon-wenzhang"></use></svg>'
    assert missing_references(cleaned) == ["icon-wenzhang"]


def test_a_pasted_iconfont_svg_keeps_its_drawing_and_viewbox_case():
    cleaned = sanitize_svg(ICONFONT)
    assert cleaned == (
        '<svg class="icon" viewBox="0 0 1024 1024" width="200" height="200">'
        '<path d="M512 0L1024 512 512 1024 0 512z" fill="#4f46e5"></path></svg>'
    )
    assert missing_references(cleaned) == []


def test_svg_names_keep_their_case_whatever_the_paste_used():
    cleaned = sanitize_svg(
        '<SVG VIEWBOX="0 0 1 1"><LINEARGRADIENT ID="g" GRADIENTUNITS="userSpaceOnUse">'
        '<STOP OFFSET="0" STOP-COLOR="#fff"/></LINEARGRADIENT><PATH FILL="url(#g)" D="M0"/></SVG>'
    )
    assert cleaned == (
        '<svg viewBox="0 0 1 1"><linearGradient id="g" gradientUnits="userSpaceOnUse">'
        '<stop offset="0" stop-color="#fff"></stop></linearGradient>'
        '<path fill="url(#g)" d="M0"></path></svg>'
    )


HOSTILE = {
    "script": '<svg><script>alert(1)</script><path d="M0"/></svg>',
    "script-href": '<svg><script href="https://evil.example/x.js"/><path d="M0"/></svg>',
    "onload": '<svg onload="alert(1)"><path d="M0" onclick="alert(1)" onmouseover="x"/></svg>',
    "foreignObject": (
        '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe>'
        '<img src=x onerror=alert(1)></foreignObject><path d="M0"/></svg>'
    ),
    "javascript-href": '<svg><a href="javascript:alert(1)"><path d="M0"/></a></svg>',
    "javascript-use": '<svg><use xlink:href="javascript:alert(1)"/><path d="M0"/></svg>',
    "encoded-javascript": '<svg><use href="&#x6a;avascript:alert(1)"/><path d="M0"/></svg>',
    "external-use": '<svg><use href="https://evil.example/s.svg#a"/><path d="M0"/></svg>',
    "relative-use": '<svg><use href="/sprite.svg#a"/><path d="M0"/></svg>',
    "data-use": '<svg><use href="data:image/svg+xml;base64,PHN2Zz4=#a"/><path d="M0"/></svg>',
    "style-element": "<svg><style>@import url(https://evil.example/x.css)</style>"
    '<path d="M0"/></svg>',
    "style-attribute": '<svg style="background:url(https://evil.example)"><path d="M0" '
    'style="fill:red"/></svg>',
    "external-paint": '<svg><path d="M0" fill="url(https://evil.example/p.svg#g)"/></svg>',
    "escaped-paint": '<svg><path d="M0" fill="u\\72l(https://evil.example/p.svg#g)"/></svg>',
    "external-mask": '<svg><path d="M0" mask="url(//evil.example/m.svg#m)"/></svg>',
    "cdata": '<svg><![CDATA[</svg><script>alert(1)</script>]]><path d="M0"/></svg>',
    "entity": '<!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]>'
    '<svg><title>&x;</title><path d="M0"/></svg>',
    "nested-svg": '<svg><svg onload="alert(1)"><path d="M0"/></svg></svg>',
    "image": '<svg><image href="https://evil.example/i.png"/><path d="M0"/></svg>',
    "animate-href": '<svg><a><animate attributeName="href" to="javascript:alert(1)"/>'
    '<set attributeName="onclick" to="alert(1)"/><path d="M0"/></a></svg>',
    "html-breakout": '<svg><path d="M0"/></svg><img src=x onerror=alert(1)><script>x</script>',
    "title-breakout": '<svg><title><img src=x onerror=alert(1)></title><path d="M0"/></svg>',
    "comment": '<svg><!--<script>alert(1)</script>--><path d="M0"/></svg>',
}


@pytest.mark.parametrize("markup", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_svg_keeps_only_its_drawing(markup):
    cleaned = sanitize_svg(markup)
    lowered = cleaned.lower()
    for bad in ("script", "javascript", " on", "style", "foreignobject", "<img", "<image",
                "<a", "animate", "<set", "evil", "iframe", "data:", "//"):  # fmt: skip
        assert bad not in lowered, (bad, cleaned)
    assert cleaned.startswith("<svg") and '<path d="M0"></path>' in cleaned
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', cleaned))
    assert sanitize_svg(cleaned) == cleaned


def test_only_local_references_survive():
    cleaned = sanitize_svg(
        '<svg><defs><symbol id="s"><path d="M0"/></symbol></defs><use xlink:href="#s"/>'
        '<use href="https://evil.example/#s"/><path d="M1" clip-path="url(#c)"/></svg>'
    )
    assert cleaned == (
        '<svg><defs><symbol id="s"><path d="M0"></path></symbol></defs><use href="#s"></use>'
        '<path d="M1" clip-path="url(#c)"></path></svg>'
    )
    assert missing_references(cleaned) == []


@pytest.mark.parametrize(
    "markup",
    [
        "",
        "   ",
        "just words",
        '<path d="M0"/>',
        "<svg></svg>",
        "<svg><title>只有标题</title><desc>没有图形</desc></svg>",
        '<svg><use href="https://evil.example/s.svg#a"/></svg>',
        "<svg><script>alert(1)</script></svg>",
        "<div><p>html, not an icon</p></div>",
    ],
)
def test_nothing_drawable_is_the_empty_string(markup):
    assert sanitize_svg(markup) == ""


def test_text_only_stays_in_title_and_desc_and_one_svg_is_kept():
    cleaned = sanitize_svg(
        "<p>前言</p><svg><title>文章<b>粗</b></title><text>散字</text><path d='M0'/></svg>"
        "<svg><circle r='1'/></svg>"
    )
    assert cleaned == '<svg><title>文章</title><path d="M0"></path></svg>'


def test_markup_over_the_bound_is_refused_not_cut():
    padding = " " * (MAX_SVG_BYTES - len(DRAWN))
    assert sanitize_svg(DRAWN + padding) == DRAWN
    with pytest.raises(SvgTooLarge) as refused:
        sanitize_svg(DRAWN + padding + " ")
    assert isinstance(refused.value, ValueError) and refused.value.size == MAX_SVG_BYTES + 1
    # the bound counts UTF-8 bytes, not characters
    with pytest.raises(SvgTooLarge):
        sanitize_svg("<svg><title>" + "字" * (MAX_SVG_BYTES // 3 + 1) + "</title></svg>")


PIECES = [
    "<svg>",
    "</svg>",
    "<svg viewBox='0 0 1 1'>",
    "<g>",
    "</g>",
    '<path d="M0 0">',
    "</path>",
    "<circle r=1/>",
    "<title>",
    "</title>",
    "<desc>",
    "<use xlink:href='#a'/>",
    '<use href="http://x/#a">',
    "<script>",
    "</script>",
    "<style>",
    "<foreignObject>",
    "</foreignObject>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<a href='javascript:x'>",
    "</a>",
    "<p>",
    "<b>",
    "<img src=x onerror=y>",
    "<table>",
    "<td>",
    "<select>",
    "<textarea>",
    "<template>",
    "<noscript>",
    "<math>",
    "<mi>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    '"',
    "'",
    " onload='x' ",
    "fill='url(#a)'",
    "<linearGradient id='a'>",
    "<stop/>",
    "<symbol id=s>",
    "<defs>",
    "<mask id=m>",
]


@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=25).map("".join))
@hypothesis_settings(max_examples=300, deadline=None)
def test_sanitized_svg_is_a_fixed_point_with_only_allowed_elements(markup):
    cleaned = sanitize_svg(markup)
    assert sanitize_svg(cleaned) == cleaned
    assert set(re.findall(r"<([A-Za-z][^\s/>]*)", cleaned)) <= ALLOWED_TAGS
    assert not re.search(r"\son\w+=|style=|javascript:|<!", cleaned, flags=re.IGNORECASE)
    assert cleaned == "" or cleaned.startswith("<svg")


# --- Channel, the icon tag ----------------------------------------------------------------


@pytest.fixture
def channel(db):
    section = Section.objects.create(name="资讯", slug="news")
    return Channel.objects.create(section=section, title="文章", icon_svg=OLD_SITE_ICON)


def render_icon(channel):
    return engines["jinja2"].from_string("{{ channel_icon(channel) }}").render({"channel": channel})


def test_a_saved_channel_keeps_only_sanitised_svg(channel):
    channel.icon_svg = HOSTILE["onload"]
    channel.save()
    channel.refresh_from_db()
    assert channel.icon_svg == '<svg><path d="M0"></path></svg>'
    channel.icon_svg = "x" * (MAX_SVG_BYTES + 1)
    with pytest.raises(SvgTooLarge):
        channel.save()


def test_channel_icon_tag_sizes_the_svg_with_a_class_and_never_a_style(channel):
    channel.icon_svg = ICONFONT
    channel.save()
    html = render_icon(channel)
    assert html.startswith('<span class="channel-icon" aria-hidden="true"><svg class="icon"')
    assert 'viewBox="0 0 1024 1024"' in html and "style" not in html


def test_channel_icon_tag_sanitises_a_row_written_around_save(channel):
    Channel.objects.filter(pk=channel.pk).update(icon_svg=HOSTILE["script"])
    channel.refresh_from_db()
    assert render_icon(channel) == (
        '<span class="channel-icon" aria-hidden="true"><svg><path d="M0"></path></svg></span>'
    )
    Channel.objects.filter(pk=channel.pk).update(icon_svg="<script>alert(1)</script>")
    channel.refresh_from_db()
    assert render_icon(channel) == ""


def test_channel_icon_tag_prefers_the_uploaded_image(channel, image_upload):
    channel.icon = image_upload("wenzhang.png")
    channel.save()
    html = render_icon(channel)
    assert html.startswith('<img class="channel-icon" src="/media/channels/wenzhang')
    assert "<svg" not in html and "style" not in html


# --- the channel admin --------------------------------------------------------------------


def channel_post(client, url, **changes):
    data = form_data(client, url, form_id="channel_form")
    data.update(changes)
    return client.post(url, data)


def test_admin_lists_and_adds_a_channel_with_a_pasted_svg(staff_client, channel):
    topic = Topic.objects.create(name="GameFi", slug="gamefi")
    response = staff_client.get(reverse("admin:articles_channel_changelist"))
    assert response.status_code == 200
    html = response.text
    assert "资讯" in html and '<span class="channel-icon"><svg class="icon"' in html
    assert "图标引用了旧站的图标集 (#icon-wenzhang)" in html
    add = reverse("admin:articles_channel_add")
    response = channel_post(
        staff_client,
        add,
        section=str(channel.section_id),
        title="游戏",
        title_en="Games",
        position="2",
        topics=[str(topic.pk)],
        icon_svg=HOSTILE["onload"],
    )
    assert response.status_code == 302, response.text
    added = Channel.objects.get(title="游戏")
    assert added.icon_svg == '<svg><path d="M0"></path></svg>'
    assert added.translations == {"en": {"title": "Games"}}
    assert list(added.topics.all()) == [topic]
    missing = staff_client.get(reverse("admin:articles_channel_changelist"), {"icon": "missing"})
    titles = re.findall(r'<th class="field-title"><a [^>]*>([^<]*)</a>', missing.text)
    assert titles == ["文章"]  # the old site's sprite draws nothing; the pasted SVG does


def test_admin_warns_about_the_old_sites_sprite_and_keeps_other_translations(staff_client, channel):
    channel.translations = {"en": {"title": "Articles", "note": "x"}, "ja": {"title": "記事"}}
    channel.save()
    url = reverse("admin:articles_channel_change", args=[channel.pk])
    page = staff_client.get(url).text
    assert (
        "图标引用了旧站的图标集 (#icon-wenzhang)，页面上不会显示；请上传图片或粘贴完整的 SVG。"
        in page
    )
    assert 'name="title_en"' in page and 'value="Articles"' in page
    assert 'name="translations"' not in page
    response = channel_post(staff_client, url, title_en="")
    assert response.status_code == 302
    changelist = staff_client.get(reverse("admin:articles_channel_changelist")).text
    message = changelist.split('<ul class="messagelist">')[1].split("</ul>")[0]
    assert 'class="warning"' in message and "图标引用了旧站的图标集 (#icon-wenzhang)" in message
    channel.refresh_from_db()
    assert channel.translations == {"en": {"note": "x"}, "ja": {"title": "記事"}}


def test_admin_refuses_an_svg_too_large_or_with_nothing_to_draw(staff_client, channel):
    url = reverse("admin:articles_channel_change", args=[channel.pk])
    big = f'<svg><title>{"a" * MAX_SVG_BYTES}</title><path d="M0"/></svg>'
    too_large = channel_post(staff_client, url, icon_svg=big)
    assert too_large.status_code == 200
    assert f"超过上限 {MAX_SVG_BYTES} 字节" in too_large.text
    nothing = channel_post(staff_client, url, icon_svg="<script>alert(1)</script>")
    assert nothing.status_code == 200 and "清理后没有可显示的图形" in nothing.text
    channel.refresh_from_db()
    assert channel.icon_svg == sanitize_svg(OLD_SITE_ICON)


def test_editors_and_moderators_manage_channels_and_menus_writers_do_not(role_user, client):
    for role, allowed in (("Editor", True), ("Moderator", True), ("Writer", False)):
        client.force_login(role_user(role))
        for name in ("channel", "menuitem"):
            for view in ("changelist", "add"):
                status = client.get(reverse(f"admin:articles_{name}_{view}")).status_code
                assert status == (200 if allowed else 403), (role, name, view)


# --- menu entries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("/", "/"),
        ("/news/", "/news/"),
        ("/community/activities/a/", "/community/activities/a/"),
        ("/资讯/?p=2#top", "/资讯/?p=2#top"),
        ("https://Example.COM/x", "https://example.com/x"),
        ("http://example.com", "http://example.com"),
    ],
)
def test_a_menu_link_is_a_site_path_or_a_web_address(db, url, kept):
    item = MenuItem(name="链接", url=url)
    item.full_clean()
    assert item.url == kept


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        " /news/",
        "/news/\n",
        "/news /",
        "/news/\u200b",
        "news/",
        "https:evil.example",
        "https://user@evil.example/",
        "mailto:a@example.com",
        "ftp://example.com/",
    ],
)
def test_a_bad_menu_link_is_refused_with_a_clear_message(db, url):
    with pytest.raises(ValidationError) as refused:
        MenuItem(name="链接", url=url).full_clean()
    assert any("链接“" in message and "站内路径" in message for message in refused.value.messages)


def test_a_menu_has_one_level_of_children_in_its_own_menu_and_language(db):
    top = MenuItem.objects.create(name="社区", url="/community/")
    child = MenuItem.objects.create(name="活动", url="/community/activities/", parent=top)
    with pytest.raises(ValidationError, match="只有一级"):
        MenuItem(name="孙", url="/x/", parent=child).full_clean()
    with pytest.raises(ValidationError, match="另一个菜单或语言"):
        MenuItem(name="Sub", url="/x/", parent=top, language="en").full_clean()
    top.parent = MenuItem.objects.create(name="首页", url="/")
    with pytest.raises(ValidationError, match="只有一级"):
        top.full_clean()


def test_admin_menu_form_puts_a_bad_link_on_its_field(staff_client):
    add = reverse("admin:articles_menuitem_add")
    data = form_data(staff_client, add, form_id="menuitem_form")
    data.update(name="坏链接", url="javascript:alert(1)", position="1")
    response = staff_client.post(add, data)
    assert response.status_code == 200
    field = response.text.split('class="form-row errors field-url">')[1].split("</ul>")[0]
    assert "errorlist" in field and "链接“javascript:alert(1)”不可用" in field
    data.update(url="/news/")
    assert staff_client.post(add, data).status_code == 302
    assert MenuItem.objects.get().url == "/news/"


def test_admin_menu_list_edits_positions_and_shows_a_bad_stored_link(staff_client):
    good = MenuItem.objects.create(name="资讯", url="/news/", position=1)
    bad = MenuItem.objects.create(name="旧的", url="news/", position=2)  # written around clean()
    url = reverse("admin:articles_menuitem_changelist")
    listed = staff_client.get(url, {"menu__exact": "main", "language__exact": "zh-hans"})
    assert listed.status_code == 200 and "旧的" in listed.text
    data = form_data(staff_client, url, form_id="changelist-form")
    rows = {data[f"form-{n}-id"]: n for n in range(2)}
    data[f"form-{rows[str(good.pk)]}-position"] = "5"
    data["_save"] = "保存"
    response = staff_client.post(url, data)
    assert response.status_code == 200  # the bad row stops the save and says why
    assert "链接“news/”不可用" in response.text
    bad.url = "/news-old/"
    bad.save()
    data = form_data(staff_client, url, form_id="changelist-form")
    rows = {data[f"form-{n}-id"]: n for n in range(2)}
    data[f"form-{rows[str(good.pk)]}-position"] = "5"
    data["_save"] = "保存"
    assert staff_client.post(url, data).status_code == 302
    good.refresh_from_db()
    assert good.position == 5


# --- the menus on the page ----------------------------------------------------------------


@pytest.fixture
def menus(db):
    def add(language, menu, name, url, **fields):
        return MenuItem.objects.create(language=language, menu=menu, name=name, url=url, **fields)

    home = add("zh-hans", "main", "首页", "/", position=1)
    community = add("zh-hans", "main", "社区", "/community/activities/a/", position=5)
    add("zh-hans", "main", "最新活动", "/community/activities/", parent=community, position=1)
    add("zh-hans", "main", "元宇宙导航", "https://metanav.example/", position=9, title="外站")
    add("zh-hans", "main", "资讯", "/articles/", position=2)
    add("en", "main", "Home", "/en/", position=1)
    add("en", "main", "News", "/en/articles/", position=2)
    add("zh-hans", "footer", "关于我们", "/about/", position=1)
    add("zh-hans", "footer", "合作", "https://partner.example/", position=2)
    add("en", "footer", "About", "/about/", position=1)
    return home


def header_nav(html):
    return html.split("<header")[1].split("</header>")[0]


def footer_links(html):
    return html.split('class="footer-links">')[1].split("</p>")[0]


def test_header_shows_the_data_menu_in_the_readers_language(client, menus):
    html = header_nav(client.get("/articles/").text)
    names = re.findall(r"<a href=\"[^\"]*\"[^>]*>([^<]+)</a>", html.split("<nav")[1])
    assert names == ["首页", "资讯", "社区", "最新活动", "元宇宙导航"]
    assert "全部文章" not in html  # the section menu gives way to the editors' menu
    assert '<a href="/articles/" aria-current="page">资讯</a>' in html
    assert '<a href="/" aria-current' not in html
    assert '<ul class="menu-sub">' in html and "最新活动" in html.split("menu-sub")[1]
    assert '<a href="https://metanav.example/" title="外站" rel="noopener">元宇宙导航</a>' in html
    assert 'target="' not in html

    english = header_nav(client.get("/en/articles/").text)
    names = re.findall(r"<a href=\"[^\"]*\"[^>]*>([^<]+)</a>", english.split("<nav")[1])
    assert names == ["Home", "News"]
    assert '<a href="/en/articles/" aria-current="page">News</a>' in english


@pytest.mark.parametrize(
    ("code", "language"),
    [("zh-hans", "zh-hans"), ("zh-cn", "zh-hans"), ("zh", "zh-hans"), ("en-us", "en"),
     ("en", "en"), ("fr", "zh-hans"), ("", "zh-hans"), (None, "zh-hans")],
)  # fmt: skip
def test_a_language_code_stands_for_one_of_the_sites_languages(code, language):
    assert site_language(code) == language


def test_the_pages_language_chooses_the_menu_not_the_browsers(client, menus):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert ">首页</a>" in header_nav(client.get("/").text)  # / is the site's language
    assert ">Home</a>" in header_nav(client.get("/en/").text)


def test_header_falls_back_to_sections_without_a_menu_for_the_language(client, make_article, menus):
    make_article(section=Section.objects.create(name="链游", slug="games"))
    MenuItem.objects.filter(language="en").delete()
    make_article(language="en", section=Section.objects.get(slug="games"))
    english = header_nav(client.get("/en/").text)
    assert "All articles" in english and ">链游</a>" in english and "Home" not in english
    chinese = header_nav(client.get("/").text)
    assert ">首页</a>" in chinese and ">链游</a>" not in chinese
    MenuItem.objects.all().delete()
    assert "全部文章" in header_nav(client.get("/").text)


def test_footer_shows_its_links_before_the_archive_and_feeds(client, menus):
    links = footer_links(client.get("/").text)
    assert links.index(">关于我们<") < links.index(">合作<") < links.index("文章归档")
    assert '<a href="https://partner.example/" rel="noopener">合作</a>' in links
    english = footer_links(client.get("/en/").text)
    assert ">About<" in english and "关于我们" not in english
    MenuItem.objects.filter(menu="footer").delete()
    assert footer_links(client.get("/").text).startswith('<a href="/archive/')


def test_a_menu_change_shows_on_the_next_page(client, menus):
    assert ">首页</a>" in header_nav(client.get("/").text)
    menus.name = "主页"
    menus.save()
    assert ">主页</a>" in header_nav(client.get("/").text)


def test_menus_cost_no_query_on_a_warm_page(client, make_article, menus):
    make_article(section=Section.objects.create(name="资讯", slug="news"))

    def counts():
        cache.clear()
        found = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/articles/").status_code == 200
            menu_reads = [q["sql"] for q in ctx.captured_queries if "menuitem" in q["sql"]]
            found.append((len(ctx), len(menu_reads)))
        return found

    (cold, cold_menu_reads), (warm, warm_menu_reads) = counts()
    assert (cold_menu_reads, warm_menu_reads) == (1, 0)  # every menu, every language: one read
    MenuItem.objects.all().delete()
    (cold_without, _), (warm_without, _) = counts()
    assert warm == warm_without
    assert cold == cold_without - 1  # the editors' menu stands in for the section menu
