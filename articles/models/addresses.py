"""reverse() remembered: the addresses of articles, sections, topics, tags and authors.

A page asks for twenty to thirty of them (cards, bylines, breadcrumbs, neighbours), and each
reverse() walks Django's resolver, quotes the arguments and checks them against the pattern:
tens of microseconds each, the same answer every time.

Keyed by everything reverse() reads: the view name, its arguments, the language (the URL
prefix), the request's urlconf and the script prefix. For those, the answer depends only on
the URL patterns, which do not change while a process runs; a test that swaps them
(override_settings of ROOT_URLCONF, LANGUAGES...) changes a setting, which empties this cache
(`setting_changed` below). So it is never stale. At most 8,192 addresses are kept, the least
recently used dropped first.
"""

import re
from functools import lru_cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS

# What the `uslug` path converter takes (articles/reading/converters.py): letters of any script,
# digits, - and _.
SLUG_REGEX = r"[-\w]+"
_SLUG = re.compile(SLUG_REGEX)
_MARKER = "slugmarkerslug"


@lru_cache(maxsize=8192)
def _reverse(viewname, kwargs, language, urlconf, prefix):
    if language == translation.get_language():
        return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
    with translation.override(language):
        return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def cached_reverse(viewname, *, language=None, **kwargs):
    """reverse(viewname, kwargs=kwargs) in `language` (the active one when None)."""
    return _reverse(
        viewname,
        tuple(sorted(kwargs.items())),
        language or translation.get_language(),
        get_urlconf(),
        get_script_prefix(),
    )


def slug_address(viewname, *, slug, language=None):
    """cached_reverse(viewname, slug=slug) for a view whose one argument is a `uslug`: the
    address with a marker for the slug, reversed once per language, urlconf and script prefix,
    and the slug put in its place, quoted as reverse() quotes it. A list page shows twenty
    articles no page has shown yet after a change, and reverse() cost 40 microseconds each."""
    if not _SLUG.fullmatch(slug):  # reverse() refuses it: the same error
        return cached_reverse(viewname, language=language, slug=slug)
    template = cached_reverse(viewname, language=language, slug=_MARKER)
    return template.replace(_MARKER, quote(slug, safe=RFC3986_SUBDELIMS + "/~:@"), 1)


@receiver(setting_changed)
def _forget(**kwargs):
    _reverse.cache_clear()
