"""The placement, proposal and audit-log admins.

Every write goes through articles.curation.services; the forms check the placement rules first
so that a refusal shows next to the right field.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.admin.desk import STATE_LABELS, placement_state, seat_states
from articles.admin.params import CheckedLookupsMixin, valid_ids
from articles.curation import services
from articles.curation.forms import PlacementAdminForm, PlacementProposalForm
from articles.editorial import permissions
from articles.models import Placement, PlacementLog, PlacementProposal


class _ModerateMixin:
    def has_moderate_permission(self, request):
        return permissions.can_moderate(request.user)


@admin.register(Placement)
class PlacementAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    form = PlacementAdminForm
    list_display = [
        "article",
        "slot",
        "position",
        "starts_at",
        "ends_at",
        "queued",
        "state",
        "created_by",
    ]
    list_filter = ["slot"]
    list_select_related = ["article", "slot", "created_by"]
    autocomplete_fields = ["article"]
    search_fields = ["article__title"]

    def get_readonly_fields(self, request, obj=None):
        return ["slot", "article"] if obj else []

    def get_changeform_initial_data(self, request):
        return valid_ids(request.GET, ("slot", "article"))

    @admin.display(description=_("状态"))
    def state(self, obj):
        return STATE_LABELS[placement_state(obj, now=timezone.now())]

    def get_list_display(self, request):
        """The state column knows the queue: a placement that may show but waits for a seat
        is 排队中, not 在线 (one read of the slots' placements per page)."""
        states = getattr(request, "_placement_seat_states", None)
        if states is None:  # the changelist asks twice (columns, sortable columns)
            states = request._placement_seat_states = seat_states()

        @admin.display(description=_("状态"))
        def state(obj):
            return STATE_LABELS[states.get(obj.pk) or placement_state(obj, now=timezone.now())]

        return [state if name == "state" else name for name in super().get_list_display(request)]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.update_placement(
                placement=obj,
                by=request.user,
                position=data["position"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                queued=data["queued"],
            )
            return
        placement = services.place_article(
            article=data["article"],
            slot=data["slot"],
            by=request.user,
            position=data["position"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            queued=data["queued"],
        )
        obj.pk, obj.created_by, obj.created_at = (
            placement.pk,
            placement.created_by,
            placement.created_at,
        )

    def delete_model(self, request, obj):
        services.remove_placement(placement=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for placement in queryset.select_related("slot", "article"):
            services.remove_placement(placement=placement, by=request.user)


@admin.register(PlacementProposal)
class PlacementProposalAdmin(CheckedLookupsMixin, _ModerateMixin, admin.ModelAdmin):
    form = PlacementProposalForm
    list_display = [
        "article",
        "slot",
        "status",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "slot"]
    list_select_related = ["article", "slot", "proposed_by", "decided_by"]
    autocomplete_fields = ["article"]
    search_fields = ["article__title", "note"]
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        return False  # proposals are decided with the actions below or on the desk

    def get_changeform_initial_data(self, request):
        return valid_ids(request.GET, ("slot", "article"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        proposal = services.propose_placement(
            article=data["article"],
            slot=data["slot"],
            by=request.user,
            note=data["note"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        )
        obj.pk, obj.proposed_by, obj.proposed_at = (
            proposal.pk,
            proposal.proposed_by,
            proposal.proposed_at,
        )

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for proposal in queryset.filter(status=PlacementProposal.Status.PENDING):
            try:
                with transaction.atomic():
                    decide(proposal=proposal, by=request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % done, messages.SUCCESS)

    @admin.action(description=_("批准所选提名"), permissions=["moderate"])
    def approve(self, request, queryset):
        self._decide(
            request,
            queryset,
            services.approve_proposal,
            lambda n: ngettext("已批准 %d 条提名。", "已批准 %d 条提名。", n),
        )

    @admin.action(description=_("拒绝所选提名"), permissions=["moderate"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            services.reject_proposal,
            lambda n: ngettext("已拒绝 %d 条提名。", "已拒绝 %d 条提名。", n),
        )


CHANGE_LABELS = {
    "position": _("顺序"),
    "starts_at": _("开始时间"),
    "ends_at": _("结束时间"),
    "note": _("理由"),
    "reason": _("拒绝理由"),
    "proposed_by": _("提名人"),
    "before": _("原顺序"),
    "after": _("新顺序"),
    "weight": _("权重"),
    "queued": _("排队"),
}


def _readable_change(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_readable_change(value['from'])} → {_readable_change(value['to'])}"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    return str(value)


class AuditLogAdmin(CheckedLookupsMixin, admin.ModelAdmin):
    """A read-only audit log (placements here, ads in admin/ads.py): nobody adds, edits or
    deletes its rows; `changes` is shown with the labels and the reading the subclass gives."""

    change_labels = CHANGE_LABELS
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @staticmethod
    def readable_change(value):
        return _readable_change(value)

    @admin.display(description=_("变更"))
    def change_summary(self, obj):
        return format_html_join(
            mark_safe("<br>"),
            "{}：{}",
            (
                (self.change_labels.get(key, key), self.readable_change(value))
                for key, value in (obj.changes or {}).items()
            ),
        )


@admin.register(PlacementLog)
class PlacementLogAdmin(AuditLogAdmin):
    list_display = ["created_at", "action", "slot", "article_title", "user", "change_summary"]
    list_filter = ["action", "slot", ("user", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["slot", "user"]
    search_fields = ["article_title"]
