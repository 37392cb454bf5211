"""Writes of the curation desk: placements and proposals.

Every function is keyword-only, checks the caller's permission itself (the admin and the
curation desk call these; a crafted request that gets past a form still stops here), checks the
placement rules of articles.curation.rules, and every change to a placement or proposal leaves
a PlacementLog row.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.curation import rules
from articles.editorial import permissions
from articles.models import Placement, PlacementLog, PlacementProposal, Slot

UNCHANGED = object()


def _jsonable(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return value


def _log(*, action, by, slot, article, changes=None):
    return PlacementLog.objects.create(
        action=action,
        user=by,
        slot=slot,
        article=article,
        article_title=article.title[:200] if article else "",
        changes={key: _jsonable(value) for key, value in (changes or {}).items()},
    )


def record_weight_change(*, article, by, old):
    """A weight lifts the article above newer ones on every list: a placement decision, kept
    in the placement audit log. Only moderators may set it (the article form refuses others)."""
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以调整权重。"))
    return _log(
        action=PlacementLog.Action.WEIGHT,
        by=by,
        slot=None,
        article=article,
        changes={"weight": {"from": old, "to": article.weight}},
    )


@transaction.atomic
def place_article(*, article, slot, by, position=None, starts_at=None, ends_at=None, queued=False):
    """Put `article` in `slot`: in a seat of its own (refused when the slot is full over the
    window), or `queued` to take the first free seat (articles.curation.lineup)."""
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以放入推荐位。"))
    slot = Slot.objects.select_for_update().get(pk=slot.pk)  # one capacity check at a time
    rules.check_placement(
        slot=slot, article=article, starts_at=starts_at, ends_at=ends_at, queued=queued
    )
    if position is None:
        last = slot.placements.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    placement = Placement.objects.create(
        slot=slot,
        article=article,
        position=position,
        starts_at=starts_at,
        ends_at=ends_at,
        queued=queued,
        created_by=by,
    )
    changes = {"position": position, "starts_at": starts_at, "ends_at": ends_at}
    if queued:
        changes["queued"] = True
    _log(action=PlacementLog.Action.ADDED, by=by, slot=slot, article=article, changes=changes)
    return placement


@transaction.atomic
def update_placement(
    *,
    placement,
    by,
    position=UNCHANGED,
    starts_at=UNCHANGED,
    ends_at=UNCHANGED,
    queued=UNCHANGED,
):
    """Change a placement's order, time window or queueing; records old and new values."""
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以修改推荐。"))
    slot = Slot.objects.select_for_update().get(pk=placement.slot_id)
    current = Placement.objects.get(pk=placement.pk)
    wanted = {
        "position": current.position if position is UNCHANGED else position,
        "starts_at": current.starts_at if starts_at is UNCHANGED else starts_at,
        "ends_at": current.ends_at if ends_at is UNCHANGED else ends_at,
        "queued": current.queued if queued is UNCHANGED else queued,
    }
    changes = {
        name: {"from": _jsonable(getattr(current, name)), "to": _jsonable(value)}
        for name, value in wanted.items()
        if getattr(current, name) != value
    }
    if not changes:
        return current
    rules.check_placement(
        slot=slot,
        article=current.article,
        starts_at=wanted["starts_at"],
        ends_at=wanted["ends_at"],
        placement=current,
        queued=wanted["queued"],
    )
    for name, value in wanted.items():
        setattr(current, name, value)
    current.save(update_fields=list(wanted))
    _log(
        action=PlacementLog.Action.CHANGED,
        by=by,
        slot=slot,
        article=current.article,
        changes=changes,
    )
    return current


@transaction.atomic
def remove_placement(*, placement, by):
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以移除推荐。"))
    _log(
        action=PlacementLog.Action.REMOVED,
        by=by,
        slot=placement.slot,
        article=placement.article,
        changes={
            "position": placement.position,
            "starts_at": placement.starts_at,
            "ends_at": placement.ends_at,
        },
    )
    placement.delete()


@transaction.atomic
def reorder_slot(*, slot, placement_ids, by):
    """Put the given placements first, in the given order; the slot's others keep theirs."""
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以调整顺序。"))
    placements = {p.pk: p for p in slot.placements.select_related("article")}
    wanted = [int(pk) for pk in placement_ids]
    stray = [pk for pk in wanted if pk not in placements]
    if stray or len(set(wanted)) != len(wanted):
        raise ValidationError(_("顺序中有不属于「%(slot)s」的推荐。") % {"slot": slot.name})
    before = [p.pk for p in sorted(placements.values(), key=lambda p: (p.position, p.pk))]
    after = wanted + [pk for pk in before if pk not in wanted]
    if after == before:
        return
    for position, pk in enumerate(after):
        placement = placements[pk]
        if placement.position != position:
            placement.position = position
            placement.save(update_fields=["position"])
    _log(
        action=PlacementLog.Action.REORDERED,
        by=by,
        slot=slot,
        article=None,
        changes={
            "before": [placements[pk].article.title for pk in before],
            "after": [placements[pk].article.title for pk in after],
        },
    )


@transaction.atomic
def propose_placement(*, article, slot, by, note="", starts_at=None, ends_at=None):
    permissions.require(permissions.can_propose(by), _("你没有提名推荐的权限。"))
    rules.check_proposal(slot=slot, article=article, starts_at=starts_at, ends_at=ends_at)
    proposal = PlacementProposal.objects.create(
        slot=slot, article=article, note=note, starts_at=starts_at, ends_at=ends_at, proposed_by=by
    )
    _log(
        action=PlacementLog.Action.PROPOSED,
        by=by,
        slot=slot,
        article=article,
        changes={"note": note, "starts_at": starts_at, "ends_at": ends_at},
    )
    return proposal


def _decide(proposal, *, status, by):
    if proposal.status != PlacementProposal.Status.PENDING:
        raise ValidationError(
            _("这条提名已经处理过了（%(status)s）。") % {"status": proposal.get_status_display()}
        )
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def approve_proposal(*, proposal, by, queued=False):
    """Place the proposed article (capacity rules apply; `queued` waits for a free seat
    instead) and close the proposal."""
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以审批提名。"))
    proposal = PlacementProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == PlacementProposal.Status.PENDING:
        placement = place_article(
            article=proposal.article,
            slot=proposal.slot,
            by=by,
            starts_at=proposal.starts_at,
            ends_at=proposal.ends_at,
            queued=queued,
        )
    else:
        placement = None
    _decide(proposal, status=PlacementProposal.Status.APPROVED, by=by)
    _log(
        action=PlacementLog.Action.APPROVED,
        by=by,
        slot=proposal.slot,
        article=proposal.article,
        changes={"proposed_by": str(proposal.proposed_by or "")},
    )
    return placement


@transaction.atomic
def reject_proposal(*, proposal, by, reason=""):
    permissions.require(permissions.can_moderate(by), _("只有审核人员可以审批提名。"))
    proposal = PlacementProposal.objects.select_for_update().get(pk=proposal.pk)
    _decide(proposal, status=PlacementProposal.Status.REJECTED, by=by)
    _log(
        action=PlacementLog.Action.REJECTED,
        by=by,
        slot=proposal.slot,
        article=proposal.article,
        changes={"proposed_by": str(proposal.proposed_by or ""), "reason": reason},
    )
    return proposal
