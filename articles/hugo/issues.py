"""Content issues an import found, and clearing the ones an editor has since fixed."""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from html import unescape

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from articles.models import ContentIssue

FEATURED = "featuredImage: "
MISSING_FILE = "featured image file: "
_IMAGE_KINDS = {
    ContentIssue.Kind.MISSING_IMAGE,
    ContentIssue.Kind.BROKEN_IMAGE_PATH,
    ContentIssue.Kind.REMOTE_IMAGE,
    ContentIssue.Kind.UNREADABLE_IMAGE,
}


def is_fixed(issue, article):
    """True when the article no longer shows the problem the issue describes."""
    kind, detail = issue.kind, issue.detail
    if kind == ContentIssue.Kind.MISSING_IMAGE and detail.startswith(MISSING_FILE):
        name = detail.removeprefix(MISSING_FILE)
        return article.featured_image.name != name or default_storage.exists(name)
    if kind == ContentIssue.Kind.LASTMOD_BEFORE_DATE:
        return not (article.published_at and article.updated_at < article.published_at)
    if kind in _IMAGE_KINDS:
        if detail.startswith(FEATURED):
            return bool(article.featured_image)
        return bool(detail) and detail not in unescape(article.body or "")
    if kind == ContentIssue.Kind.UNKNOWN_SHORTCODE:
        pattern = r"\{\{[<%]\s*/?\s*" + re.escape(detail) + r"(?![\w./-])"
        return not re.search(pattern, unescape(article.body or ""))
    return False


def recheck_content_issues(article):
    """Delete the article's issues that its current content no longer has; -> how many."""
    if not article.pk:
        return 0
    fixed = [issue.pk for issue in article.content_issues.all() if is_fixed(issue, article)]
    if fixed:
        ContentIssue.objects.filter(pk__in=fixed).delete()
    return len(fixed)


def note_missing_featured_file(article):
    """Record, once, that the article's featured image file is missing from media (readers see
    a broken image); drop the note when the file is back or the image was replaced."""
    name = article.featured_image.name if article.featured_image else ""
    notes = article.content_issues.filter(
        kind=ContentIssue.Kind.MISSING_IMAGE, detail__startswith=MISSING_FILE
    )
    if not name or default_storage.exists(name):
        notes.delete()
        return
    detail = f"{MISSING_FILE}{name}"
    notes.exclude(detail=detail).delete()
    ContentIssue.objects.get_or_create(
        article=article,
        kind=ContentIssue.Kind.MISSING_IMAGE,
        detail=detail,
        defaults={
            "message": _(
                "题图文件在媒体存储中找不到（%(name)s），读者看到的是一张坏图。"
                "请重新上传题图，或从备份恢复这个文件。"
            )
            % {"name": name}
        },
    )


_importing = ContextVar("importing", default=False)


@contextmanager
def issues_written_by_importer():
    """Within it, saving an imported article leaves its content issues alone: the importer
    writes them itself, right after the save."""
    token = _importing.set(True)
    try:
        yield
    finally:
        _importing.reset(token)


def recheck_after_save(sender, instance, raw=False, **kwargs):
    """post_save receiver (connected in articles/apps.py): an editor's save of an imported
    article drops the content issues it has fixed."""
    if instance.source_path and not raw and not _importing.get():
        recheck_content_issues(instance)
