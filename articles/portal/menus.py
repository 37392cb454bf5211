"""The main menu and the footer's links, as editors set them in the admin (MenuItem), per
language.

Every row of every language is read in one statement, once per content generation by each
process (a save or delete of a MenuItem starts a new one): a warm page reads nothing. What
differs per request (the language, which entry is the current page) is chosen from that.
"""

from typing import NamedTuple

from django.conf import settings
from django.utils.translation import get_language, get_supported_language_variant

from articles.models import MenuItem
from articles.pagecache.keep import GenerationMemo

_menus = GenerationMemo(size=1)


class MenuEntry(NamedTuple):
    name: str
    url: str
    title: str
    children: tuple = ()

    @property
    def external(self):
        return self.url.startswith(("http://", "https://"))


def site_language(code):
    """The code of settings.LANGUAGES that `code` (zh-hans, zh-cn, zh, en-us...) stands for."""
    try:
        return get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _top_of(row, rows_by_id):
    """The top-level entry `row` hangs under (itself when it has no parent). A row deeper
    than one level (only the importer or the shell can write one) is shown under its top."""
    seen = {row[0]}
    while row[1] is not None and row[1] in rows_by_id and row[1] not in seen:
        row = rows_by_id[row[1]]
        seen.add(row[0])
    return row


def _all_menus():
    """{(menu, language): (MenuEntry, ...)}: every menu of every language, in order."""
    rows = list(
        MenuItem.objects.order_by("position", "pk").values_list(
            "pk", "parent_id", "menu", "language", "name", "url", "title"
        )
    )
    rows_by_id = {row[0]: row for row in rows}
    children = {}
    for row in rows:
        top = _top_of(row, rows_by_id)
        if top is not row and top[2:4] == row[2:4]:
            children.setdefault(top[0], []).append(MenuEntry(row[4], row[5], row[6]))
    menus = {}
    for row in rows:
        top = _top_of(row, rows_by_id)
        if top is row or top[2:4] != row[2:4]:  # a parent in another menu: shown at the top
            entry = MenuEntry(row[4], row[5], row[6], tuple(children.get(row[0], ())))
            menus.setdefault((row[2], site_language(row[3])), []).append(entry)
    return {key: tuple(entries) for key, entries in menus.items()}


def menu(name, *, request=None, language=None):
    """The entries of menu `name` ("main" or "footer") in the request's language, () when
    editors have made none for it."""
    menus = _menus.get(("menus",), _all_menus, request=request)
    return menus.get((name, site_language(language or get_language())), ())


def current_marks(entries, path):
    """[(entry, aria-current value, [(child, value), ...]), ...] for a page at `path`: "page"
    for the entry that links to it, "true" for the one whose section it is in (the longest
    site path it starts with), "" for the others."""
    links = [entry.url for entry in entries] + [
        child.url for entry in entries for child in entry.children
    ]
    exact = path if path in links else None
    within = [url for url in links if url != "/" and url.startswith("/") and path.startswith(url)]
    section = max(within, key=len) if within and exact is None else None

    def mark(entry):
        if entry.url == exact:
            return "page"
        return "true" if entry.url == section else ""

    return [
        (entry, mark(entry), [(child, mark(child)) for child in entry.children])
        for entry in entries
    ]
