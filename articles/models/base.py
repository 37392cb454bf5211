"""What several models share: a window of time (placements, ads) and an audit log's columns."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Window(models.Model):
    """Shown from `starts_at` (now when empty) until `ends_at` (for ever when empty)."""

    starts_at = models.DateTimeField(
        _("开始时间"), null=True, blank=True, help_text=_("留空表示立即生效。")
    )
    ends_at = models.DateTimeField(
        _("结束时间"), null=True, blank=True, help_text=_("留空表示一直有效；到点自动下线。")
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="%(class)s_ends_after_start",
            )
        ]


class AuditLog(models.Model):
    """A row of an audit trail: who changed what (`changes`: field -> [old, new]) and when."""

    changes = models.JSONField(_("变更"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
