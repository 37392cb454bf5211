"""Reading-order lists that stay fast at 100,000 articles.

`in_reading_order()` sorts on "is pinned" first, an Exists() over placements that no index can
serve, so PostgreSQL would read and sort every visible article for each page. Here the few live
pinned articles are fetched on their own, and the rest come in index order
(weight ascending, no weight last, newest first: the partial index `article_reading_idx`).
The order is the same as `in_reading_order()`; tests/test_ordering.py holds both to it.

Deep pages: the total is counted once per content generation (articles.pagecache.state), and lists stop
at MAX_PAGES pages, so OFFSET never walks more than MAX_PAGES * page size index entries; older
articles are reached through the archive and search. A page's ids are kept per generation too,
so a list page read again before the next change costs one query by primary key (plus labels).
"""

import re
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import F
from django.utils.functional import cached_property

from articles.pagecache.state import cached_for_content
from articles.querysets import PINNED_SLOT

MAX_PAGES = 250
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
READING_ORDER = (F("weight").asc(nulls_last=True), F("published_at").desc(), F("pk").desc())


def _live_pinned_ids():
    from articles.models import Placement

    return Placement.objects.live().filter(slot__key=PINNED_SLOT).values("article_id")


def reading_order_ids(queryset, *, start, stop):
    """The ids of queryset[start:stop] in reading order, and which of them are pinned: two
    narrow queries (the live pinned ids, then an index-only slice of the rest)."""
    base = queryset.prefetch_related(None).without_labels().order_by()
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


def reading_order_slice(queryset, *, start, stop, cached=False):
    """queryset[start:stop] in reading order, as a list, in a fixed number of queries: the
    page's ids from reading_order_ids() (kept per content generation when `cached`; see
    articles.pagecache.state: never past a change or a scheduled event), then the rows by id with the
    queryset's prefetches and labels."""
    compute = lambda: reading_order_ids(queryset, start=start, stop=stop)  # noqa: E731
    if cached:
        ids, pinned_ids = cached_for_content(
            parts=("page-ids", *_count_key(queryset), start, stop), compute=compute
        )
    else:
        ids, pinned_ids = compute()
    by_id = {article.pk: article for article in queryset.order_by().filter(pk__in=ids)}
    page = [by_id[pk] for pk in ids if pk in by_id]
    for article in page:
        article.is_pinned = article.pk in pinned_ids
    return page


def _count_key(queryset):
    """The count's SQL with the clock left out (published() compares with now())."""
    sql, params = queryset.query.sql_with_params()
    return sql, repr([p for p in params if not _is_moment(p)])


def _is_moment(param):
    # PostgreSQL gets datetime objects; SQLite gets them already adapted to strings.
    return isinstance(param, datetime) or (isinstance(param, str) and _MOMENT.match(param))


class ReadingOrderPaginator(Paginator):
    """Paginates a published() queryset in reading order; see the module docstring."""

    @cached_property
    def count(self):
        total = cached_for_content(
            parts=("count", *_count_key(self.object_list)), compute=self.object_list.count
        )
        return min(total, MAX_PAGES * self.per_page)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = max(top, self.count)
        objects = reading_order_slice(self.object_list, start=bottom, stop=top, cached=True)
        return self._get_page(objects, number, self)
