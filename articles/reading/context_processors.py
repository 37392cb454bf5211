from django.conf import settings

from articles.models import Section
from articles.pagecache.keep import GenerationMemo

_menu = GenerationMemo(size=1)


def nav_sections(request=None):
    """The header's section menu, read once per content generation by each process (every page
    shows it; a section's save or delete starts a new generation)."""
    return _menu.get(
        ("sections",),
        lambda: [(s.name, s.get_absolute_url()) for s in Section.objects.all()],
        request=request,
    )


def site(request):
    """Site name and the section menu, for the header every page shares."""
    return {
        "site_name": settings.NEWSROOM["SITE_NAME"],
        "site_tagline": settings.NEWSROOM["SITE_TAGLINE"],
        "nav_sections": lambda: nav_sections(request),
    }
