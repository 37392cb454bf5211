"""Old URLs that answer with a redirect: django.contrib.redirects' rows (the Hugo import writes
them), and past the last of an old list's pages.

Hugo numbered a list's pages over everything it listed, data pages and drafts included, so an
old list may have had more pages (`/authors/x/page/5/`) than the import wrote redirects for.
Such a page leads where the list's last written page does: the same list, as far as it goes.
"""

import re

from django.contrib.redirects.middleware import RedirectFallbackMiddleware
from django.contrib.redirects.models import Redirect
from django.contrib.sites.shortcuts import get_current_site

_PAGER = re.compile(r"^(?P<list>/(?:.+/)?)(?P<segment>[^/]+)/(?P<number>[1-9]\d{0,5})/$")


class OldUrlRedirectMiddleware(RedirectFallbackMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        if response.status_code != 404:
            return response
        match = _PAGER.match(request.path)
        if match is None:
            return response
        target = last_page_of(get_current_site(request), match["list"], match["segment"])
        return self.response_redirect_class(target) if target else response


def last_page_of(site, list_path, segment):
    """Where the highest page/N/ of the old list at list_path leads, or None when no such list
    was imported. One indexed lookup for any other URL that looks like a pager."""
    first = f"{list_path}{segment}/1/"
    rows = Redirect.objects.filter(site=site)
    if not rows.filter(old_path=first).exists():
        return None
    numbered = re.compile(re.escape(f"{list_path}{segment}/") + r"(\d+)/$")
    pages = {
        int(m[1]): new
        for old, new in rows.filter(old_path__startswith=f"{list_path}{segment}/").values_list(
            "old_path", "new_path"
        )
        if (m := numbered.match(old))
    }
    return pages[max(pages)] or None
