"""The Hugo site's list pages and their page/N/ pages, as old paths -> new URLs: home, each
section folder, each taxonomy's list of terms and each term's list of pages.

Gathered from the pages a run imports (RedirectWriter.for_article), written at its end
(RedirectWriter.finish). Hugo's page N of a list lands on the new page holding Hugo's first
item of page N: same position, the new lists' page sizes."""

import math
from collections import Counter
from pathlib import PurePosixPath

from django.conf import settings
from django.urls import reverse

from articles.hugo import frontmatter
from articles.hugo.files import Refused, read_limited
from articles.hugo.limits import MAX_FILE_BYTES
from articles.hugo.permalinks import urlize
from articles.hugo.site import lookup

# The term index pages (articles/reading/indexes.py) list this many terms a page.
INDEX_PAGE_SIZE_DEFAULT = 100


def index_page_size():
    return settings.NEWSROOM.get("INDEX_PAGE_SIZE", INDEX_PAGE_SIZE_DEFAULT)


class ListPages:
    def __init__(self, *, site):
        self.site = site
        self.home = 0
        self.folders = {}  # folder under content/ -> [pages under it, Counter(section URL)]
        self.terms = {}  # old term path -> [taxonomy, new URL, pages]
        self.visible = {}  # new list URL -> ids of the published articles it lists
        self.index_terms = {}  # new index page URL -> terms it lists
        self._sections = {}  # folder -> is a Hugo section
        self._pending = []  # this file's additions, applied when its transaction commits

    def add_page(self, **kwargs):
        self._pending.append((self._add_page, kwargs))

    def add_term(self, **kwargs):
        self._pending.append((self._add_term, kwargs))

    def commit(self):
        for add, kwargs in self._pending:
            add(**kwargs)
        self._pending = []

    def rollback(self):
        self._pending = []

    def _add_page(self, *, file, section_url, article_id=None):
        self.home += 1
        parts = PurePosixPath(file.rel).parent.parts
        if file.is_bundle:
            parts = parts[:-1]
        for n in range(1, len(parts) + 1):
            folder = "/".join(parts[:n])
            if n > 1 and not self._is_section(folder):
                break
            entry = self.folders.setdefault(folder, [0, Counter()])
            entry[0] += 1
            entry[1][section_url] += 1
        if article_id is not None:  # a published article
            self.visible.setdefault(reverse("articles:article-list"), set()).add(article_id)
            if section_url:
                self.visible.setdefault(section_url, set()).add(article_id)

    def _add_term(self, *, taxonomy, old, new, article_id=None):
        entry = self.terms.setdefault(old, [taxonomy, new, 0])
        entry[2] += 1
        if article_id is not None:  # a published article
            self.visible.setdefault(new, set()).add(article_id)

    def _is_section(self, folder):
        """A nested folder is a Hugo section only with its own _index file."""
        if folder not in self._sections:
            path = self.site.content_dir / folder
            self._sections[folder] = any(path.glob("_index.*"))
        return self._sections[folder]

    def pairs(self, *, taxonomy_targets, taxonomies=()):
        """(old path, new URL) of every list page and its pages. taxonomy_targets: plural ->
        the new page listing that taxonomy's terms; taxonomies: every taxonomy's plural (their
        content folders hold term pages, not sections)."""
        prefix = self.site.language_prefix
        size = settings.NEWSROOM["PAGE_SIZE"]
        found = []
        articles = reverse("articles:article-list")
        found += self._paged(f"{prefix}/", self.home, articles, size=size, first=False)
        if not prefix and len(self.site.languages) > 1:  # Hugo's /zh-cn/ -> / (no subdir)
            found.append((f"/{self.site.default_language}/", reverse("articles:home")))
        for old, (_, new, pages) in self.terms.items():
            found += self._paged(old, pages, new, size=size, first=False)
        for folder, (pages, sections) in self.folders.items():
            # The section most of its pages are in; pages without one: the list of all.
            new = next((url for url, _ in sections.most_common() if url), articles)
            path = "/".join(urlize(part, lower=self.site.lower_paths) for part in folder.split("/"))
            found += self._paged(f"{prefix}/{path}/", pages, new, size=size)
        for folder in self._empty_sections(taxonomies):
            # A section with only its _index page: Hugo served an empty list there.
            path = "/".join(urlize(part, lower=self.site.lower_paths) for part in folder.split("/"))
            found += self._paged(f"{prefix}/{path}/", 0, articles, size=size)
        # Taxonomies last: where a section folder and a taxonomy share a path (`news/` on
        # yi-work-metanav), Hugo serves the taxonomy's list of terms there.
        terms_of = Counter(taxonomy for taxonomy, _, _ in self.terms.values())
        for taxonomy, target in taxonomy_targets.items():
            self.index_terms[target] = terms_of[taxonomy]
            old = f"{prefix}/{urlize(taxonomy, lower=self.site.lower_paths)}/"
            found += self._paged(old, terms_of[taxonomy], target, size=index_page_size())
        return found

    def _empty_sections(self, taxonomies):
        """Content folders with a rendered _index page (of any language: Hugo serves every
        branch bundle) but no page the run saw, outside the taxonomies' folders."""
        skip = {str(plural).casefold() for plural in taxonomies} | {"categories"}
        found = set()
        for index in self.site.content_dir.rglob("_index.*"):
            parts = index.parent.relative_to(self.site.content_dir).parts
            if not parts or parts[0].casefold() in skip or "/".join(parts) in self.folders:
                continue
            if _rendered(index, root=self.site.content_dir):
                found.add("/".join(parts))
                if parts[0] not in self.folders:  # a top-level folder is always a section
                    found.add(parts[0])
        return sorted(found)

    def paged(self, old, items, new, *, size):
        """old, old + page/1/ ... page/N/ -> new, for N up to `items` in Hugo's pages."""
        return self._paged(old, items, new, size=size)

    def _paged(self, old, items, new, *, size, first=True):
        """old (if `first`), old + page/1/ ... page/N/ -> new with the page holding the same
        first item. Lists whose own URL is written elsewhere pass first=False."""
        pager = self.site.pager_size
        segment = self.site.pagination_path
        listed = self.index_terms.get(new, len(self.visible.get(new, ())))
        new_pages = max(1, math.ceil(listed / size))
        found = [(old, new)] if first else []
        for n in range(1, max(1, math.ceil(items / pager)) + 1):
            target = min(new_pages, ((n - 1) * pager) // size + 1)
            found.append((f"{old}{segment}/{n}/", new if target == 1 else f"{new}?page={target}"))
        return found


def _rendered(index, *, root):
    """False for an _index page Hugo does not render: a draft, or `_build: render: never`."""
    try:
        raw = read_limited(index, root=root, max_bytes=MAX_FILE_BYTES)
        meta = frontmatter.split(frontmatter.decode(raw)).meta
    except (Refused, frontmatter.FrontMatterError):
        return True  # the page is reported where it is read; Hugo served the folder
    if lookup(meta, "draft") is True:
        return False
    build = lookup(meta, "_build") or lookup(meta, "build")
    render = lookup(build, "render") if isinstance(build, dict) else None
    return not (render is False or str(render).strip().lower() in {"never", "false"})
