"""A slot never silently cuts articles: capacity is refused everywhere, what does not fit waits
in line and takes a seat when one frees up, empty seats fill by the slot's rule, and the desk
says when a slot is under-filled (articles.curation.lineup, docs/EDITORIAL.md "Curation desk")."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.curation import services
from articles.demo.content import ARTICLES
from articles.management.commands import load_demo
from articles.models import Article, Placement, PlacementLog, Section, Slot
from articles.models.curation import next_scheduled_change

pytestmark = pytest.mark.django_db

HOME = "articles:home"
DESK = "admin:articles_slot_desk"


@pytest.fixture
def clock(monkeypatch):
    """clock.set(moment): every timezone.now() in the code under test returns that moment."""

    class Clock:
        def set(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    return Clock()


@pytest.fixture
def moderator(role_user):
    return role_user("Moderator")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def slot(key):
    return Slot.objects.get(key=key)


def set_slot(key, **fields):
    """Change a slot the way the admin does (a save: a new content generation)."""
    row = slot(key)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def no_fill(*keys):
    """Switch the slots' fill off (不补位), as a moderator may: they show their placements only."""
    for key in keys:
        set_slot(key, fill=Slot.Fill.NONE)


def home_titles(client, key):
    return [article.title for article in client.get(reverse(HOME)).context[key]]


def seat(make_article, moderator, key, titles, **window):
    return [
        services.place_article(
            article=make_article(title=title), slot=slot(key), by=moderator, **window
        )
        for title in titles
    ]


def when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# Over capacity: refused in the service, the admin form and the demo loader -----------------


def test_the_service_refuses_a_fixed_placement_in_a_full_slot_and_queues_on_request(
    make_article, moderator
):
    seat(make_article, moderator, "showcase", ["一", "二", "三"])

    with pytest.raises(ValidationError) as refused:
        services.place_article(
            article=make_article(title="第四"), slot=slot("showcase"), by=moderator
        )

    assert refused.value.code == "slot_full"
    assert "「首页展示位」最多同时放 3 篇文章" in refused.value.messages[0]
    assert "也可以勾选「排队」" in refused.value.messages[0]
    assert not Placement.objects.filter(article__title="第四").exists()

    queued = services.place_article(
        article=make_article(title="第四"), slot=slot("showcase"), by=moderator, queued=True
    )

    assert queued.queued
    assert PlacementLog.objects.filter(article=queued.article).get().changes["queued"] is True
    # Turning the queued placement into a fixed one would put four in three seats.
    with pytest.raises(ValidationError) as refused:
        services.update_placement(placement=queued, by=moderator, queued=False)
    assert refused.value.code == "slot_full"
    assert Placement.objects.get(pk=queued.pk).queued


def test_queued_placements_hold_no_seat_against_fixed_ones(make_article, moderator):
    seat(make_article, moderator, "showcase", ["一", "二"])
    services.place_article(
        article=make_article(title="排队"), slot=slot("showcase"), by=moderator, queued=True
    )

    # The third seat is still free for a fixed placement: the queued one only takes free seats.
    services.place_article(article=make_article(title="三"), slot=slot("showcase"), by=moderator)

    assert slot("showcase").placements.filter(queued=False).count() == 3


def test_the_placement_admin_refuses_a_full_slot_unless_queued(
    moderator_client, moderator, make_article, client
):
    seat(make_article, moderator, "showcase", ["一", "二", "三"])
    article = make_article(title="第四")
    form = {"slot": slot("showcase").pk, "article": article.pk, "position": 9}

    refused = moderator_client.post(reverse("admin:articles_placement_add"), form)

    assert refused.status_code == 200
    assert "最多同时放 3 篇文章" in refused.text and "也可以勾选「排队」" in refused.text
    assert not article.placements.exists()

    queued = moderator_client.post(
        reverse("admin:articles_placement_add"), {**form, "queued": "on"}
    )

    assert queued.status_code == 302
    assert article.placements.get().queued
    client.logout()
    assert home_titles(client, "showcase") == ["一", "二", "三"]


def test_the_placement_admin_refuses_to_unqueue_into_a_full_slot(
    moderator_client, moderator, make_article
):
    seat(make_article, moderator, "showcase", ["一", "二", "三"])
    queued = services.place_article(
        article=make_article(title="第四"), slot=slot("showcase"), by=moderator, queued=True
    )

    response = moderator_client.post(
        reverse("admin:articles_placement_change", args=[queued.pk]), {"position": 3}
    )

    assert response.status_code == 200
    assert "最多同时放 3 篇文章" in response.text
    assert Placement.objects.get(pk=queued.pk).queued


def test_a_proposal_for_a_full_slot_is_approved_into_the_queue_on_the_desk(
    moderator_client, moderator, make_article, role_user
):
    seat(make_article, moderator, "showcase", ["一", "二", "三"])
    proposal = services.propose_placement(
        article=make_article(title="提名"), slot=slot("showcase"), by=role_user("Editor")
    )
    desk = reverse(DESK)

    moderator_client.post(desk, {"action": "approve", "proposal": proposal.pk})
    assert not Placement.objects.filter(article__title="提名").exists()

    response = moderator_client.post(
        desk, {"action": "approve_queued", "proposal": proposal.pk}, follow=True
    )

    assert Placement.objects.get(article__title="提名").queued
    assert "已批准：《提名》在「首页展示位」排队，有空位时上线。" in response.text
    column = next(c for c in response.context["columns"] if c["slot"].key == "showcase")
    assert [p.article.title for p in column["queue"]] == ["提名"]


def test_the_demo_loader_never_puts_more_live_articles_in_a_slot_than_it_holds(
    monkeypatch, make_article, client
):
    # The seed article from the demo's Hugo site takes a carousel and a showcase seat first.
    seed = make_article(title="种子文章", published_at=timezone.now() - timedelta(days=30))
    for key in ("carousel", "showcase"):
        Placement.objects.create(slot=slot(key), article=seed)
    monkeypatch.setattr(load_demo, "make_article_renditions", lambda article: None)

    load_demo.Command()._load_articles()

    for key in ("carousel", "showcase"):
        capacity = slot(key).capacity
        fixed = Placement.objects.live().filter(slot__key=key, queued=False)
        wanted = [data["title"] for data in ARTICLES if key in data.get("slots", {})]
        assert fixed.count() == capacity  # full, never over
        # Nothing is dropped: what did not fit waits in line.
        assert set(
            Placement.objects.filter(slot__key=key).values_list("article__title", flat=True)
        ) == {
            seed.title,
            *wanted,
        }
        assert (
            Placement.objects.filter(slot__key=key, queued=True).count()
            == len(wanted) + 1 - capacity
        )
        assert len(home_titles(client, key)) == capacity


# The queue moves with the clock, no write needed ---------------------------------------------


def test_a_queued_placement_takes_the_seat_when_a_live_one_ends(
    client, moderator_client, make_article, moderator, clock
):
    start = timezone.now()
    clock.set(start)
    ends_at = start + timedelta(hours=2)
    seat(make_article, moderator, "showcase", ["一"])
    seat(make_article, moderator, "showcase", ["二"], ends_at=ends_at)
    seat(make_article, moderator, "showcase", ["三"])
    waiting = services.place_article(
        article=make_article(title="排队的"), slot=slot("showcase"), by=moderator, queued=True
    )

    desk = moderator_client.get(reverse(DESK))
    column = next(c for c in desk.context["columns"] if c["slot"].key == "showcase")
    assert [p.article.title for p in column["queue"]] == ["排队的"]
    assert [p.article.title for p in column["live"]] == ["一", "二", "三"]
    assert "排队中" in desk.text and f"预计 {when(ends_at)} 上线" in desk.text
    assert home_titles(client, "showcase") == ["一", "二", "三"]
    # The page cache keeps nothing past that end (pagecache.state.watch_events).
    assert next_scheduled_change(start) == ends_at

    clock.set(ends_at)
    with CaptureQueriesContext(connection) as queries:
        shown = home_titles(client, "showcase")

    assert shown == ["一", "三", "排队的"]
    # Reads only (the next event's UNION is "(SELECT ...) UNION ALL (SELECT ...)" on PostgreSQL).
    assert all(q["sql"].lstrip("( ").upper().startswith("SELECT") for q in queries.captured_queries)
    assert Placement.objects.get(pk=waiting.pk).queued  # nothing was written to move it


def test_placements_over_capacity_written_around_the_rules_wait_in_line_on_the_desk(
    moderator_client, make_article, place, client
):
    for n in range(4):  # an import or a script wrote four into three seats
        place(make_article(title=f"展示{n}"), "showcase", position=n)

    desk = moderator_client.get(reverse(DESK))
    column = next(c for c in desk.context["columns"] if c["slot"].key == "showcase")
    changelist = moderator_client.get(reverse("admin:articles_placement_changelist"))

    assert [p.article.title for p in column["live"]] == ["展示0", "展示1", "展示2"]
    assert [p.article.title for p in column["queue"]] == ["展示3"]
    assert "等有空位时上线" in desk.text  # no window ends: it waits for a moderator
    assert changelist.text.count("排队中") == 1
    client.logout()
    assert home_titles(client, "showcase") == ["展示0", "展示1", "展示2"]


def test_fixed_placements_sit_before_queued_ones_whatever_their_order(
    client, make_article, moderator, place
):
    set_slot("showcase", capacity=2)
    place(make_article(title="排队在前"), "showcase", position=0, queued=True)
    place(make_article(title="固定一"), "showcase", position=1)
    place(make_article(title="固定二"), "showcase", position=2)

    assert home_titles(client, "showcase") == ["固定一", "固定二"]

    Placement.objects.filter(article__title="固定二").delete()

    assert home_titles(client, "showcase") == ["排队在前", "固定一"]


# Filling empty seats by the slot's rule ------------------------------------------------------


@pytest.fixture
def newsroom(make_article):
    """Five visible articles A (newest) .. E, a newer draft and a newer scheduled one; D in
    its own section."""
    now = timezone.now()
    news = Section.objects.create(name="资讯", slug="news")
    games = Section.objects.create(name="游戏", slug="games")
    rows = {
        title: make_article(
            title=title,
            section=games if title == "D" else news,
            published_at=now - timedelta(hours=n + 1),
        )
        for n, title in enumerate("ABCDE")
    }
    make_article(title="草稿", status=Article.Status.DRAFT, section=news)
    make_article(title="定时", published_at=now + timedelta(days=1), section=news)
    return rows, news, games


def test_empty_seats_fill_from_the_latest_articles_never_twice_on_the_page(client, newsroom, place):
    rows, _news, _games = newsroom
    set_slot("carousel", capacity=2, fill=Slot.Fill.LATEST)
    set_slot("showcase", fill=Slot.Fill.LATEST)
    place(rows["C"], "carousel")
    place(rows["A"], "showcase")

    # Placements first; then the latest articles the page does not show yet, in slot order.
    assert home_titles(client, "carousel") == ["C", "B"]
    assert home_titles(client, "showcase") == ["A", "D", "E"]


def test_a_slot_fills_from_its_section_or_not_at_all(client, newsroom, place):
    rows, _news, games = newsroom
    no_fill("carousel", "showcase")
    place(rows["A"], "showcase")

    assert home_titles(client, "showcase") == ["A"]  # 不补位

    set_slot("showcase", fill=Slot.Fill.SECTION, fill_section=games)
    assert home_titles(client, "showcase") == ["A", "D"]

    set_slot("showcase", fill=Slot.Fill.LATEST, fill_section=None)
    assert home_titles(client, "showcase") == ["A", "B", "C"]


def test_a_slot_without_placements_fills_and_an_ended_placement_leaves_no_hole(
    client, newsroom, place, clock
):
    rows, _news, _games = newsroom
    start = timezone.now()
    clock.set(start)
    no_fill("carousel")  # it comes first on the page and would take A .. E
    set_slot("showcase", fill=Slot.Fill.LATEST)
    assert home_titles(client, "showcase") == ["A", "B", "C"]

    place(rows["E"], "showcase", ends_at=start + timedelta(hours=1))
    assert home_titles(client, "showcase") == ["E", "A", "B"]

    clock.set(start + timedelta(hours=1))
    assert home_titles(client, "showcase") == ["A", "B", "C"]


def test_the_section_rule_needs_a_section(moderator_client):
    showcase = slot("showcase")
    showcase.fill = Slot.Fill.SECTION

    with pytest.raises(ValidationError) as refused:
        showcase.full_clean()

    assert "fill_section" in refused.value.message_dict


def test_filling_costs_one_cold_query_per_rule_and_none_warm(client, make_article, place):
    def counts():
        found = []
        for _ in range(2):  # cold, then warm
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(HOME)).status_code == 200
            found.append(len(queries))
        return found

    place(make_article(), "showcase")
    no_fill("carousel", "showcase")
    cache.clear()
    without = counts()
    set_slot("carousel", fill=Slot.Fill.LATEST)
    set_slot("showcase", fill=Slot.Fill.LATEST)
    cache.clear()
    with_fill = counts()
    for _ in range(20):
        make_article()
    cache.clear()

    assert with_fill == [without[0] + 1, without[1]]
    assert counts() == with_fill


# The home slots fill by default (migration 0021) ---------------------------------------------


def test_a_fresh_database_fills_the_carousel_and_showcase_from_the_latest_articles():
    assert slot("carousel").fill == Slot.Fill.LATEST
    assert slot("showcase").fill == Slot.Fill.LATEST
    pinned = slot("pinned")
    assert (pinned.capacity, pinned.fill) == (None, Slot.Fill.NONE)  # unlimited: nothing to fill


def test_by_default_an_expired_showcase_placement_leaves_no_hole(
    moderator_client, make_article, place, clock
):
    start = timezone.now()
    clock.set(start)
    ends_at = start + timedelta(hours=1)

    def article(title, *, minutes=0, days=0):
        return make_article(title=title, published_at=start - timedelta(days=days, minutes=minutes))

    carousel = ["最新", "轮播1", "轮播2", "轮播3", "轮播4", "轮播5"]
    place(article("最新", minutes=1), "carousel", position=0)  # the newest is shown already
    article("次新", minutes=2)
    article("第三新", minutes=3)
    for position, title in enumerate(carousel[1:], start=1):
        place(article(title, days=2), "carousel", position=position)
    place(article("展示一", days=3), "showcase", position=0)
    place(article("到期", days=3), "showcase", position=1, ends_at=ends_at)
    place(article("展示三", days=3), "showcase", position=2)
    reader = Client()

    assert home_titles(reader, "carousel") == carousel
    assert home_titles(reader, "showcase") == ["展示一", "到期", "展示三"]

    clock.set(ends_at)

    # Its seat goes to the newest visible article the page does not show yet.
    assert home_titles(reader, "showcase") == ["展示一", "展示三", "次新"]
    assert home_titles(reader, "carousel") == carousel
    desk = moderator_client.get(reverse(DESK)).text
    assert "补位 1（最新文章）" in desk
    assert "「首页展示位」只有" not in desk

    # A moderator may switch the fill off: the seat stays empty, and the desk says so.
    no_fill("showcase")

    assert home_titles(reader, "showcase") == ["展示一", "展示三"]
    assert "「首页展示位」只有 2/3 个位置有内容。请添加推荐，或给它选一个补位规则。" in (
        moderator_client.get(reverse(DESK)).text
    )


# Moderators see an under-filled slot ----------------------------------------------------------


def test_the_desk_and_the_slot_list_warn_about_an_under_filled_slot(
    moderator_client, make_article, moderator
):
    no_fill("carousel", "showcase")
    seat(make_article, moderator, "showcase", ["一"])

    desk = moderator_client.get(reverse(DESK)).text
    slots = moderator_client.get(reverse("admin:articles_slot_changelist")).text

    for page in (desk, slots):
        assert "「首页展示位」只有 1/3 个位置有内容。请添加推荐，或给它选一个补位规则。" in page
        assert "「首页轮播」只有 0/6 个位置有内容" in page
        assert "「置顶」只有" not in page  # unlimited: never under-filled


def test_a_slot_filled_by_its_rule_is_not_under_filled_until_the_rule_runs_dry(
    moderator_client, make_article, moderator
):
    no_fill("carousel")  # it comes first on the page and would take 二 and 三
    set_slot("showcase", fill=Slot.Fill.LATEST)
    seat(make_article, moderator, "showcase", ["一"])
    make_article(title="二")

    desk = moderator_client.get(reverse(DESK))
    column = next(c for c in desk.context["columns"] if c["slot"].key == "showcase")

    assert (column["shown"], column["filled"]) == (2, 1)
    assert "「首页展示位」只有 2/3 个位置有内容。补位规则找不到更多可用的已发布文章。" in desk.text
    assert "补位 1（最新文章）" in desk.text

    make_article(title="三")

    assert "「首页展示位」只有" not in moderator_client.get(reverse(DESK)).text
