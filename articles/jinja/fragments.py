"""The parts of the page frame every page shares, rendered once and kept: the header's brand
and menu, its search form, the footer, the stylesheet addresses.

Rendering them is the same template work on every page, for the same few answers. Each is
kept by this process in a GenerationMemo (articles/pagecache/keep.py), so a save that starts a
new content generation drops them all; and each key names everything its HTML is made of, so
no entry can be stale even within a generation:

- the header's brand and menu (`{{ header_menu() }}`, includes/header_menu.html): the
  language, the urlconf and script prefix (its url() links), the site's name and tagline,
  and the menu itself: the editors' main menu with each entry's aria-current mark (which entry
  the request's path is, or is in: articles.portal.menus.current_marks), else the section
  menu as this request shows it (filtered by the clock: articles.reading.context_processors).
- the search form (`{{ search_form() }}`): the language, urlconf and script prefix, when it is
  empty; a search page's form shows the query and is rendered every time.
- the footer (`{{ site_footer() }}`, includes/footer.html): the language, urlconf and script
  prefix, the name and tagline, the footer menu's entries and the year.

Only what the template is given reaches the HTML: each fragment is rendered from the values in
its key alone, not from the page's context.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.translation import get_language

from articles.jinja.markup import rendered
from articles.pagecache.keep import GenerationMemo

fragments = GenerationMemo(size=256)


def _value(context, name):
    """A context value as a template would see it (the context processor's are callables)."""
    value = context.get(name)
    return value() if callable(value) else value


def _kept(context, key, template_name, values):
    """The HTML of `template_name` rendered with `values`, kept under `key` (which must name
    every value) with the language and the addresses' urlconf and script prefix."""
    full_key = (template_name, get_language(), get_urlconf(), get_script_prefix(), *key)
    return fragments.get(
        full_key, lambda: rendered([template_name], values), request=context.get("request")
    )


def header_menu(context):
    site_name, tagline = context.get("site_name"), context.get("site_tagline")
    entries = _value(context, "main_menu")
    if entries:
        shape = tuple((entry, mark, tuple(children)) for entry, mark, children in entries)
        values = {"main_menu": entries}
    else:
        sections = _value(context, "nav_sections")
        shape = ("sections", *sections)
        values = {"main_menu": entries, "nav_sections": sections}
    values.update(site_name=site_name, site_tagline=tagline)
    return _kept(context, (site_name, tagline, shape), "includes/header_menu.html", values)


def search_form(context):
    query = context.get("query")
    if query:
        return rendered(["includes/search_form.html"], {"query": query})
    return _kept(context, (), "includes/search_form.html", {"query": query})


def site_footer(context):
    site_name, tagline = context.get("site_name"), context.get("site_tagline")
    entries = tuple(_value(context, "footer_menu") or ())
    now = timezone.localtime() if settings.USE_TZ else timezone.now()
    values = {"site_name": site_name, "site_tagline": tagline, "footer_menu": entries}
    values["year"] = now.year
    return _kept(context, (site_name, tagline, entries, now.year), "includes/footer.html", values)


def static_url(path):
    """static(path), kept per process: the storage's answer for a path does not change
    while it runs (whitenoise's manifest is read once at start)."""
    return _static(path, settings.STATIC_URL, settings.STORAGES["staticfiles"]["BACKEND"])


_static_urls = {}


def _static(path, *key):
    url = _static_urls.get((path, *key))
    if url is None:
        url = _static_urls[(path, *key)] = static(path)
    return url
