"""Ads: their windows, where they show, the switches, how readers see them, the audit log and
who may run them."""

import re
import time
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.curation import ads as services
from articles.models import Ad, AdLog, AdSpot
from articles.reading.ads import ads_for, live_ads
from tests.admin_forms import form_data
from tests.conftest import image_bytes

pytestmark = pytest.mark.django_db

HOME = "/"


def png(name="ad.png", size=(120, 40)):
    return ContentFile(image_bytes(size=size), name=name)


@pytest.fixture
def moderator(role_user):
    return role_user("Moderator")


@pytest.fixture
def make_ad(moderator):
    """make_ad(title, spot="banner", **fields): an ad added through the service."""

    def make(title, spot="banner", **fields):
        fields.setdefault("image", png())
        fields.setdefault("link", "https://example.com/ad")
        return services.add_ad(
            by=moderator, spot=AdSpot.objects.get(key=spot), title=title, **fields
        )

    return make


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


def titles(spot, **kwargs):
    return [ad.title for ad in live_ads(**kwargs).get(spot, [])]


# --- windows ---------------------------------------------------------------------------------


def test_an_ad_runs_from_its_start_to_its_end(make_ad):
    now = timezone.now()
    make_ad("排期广告", starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))

    assert titles("banner", now=now) == []  # not yet started
    assert titles("banner", now=now + timedelta(hours=1)) == ["排期广告"]
    assert titles("banner", now=now + timedelta(hours=1, minutes=59)) == ["排期广告"]
    assert titles("banner", now=now + timedelta(hours=2)) == []  # ended


def test_a_scheduled_ad_appears_on_the_page_at_its_minute(client, make_ad, clock):
    start = timezone.now()
    make_ad("准点上线", starts_at=start + timedelta(minutes=30))

    clock.set(start + timedelta(minutes=29))
    assert "准点上线" not in client.get(HOME).text
    clock.set(start + timedelta(minutes=30))
    assert "准点上线" in client.get(HOME).text


def test_the_page_cache_never_serves_an_ad_past_its_end(client, settings, make_ad):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    ends_at = timezone.now() + timedelta(seconds=1.5)
    make_ad("限时广告", ends_at=ends_at)
    client.get(HOME)
    cached = client.get(HOME)
    assert cached["X-Page-Cache"] == "hit"
    assert "限时广告" in cached.text

    time.sleep(max(0.0, (ends_at - timezone.now()).total_seconds()) + 0.05)

    assert "限时广告" not in client.get(HOME).text


def test_a_saved_ad_shows_at_once_on_a_cached_page(client, settings, make_ad):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    client.get(HOME)
    assert client.get(HOME)["X-Page-Cache"] == "hit"

    make_ad("新广告")

    assert "新广告" in client.get(HOME).text


def test_the_window_must_end_after_it_starts(make_ad):
    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        make_ad("倒着的窗口", starts_at=now, ends_at=now - timedelta(minutes=1))
    assert "ends_at" in refused.value.message_dict
    assert not Ad.objects.exists()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "mailto:a@example.com",
        "/relative",
        "",
        "ftp://x.org/",
    ],
)
def test_an_ad_links_to_http_or_https_only(make_ad, link):
    with pytest.raises(ValidationError) as refused:
        make_ad("坏链接", link=link)
    assert "link" in refused.value.message_dict


def test_an_unreadable_image_is_refused_with_a_message(make_ad):
    with pytest.raises(ValidationError) as refused:
        make_ad("坏图片", image=ContentFile(b"<?php echo 1; ?>", name="ad.jpg"))
    assert refused.value.message_dict["image"] == ["这不是一个可以读取的图片文件。"]
    with pytest.raises(ValidationError) as refused:
        make_ad("坏手机图", phone_image=ContentFile(b"not an image", name="p.png"))
    assert "phone_image" in refused.value.message_dict


def test_the_phone_image_is_optional(make_ad):
    ad = make_ad("没有手机图")
    assert not ad.phone_image
    assert (ad.image_width, ad.image_height) == (120, 40)


# --- where ads show ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "on_home", "on_article"),
    [(Ad.Pages.ALL, True, True), (Ad.Pages.HOME, True, False), (Ad.Pages.OTHER, False, True)],
)
def test_show_rule_on_home_and_article_pages(
    client, make_ad, make_article, pages, on_home, on_article
):
    make_ad("展示规则广告", pages=pages)
    article = make_article()

    assert ("展示规则广告" in client.get(HOME).text) is on_home
    assert ("展示规则广告" in client.get(article.get_absolute_url()).text) is on_article
    assert bool(ads_for("banner", is_home=True)) is on_home
    assert bool(ads_for("banner", is_home=False)) is on_article


def test_ads_show_in_position_order(client, make_ad):
    make_ad("第三", position=3)
    make_ad("第一", position=1)
    make_ad("第二", position=2)

    assert titles("banner") == ["第一", "第二", "第三"]
    page = client.get(HOME).text
    assert page.index("第一") < page.index("第二") < page.index("第三")


def test_a_switched_off_spot_shows_nothing_and_its_switch_is_logged(client, make_ad, moderator):
    make_ad("横幅广告")
    spot = AdSpot.objects.get(key="banner")

    services.switch_spot(spot=spot, by=moderator, enabled=False)

    assert "横幅广告" not in client.get(HOME).text
    log = AdLog.objects.filter(action=AdLog.Action.SWITCHED).get()
    assert (log.user, log.changes) == (moderator, {"enabled": [True, False]})
    services.switch_spot(spot=spot, by=moderator, enabled=True)
    assert "横幅广告" in client.get(HOME).text


def test_ads_switched_off_site_wide_show_nowhere(client, settings, make_ad):
    make_ad("全站广告")
    make_ad("目录广告", spot="toc")
    assert "全站广告" in client.get(HOME).text

    settings.NEWSROOM = {**settings.NEWSROOM, "ADS_ENABLED": False}

    assert live_ads() == {}
    assert ads_for("banner", is_home=True) == []
    assert "全站广告" not in client.get(HOME).text


def test_a_switched_off_ad_is_not_shown(client, make_ad, moderator):
    ad = make_ad("下线广告")
    services.switch_ad(ad=ad, by=moderator, enabled=False)
    assert "下线广告" not in client.get(HOME).text


# --- how readers see them -----------------------------------------------------------------------


def ad_blocks(html, spot):
    return re.findall(rf'<aside class="ads ads--{spot}[^"]*".*?</aside>', html, flags=re.S)


def test_an_ad_is_marked_as_an_ad_and_its_link_is_sponsored(client, make_ad):
    ad = make_ad("标记广告", alt="某某交易所", link="https://example.com/x?a=1&b=2")

    (block,) = ad_blocks(client.get(HOME).text, "banner")

    assert '<span class="ad-label">广告</span>' in block
    assert 'href="https://example.com/x?a=1&amp;b=2"' in block
    assert 'rel="sponsored noopener"' in block
    assert 'target="_blank"' in block
    assert f'src="{ad.image.url}" width="120" height="40" alt="某某交易所"' in block
    assert 'loading="lazy"' in block


def test_the_banner_uses_the_phone_image_on_narrow_screens(client, make_ad):
    ad = make_ad("双图横幅", phone_image=png("phone.png", size=(75, 13)))

    (block,) = ad_blocks(client.get(HOME).text, "banner")

    assert "<picture>" in block
    assert (
        f'<source media="(max-width: 767px)" srcset="{ad.phone_image.url}" width="75" height="13">'
        in block
    )
    assert f'<img src="{ad.image.url}"' in block


def test_the_side_pair_is_image_left_and_phone_image_right(client, make_ad):
    ad = make_ad("两侧广告", spot="side", phone_image=png("right.png", size=(50, 128)))

    (block,) = ad_blocks(client.get(HOME).text, "side")

    left, right = re.findall(r'<div class="ad ad--(left|right)">.*?<img src="([^"]+)"', block, re.S)
    assert left == ("left", ad.image.url)
    assert right == ("right", ad.phone_image.url)
    assert 'width="50" height="128"' in block
    assert block.count("广告</span>") == 2


def test_a_page_with_ads_keeps_the_strict_csp(client, make_ad):
    make_ad("CSP 广告", phone_image=png("p.png"))
    make_ad("两侧", spot="side", phone_image=png("r.png"))

    response = client.get(HOME)

    assert "CSP 广告" in response.text
    policy = response["Content-Security-Policy"]
    assert "style-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy
    assert re.findall(r"<style[\s>]|\sstyle\s*=|<script>", response.text, flags=re.I) == []


def test_a_warm_page_runs_no_query_for_ads(client, make_ad, make_article):
    make_ad("无查询广告")
    article = make_article()
    for url in (HOME, article.get_absolute_url()):
        client.get(url)  # cold: ads read once for this generation
        with CaptureQueriesContext(connection) as warm:
            assert "无查询广告" in client.get(url).text
        assert [q["sql"] for q in warm if "articles_ad" in q["sql"]] == [], url


def test_live_ads_are_read_once_per_generation(make_ad, django_assert_num_queries):
    make_ad("一次读取")
    live_ads()
    with django_assert_num_queries(0):
        assert titles("banner") == ["一次读取"]
    make_ad("再来一个")  # a save starts a new generation
    assert titles("banner") == ["一次读取", "再来一个"]


# --- the audit log ------------------------------------------------------------------------------


def test_every_change_is_logged_with_the_user(make_ad, moderator):
    ad = make_ad("日志广告", position=0)
    added = AdLog.objects.get(action=AdLog.Action.ADDED)
    assert (added.user, added.ad, added.ad_title) == (moderator, ad, "日志广告")
    assert added.changes["link"] == [None, "https://example.com/ad"]
    assert added.changes["spot"] == [None, "banner"]

    services.change_ad(ad=ad, by=moderator, title="改名广告", position=5)
    changed = AdLog.objects.get(action=AdLog.Action.CHANGED)
    assert changed.changes == {"title": ["日志广告", "改名广告"], "position": [0, 5]}
    assert changed.user == moderator

    services.change_ad(ad=ad, by=moderator, position=5)  # nothing changes: nothing logged
    assert AdLog.objects.filter(action=AdLog.Action.CHANGED).count() == 1

    services.switch_ad(ad=ad, by=moderator, enabled=False)
    switched = AdLog.objects.get(action=AdLog.Action.SWITCHED)
    assert (switched.user, switched.changes) == (moderator, {"enabled": [True, False]})

    services.delete_ad(ad=ad, by=moderator)
    removed = AdLog.objects.get(action=AdLog.Action.REMOVED)
    assert (removed.user, removed.ad_title) == (moderator, "改名广告")
    assert removed.changes["title"] == ["改名广告", None]
    assert not Ad.objects.exists()


def test_the_admin_writes_through_the_services(client, moderator):
    client.force_login(moderator)
    spot = AdSpot.objects.get(key="toc")
    upload = ContentFile(image_bytes(size=(224, 450)), name="toc.png")
    response = client.post(
        reverse("admin:articles_ad_add"),
        {
            "spot": spot.pk,
            "title": "后台广告",
            "link": "https://example.com/toc",
            "pages": "all",
            "position": 0,
            "enabled": "on",
            "alt": "",
            "image": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ad = Ad.objects.get()
    assert ad.created_by == moderator
    assert (ad.image_width, ad.image_height) == (224, 450)
    assert not ad.image.name.endswith("toc.png")  # re-encoded under a name we chose
    assert AdLog.objects.get().user == moderator

    change = reverse("admin:articles_ad_change", args=[ad.pk])
    data = form_data(client, change, form_id="ad_form")
    data["title"] = "后台改名"
    assert client.post(change, data).status_code == 302
    assert AdLog.objects.get(action=AdLog.Action.CHANGED).changes == {
        "title": ["后台广告", "后台改名"]
    }

    changelist = reverse("admin:articles_ad_changelist")
    client.post(changelist, {"action": "switch_off", "_selected_action": [ad.pk]})
    assert AdLog.objects.get(action=AdLog.Action.SWITCHED).user == moderator
    assert not Ad.objects.get().enabled


def test_the_admin_shows_a_bad_link_next_to_its_field(client, moderator):
    client.force_login(moderator)
    response = client.post(
        reverse("admin:articles_ad_add"),
        {
            "spot": AdSpot.objects.get(key="banner").pk,
            "title": "坏链接",
            "link": "javascript:alert(1)",
            "pages": "all",
            "position": 0,
            "image": ContentFile(image_bytes(), name="a.png"),
        },
    )
    assert response.status_code == 200
    assert not Ad.objects.exists()
    assert "errorlist" in response.text


# --- who may run ads ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Editor", "Writer"])
def test_editors_and_writers_cannot_touch_ads(client, role_user, make_ad, role):
    ad = make_ad("不许碰")
    user = role_user(role)
    client.force_login(user)

    for name, args in [
        ("admin:articles_ad_changelist", []),
        ("admin:articles_ad_add", []),
        ("admin:articles_ad_change", [ad.pk]),
        ("admin:articles_ad_delete", [ad.pk]),
        ("admin:articles_adspot_changelist", []),
        ("admin:articles_adlog_changelist", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert (
        client.post(reverse("admin:articles_ad_delete", args=[ad.pk]), {"post": "yes"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.switch_ad(ad=ad, by=user, enabled=False)
    with pytest.raises(PermissionDenied):
        services.delete_ad(ad=ad, by=user)
    assert Ad.objects.get().enabled


def test_moderators_run_ads_and_read_the_log(client, moderator, make_ad):
    make_ad("审核可见")
    client.force_login(moderator)
    for name in (
        "admin:articles_ad_changelist",
        "admin:articles_ad_add",
        "admin:articles_adspot_changelist",
        "admin:articles_adlog_changelist",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    desk = client.get(reverse("admin:articles_slot_desk")).text
    assert reverse("admin:articles_ad_changelist") in desk
    assert "审核可见" in client.get(reverse("admin:articles_adlog_changelist")).text


def test_a_missing_phone_image_file_costs_only_its_size(client, make_ad):
    ad = make_ad("丢了手机图", phone_image=png("gone.png"))
    ad.phone_image.storage.delete(ad.phone_image.name)

    (block,) = ad_blocks(client.get(HOME).text, "banner")

    assert f'<source media="(max-width: 767px)" srcset="{ad.phone_image.url}">' in block


def test_a_spot_switched_in_the_admin_is_logged_with_the_user(client, moderator, make_ad):
    make_ad("位内广告", spot="toc")
    spot = AdSpot.objects.get(key="toc")
    client.force_login(moderator)

    client.post(
        reverse("admin:articles_adspot_changelist"),
        {"action": "switch_off", "_selected_action": [spot.pk]},
    )

    spot.refresh_from_db()
    assert not spot.enabled
    log = AdLog.objects.get(action=AdLog.Action.SWITCHED)
    assert (log.user, log.ad_title, log.changes) == (
        moderator,
        "广告位：目录下方",
        {"enabled": [True, False]},
    )
    assert ads_for("toc", is_home=False) == []
