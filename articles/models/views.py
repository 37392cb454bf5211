"""阅读量: how many readers opened an article, counted per hour.

Rows are written by articles.audience.buffer.flush_views(), never by a page view: views wait in
the cache and reach this table in one batched statement at most once a minute per process.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class ViewCount(models.Model):
    """Readers of one article in one hour (the hour's start, UTC)."""

    article = models.ForeignKey(
        Article, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="view_counts"
    )
    hour = models.DateTimeField(_("小时"))
    views = models.PositiveIntegerField(_("阅读量"), default=0)

    class Meta:
        verbose_name = _("阅读量")
        verbose_name_plural = _("阅读量")
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="one_view_count_per_hour")
        ]
        # The most-read lists read every row of the last 7 days.
        indexes = [models.Index(fields=["hour"], name="view_count_hour")]

    def __str__(self):
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H:00}: {self.views}"
