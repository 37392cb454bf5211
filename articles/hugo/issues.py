"""Content issues an import found, and clearing the ones an editor has since fixed."""

import re
from html import unescape

from ..models import ContentIssue

FEATURED = "featuredImage: "
_IMAGE_KINDS = {
    ContentIssue.Kind.MISSING_IMAGE,
    ContentIssue.Kind.BROKEN_IMAGE_PATH,
    ContentIssue.Kind.REMOTE_IMAGE,
    ContentIssue.Kind.UNREADABLE_IMAGE,
}


def is_fixed(issue, article):
    """True when the article no longer shows the problem the issue describes."""
    kind, detail = issue.kind, issue.detail
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
    if not article.pk or getattr(article, "_importing", False):
        return 0  # the importer writes the article's issues itself, right after the save
    fixed = [issue.pk for issue in article.content_issues.all() if is_fixed(issue, article)]
    if fixed:
        ContentIssue.objects.filter(pk__in=fixed).delete()
    return len(fixed)
