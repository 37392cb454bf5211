from django.conf import settings
from django.core.cache import cache

from .models import NAV_CACHE_KEY, Section


def nav_sections():
    """The header's section menu; cached because every page shows it and it rarely changes
    (Section.save and delete clear it)."""
    sections = cache.get(NAV_CACHE_KEY)
    if sections is None:
        sections = [(s.name, s.get_absolute_url()) for s in Section.objects.all()]
        cache.set(NAV_CACHE_KEY, sections, timeout=60)
    return sections


def site(request):
    """Site name and the section menu, for the header every page shares."""
    return {
        "site_name": settings.NEWSROOM["SITE_NAME"],
        "site_tagline": settings.NEWSROOM["SITE_TAGLINE"],
        "nav_sections": nav_sections,
    }
