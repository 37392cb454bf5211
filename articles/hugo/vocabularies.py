"""The site's own taxonomies as Vocabulary rows: one per declared taxonomy whose terms are
topics (news, games, navigation ...), plus `categories` for a page's second and further
categories. Named by `content/<taxonomy>/_index.md` (other languages: translations)."""

from articles.hugo.permalinks import urlize
from articles.hugo.titles import merged_translations
from articles.models import Vocabulary

# A page's second and further categories are topics of this vocabulary.
CATEGORIES = "categories"


class Vocabularies:
    """Created the first time a page uses one, inside that file's transaction (a dry run or a
    failed file leaves none behind); existing rows are reused, never renamed."""

    def __init__(self, *, site, info):
        self.site = site
        self.info = info
        self.rows = {row.key: row for row in Vocabulary.objects.all()}
        self._new = []

    def order(self):
        """Keys in the config's order, then `categories`."""
        declared = [p for p in self.site.topic_taxonomies if p != CATEGORIES]
        return [*declared, CATEGORIES]

    def get(self, taxonomy):
        key = vocabulary_key(taxonomy)
        row = self.rows.get(key)
        if row is None:
            info = self.info.get(("vocabulary", urlize(taxonomy).casefold()), {})
            order = self.order()
            row = Vocabulary.objects.create(
                key=key,
                name=(info.get("title") or taxonomy)[:100],
                translations=merged_translations({}, info.get("translations")),
                position=order.index(taxonomy) if taxonomy in order else len(order),
            )
            self.rows[key] = row
            self._new.append(key)
        return row

    def commit(self):
        self._new = []

    def rollback(self):
        for key in self._new:
            self.rows.pop(key, None)
        self._new = []


def vocabulary_key(taxonomy):
    """The Vocabulary.key of a taxonomy: its plural, urlized, at most 50 characters."""
    return urlize(taxonomy)[:50] or "topics"
