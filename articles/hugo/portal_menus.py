"""A Hugo site's menus (`menus.<lang>.toml`, `[menu]`/`[menus]`, `[languages.<lang>.menus]`)
as MenuItem rows per language: the `main` and `footer` menus; other names are reported.

A re-import updates the rows it matches (by identifier, else by name) in that menu and
language and adds the missing ones; rows an editor added by hand are left as they are.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.hugo.digest import row_digest
from articles.hugo.site import lookup
from articles.hugo.titles import django_language
from articles.models import MenuItem

MENUS = {"main": MenuItem.Menu.MAIN, "footer": MenuItem.Menu.FOOTER}
LIMITS = {"name": 100, "title": 200, "identifier": 100}
MAX_URL_CHARS = 500
MAX_ENTRIES = 500  # per menu: a menu, not a sitemap


def import_menus(*, site, report, dry_run, overwrite=False):
    """Write the site's menus; -> how many rows were created or changed."""
    written = 0
    with transaction.atomic():
        for hugo_language, menus in menu_sources(site).items():
            language = django_language(hugo_language)
            where = _config_file(site, hugo_language)
            if language not in dict(settings.LANGUAGES):
                report.warn(
                    where,
                    f"menus of language {hugo_language!r} not imported: the site has no "
                    f"such language ({', '.join(code for code, _ in settings.LANGUAGES)})",
                )
                continue
            for name, entries in menus.items():
                menu = MENUS.get(str(name).lower())
                entries = entries if isinstance(entries, list) else [entries]
                if menu is None:
                    report.warn(
                        where,
                        f"menu {name!r} ({len(entries)} entries) of {hugo_language} not "
                        "imported: only the main and footer menus are",
                    )
                    continue
                written += _import_menu(
                    menu, language, entries, where=where, report=report, overwrite=overwrite
                )
        if dry_run:
            transaction.set_rollback(True)
    return written


def menu_sources(site):
    """{Hugo language: {menu name: [entries]}}: the top-level menus are the default
    language's; a language's own menus replace those of the same name."""
    found = {}
    top = _menus_of(site.config)
    if top:
        found[site.default_language] = dict(top)
    languages = site.setting("languages")
    if isinstance(languages, dict):
        for language, config in languages.items():
            own = _menus_of(config) if isinstance(config, dict) else {}
            if own:
                found.setdefault(str(language).lower(), {}).update(own)
    return found


def _menus_of(config):
    menus = {}
    for key in ("menu", "menus"):
        value = lookup(config, key)
        if isinstance(value, dict):
            menus.update(value)
    return menus


def _config_file(site, hugo_language):
    """The config file (under SITE_DIR) the language's menus most likely came from."""
    names = {f"menus.{hugo_language}", f"menu.{hugo_language}"}
    if hugo_language == site.default_language:
        names |= {"menus", "menu"}
    for path in reversed(site.config_files):
        if path.stem.lower() in names:
            return path.relative_to(site.root).as_posix()
    first = site.config_file
    return first.relative_to(site.root).as_posix() if first else ""


def _import_menu(menu, language, entries, *, where, report, overwrite=False):
    label = f"menu {menu} ({language})"
    if len(entries) > MAX_ENTRIES:
        report.warn(where, f"{label}: {len(entries)} entries; the first {MAX_ENTRIES} imported")
        entries = entries[:MAX_ENTRIES]
    rows = list(MenuItem.objects.filter(menu=menu, language=language))
    taken = set()
    wanted = []  # (item, parent reference, values)
    for n, entry in enumerate(entries, start=1):
        values = _entry_values(entry, what=f"{label}, entry {n}", where=where, report=report)
        if values is None:
            continue
        # The first row not matched yet with the same identifier (Hugo's default: the name).
        key = values["identifier"] or values["name"]
        item = next(
            (r for r in rows if r.pk not in taken and (r.identifier or r.name) == key), None
        )
        item = item or MenuItem(menu=menu, language=language)
        taken.add(item.pk)
        wanted.append((item, _text(lookup(entry, "parent")), values))
    refs = {}
    for item, _, values in wanted:
        refs.setdefault(values["identifier"] or values["name"], item)
    for item, _, values in wanted:
        refs.setdefault(values["name"], item)
    written = 0
    for item, parent_ref, values in sorted(wanted, key=lambda row: _depth(row, refs, wanted)):
        before = _state(item) if item.pk else None
        if before and item.source_digest and row_digest(before) != item.source_digest:
            if not overwrite:
                report.warn(
                    where,
                    f"{label}: {item.name!r} changed in the admin since the last import; left "
                    "alone (use --overwrite to replace the editor's changes)",
                )
                continue
        for key, value in values.items():
            setattr(item, key, value)
        item.parent = _parent(refs, parent_ref, item, label=label, where=where, report=report)
        try:
            item.clean()
        except ValidationError as exc:
            errors = exc.message_dict
            if "url" in errors:
                report.warn(where, f"{label}: {values['name']!r} not imported: {errors['url'][0]}")
                continue
            report.warn(
                where, f"{label}: {values['name']!r} put at the top: {' '.join(errors['parent'])}"
            )
            item.parent = None
        if before != _state(item) or not item.source_digest:
            item.source_digest = row_digest(_state(item))
            item.save()
            written += before != _state(item)
    return written


def _state(item):
    return (item.name, item.url, item.title, item.identifier, item.position, item.parent_id)


def _depth(row, refs, wanted):
    """How many parents up an entry's reference chain goes (parents are saved first)."""
    parents = {id(item): parent_ref for item, parent_ref, _ in wanted}
    depth, item, seen = 0, row[0], set()
    while parents.get(id(item)) and id(item) not in seen:
        seen.add(id(item))
        item = refs.get(parents[id(item)])
        if item is None:
            break
        depth += 1
    return depth


def _parent(refs, parent_ref, item, *, label, where, report):
    if not parent_ref:
        return None
    parent = refs.get(parent_ref)
    if parent is None or parent is item:
        report.warn(where, f"{label}: parent {parent_ref!r} of an entry not found; put at the top")
        return None
    while parent.parent is not None and parent.parent is not item:
        parent = parent.parent  # menus have one level of children: hang it under the top
    if parent.pk is None:
        return None
    return parent


def _entry_values(entry, *, what, where, report):
    if not isinstance(entry, dict):
        report.warn(where, f"{what}: not a table of name, url ...; not imported")
        return None
    values = {key: _text(lookup(entry, key)) for key in ("name", "title", "identifier")}
    if not values["name"]:
        values["name"] = values["identifier"]
    if not values["name"]:
        report.warn(where, f"{what}: no name; not imported")
        return None
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            report.warn(where, f"{what}: {key} cut to {limit} characters")
            values[key] = values[key][:limit]
    url = _text(lookup(entry, "url")) or _page_url(_text(lookup(entry, "pageRef")))
    problem = _url_problem(url)
    if problem:
        report.warn(
            where, f"{what} ({values['name']!r}): url {url[:200]!r} {problem}; not imported"
        )
        return None
    values["url"] = url if url.startswith(("/", "http://", "https://")) else f"/{url}"
    try:
        values["position"] = max(-(2**31), min(int(lookup(entry, "weight") or 0), 2**31 - 1))
    except (TypeError, ValueError):
        report.warn(where, f"{what}: weight {lookup(entry, 'weight')!r} is not a number; 0")
        values["position"] = 0
    return values


def _page_url(page_ref):
    """Hugo's pageRef (a content path: "news", "/about/_index.md") as the old site's URL."""
    if not page_ref or urlsplit(page_ref).scheme:
        return page_ref
    parts = [p for p in page_ref.strip("/").split("/") if p]
    if parts and parts[-1].rsplit(".", 1)[0] in {"_index", "index"}:
        parts.pop()
    elif parts and "." in parts[-1]:
        parts[-1] = parts[-1].rsplit(".", 1)[0]
    return "/" + "".join(f"{p}/" for p in parts)


def _url_problem(url):
    if not url:
        return "is missing"
    if len(url) > MAX_URL_CHARS:
        return f"is over {MAX_URL_CHARS} characters"
    if url.startswith("//") or any(c.isspace() or ord(c) < 32 for c in url) or "\\" in url:
        return "is not a site path or an http(s) address"
    scheme = urlsplit(url).scheme.lower()
    if scheme and scheme not in {"http", "https"}:
        return "is not a site path or an http(s) address"
    return ""


def _text(value):
    return "" if value is None else str(value).strip()
