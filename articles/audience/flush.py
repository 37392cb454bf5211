"""Writing the buffered views (counting.py) to the database: the minutes that are over, added
to the per-hour rows in one batched statement.

Triggered by a beacon request at most once a minute per process (flush_if_due()), or by
`manage.py flush_views` (cron, or before restarting a laptop's server). A lock in the cache lets
one process flush at a time, and the last minute written is kept there too, so two processes
never write a minute twice. A failed write leaves the buffer as it was, for the next flush; a
process killed between the write and the bookkeeping after it would write its minutes again.
"""

import logging
import threading
import time
from collections import Counter
from contextlib import nullcontext
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import DatabaseError, connections, router, transaction

from articles.audience.counting import (
    BUFFER_MINUTES,
    KEY_PREFIX,
    counter_key,
    minute_of,
    size_key,
    slot_key,
)
from articles.audience.figures import totals_changed
from articles.models import Article, ViewCount

logger = logging.getLogger(__name__)

# A minute is over this long after its end: a view recorded in its last instant has landed.
GRACE_SECONDS = 5
LOCK_KEY = f"{KEY_PREFIX}:flushing"
LOCK_SECONDS = 60
FLUSHED_KEY = f"{KEY_PREFIX}:flushed-through"
ROWS_PER_STATEMENT = 5000  # 15,000 parameters: under SQLite's 32,766 and PostgreSQL's 65,535


def last_finished_minute(now):
    return minute_of(now - GRACE_SECONDS) - 1


def hour_of(minute):
    return datetime.fromtimestamp(minute // 60 * 3600, tz=UTC)


def flush_views(*, now=None):
    """Write every finished minute's views to ViewCount; the number of views written (0 when
    another process is flushing or nothing waited)."""
    last = last_finished_minute(time.time() if now is None else now)
    if not cache.add(LOCK_KEY, 1, timeout=LOCK_SECONDS):
        return 0
    try:
        oldest = last - BUFFER_MINUTES + 1  # older buckets have expired
        flushed = cache.get(FLUSHED_KEY)
        minutes = range(oldest if flushed is None else max(flushed + 1, oldest), last + 1)
        if not minutes:
            return 0
        sizes = cache.get_many([size_key(minute) for minute in minutes])
        slots = {
            slot_key(minute, slot): minute
            for minute in minutes
            for slot in range(1, (sizes.get(size_key(minute)) or 0) + 1)
        }
        ids = cache.get_many(list(slots))
        counters = {
            counter_key(slots[key], article_id): (slots[key], article_id)
            for key, article_id in ids.items()
        }
        views = Counter()
        for key, count in cache.get_many(list(counters)).items():
            minute, article_id = counters[key]
            views[(article_id, hour_of(minute))] += count
        written = write_view_counts(views)
        cache.set(FLUSHED_KEY, last, timeout=None)
        if written:
            totals_changed({article_id for article_id, _hour in views})
        cache.delete_many([*sizes, *ids, *counters])
        return written
    finally:
        cache.delete(LOCK_KEY)


def write_view_counts(views):
    """Add {(article id, hour): views} to ViewCount in one statement (per ROWS_PER_STATEMENT
    rows); ids of articles that do not exist (deleted, or made up by a client) are left out.
    The number of views written."""
    if not views:
        return 0
    database = router.db_for_write(ViewCount)
    existing = set(
        Article._base_manager.using(database)
        .filter(pk__in={article_id for article_id, _hour in views})
        .values_list("pk", flat=True)
    )
    connection = connections[database]
    rows = [
        (article_id, connection.ops.adapt_datetimefield_value(hour), count)
        for (article_id, hour), count in sorted(views.items())
        if article_id in existing
    ]
    chunks = [
        rows[start : start + ROWS_PER_STATEMENT]
        for start in range(0, len(rows), ROWS_PER_STATEMENT)
    ]
    # One statement is atomic by itself; several must all be written or none (or a retry would
    # write the first ones twice).
    with transaction.atomic(using=database, durable=False) if len(chunks) > 1 else nullcontext():
        with connection.cursor() as cursor:
            for chunk in chunks:
                cursor.execute(
                    _upsert_sql(connection, len(chunk)), [v for row in chunk for v in row]
                )
    return sum(count for _article, _hour, count in rows)


def _upsert_sql(connection, rows):
    # Django's bulk_create(update_conflicts=True) sets the new value; a count must add to the
    # stored one, whichever process wrote it. ON CONFLICT: PostgreSQL and SQLite alike.
    quote = connection.ops.quote_name
    meta = ViewCount._meta
    table = quote(meta.db_table)
    article, hour, count = (
        quote(meta.get_field(name).column) for name in ("article", "hour", "views")
    )
    values = ", ".join(["(%s, %s, %s)"] * rows)
    return (
        f"INSERT INTO {table} ({article}, {hour}, {count}) VALUES {values} "
        f"ON CONFLICT ({article}, {hour}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )


class _FlushClock:
    """This process's last flush: at most one per finished minute."""

    def __init__(self):
        self.minute = None
        self.lock = threading.Lock()

    def due(self, now):
        minute = last_finished_minute(now)
        with self.lock:
            if minute == self.minute:
                return False
            self.minute = minute
            return True

    def reset(self):
        self.minute = None


flush_clock = _FlushClock()


def flush_if_due(*, now=None):
    """flush_views() when this process has not flushed since the last minute ended; a database
    that fails is logged and the views wait for the next flush."""
    now = time.time() if now is None else now
    if not flush_clock.due(now):
        return 0
    try:
        return flush_views(now=now)
    except DatabaseError as error:
        logger.warning("view counts not written, kept for the next flush: %s", error)
        return 0
