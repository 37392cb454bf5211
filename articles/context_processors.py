from django.conf import settings

from . import caching
from .models import Section

_nav = (None, [])


def nav_sections(request=None):
    """The header's section menu, read once per content generation by each process (every page
    shows it; a section's save or delete starts a new generation)."""
    global _nav
    generation = caching.request_generation(request)
    kept_for, sections = _nav
    if kept_for != generation:
        sections = [(s.name, s.get_absolute_url()) for s in Section.objects.all()]
        if not caching.replica_may_lag():
            _nav = (generation, sections)
    return sections


def site(request):
    """Site name and the section menu, for the header every page shares."""
    return {
        "site_name": settings.NEWSROOM["SITE_NAME"],
        "site_tagline": settings.NEWSROOM["SITE_TAGLINE"],
        "nav_sections": lambda: nav_sections(request),
    }
