"""Content issues an import or a save found, and clearing the ones an editor has since fixed."""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from html import unescape

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from articles.editorial.checks import CHECKED_KINDS, date_problems, find_problems
from articles.models import ContentIssue
from articles.models.issues import FEATURED_PREFIXES

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


def _problems(article, in_body):
    """find_problems(article), with in_body (checks.body_problems() of its body, found by a worker
    process) found ahead."""
    if in_body is None:
        return find_problems(article)
    return [*in_body, *date_problems(article)]


def checked_issues(article, *, known, in_body=None):
    """(kind, message, detail) of what the checks find that known (the import's own
    (kind, message, detail) issues) does not already say. in_body: body_problems() of the
    article's body, when a worker process found them."""
    said = {(kind, detail) for kind, _message, detail in known}
    images = {detail for _kind, _message, detail in known}
    issues = []
    for kind, detail in _problems(article, in_body):
        if (kind, detail) in said or (
            kind == ContentIssue.Kind.BROKEN_IMAGE_PATH and detail in images
        ):
            continue
        message = ContentIssue(article=article, kind=kind, detail=detail).description()
        issues.append((kind, message, detail))
    return issues


def sync_checked_issues(article):
    """Write what the checks find in the saved article; drop the checked issues it no longer
    has. Issues only the import can tell (a file it could not read) are left to is_fixed()."""
    existing = list(article.content_issues.all())
    kept = [
        (issue.kind, issue.message, issue.detail)
        for issue in existing
        if issue.kind not in CHECKED_KINDS or issue.detail.startswith(FEATURED_PREFIXES)
    ]
    found = checked_issues(article, known=kept)
    wanted = {(kind, detail) for kind, _message, detail in found}
    stale = [
        issue.pk
        for issue in existing
        if (issue.kind, issue.message, issue.detail) not in kept
        and (issue.kind, issue.detail) not in wanted
    ]
    have = {(issue.kind, issue.detail) for issue in existing}
    if stale:
        ContentIssue.objects.filter(pk__in=stale).delete()
    ContentIssue.objects.bulk_create(
        ContentIssue(article=article, kind=kind, message=message, detail=detail[:500])
        for kind, message, detail in found
        if (kind, detail) not in have
    )


def recheck_after_save(sender, instance, raw=False, **kwargs):
    """post_save receiver (connected in articles/apps.py): a save outside the import drops the
    content issues it has fixed and records what readers would now see broken."""
    if raw or _importing.get():
        return
    if instance.source_path:
        recheck_content_issues(instance)
    sync_checked_issues(instance)
