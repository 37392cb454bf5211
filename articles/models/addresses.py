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

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation


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


@receiver(setting_changed)
def _forget(**kwargs):
    _reverse.cache_clear()
