"""The curation desk: every slot side by side, with its placements and pending proposals.

Slots are edited here too (SlotAdmin hosts the desk); the placement, proposal and log admins are
in articles.admin.placements. Every write goes through articles.curation.services, which checks
the role and the placement rules (articles.curation.rules) and writes the PlacementLog.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles.admin.params import CheckedLookupsMixin, is_id
from articles.curation import lineup, services
from articles.editorial import permissions
from articles.models import Placement, PlacementProposal, Slot

EXPIRED_SHOWN = 10


def placement_state(placement, *, now):
    if placement.ends_at and placement.ends_at <= now:
        return "expired"
    if placement.starts_at and placement.starts_at > now:
        return "scheduled"
    if not placement.article.is_visible:
        return "waiting"  # window open, but the article is a draft or scheduled itself
    return "live"


STATE_LABELS = {
    "live": _("在线"),
    "queued": _("排队中"),
    "scheduled": _("已排期"),
    "waiting": _("等待文章发布"),
    "expired": _("已过期"),
}


@admin.register(Slot)
class SlotAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    list_display = ["name", "key", "capacity", "fill", "fill_section", "position"]
    list_editable = ["capacity", "fill", "fill_section", "position"]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for column in desk_columns():
                if column["underfilled"]:
                    messages.warning(request, column["underfilled"])
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("desk/", self.admin_site.admin_view(self.desk_view), name="articles_slot_desk"),
        ] + super().get_urls()

    def desk_view(self, request):
        user = request.user
        if not (permissions.can_moderate(user) or user.has_perm("articles.view_placement")):
            raise PermissionDenied
        if request.method == "POST":
            return self._desk_post(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": Slot._meta,
            "title": _("推荐位编辑台"),
            "columns": desk_columns(),
            "can_moderate": permissions.can_moderate(user),
            "placement_add_url": reverse("admin:articles_placement_add"),
            "log_url": reverse("admin:articles_placementlog_changelist"),
            "ads_url": (
                reverse("admin:articles_ad_changelist") if user.has_perm("articles.view_ad") else ""
            ),
        }
        return TemplateResponse(request, "admin/articles/slot/desk.html", context)

    def _desk_post(self, request):
        action = request.POST.get("action")
        handler = DESK_ACTIONS.get(action)
        if handler is None:
            messages.error(request, _("未知的操作。"))
            return redirect("admin:articles_slot_desk")
        try:
            with transaction.atomic():
                done = handler(request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect("admin:articles_slot_desk")


def _sort_states(slot, placements, *, now):
    """Set each placement's state (live = seated now, queued = may show but waits for a
    seat, articles.curation.lineup) and, for one not live yet, when it would go live."""
    for placement in placements:
        placement.state = placement_state(placement, now=now)
    active = [p for p in placements if p.state != "expired"]
    seated, line = lineup.seat([p for p in active if p.state == "live"], capacity=slot.capacity)
    for placement in line:
        placement.state = "queued"
    for placement in placements:
        placement.state_label = STATE_LABELS[placement.state]
        placement.goes_live = None
        if placement.state in ("queued", "scheduled", "waiting"):
            placement.goes_live = lineup.goes_live_at(
                placement, active, capacity=slot.capacity, now=now
            )
    return seated


def seat_states(*, now=None):
    """{placement id: state} for every placement, `queued` included."""
    now = now or timezone.now()
    placements = list(Placement.objects.select_related("article").order_by("position", "pk"))
    for slot in Slot.objects.all():
        _sort_states(slot, [p for p in placements if p.slot_id == slot.pk], now=now)
    return {p.pk: getattr(p, "state", "expired") for p in placements}


def _underfilled(slot, shown):
    if not slot.capacity or shown >= slot.capacity:
        return ""
    message = _("「%(slot)s」只有 %(shown)d/%(capacity)d 个位置有内容。") % {
        "slot": slot.name,
        "shown": shown,
        "capacity": slot.capacity,
    }
    if slot.fill == Slot.Fill.NONE:
        return message + str(_("请添加推荐，或给它选一个补位规则。"))
    return message + str(_("补位规则找不到更多可用的已发布文章。"))


def desk_columns(*, now=None):
    """Each slot with its placements sorted into live / queued / scheduled / expired, its
    proposals, how many seats its fill rule fills on the site and whether it is under-filled."""
    now = now or timezone.now()
    placements = list(
        Placement.objects.select_related("article", "created_by").order_by("position", "pk")
    )
    proposals = PlacementProposal.objects.filter(
        status=PlacementProposal.Status.PENDING
    ).select_related("article", "proposed_by")
    slots = list(Slot.objects.all())
    columns, seated = [], {}
    for slot in slots:
        mine = [p for p in placements if p.slot_id == slot.pk]
        live = _sort_states(slot, mine, now=now)
        if slot.capacity:  # what the site shows of it, as articles.reading.home reads it
            seated[slot.key] = [p.article for p in live]
        groups = {"scheduled": [], "waiting": [], "queued": [], "expired": []}
        for placement in mine:
            groups.setdefault(placement.state, []).append(placement)
        groups["expired"].sort(key=lambda p: p.ends_at, reverse=True)
        active = [p for p in mine if p.state != "expired"]
        columns.append(
            {
                "slot": slot,
                "live": live,
                "queue": groups["queued"],
                "upcoming": sorted(
                    groups["scheduled"] + groups["waiting"], key=lambda p: (p.position, p.pk)
                ),
                "active_ids": [p.pk for p in active],
                "expired": groups["expired"][:EXPIRED_SHOWN],
                "expired_total": len(groups["expired"]),
                "proposals": [p for p in proposals if p.slot_id == slot.pk],
            }
        )
    with translation.override(settings.LANGUAGE_CODE):  # the site's own home page
        candidates = lineup.fill_candidates(slots)
    shown = lineup.fill_slots([slot for slot in slots if slot.capacity], seated, candidates)
    for column in columns:
        rows = shown.get(column["slot"].key) or [(p.article, False) for p in column["live"]]
        column["filled"] = sum(1 for _article, filled in rows if filled)
        column["shown"] = len(rows)
        column["underfilled"] = _underfilled(column["slot"], len(rows))
    return columns


class WindowForm(forms.Form):
    starts_at = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    ends_at = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )


def _row(queryset, pk):
    """The row, or 404 for an id that is missing, malformed or too large for the column."""
    if not is_id(pk):
        raise Http404
    return get_object_or_404(queryset, pk=pk)


def _placement(request):
    return _row(Placement.objects.select_related("slot", "article"), request.POST.get("placement"))


def _proposal(request):
    return _row(
        PlacementProposal.objects.select_related("slot", "article"), request.POST.get("proposal")
    )


def _move(request):
    placement = _placement(request)
    order = [
        p.pk
        for p in Placement.objects.filter(slot=placement.slot).order_by("position", "pk")
        if placement_state(p, now=timezone.now()) != "expired" or p.pk == placement.pk
    ]
    index = order.index(placement.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    if 0 <= index + step < len(order):
        order[index], order[index + step] = order[index + step], order[index]
    services.reorder_slot(slot=placement.slot, placement_ids=order, by=request.user)
    return _("已调整「%(slot)s」的顺序。") % {"slot": placement.slot}


def _reorder(request):
    slot = _row(Slot.objects.all(), request.POST.get("slot"))
    ids = [pk for pk in request.POST.get("order", "").replace(" ", "").split(",") if pk]
    if not all(pk.isdigit() for pk in ids):
        raise ValidationError(_("顺序格式不对。"))
    services.reorder_slot(slot=slot, placement_ids=ids, by=request.user)
    return _("已调整「%(slot)s」的顺序。") % {"slot": slot}


def _window(request):
    placement = _placement(request)
    form = WindowForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("时间格式不对，请用 年-月-日 时:分。"))
    services.update_placement(
        placement=placement,
        by=request.user,
        starts_at=form.cleaned_data["starts_at"],
        ends_at=form.cleaned_data["ends_at"],
    )
    return _("已更新《%(title)s》的起止时间。") % {"title": placement.article}


def _remove(request):
    placement = _placement(request)
    services.remove_placement(placement=placement, by=request.user)
    return _("已把《%(title)s》移出「%(slot)s」。") % {
        "title": placement.article,
        "slot": placement.slot,
    }


def _approve(request):
    proposal = _proposal(request)
    services.approve_proposal(proposal=proposal, by=request.user)
    return _("已批准：《%(title)s》进入「%(slot)s」。") % {
        "title": proposal.article,
        "slot": proposal.slot,
    }


def _approve_queued(request):
    proposal = _proposal(request)
    services.approve_proposal(proposal=proposal, by=request.user, queued=True)
    return _("已批准：《%(title)s》在「%(slot)s」排队，有空位时上线。") % {
        "title": proposal.article,
        "slot": proposal.slot,
    }


def _reject(request):
    proposal = _proposal(request)
    reason = request.POST.get("reason", "").replace("\x00", "")[:500]  # PostgreSQL refuses NUL
    services.reject_proposal(proposal=proposal, by=request.user, reason=reason)
    return _("已拒绝《%(title)s》的「%(slot)s」提名。") % {
        "title": proposal.article,
        "slot": proposal.slot,
    }


DESK_ACTIONS = {
    "move": _move,
    "reorder": _reorder,
    "window": _window,
    "remove": _remove,
    "approve": _approve,
    "approve_queued": _approve_queued,
    "reject": _reject,
}
