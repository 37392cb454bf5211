"""Reading-order lists that stay fast at 100,000 articles.

The reading order is pinned first, then by weight (none last, as Hugo does), then newest first.
Sorting on "is pinned" needs an Exists() over placements that no index can serve, so PostgreSQL
would read and sort every visible article for each page. Here the few live pinned articles are
fetched on their own, and the rest come in index order (weight ascending, no weight last, newest
first: the partial index `article_reading_idx`). tests/reading_order.py writes the order the
plain way, and tests hold these queries to it.

Deep pages: the total is counted once per content generation (articles.pagecache), and lists stop
at MAX_PAGES pages, so OFFSET never walks more than MAX_PAGES * page size index entries; older
articles are reached through the archive and search. A page's rows, with their labels, are kept
per generation too, under the list's own key (which list, whose, which rows), so a list page
read again before the next change runs no query.
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.utils.functional import cached_property

from articles.models import Placement
from articles.pagecache.state import cached_for_content
from articles.querysets import PINNED_SLOT
from articles.querysets.rows import shown_rows
from articles.reading.labels import AUTHORS, attach_labels

MAX_PAGES = 250
READING_ORDER = (F("weight").asc(nulls_last=True), F("published_at").desc(), F("pk").desc())


def _live_pinned_ids():
    return Placement.objects.live().filter(slot__key=PINNED_SLOT).values("article_id")


def reading_order_ids(queryset, *, start, stop):
    """The ids of queryset[start:stop] in reading order, and which of them are pinned: two
    narrow queries (the live pinned ids, then an index-only slice of the rest)."""
    base = queryset.prefetch_related(None).order_by()
    pinned = list(
        base.filter(pk__in=_live_pinned_ids()).order_by(*READING_ORDER).values_list("pk", flat=True)
    )
    ids = pinned[start:stop]
    rest_start, rest_stop = max(0, start - len(pinned)), stop - len(pinned)
    if rest_stop > rest_start:
        # OFFSET walks the index only (id, weight, published_at are all in it).
        rest = base.exclude(pk__in=pinned).order_by(*READING_ORDER).values_list("pk", flat=True)
        ids += list(rest[rest_start:rest_stop])
    return ids, set(pinned) & set(ids)


def reading_order_slice(
    queryset, *, start, stop, list_key=None, labels=(AUTHORS,), order_ids=reading_order_ids
):
    """queryset[start:stop] in reading order, as a list, in a fixed number of queries: the
    page's ids from order_ids() (reading_order_ids(), or a list's own order), then the rows by
    id, then their `labels` (articles.reading.labels). With a `list_key` (a tuple naming the
    list, e.g. ("tag", 7)), the page is kept per content generation and event window: never past
    a change or a scheduled event. What it holds that lists do not show (an edit of which moves
    no generation: the fields only an article's own page shows, apps.py) is not shown from it;
    callers only read it."""
    compute = lambda: _page(queryset, *order_ids(queryset, start=start, stop=stop), labels)  # noqa: E731
    if list_key is None:
        return compute()
    return cached_for_content(parts=("page", *list_key, start, stop, *labels), compute=compute)


def _page(queryset, ids, pinned_ids, labels):
    rows = shown_rows(queryset.order_by().filter(pk__in=ids).for_list_page())
    by_id = {article.pk: article for article in rows}
    page = [by_id[pk] for pk in ids if pk in by_id]
    for article in page:
        article.is_pinned = article.pk in pinned_ids
    return attach_labels(page, labels)


class ReadingOrderPaginator(Paginator):
    """Paginates a published() queryset in reading order; see the module docstring.

    list_key: a tuple naming the list (which list kind, which object), under which its count and
    its pages' ids are kept per content generation; two lists with the same key must be the
    same rows.
    """

    def __init__(self, object_list, per_page, *, list_key, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.list_key = list_key

    @cached_property
    def count(self):
        total = cached_for_content(parts=("count", *self.list_key), compute=self.object_list.count)
        return min(total, MAX_PAGES * self.per_page)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = max(top, self.count)
        objects = reading_order_slice(
            self.object_list,
            start=bottom,
            stop=top,
            list_key=self.list_key,
            order_ids=self.order_ids,
        )
        return self._get_page(objects, number, self)

    def order_ids(self, queryset, *, start, stop):
        """The ids of queryset[start:stop] in this list's order, and which of them are pinned."""
        return reading_order_ids(queryset, start=start, stop=stop)
