"""Old Hugo URLs -> new ones, as django.contrib.redirects rows (301s)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect

from .permalinks import alias_path, page_permalink, request_path, term_permalink

MAX_OLD_PATH = Redirect._meta.get_field("old_path").max_length


class RedirectWriter:
    def __init__(self, *, site):
        self.site = site
        self.site_id = settings.SITE_ID
        self._done = set()  # taxonomy pages already written this run
        self._new = []
        self._count = 0

    def for_article(self, article, *, file, fields, sections, topics, tags, warnings):
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
        if not wanted:
            return
        existing = {
            r.old_path: r
            for r in Redirect.objects.filter(site_id=self.site_id, old_path__in=wanted)
        }
        changed = [r for old, r in existing.items() if r.new_path != wanted[old]]
        for redirect in changed:
            redirect.new_path = wanted[redirect.old_path]
        if changed:
            Redirect.objects.bulk_update(changed, ["new_path"])
        Redirect.objects.bulk_create(
            Redirect(site_id=self.site_id, old_path=old, new_path=new)
            for old, new in wanted.items()
            if old not in existing
        )
        self._count += len(changed) + len(wanted.keys() - existing.keys())

    def take_count(self):
        count, self._count = self._count, 0
        return count

    def commit(self):
        self._new = []

    def rollback(self):
        self._done.difference_update(self._new)
        self._new = []
        self._count = 0
