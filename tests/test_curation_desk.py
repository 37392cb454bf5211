"""The curation desk: capacity, proposals, order, windows, and the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.curation import services
from articles.models import Placement, PlacementLog, PlacementProposal, Slot
from tests.reading_order import in_slot

pytestmark = pytest.mark.django_db

DESK = "admin:articles_slot_desk"


@pytest.fixture
def moderator(role_user):
    return role_user("Moderator")


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def slot(key):
    return Slot.objects.get(key=key)


def fill(make_article, key, count, by, **window):
    return [
        services.place_article(article=make_article(), slot=slot(key), by=by, **window)
        for _ in range(count)
    ]


# Capacity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "capacity"), [("carousel", 6), ("showcase", 3)])
def test_going_over_capacity_is_refused_with_a_clear_message(
    make_article, moderator, key, capacity
):
    fill(make_article, key, capacity, moderator)

    with pytest.raises(ValidationError) as refused:
        services.place_article(article=make_article(title="多出来的"), slot=slot(key), by=moderator)

    message = refused.value.messages[0]
    assert slot(key).name in message and f"最多同时放 {capacity} 篇" in message
    assert Placement.objects.filter(slot__key=key).count() == capacity
    assert not Placement.objects.filter(article__title="多出来的").exists()


def test_scheduled_placements_count_against_capacity(make_article, moderator):
    later = timezone.now() + timedelta(hours=3)
    fill(make_article, "showcase", 3, moderator, starts_at=later)

    with pytest.raises(ValidationError):
        services.place_article(
            article=make_article(),
            slot=slot("showcase"),
            by=moderator,
            starts_at=later + timedelta(hours=1),
        )


def test_windows_that_never_overlap_fit(make_article, moderator):
    now = timezone.now()
    fill(make_article, "showcase", 3, moderator, ends_at=now + timedelta(hours=1))

    placement = services.place_article(
        article=make_article(),
        slot=slot("showcase"),
        by=moderator,
        starts_at=now + timedelta(hours=1),
    )

    assert placement.pk


def test_expired_placements_do_not_count(make_article, moderator, place):
    for _ in range(3):
        place(make_article(), "showcase", ends_at=timezone.now() - timedelta(minutes=1))

    assert services.place_article(article=make_article(), slot=slot("showcase"), by=moderator)


def test_pinned_is_unlimited_until_its_capacity_is_set_in_data(make_article, moderator):
    fill(make_article, "pinned", 10, moderator)
    Slot.objects.filter(key="pinned").update(capacity=10)

    with pytest.raises(ValidationError):
        services.place_article(article=make_article(), slot=slot("pinned"), by=moderator)


def test_capacity_overflow_in_the_placement_admin_shows_the_message(
    moderator_client, moderator, make_article
):
    fill(make_article, "showcase", 3, moderator)
    article = make_article()

    response = moderator_client.post(
        reverse("admin:articles_placement_add"),
        {"slot": slot("showcase").pk, "article": article.pk, "position": 0},
    )

    assert response.status_code == 200
    assert "最多同时放 3 篇文章" in response.text
    assert not article.placements.exists()


def test_the_admin_forms_show_each_rule_against_its_field(
    moderator_client, moderator, make_article
):
    (placement,) = fill(make_article, "carousel", 1, moderator)
    backwards = {
        "starts_at_0": "2031-05-02",
        "starts_at_1": "08:00:00",
        "ends_at_0": "2031-05-01",
        "ends_at_1": "08:00:00",
    }

    added = moderator_client.post(
        reverse("admin:articles_placement_add"),
        {"slot": slot("showcase").pk, "article": make_article().pk, "position": 0, **backwards},
    )
    changed = moderator_client.post(
        reverse("admin:articles_placement_change", args=[placement.pk]),
        {"position": 0, **backwards},
    )
    again = moderator_client.post(
        reverse("admin:articles_placementproposal_add"),
        {"slot": slot("carousel").pk, "article": placement.article.pk, "note": ""},
    )

    for response in (added, changed):
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["ends_at"] == [
            "结束时间必须晚于开始时间。"
        ]
    assert again.context["adminform"].form.non_field_errors() == [
        f"《{placement.article.title}》已经在「首页轮播」中。"
    ]
    placement.refresh_from_db()
    assert placement.starts_at is None
    assert not PlacementProposal.objects.exists()


def test_approving_into_a_full_slot_is_refused_and_the_proposal_stays_pending(
    moderator_client, moderator, make_article
):
    fill(make_article, "showcase", 3, moderator)
    proposal = PlacementProposal.objects.create(slot=slot("showcase"), article=make_article())

    response = moderator_client.post(
        reverse(DESK), {"action": "approve", "proposal": proposal.pk}, follow=True
    )

    assert "最多同时放 3 篇文章" in response.text
    proposal.refresh_from_db()
    assert proposal.status == PlacementProposal.Status.PENDING
    assert not proposal.article.placements.exists()


# The desk page -----------------------------------------------------------------------------


def test_desk_shows_live_scheduled_expired_and_proposals_side_by_side(
    moderator_client, make_article, place, role_user
):
    now = timezone.now()
    place(make_article(title="正在轮播"), "carousel")
    place(make_article(title="明天轮播"), "carousel", starts_at=now + timedelta(days=1))
    place(make_article(title="昨天展示"), "showcase", ends_at=now - timedelta(hours=1))
    place(make_article(title="置顶文章"), "pinned")
    PlacementProposal.objects.create(
        slot=slot("showcase"),
        article=make_article(title="请求展示"),
        proposed_by=role_user("Editor", "xiaobian"),
        note="热点",
    )

    response = moderator_client.get(reverse(DESK))

    assert response.status_code == 200
    columns = {column["slot"].key: column for column in response.context["columns"]}
    assert [p.article.title for p in columns["carousel"]["live"]] == ["正在轮播"]
    assert [p.article.title for p in columns["carousel"]["upcoming"]] == ["明天轮播"]
    assert [p.article.title for p in columns["showcase"]["expired"]] == ["昨天展示"]
    assert [p.article.title for p in columns["showcase"]["proposals"]] == ["请求展示"]
    assert [p.article.title for p in columns["pinned"]["live"]] == ["置顶文章"]
    for text in ["置顶", "首页轮播", "首页展示位", "xiaobian", "热点", "在线 1 / 容量 6"]:
        assert text in response.text


def test_editor_sees_the_desk_without_controls_and_writer_not_at_all(
    client, role_user, make_article, place
):
    place(make_article(), "carousel")
    client.force_login(role_user("Editor"))
    response = client.get(reverse(DESK))
    assert response.status_code == 200 and 'name="action"' not in response.text

    client.force_login(role_user("Writer"))
    assert client.get(reverse(DESK)).status_code == 403


def test_moderator_moves_a_placement_up(moderator_client, moderator, make_article):
    first, second, third = fill(make_article, "carousel", 3, moderator)

    moderator_client.post(
        reverse(DESK), {"action": "move", "placement": third.pk, "direction": "up"}
    )

    order = list(in_slot("carousel").values_list("pk", flat=True))
    assert order == [first.pk, third.pk, second.pk]
    log = PlacementLog.objects.filter(action=PlacementLog.Action.REORDERED).get()
    assert log.user == moderator and log.slot == slot("carousel")
    assert log.changes["after"] == [first.article.title, third.article.title, second.article.title]


def test_moderator_sets_a_window_and_the_log_records_before_and_after(
    moderator_client, moderator, make_article
):
    (placement,) = fill(make_article, "carousel", 1, moderator)

    moderator_client.post(
        reverse(DESK),
        {
            "action": "window",
            "placement": placement.pk,
            "starts_at": "2031-05-01T08:00",
            "ends_at": "2031-05-02T08:00",
        },
    )

    placement.refresh_from_db()
    assert timezone.localtime(placement.starts_at).strftime("%Y-%m-%d %H:%M") == "2031-05-01 08:00"
    log = PlacementLog.objects.filter(action=PlacementLog.Action.CHANGED).get()
    assert log.changes["starts_at"] == {"from": None, "to": "2031-05-01T08:00+08:00"}
    assert log.article == placement.article and log.user == moderator


def test_a_window_ending_before_it_starts_is_refused(moderator_client, moderator, make_article):
    (placement,) = fill(make_article, "carousel", 1, moderator)

    response = moderator_client.post(
        reverse(DESK),
        {
            "action": "window",
            "placement": placement.pk,
            "starts_at": "2031-05-02T08:00",
            "ends_at": "2031-05-01T08:00",
        },
        follow=True,
    )

    assert "结束时间必须晚于开始时间" in response.text
    placement.refresh_from_db()
    assert placement.starts_at is None


def test_moderator_removes_approves_and_rejects_on_the_desk(
    moderator_client, moderator, make_article, role_user
):
    (placement,) = fill(make_article, "carousel", 1, moderator)
    editor = role_user("Editor")
    good = services.propose_placement(
        article=make_article(title="好稿"), slot=slot("showcase"), by=editor
    )
    weak = services.propose_placement(
        article=make_article(title="弱稿"), slot=slot("showcase"), by=editor
    )

    moderator_client.post(reverse(DESK), {"action": "remove", "placement": placement.pk})
    moderator_client.post(reverse(DESK), {"action": "approve", "proposal": good.pk})
    moderator_client.post(
        reverse(DESK), {"action": "reject", "proposal": weak.pk, "reason": "太旧"}
    )

    assert not Placement.objects.filter(pk=placement.pk).exists()
    assert Placement.objects.get(slot__key="showcase").article.title == "好稿"
    weak.refresh_from_db()
    assert weak.status == PlacementProposal.Status.REJECTED and weak.decided_by == moderator
    actions = list(PlacementLog.objects.order_by("pk").values_list("action", "user__username"))
    assert actions == [
        ("added", "moderator"),
        ("proposed", "editor"),
        ("proposed", "editor"),
        ("removed", "moderator"),
        ("added", "moderator"),
        ("approved", "moderator"),
        ("rejected", "moderator"),
    ]
    assert PlacementLog.objects.get(action="rejected").changes["reason"] == "太旧"


# The audit log in the admin ----------------------------------------------------------------


def test_moderators_filter_the_audit_log(moderator_client, moderator, make_article):
    fill(make_article, "carousel", 2, moderator)
    services.place_article(article=make_article(title="置顶的"), slot=slot("pinned"), by=moderator)
    url = reverse("admin:articles_placementlog_changelist")

    response = moderator_client.get(url, {"slot__id__exact": slot("pinned").pk})
    assert response.status_code == 200
    assert [log.article_title for log in response.context["cl"].result_list] == ["置顶的"]

    by_action = moderator_client.get(url, {"action__exact": "added"})
    assert len(by_action.context["cl"].result_list) == 3
    by_user = moderator_client.get(url, {"user__id__exact": moderator.pk})
    assert len(by_user.context["cl"].result_list) == 3


def test_audit_log_cannot_be_edited_even_by_moderators(moderator_client, moderator, make_article):
    fill(make_article, "carousel", 1, moderator)
    log = PlacementLog.objects.get()

    response = moderator_client.post(
        reverse("admin:articles_placementlog_delete", args=[log.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert PlacementLog.objects.filter(pk=log.pk).exists()


def test_editor_cannot_read_the_audit_log(client, role_user):
    client.force_login(role_user("Editor"))

    assert client.get(reverse("admin:articles_placementlog_changelist")).status_code == 403
