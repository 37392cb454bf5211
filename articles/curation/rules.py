"""The placement rules, in one place.

The placement and proposal admin forms (articles.curation.forms) call these to show the error
next to the right field; the services (articles.curation.services) call them again on every
write, so the curation desk and anything else that writes through the services is held to them
too. Each rule raises ValidationError; a rule about one field names it, the way Model.clean()
does, so a form puts the message under that field and `error.messages` still lists it.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import PlacementProposal


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def check_window(*, starts_at=None, ends_at=None):
    """The end of a window comes after its start (either may be open)."""
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": ValidationError(_("结束时间必须晚于开始时间。"), code="ends_before_start")}
        )


def check_not_placed(*, slot, article, exclude=None, for_proposal=False):
    """An article is in a slot at most once (expired placements included: remove them first)."""
    existing = slot.placements.filter(article=article).exclude(pk=getattr(exclude, "pk", None))
    if not existing.exists():
        return
    if for_proposal:
        message = _("《%(title)s》已经在「%(slot)s」中。")
    else:
        message = _("《%(title)s》已经在「%(slot)s」中；如需重新推荐，请先移除原来的推荐。")
    raise ValidationError(
        message % {"title": article.title, "slot": slot.name}, code="already_placed"
    )


def check_not_proposed(*, slot, article):
    """At most one pending proposal per slot and article."""
    pending = slot.proposals.filter(article=article, status=PlacementProposal.Status.PENDING)
    if pending.exists():
        raise ValidationError(
            _("《%(title)s》已有一条待审核的「%(slot)s」提名。")
            % {"title": article.title, "slot": slot.name},
            code="already_proposed",
        )


def check_capacity(*, slot, starts_at=None, ends_at=None, exclude=None):
    """Refuse a placement that would put more articles in the slot at once than it holds.

    Counts every fixed placement of the slot that is live or scheduled and overlaps the new
    window, and finds the busiest moment inside that window, so a placement that only overlaps
    placements which never run at the same time is still accepted. Queued placements hold no
    seat (they take free ones, articles.curation.lineup) and are not counted.
    """
    if slot.capacity is None:
        return
    now = timezone.now()
    if ends_at is not None and ends_at <= now:
        return  # an already-expired window never occupies the slot
    start = max(starts_at or now, now)
    others = (
        slot.placements.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
        .exclude(pk=getattr(exclude, "pk", None))
        .exclude(queued=True)
        .select_related("article")
    )
    if ends_at is not None:
        others = others.filter(Q(starts_at__isnull=True) | Q(starts_at__lt=ends_at))
    others = list(others)

    def running_at(moment):
        return [
            p
            for p in others
            if (p.starts_at is None or p.starts_at <= moment)
            and (p.ends_at is None or p.ends_at > moment)
        ]

    moments = [start] + [p.starts_at for p in others if p.starts_at and p.starts_at > start]
    for moment in sorted(moments):
        running = running_at(moment)
        if len(running) >= slot.capacity:
            raise ValidationError(
                _(
                    "「%(slot)s」最多同时放 %(capacity)d 篇文章，%(when)s 时已有 %(count)d 篇：%(titles)s。"
                    "请先移除一篇，或调整起止时间。"
                )
                % {
                    "slot": slot.name,
                    "capacity": slot.capacity,
                    "when": _when(moment),
                    "count": len(running),
                    "titles": "、".join(f"《{p.article.title}》" for p in running),
                }
                + _("也可以勾选「排队」：有空位时按顺序自动上线。"),
                code="slot_full",
            )


def check_placement(*, slot, article, starts_at=None, ends_at=None, placement=None, queued=False):
    """All rules for putting `article` in `slot` over a window, or for moving `placement`'s.

    A queued placement never goes over the capacity (it waits for a free seat), so only a
    fixed one is checked; for an existing placement only when its window moves or it stops
    queueing: one that was accepted keeps its seat even if the capacity was lowered since.
    """
    check_window(starts_at=starts_at, ends_at=ends_at)
    check_not_placed(slot=slot, article=article, exclude=placement)
    if queued:
        return
    moved = (
        placement is None
        or placement.queued
        or (placement.starts_at, placement.ends_at) != (starts_at, ends_at)
    )
    if moved:
        check_capacity(slot=slot, starts_at=starts_at, ends_at=ends_at, exclude=placement)


def check_proposal(*, slot, article, starts_at=None, ends_at=None):
    """All rules for proposing `article` for `slot` over a window."""
    check_window(starts_at=starts_at, ends_at=ends_at)
    check_not_placed(slot=slot, article=article, for_proposal=True)
    check_not_proposed(slot=slot, article=article)
