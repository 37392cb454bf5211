"""Curation: slots on the site, the articles placed in them, proposals and the audit log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.ads import Ad
from articles.models.article import Article
from articles.models.base import AuditLog, Window
from articles.models.taxonomy import Section
from articles.querysets import PlacementQuerySet


class Slot(models.Model):
    """A place on the site where moderators feature articles. New slots are rows, not code.

    `fill` is what the site shows in the seats no placement takes (articles.curation.lineup):
    nothing, or the latest published articles (of one section), never one already shown.
    """

    class Fill(models.TextChoices):
        NONE = "none", _("不补位")
        LATEST = "latest", _("最新文章")
        SECTION = "section", _("某个栏目的最新文章")

    key = models.SlugField(_("标识"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("容量"), null=True, blank=True, help_text=_("同时生效的文章数上限；留空表示不限。")
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    fill = models.CharField(
        _("空位补足"),
        max_length=16,
        choices=Fill.choices,
        default=Fill.NONE,
        help_text=_("在线的推荐少于容量时，用哪些文章补满空位；不限容量的推荐位不补位。"),
    )
    fill_section = models.ForeignKey(
        Section,
        verbose_name=_("补位栏目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("选「某个栏目的最新文章」时，从这个栏目补位。"),
    )

    class Meta:
        verbose_name = _("推荐位")
        verbose_name_plural = _("推荐位")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.fill == self.Fill.SECTION and self.fill_section_id is None:
            raise ValidationError(
                {"fill_section": _("选了「某个栏目的最新文章」，请同时选择栏目。")},
                code="fill_section_missing",
            )


class Placement(Window):
    """An article in a slot, in an order, for an optional window of time."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), on_delete=models.CASCADE, related_name="placements"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="placements"
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    queued = models.BooleanField(
        _("排队"),
        default=False,
        help_text=_("不占固定位置：推荐位有空位时按顺序上线，满了就排队等候。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["slot", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "article"], name="unique_slot_article"),
            *Window.Meta.constraints,
        ]
        indexes = [models.Index(fields=["slot", "position"], name="placement_slot_order_idx")]
        permissions = [("moderate_placement", _("可以决定推荐位：审批提名、增删和排序"))]

    def __str__(self):
        return f"{self.slot}: {self.article}"


class PlacementProposal(models.Model):
    """An editor's request to feature an article; a moderator approves or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已拒绝")

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), on_delete=models.CASCADE, related_name="proposals"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="proposals"
    )
    starts_at = models.DateTimeField(_("希望开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("希望结束时间"), null=True, blank=True)
    note = models.TextField(_("理由"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提名时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推荐提名")
        verbose_name_plural = _("推荐提名")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "article"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_slot_article",
            )
        ]

    def __str__(self):
        return f"{self.slot}: {self.article} ({self.get_status_display()})"


class PlacementLog(AuditLog):
    """Audit trail: every change to a placement or proposal, with who and when."""

    class Action(models.TextChoices):
        ADDED = "added", _("加入")
        CHANGED = "changed", _("修改")
        REMOVED = "removed", _("移除")
        PROPOSED = "proposed", _("提名")
        APPROVED = "approved", _("批准")
        REJECTED = "rejected", _("拒绝")
        REORDERED = "reordered", _("调整顺序")
        WEIGHT = "weight", _("调整权重")

    slot = models.ForeignKey(
        Slot, verbose_name=_("推荐位"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("文章"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    article_title = models.CharField(_("文章标题"), max_length=200, blank=True)
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)

    class Meta(AuditLog.Meta):
        verbose_name = _("推荐位日志")
        verbose_name_plural = _("推荐位日志")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.article_title}"


def next_scheduled_change(now):
    """The earliest moment after `now` at which what readers see changes without a write: a
    scheduled article's publish time, a placement's or an ad's start or end (None when there is
    none).
    The page cache keeps nothing past it (articles.pagecache.state.watch_events)."""
    # One statement: every future moment, the earliest first.
    moments = [
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now).values_list(
            "published_at", flat=True
        ),
        Placement.objects.filter(starts_at__gt=now).values_list("starts_at", flat=True),
        Placement.objects.filter(ends_at__gt=now).values_list("ends_at", flat=True),
        Ad.objects.filter(enabled=True, starts_at__gt=now).values_list("starts_at", flat=True),
        Ad.objects.filter(enabled=True, ends_at__gt=now).values_list("ends_at", flat=True),
    ]
    moments = [part.order_by() for part in moments]
    earliest = moments[0].union(*moments[1:], all=True).order_by("published_at")[:1]
    return next(iter(earliest), None)
