"""Old Hugo URLs -> new ones, as django.contrib.redirects rows (301s)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect

from articles.hugo.permalinks import alias_path, page_permalink, request_path, term_permalink

MAX_OLD_PATH = Redirect._meta.get_field("old_path").max_length


class RedirectWriter:
    def __init__(self, *, site):
        self.site = site
        self.site_id = settings.SITE_ID
        self._done = set()  # taxonomy pages already written this run
        self._new = []
        self._count = 0
        # old path -> new path of every redirect of the site, so an article costs no lookup;
        # what this file's transaction wrote waits in _pending until it commits.
        self._existing = dict(
            Redirect.objects.filter(site_id=self.site_id).values_list("old_path", "new_path")
        )
        self._pending = {}

    def for_article(self, article, *, file, fields, sections, topics, tags, warnings, authors):
        new_url = article.get_absolute_url()
        permalink = page_permalink(
            site=self.site,
            file=file,
            meta={"title": fields.title, "slug": fields.slug, "url": fields.url},
            published_at=fields.published_at,
        )
        pairs = [(permalink, new_url)]
        pairs += [(alias_path(a, permalink=permalink), new_url) for a in fields.aliases]
        terms = [("tags", name, tags) for name in fields.tags]
        if fields.section:
            terms.append(("categories", fields.section, sections))
        terms += [(plural, term, topics) for plural, term in fields.topics]
        if self.site.author_taxonomy:  # /authors/<name>/ was the author's page
            terms += [(self.site.author_taxonomy, name, authors) for name in fields.authors]
        for taxonomy, term, cache in terms:
            old = term_permalink(site=self.site, taxonomy=taxonomy, term=term)
            if old not in self._done:
                pairs.append((old, cache.get(term).get_absolute_url()))
                self._done.add(old)
                self._new.append(old)
        self._write(pairs, warnings)

    def _write(self, pairs, warnings):
        wanted = {}
        for old, new in pairs:
            if not old:
                continue
            old = request_path(old)
            if old == new:
                continue
            if len(old) > MAX_OLD_PATH:
                warnings.append(
                    f"old URL too long for a redirect ({len(old)} characters): {old[:80]}…"
                )
                continue
            wanted[old] = new
        current = {old: self._current(old) for old in wanted}
        changed = [old for old, new in wanted.items() if current[old] not in (None, new)]
        for old in changed:
            Redirect.objects.filter(site_id=self.site_id, old_path=old).update(new_path=wanted[old])
        added = [old for old in wanted if current[old] is None]
        if added:
            Redirect.objects.bulk_create(
                Redirect(site_id=self.site_id, old_path=old, new_path=wanted[old]) for old in added
            )
        self._pending.update((old, wanted[old]) for old in [*changed, *added])
        self._count += len(changed) + len(added)

    def _current(self, old):
        return self._pending.get(old, self._existing.get(old))

    def take_count(self):
        count, self._count = self._count, 0
        return count

    def commit(self):
        self._new = []
        self._existing.update(self._pending)
        self._pending = {}

    def rollback(self):
        self._done.difference_update(self._new)
        self._new = []
        self._count = 0
        self._pending = {}
