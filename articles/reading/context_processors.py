from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from articles.models import Article, Section, in_language
from articles.pagecache.keep import GenerationMemo
from articles.portal.menus import current_marks, menu
from articles.querysets import reading_language

_menu = GenerationMemo(size=len(settings.LANGUAGES))


def _menu_entries():
    """Every section that has an article readers can see, or will see without another write
    (a scheduled one): (name, its other languages, url, shown from), shown from None when it is
    shown already."""
    now = timezone.now()
    in_section = Article.objects.filter(
        status=Article.Status.PUBLISHED, language=reading_language(), section=OuterRef("pk")
    )
    first_scheduled = in_section.filter(published_at__gt=now).order_by("published_at")
    sections = Section.objects.annotate(
        shown=Exists(in_section.filter(published_at__lte=now)),
        shown_from=Subquery(first_scheduled.values("published_at")[:1]),
    ).filter(Q(shown=True) | Q(shown_from__isnull=False))
    return [
        (
            section.name,
            section.translations,
            section.get_absolute_url(),
            None if section.shown else section.shown_from,
        )
        for section in sections
    ]


def nav_sections(request=None):
    """The header's section menu: the sections with at least one article readers can see, so
    a new section shows up with its first published article, not before.

    Read once per content generation by each process (a save or delete of a section or an
    article starts a new one). Without a write a section can only appear, when its first
    scheduled article's time comes: the entry keeps that moment and the menu is filtered by the
    clock on every read, so the section appears at its minute though the generation stays."""
    now = timezone.now()
    return [
        (in_language(name, translations, "name"), url)
        for name, translations, url, shown_from in _menu.get(
            ("sections", reading_language()), _menu_entries, request=request
        )
        if shown_from is None or shown_from <= now
    ]


def site(request):
    """Site name and the menus, for the header and footer every page shares: the main menu
    editors made for the request's language (articles.portal.menus), else the section menu;
    the footer's links. Each is read only when a template uses it."""
    return {
        "site_name": settings.NEWSROOM["SITE_NAME"],
        "site_tagline": settings.NEWSROOM["SITE_TAGLINE"],
        "nav_sections": lambda: nav_sections(request),
        "main_menu": lambda: current_marks(menu("main", request=request), request.path),
        "footer_menu": lambda: menu("footer", request=request),
    }
