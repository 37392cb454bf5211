"""Which content files an import brings in: the default language's pages, then those of the
site's other languages (translations), of the sections asked for, one file per page and
language; what the section, taxonomy and term _index files say about their terms (in every
language); and which declared taxonomies only data pages use."""

from collections import Counter
from pathlib import Path

from articles.hugo import frontmatter
from articles.hugo.files import Refused, content_files
from articles.hugo.limits import MAX_DESCRIPTION_CHARS
from articles.hugo.mapping import _terms, data_page_reason, is_topic_taxonomy
from articles.hugo.permalinks import urlize
from articles.hugo.titles import django_language
from articles.hugo.translations import language_reason


def select_pages(site, report, *, sections, max_file_bytes):
    """Pick the pages to import; read section, taxonomy and term _index files for titles;
    set site.noise_taxonomies. -> (pages: the default language's, then the translations,
    each sorted by path; term info for lookups.TermCache)."""
    default = site.default_language
    wanted = {s.strip("/") for s in sections} if sections else None
    by_key = {}
    indexes = []
    for file in content_files(site):
        if file.is_branch_index:
            indexes.append(file)
            continue
        if wanted is not None and file.section not in wanted:
            continue
        lang = file.lang if file.lang and file.lang != default else None
        if lang:
            # A translation: see docs/HUGO.md, "Translations" (translations.py links it).
            code, reason = language_reason(lang)
            if reason:
                report.skip(file.rel, reason)
                site.unkept_pages.append(file)
                continue
            lang = code
        key = (str(Path(file.rel).parent), file.stem, lang)
        other = by_key.get(key)
        if other is None or (not lang and file.lang and not other.lang):
            if other is not None:
                report.skip(other.rel, f"same page as {file.rel} in the default language; skipped")
            by_key[key] = file
        elif lang:
            report.skip(file.rel, f"same page as {other.rel} in the same language; skipped")
        else:
            report.skip(file.rel, f"same page as {other.rel} in the default language; skipped")
    # Default-language pages first: a translation comes when its page's group is known.
    pages = sorted(by_key.values(), key=lambda f: (f.lang not in (None, default), f.rel))
    site.noise_taxonomies = _noise_taxonomies(site, pages, max_file_bytes=max_file_bytes)
    for plural in sorted(site.noise_taxonomies):
        report.warn(
            site.config_name,
            f"taxonomy {plural!r}: only data pages (imported as drafts) use its terms; not a "
            "vocabulary, its values stay in the pages' extra",
        )
    term_info = {}
    # A content folder's _index first, so the category's own term page (what the site showed
    # as the category) overrides it for the section, whichever file comes first.
    indexes.sort(key=lambda f: (Path(f.rel).parts[0] == "categories", f.rel))
    for file in indexes:
        _read_term_info(site, file, term_info, report, max_file_bytes=max_file_bytes)
    return pages, term_info


def _noise_taxonomies(site, pages, *, max_file_bytes):
    """Declared topic taxonomies used only by data pages (the ad pages' adtype and adshow):
    pages of the `ads/` section or with `_build` never; a `hidePage: true` page counts as a
    use (it may be a channel, listing a real taxonomy's terms). Reads a page's front matter
    only when its text names an undecided taxonomy."""
    undecided = {p for p, s in site.taxonomies.items() if is_topic_taxonomy(p, s)}
    data_only = set()
    for file in pages:
        if not undecided:
            break
        try:
            raw = file.read(max_bytes=max_file_bytes)
        except Refused:
            continue
        lowered = raw.lower()
        named = {p for p in undecided if p.lower().encode() in lowered}
        if not named:
            continue
        try:
            meta = frontmatter.split(frontmatter.decode(raw)).meta
        except frontmatter.FrontMatterError:
            continue
        used = {p for p in named if _terms(meta.get(p))}
        reason = data_page_reason(meta, section=file.section)
        # A hidePage page may be a channel (hugo/portal.py): its taxonomy is a real one.
        if reason and not reason.startswith("hidePage"):
            data_only |= used
            for plural in used:  # its term pages' old URLs lead home (RedirectWriter)
                site.noise_terms.setdefault(plural, Counter()).update(_terms(meta.get(plural)))
        else:
            undecided -= used
    noise = data_only & undecided
    site.noise_terms = {p: terms for p, terms in site.noise_terms.items() if p in noise}
    return noise


def _read_term_info(site, file, term_info, report, *, max_file_bytes):
    """A section's, taxonomy's or term's own page: its title, description and slug in the
    default language, and its name and description in the others (translations)."""
    parts = Path(file.rel).parent.parts
    kinds = []
    if len(parts) == 1:
        kinds = [("categories", parts[0]), ("vocabulary", parts[0])]
    elif len(parts) == 2 and parts[0] == "categories":
        kinds = [("categories", parts[1])]
    elif len(parts) == 2 and parts[0] in site.topic_taxonomies:
        kinds = [(parts[0], parts[1])]
    if not kinds:
        return
    try:
        meta = frontmatter.split(frontmatter.decode(file.read(max_bytes=max_file_bytes))).meta
    except (Refused, frontmatter.FrontMatterError) as exc:
        report.warn(file.rel, f"section page unreadable, ignored: {exc}")
        return
    title = str(meta.get("title") or "").strip()[:100]
    description = str(meta.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        report.warn(
            file.rel, f"description cut to {MAX_DESCRIPTION_CHARS} of {len(description)} characters"
        )
    description = description[:MAX_DESCRIPTION_CHARS]
    language = file.lang or site.default_language
    for kind, term in kinds:
        info = term_info.setdefault(
            (kind, urlize(term).casefold()),
            {"title": "", "description": "", "slug": "", "translations": {}},
        )
        if language == site.default_language:
            info["title"], info["description"] = title, description
            info["slug"] = str(meta.get("slug") or "").strip()[:100]
        elif title or description:
            code = django_language(language)
            info["translations"][code] = {"name": title, "description": description}
