"""The Content-Security-Policy, chosen per response (django-csp 4's CSPMiddleware, extended).

settings.CONTENT_SECURITY_POLICY is the public site's policy: no inline script and no inline
style. Three kinds of response get inline styles back, and only they:

- the admin (ADMIN_URL): its templates carry <style> blocks and style attributes (the curation
  desk, revision diffs, the edit-conflict box), and CKEditor 5 may write style attributes into
  the content it edits (tables, image widths);
- an article page that loads GLightbox (the lightbox is on and the body has an image: the
  condition templates/articles/article_detail.html loads it on), which sizes and moves the open
  image with style attributes;
- anything that is not HTML (feeds, the sitemap, robots.txt): a browser shows XML with its own
  viewer, which styles the tree inline. No content of ours is styled there, and scripts stay
  refused.

A public 5xx page also gets the hash of templates/500.html's one <style> block, computed from the
file when this module loads, so the error page keeps its looks without 'unsafe-inline'.

Every response with a policy also names the report endpoint (newsroom/csp_report.py) in
`Reporting-Endpoints`, for the policy's `report-to`.
"""

import base64
import hashlib
import re

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings

INLINE_STYLES = {"style-src": ["'self'", "'unsafe-inline'"]}


def style_hashes(path):
    """The CSP hash source of every <style> block in a static HTML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    digests = [
        hashlib.sha256(css.encode()).digest()
        for css in re.findall(r"<style>(.*?)</style>", text, flags=re.S)
    ]
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


ERROR_PAGE_STYLES = style_hashes(settings.BASE_DIR / "templates" / "500.html")


def needs_inline_styles(request, response):
    if request.path_info.startswith("/" + settings.ADMIN_URL):
        return True
    content_type = response.get("Content-Type")
    if content_type and not content_type.startswith("text/html"):
        return True
    context = getattr(response, "context_data", None)
    article = context.get("article") if isinstance(context, dict) else None
    return bool(getattr(article, "lightbox", False)) and "<img" in (article.body or "")


def reporting_endpoints():
    """The Reporting-Endpoints header naming the policy's report-to group, or None."""
    directives = getattr(settings, "CONTENT_SECURITY_POLICY", {}).get("DIRECTIVES", {})
    group, uris = directives.get("report-to"), directives.get("report-uri") or []
    return f'{group}="{uris[0]}"' if group and uris else None


class PolicyByPageMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.replace is not None or parts.config is not None:
            return parts  # a view that chose its own policy keeps it
        if needs_inline_styles(request, response):
            parts.replace = INLINE_STYLES
        elif response.status_code >= 500 and ERROR_PAGE_STYLES:
            update = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), *ERROR_PAGE_STYLES]
            parts.update = update
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        endpoints = reporting_endpoints()
        if endpoints and HEADER in response and "Reporting-Endpoints" not in response:
            response["Reporting-Endpoints"] = endpoints
        return response
