"""Writes of the editorial desk: publishing.

Every function is keyword-only and checks the caller's permission itself (the admin calls these;
a crafted request that gets past a form still stops here). The curation writes (placements and
proposals) are in articles.curation.services.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.editorial import permissions, revisions
from articles.models import Article

# Publishing -------------------------------------------------------------------------------


def publish_article(*, article, by, at=None):
    """Publish now, or schedule when `at` (or the article's own publish time) is in the future."""
    permissions.require(permissions.can_publish(by), _("你没有发布文章的权限。"))
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    with transaction.atomic():
        revisions.ensure_baseline(article)
        article.save()
        revisions.record(article=article, by=by, comment=_("发布"))
    return article


def unpublish_article(*, article, by):
    permissions.require(permissions.can_publish(by), _("你没有撤回文章的权限。"))
    article.status = Article.Status.DRAFT
    with transaction.atomic():
        revisions.ensure_baseline(article)
        article.save()
        revisions.record(article=article, by=by, comment=_("撤回为草稿"))
    return article
