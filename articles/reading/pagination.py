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

The list of every article and a term's list (ListStatements) run these statements compiled
once per shape (articles/querysets/prepared.py): built and compiled by the ORM each time, they
were about a third of the CPU of a tag page asked for once in a generation (a crawler, a reader
of an old tag). Lists of another shape (a section's filters, a field's sort order) use the ORM.
"""

from datetime import datetime

from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property

from articles.models import Article, Placement
from articles.pagecache.state import cached_for_content
from articles.querysets import PINNED_SLOT, reading_language
from articles.querysets.prepared import Prepared
from articles.querysets.rows import ShownShape, shown_rows
from articles.reading.labels import AUTHORS, attach_labels

MAX_PAGES = 250
READING_ORDER = (F("weight").asc(nulls_last=True), F("published_at").desc(), F("pk").desc())


def _live_pinned_ids(*, at=None, language=None):
    live = Placement.objects.live(at=at, language=language)
    return live.filter(slot__key=PINNED_SLOT).values("article_id")


def in_reading_order(pinned, others, *, start, stop):
    """The ids of [start:stop] of the pinned ids followed by the others (others(first, last):
    that slice of them), and which of them are pinned."""
    ids = pinned[start:stop]
    rest_start, rest_stop = max(0, start - len(pinned)), stop - len(pinned)
    if rest_stop > rest_start:
        ids += others(rest_start, rest_stop)
    return ids, set(pinned) & set(ids)


def _pinned_ids(visible, **live):
    """The ids of the live pinned articles among `visible`, in reading order."""
    pinned = visible.filter(pk__in=_live_pinned_ids(**live)).order_by(*READING_ORDER)
    return pinned.values_list("pk", flat=True)


def _other_ids(visible, pinned):
    """The ids of the rest of `visible`, in reading order: OFFSET walks the index only (id,
    weight, published_at are all in it)."""
    others = visible.exclude(pk__in=pinned).order_by(*READING_ORDER)
    return others.values_list("pk", flat=True)


def _shown_of(visible, ids):
    return visible.order_by().filter(pk__in=ids).for_list_page()


def reading_order_ids(queryset, *, start, stop):
    """The ids of queryset[start:stop] in reading order, and which of them are pinned: two
    narrow queries (the live pinned ids, then an index-only slice of the rest)."""
    base = queryset.prefetch_related(None).order_by()
    pinned = list(_pinned_ids(base))

    def others(first, last):
        return list(_other_ids(base, pinned)[first:last])

    return in_reading_order(pinned, others, start=start, stop=stop)


def shown_page_rows(queryset, ids):
    """The rows of `ids` among queryset's, as a list page shows them (in no order)."""
    return shown_rows(_shown_of(queryset, ids))


def reading_order_slice(
    queryset,
    *,
    start,
    stop,
    list_key=None,
    labels=(AUTHORS,),
    order_ids=reading_order_ids,
    rows=shown_page_rows,
):
    """queryset[start:stop] in reading order, as a list, in a fixed number of queries: the
    page's ids from order_ids() (reading_order_ids(), or a list's own order), then the rows by
    id (rows(queryset, ids)), then their `labels` (articles.reading.labels). With a `list_key`
    (a tuple naming the list, e.g. ("tag", 7)), the page is kept per content generation and
    event window: never past a change or a scheduled event. What it holds that lists do not
    show (an edit of which moves no generation: the fields only an article's own page shows,
    apps.py) is not shown from it; callers only read it."""

    def compute():
        ids, pinned_ids = order_ids(queryset, start=start, stop=stop)
        by_id = {article.pk: article for article in rows(queryset, ids)}
        page = [by_id[pk] for pk in ids if pk in by_id]
        for article in page:
            article.is_pinned = article.pk in pinned_ids
        return attach_labels(page, labels)

    if list_key is None:
        return compute()
    # Kept by this process only: twenty rows cost more to pickle than to read again.
    parts = ("page", *list_key, start, stop, *labels)
    return cached_for_content(parts=parts, compute=compute, shared=False)


class ListStatements:
    """reading_order_ids()'s two statements and a page's rows, compiled once per shape, for
    the list of every visible article (`of` None) or of one term (`of`: the Article field a
    taxonomy's list narrows by, Taxonomy.article_field; the term's id the `term` value)."""

    def __init__(self, of=None):
        self.of = of
        kinds = {"now": datetime, "language": str, **({"term": int} if of else {})}
        self.pinned = Prepared(Article, self._pinned, **kinds)
        self.others = Prepared(
            Article, self._others, shape=("start", "stop"), pinned=[int], **kinds
        )
        self.rows = Prepared(Article, self._rows, ids=[int], now=datetime, language=str)
        self.ids = Prepared(Article, self._ids, **kinds)

    def _ids(self, **values):
        return self._visible(**values).order_by().values("pk")

    def _visible(self, now, language, term=None):
        articles = Article.objects.published(at=now, language=language)
        return articles.filter(**{self.of: term}) if self.of else articles

    def _pinned(self, now, language, **term):
        return _pinned_ids(self._visible(now, language, **term), at=now, language=language)

    def _others(self, start, stop, pinned, **values):
        return _other_ids(self._visible(**values), pinned)[start:stop]

    def _rows(self, ids, now, language):
        visible = Article.objects.published(at=now, language=language)
        return _shown_of(visible, ids).values_list(*self.shown.columns)

    @cached_property
    def shown(self):
        """The columns of a list page's rows, and how they are made (querysets/rows.py)."""
        return ShownShape(Article.objects.for_cards().for_list_page())

    def bound(self, **term):
        """This list's values now (the clock and the language of the page; the term's id)."""
        return BoundList(self, {"now": timezone.now(), "language": reading_language(), **term})


class BoundList:
    """A ListStatements with its values: order_ids() and rows() as reading_order_slice()
    takes them (its queryset argument unused: the statements are the list's own), count() as
    the paginator does."""

    def __init__(self, statements, values):
        self.statements, self.values = statements, values

    def count(self):
        sql, params = self.statements.ids.sql(**self.values)  # never empty: no list values
        with connections[router.db_for_read(Article)].cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) visible", params)  # noqa: S608 - ORM-made SQL
            return cursor.fetchone()[0]

    def order_ids(self, _queryset, *, start, stop):
        statements, values = self.statements, self.values
        pinned = [pk for (pk,) in statements.pinned.driver_rows(**values)]

        def others(first, last):
            rows = statements.others.driver_rows(start=first, stop=last, pinned=pinned, **values)
            return [pk for (pk,) in rows]

        return in_reading_order(pinned, others, start=start, stop=stop)

    def rows(self, _queryset, ids):
        now, language = self.values["now"], self.values["language"]
        rows = self.statements.rows.rows(ids=ids, now=now, language=language)
        return self.statements.shown.made(rows, router.db_for_read(Article))


class ReadingOrderPaginator(Paginator):
    """Paginates a published() queryset in reading order; see the module docstring.

    list_key: a tuple naming the list (which list kind, which object), under which its count and
    its pages' ids are kept per content generation; two lists with the same key must be the
    same rows. statements: the list's ListStatements.bound(), when it is of that shape.
    """

    def __init__(self, object_list, per_page, *, list_key, statements=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.list_key, self.statements = list_key, statements

    @cached_property
    def count(self):
        compute = self.statements.count if self.statements else self.object_list.count
        total = cached_for_content(parts=("count", *self.list_key), compute=compute)
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
            rows=self.statements.rows if self.statements else shown_page_rows,
        )
        return self._get_page(objects, number, self)

    def order_ids(self, queryset, *, start, stop):
        """The ids of queryset[start:stop] in this list's order, and which of them are pinned."""
        if self.statements:
            return self.statements.order_ids(queryset, start=start, stop=stop)
        return reading_order_ids(queryset, start=start, stop=stop)
