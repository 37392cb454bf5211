"""Links between the Hugo site's pages, pointed at the new article URLs once every page is in.

Bodies are rendered in worker processes before any article exists, so this is a pass after the
import: every imported article's stored (sanitised) body is scanned for hrefs that named a page
of the old site, and each is resolved the way Hugo and browsers did:

- `../other-post/`, `other-post/`: relative to the page's old permalink;
- `/news/foo/` (or the site's own baseURL, `https://old.example/news/foo/`): that old path;
- `other.md`, `/news/foo.md` (what `{{< ref >}}` / `{{< relref >}}` became): a content file,
  relative to the page's folder, else to content/ (a bundle's folder names its index.md);

then mapped to the new URL through the redirects the import wrote (old path -> new URL) or the
articles' source paths. The fragment is kept. A link to a page that is not in the import is left
as it is and reported. A body already rewritten has only new URLs, so a re-import changes
nothing; an article an editor changed since the import is left alone, as the import leaves it.
"""

import posixpath
import re
from html import escape, unescape
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect

from articles.hugo import frontmatter
from articles.hugo.digest import state_digest
from articles.hugo.files import Refused, content_files
from articles.hugo.mapping import map_front_matter
from articles.hugo.permalinks import page_permalink, request_path
from articles.hugo.rows import article_url_for
from articles.models import Article
from articles.pagecache.generation import content_changed

# In the sanitiser's output every attribute value is double-quoted with no raw quote inside,
# so a tag is "<a", then unquoted text or quoted values, then ">": exact, and linear.
_A_TAG = re.compile(r'<a\b(?:[^>"]|"[^"]*")*>')
_ATTRIBUTE = re.compile(r'\s([^\s="/>]+)(?:="([^"]*)")?')
_LANGUAGE = re.compile(r"\.[a-z]{2}(?:-[a-z]+)?(?=\.(?:md|markdown|html?)$)", re.IGNORECASE)
_CONTENT_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def rewrite_links(run):
    """The pass over the articles run (importer._Run) imported or found unchanged."""
    report = run.report
    if run.dry_run:
        return
    rels = {*report.created, *report.updated, *report.unchanged}
    if not rels:
        return
    resolver = _Resolver(run)
    changed = 0
    for article in _articles(rels):
        if "<a" not in article.body:
            continue
        body, unresolved = rewrite_hrefs(
            article.body, lambda href, a=article: resolver.resolve(href, a)
        )
        for href in unresolved:
            report.warn(
                article.source_path,
                f"link {href!r} points at a page that is not in the import; left as it is",
            )
        if body == article.body:
            continue
        stored = article.source_digest
        if state_digest(article) != stored[32:]:
            report.warn(
                article.source_path,
                "links to other pages not rewritten: the article was changed in the admin",
            )
            continue
        article.body = body
        Article.objects.filter(pk=article.pk).update(
            body=body, source_digest=stored[:32] + state_digest(article)
        )
        changed += 1
    if changed:
        content_changed()


def _articles(rels, batch=200):
    """The articles of source paths rels that may have a link, a batch at a time (rows are
    updated as they go, so not one open cursor; and no IN list of a whole run: it can be
    10,000 pages)."""
    imported = Article.objects.exclude(source_path="").order_by("pk")
    pks = [pk for pk, rel in imported.values_list("pk", "source_path") if rel in rels]
    for start in range(0, len(pks), batch):
        rows = Article.objects.filter(pk__in=pks[start : start + batch], body__contains="<a")
        yield from rows.order_by("pk")  # (the caller looks again: LIKE ignores case)


def rewrite_hrefs(html, resolve):
    """-> (html with each <a href> resolve(href) gave a new URL for, [hrefs it could not]).
    resolve(href) -> a new URL, "" (leave it: not a link to a page), or None (not found)."""
    unresolved, out, pos = [], [], 0
    for tag in _A_TAG.finditer(html):
        for attribute in _ATTRIBUTE.finditer(tag.group(0), 2):
            if attribute.group(1).lower() != "href" or attribute.group(2) is None:
                continue
            href = unescape(attribute.group(2))
            new = resolve(href)
            if new is None:
                unresolved.append(href)
            elif new and new != href:
                start = tag.start() + attribute.start(2)
                out += [html[pos:start], escape(new)]
                pos = tag.start() + attribute.end(2)
            break
    out.append(html[pos:])
    return "".join(out), list(dict.fromkeys(unresolved))


class _Resolver:
    def __init__(self, run):
        self.run = run
        self.site = run.site
        site_id = settings.SITE_ID
        self.redirects = dict(
            Redirect.objects.filter(site_id=site_id).values_list("old_path", "new_path")
        )
        self.by_source = {}
        self.urls = set()
        for slug, source in Article.objects.values_list("slug", "source_path"):
            url = article_url_for(slug, settings.LANGUAGE_CODE)  # Article(slug=slug)'s
            self.urls.add(url)
            if source:
                self.by_source[source] = url
                self.by_source.setdefault(_LANGUAGE.sub("", source), url)
        base = urlsplit(str(self.site.setting("baseURL") or ""))
        self.own_host = base.hostname if base.scheme in ("http", "https") else None
        self.permalinks = {}
        self._files = None

    def resolve(self, href, article):
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            if parts.scheme not in ("http", "https", "") or parts.hostname != self.own_host:
                return ""  # another site
        if not parts.path:
            return ""  # "#anchor", "?q"
        path = unquote(parts.path)
        if path.startswith((settings.MEDIA_URL, settings.STATIC_URL)):
            return ""
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if PurePosixPath(path).suffix.lower() in _CONTENT_SUFFIXES:
            url = self._content_file(path, article)
            if url:
                return url + fragment
        if not path.startswith("/"):
            permalink = self._permalink(article)
            if permalink is None:
                return None
            path = urljoin(permalink, path)
        url = self._old_path(path)
        return url + fragment if url else None

    def _old_path(self, path):
        path = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
        candidates = [path]
        if not path.endswith("/") and not PurePosixPath(path).suffix:
            candidates.append(path + "/")
        if self.site.lower_paths:
            candidates += [c.lower() for c in candidates]
        for candidate in candidates:
            if request_path(candidate) in self.urls:  # a new URL already (rewritten before)
                return request_path(candidate)
            new = self.redirects.get(request_path(candidate))
            if new:
                return new
        return None

    def _content_file(self, path, article):
        """A link to a content file (`x.md`, a ref's `news/x`) -> its article's URL, or None."""
        here = posixpath.dirname(article.source_path)
        bases = [posixpath.normpath(posixpath.join(here, path))] if not path.startswith("/") else []
        bases.append(posixpath.normpath(path.lstrip("/")))
        for base in bases:
            stem = base
            for suffix in _CONTENT_SUFFIXES:
                if stem.lower().endswith(suffix):
                    stem = stem[: -len(suffix)]
            for candidate in (base, f"{stem}.md", f"{stem}/index.md", f"{stem}/index.html"):
                if candidate in self.by_source:
                    return self.by_source[candidate]
        return None

    def _permalink(self, article):
        """The page's URL on the old site, from its front matter (what the redirect was from)."""
        rel = article.source_path
        if rel not in self.permalinks:
            self.permalinks[rel] = None
            if self._files is None:
                self._files = {file.rel: file for file in content_files(self.site)}
            file = self._files.get(rel)
            try:
                raw = file.read(max_bytes=self.run.max_file_bytes)
                page = frontmatter.split(frontmatter.decode(raw))
                fields = map_front_matter(
                    page.meta, taxonomies=self.site.taxonomies, tz=self.run.tz
                )
            except (AttributeError, Refused, ValueError):  # gone, or no longer readable
                return None
            self.permalinks[rel] = page_permalink(
                site=self.site,
                file=file,
                meta={"title": fields.title, "slug": fields.slug, "url": fields.url},
                published_at=fields.published_at,
            )
        return self.permalinks[rel]
