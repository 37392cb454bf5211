"""The Jinja2 environment of the public pages (templates/jinja2/, settings.TEMPLATES).

What Django's template language gave those templates, as plain functions: `url()` (reverse(),
remembered: articles/models/addresses.py), `static()`, the translation functions of Jinja's
i18n extension bound to Django's (so {{ _("首页") }} and the .po files are the same as
{% translate %}'s), and Django's own `date`, `truncatechars`, `cut` and `urlencode` filters,
`date` with the time zone conversion Django's engine does before it. The page's helpers
(cards, the frame's kept fragments, ads, metadata, pictures) are in this package's modules.

Variables a page does not set are empty, as in Django's engine (ChainableUndefined), not
errors: `{% if is_preview %}` on a page that is no preview.
"""

from datetime import datetime
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.utils import timezone, translation
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup

from articles.jinja import ads, cards, fragments, images, pages, seo
from articles.models.addresses import cached_reverse


def date(value, arg=None):
    """Django's `date` filter, given the value in the current time zone as its engine does.
    A format of numbers only (Y m d H i s, or c) is written directly: Django's format lookups
    cost 25-40 microseconds a date, and a list page shows two per card."""
    value = timezone.template_localtime(value)
    plain = _plain_format(arg) if isinstance(value, datetime) else None
    if plain is None:
        return defaultfilters.date(value, arg)
    return "".join(piece(value) if callable(piece) else piece for piece in plain)


_NUMBERS = {
    "Y": lambda when: f"{when.year:04d}",
    "m": lambda when: f"{when.month:02d}",
    "d": lambda when: f"{when.day:02d}",
    "H": lambda when: f"{when.hour:02d}",
    "i": lambda when: f"{when.minute:02d}",
    "s": lambda when: f"{when.second:02d}",
}


@lru_cache(maxsize=64)
def _plain_format(arg):
    """The pieces of a format Django writes as numbers and the characters it leaves alone:
    Y m d H i s and anything but a letter or a backslash; "c" alone (ISO 8601). None for any
    other format (names, text, escapes), which Django's filter writes."""
    if arg == "c":
        return (datetime.isoformat,)
    if not arg or any(
        char == "\\" or (char.isascii() and char.isalpha() and char not in _NUMBERS) for char in arg
    ):
        return None
    return tuple(_NUMBERS.get(char, char) for char in arg)


def url(viewname, **kwargs):
    return cached_reverse(viewname, **kwargs)


# {(language, message): its translation}: a page asks for twenty or so, each through Jinja's
# context and Django's translation objects (about 12 microseconds each, 0.3 ms of an article
# page). Catalogs are read once per process; a test that swaps them changes a setting.
_translated = {}


@receiver(setting_changed)
def _forget(**kwargs):
    _translated.clear()


def gettext(message, **variables):
    """What Jinja's new-style gettext gives (the translation is markup, the variables are
    escaped into it), remembered per language."""
    key = (translation.get_language(), message)
    translated = _translated.get(key)
    if translated is None:
        translated = _translated[key] = Markup(translation.gettext(message))
    return translated % variables if variables or "%" in translated else translated


def ngettext(singular, plural, number, **variables):
    variables.setdefault("num", number)
    return Markup(translation.ngettext(singular, plural, number)) % variables


GLOBALS = {
    "url": url,
    "static": fragments.static_url,
    "get_language": translation.get_language,
    "picture": images.picture,
    "channel_icon": pages.channel_icon,
    "card": pass_context(cards.card),
    "result_meta": pass_context(cards.result_meta),
    "home_featured": pass_context(cards.home_featured),
    "header_menu": pass_context(fragments.header_menu),
    "search_form": pass_context(fragments.search_form),
    "site_footer": pass_context(fragments.site_footer),
    "ad_spot": pass_context(ads.ad_spot),
    "page_meta": pass_context(seo.page_meta),
    "news_article_json_ld": pass_context(seo.news_article_json_ld),
    "absolute_url": pass_context(seo.absolute_url),
    "language_versions": pass_context(pages.language_versions),
    "share_links": pass_context(pages.share_links),
    "querystring": pass_context(pages.querystring),
}

FILTERS = {
    "date": date,
    "truncatechars": defaultfilters.truncatechars,
    "cut": defaultfilters.cut,
    "urlencode": defaultfilters.urlencode,
    "grouped": pages.grouped,
    "natural_sizes": pages.natural_sizes,
}


def environment(**options):
    options.update(undefined=ChainableUndefined, keep_trailing_newline=True)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(GLOBALS, _=gettext, gettext=gettext, ngettext=ngettext)
    env.filters.update(FILTERS)
    return env
