from django.conf import settings

from .models import Section


def site(request):
    """Site name and the section menu, for the header every page shares."""
    return {
        "site_name": settings.NEWSROOM["SITE_NAME"],
        "site_tagline": settings.NEWSROOM["SITE_TAGLINE"],
        "nav_sections": Section.objects.all(),
    }
