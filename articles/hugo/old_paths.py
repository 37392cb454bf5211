"""Old paths a Hugo site served beyond its articles and the lists RedirectWriter works out:
what its _index pages claim (their aliases, the terms they carry, a term's own page) and the
pages in languages the newsroom does not keep. Each function returns (old path, new URL) pairs
for RedirectWriter.finish() to write."""

from pathlib import PurePosixPath

from django.conf import settings
from django.urls import reverse

from articles.hugo import frontmatter
from articles.hugo.files import Refused, content_files
from articles.hugo.mapping import _terms
from articles.hugo.permalinks import (
    alias_path,
    language_prefix,
    page_permalink,
    request_path,
    term_permalink,
    urlize,
)
from articles.hugo.site import lookup


def list_page_claims(writer, written, targets):
    """What the site's _index pages say about their list page: its `aliases` (a section's
    old name, `/posts/`), and the terms it carries (`tags: [summary]` on a section's
    _index), lead where the list page does; a term some article has leads to that term's
    page instead; a term's own _index page leads to the term's page, or the taxonomy's index
    when no page has the term. written: old path -> new URL of the list pages; targets:
    taxonomy -> its index page."""
    pairs = []
    home = reverse("articles:home")
    size = settings.NEWSROOM["PAGE_SIZE"]
    taken = set(written)
    for file in content_files(writer.site):
        if not file.is_branch_index or file.lang not in (None, writer.site.default_language):
            continue
        try:
            meta = frontmatter.split(frontmatter.decode(file.read())).meta
        except (Refused, frontmatter.FrontMatterError):
            continue  # reported where the run reads it
        folders = PurePosixPath(file.rel).parent.parts
        path = "/".join(urlize(part, lower=writer.site.lower_paths) for part in folders)
        old = (
            f"{writer.site.language_prefix}/{path}/" if path else f"{writer.site.language_prefix}/"
        )
        new = home if not path else written.get(old)
        if len(folders) == 2 and folders[0] in targets:
            # A term's own page (content/tags/<term>/_index.md), also of a term no page
            # has: the term's page, else the taxonomy's index; at its `url` too.
            plural = folders[0]
            old = term_permalink(site=writer.site, taxonomy=plural, term=folders[1])
            new = written.get(old) or targets[plural]
            url = lookup(meta, "url")
            moved = [url.strip()] if isinstance(url, str) and url.strip().startswith("/") else []
            for term_old in [old, *moved]:
                if term_old not in taken and writer.current(request_path(term_old)) is None:
                    taken.add(term_old)
                    pairs += writer.lists.paged(term_old, 1, new, size=size)
        if new is None:
            continue
        for alias in aliases_of(meta):
            pairs += [(path, new) for path in alias_paths(alias, permalink=old)]
        for plural in writer.site.taxonomies:
            for term in _terms(lookup(meta, plural)):
                term_old = term_permalink(site=writer.site, taxonomy=plural, term=term)
                if term_old in taken or writer.current(request_path(term_old)) is not None:
                    continue
                taken.add(term_old)
                pairs += writer.lists.paged(term_old, 1, new, size=size)
    return pairs


def unkept_language_pages(writer, unkept, *, targets, languages):
    """A page in a language the newsroom does not keep (zh-tw, fr; unkept: (file, front
    matter, its default-language page's URL)) leads to that page, else to the home page;
    the language's home page (of each of `languages`) to the home page; the terms only
    those pages have to the newsroom's term, else to the taxonomy's index (`targets`)."""
    home = reverse("articles:home")
    size = settings.NEWSROOM["PAGE_SIZE"]
    pairs = []
    for file, meta, url in unkept:
        prefix = language_prefix(writer.site, file.lang)
        pairs.append((f"{prefix}/", home))
        keys = {key: lookup(meta, key) for key in ("title", "slug", "url")}
        permalink = page_permalink(
            site=writer.site, file=file, meta=keys, published_at=None, language=file.lang
        )
        pairs.append((permalink, url or home))
        for alias in aliases_of(meta):
            pairs += [(old, url or home) for old in alias_paths(alias, permalink=permalink)]
            if alias.startswith("/") and not alias.startswith(f"{prefix}/"):
                # Hugo writes a language's aliases under its prefix: /zh-tw/<alias>.
                pairs += [
                    (old, url or home) for old in alias_paths(prefix + alias, permalink=permalink)
                ]
        for plural in writer.site.taxonomies:
            for term in _terms(lookup(meta, plural)):
                # A term only these pages have: the newsroom's term of that name, else the
                # taxonomy's index (finish() writes the terms its articles have first).
                default = term_permalink(site=writer.site, taxonomy=plural, term=term)
                old = prefix + default[len(writer.site.language_prefix) :]
                if writer.current(request_path(old)) is not None:
                    continue  # a term the articles have: written with the list pages
                known = writer.lists.terms.get(default)
                new = known[1] if known else targets.get(plural, home)
                pairs += writer.lists.paged(old, 1, new, size=size)
    pairs += [(f"{language_prefix(writer.site, language)}/", home) for language in languages]
    return pairs


def aliases_of(meta):
    """A page's `aliases`: a list, or one string."""
    aliases = lookup(meta, "aliases") or []
    return [str(a).strip() for a in (aliases if isinstance(aliases, list) else [aliases]) if a]


def alias_paths(alias, *, permalink):
    """The paths an alias answered at: as written, and with a slash when Hugo wrote it as a
    folder (<alias>/index.html)."""
    old = alias_path(alias, permalink=permalink)
    if not old:
        return []
    if not old.endswith("/") and "." not in old.rsplit("/", 1)[-1]:
        return [old, old + "/"]
    return [old]
