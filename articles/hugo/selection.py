"""Which content files an import brings in: the default language, the sections asked for, one
file per page; and what the section and term _index files say about their terms."""

from pathlib import Path

from articles.hugo import frontmatter
from articles.hugo.limits import MAX_DESCRIPTION_CHARS
from articles.hugo.permalinks import urlize
from articles.hugo.site import Refused, content_files


def select_pages(site, report, *, sections, max_file_bytes):
    """Pick the pages to import; read section and term _index files for titles.
    -> (pages sorted by path, term info for lookups.TermCache)."""
    default = site.default_language
    wanted = {s.strip("/") for s in sections} if sections else None
    by_key = {}
    term_info = {}
    for file in content_files(site):
        if file.lang and file.lang != default:
            # The newsroom has one language of content: see docs/HUGO.md, "Translations".
            report.skip(file.rel, f"in another language ({file.lang}); only {default} is imported")
            continue
        if file.is_branch_index:
            _read_term_info(site, file, term_info, report, max_file_bytes=max_file_bytes)
            continue
        if wanted is not None and file.section not in wanted:
            continue
        key = (str(Path(file.rel).parent), file.stem)
        other = by_key.get(key)
        if other is None or (file.lang and not other.lang):
            if other is not None:
                report.skip(other.rel, f"same page as {file.rel} in the default language; skipped")
            by_key[key] = file
        else:
            report.skip(file.rel, f"same page as {other.rel} in the default language; skipped")
    return sorted(by_key.values(), key=lambda f: f.rel), term_info


def _read_term_info(site, file, term_info, report, *, max_file_bytes):
    """A section's or term's own page: its title, description and slug. For a section, the
    category's term page (`categories/<term>/_index.md`, what the site shows as the category)
    wins over the content folder's `_index.md`, whichever is read first."""
    parts = Path(file.rel).parent.parts
    if len(parts) == 1:
        kind, term = "categories", parts[0]
        if (kind, urlize(term).casefold()) in term_info:
            return  # the category's own page was read already
    elif len(parts) == 2 and parts[0] == "categories":
        kind, term = "categories", parts[1]
    elif len(parts) == 2 and parts[0] in site.topic_taxonomies:
        kind, term = "topics", parts[1]
    else:
        return
    try:
        meta = frontmatter.split(frontmatter.decode(file.read(max_bytes=max_file_bytes))).meta
    except (Refused, frontmatter.FrontMatterError) as exc:
        report.warn(file.rel, f"section page unreadable, ignored: {exc}")
        return
    title = str(meta.get("title") or "").strip()
    description = str(meta.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION_CHARS:
        report.warn(
            file.rel, f"description cut to {MAX_DESCRIPTION_CHARS} of {len(description)} characters"
        )
    term_info[(kind, urlize(term).casefold())] = {
        "title": title[:100],
        "description": description[:MAX_DESCRIPTION_CHARS],
        "slug": str(meta.get("slug") or "").strip()[:100],
    }
