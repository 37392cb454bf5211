"""阅读量 and 热榜: what a beacon, a flush and the most-read lists cost.

    DATABASE_URL=postgres://.../newsroom_views python bench/views_bench.py
        [--articles 2000] [--beacons 2000] [--redis]

Seeds the database it is given (migrated, ideally empty: it adds --articles published articles
when it has fewer, and replaces every ViewCount row with one per article and hour of the last 7
days); DATABASE_URL must be set, so the development database is never used. It empties the
cache between measurements, so it never uses a Redis it is given (REDIS_URL stops it): with
--redis it starts its own redis-server on 127.0.0.1:VIEWS_BENCH_REDIS_PORT (6397), stopped on
exit, and local memory otherwise. Then it prints:

- a beacon through Django's whole middleware stack (test client, POST): median and 90th
  percentile wall time, CPU per request, and SQL statements (0: only the cache is used),
  with the cache configured (Redis with --redis, local memory otherwise);
- a flush of those beacons' views: wall time and statements;
- the most-read lists of the site and every section (one statement) and an article's total.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import owned  # bench/ is on the path: this runs as a script
import processes


def options():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--beacons", type=int, default=2000)
    parser.add_argument("--redis", action="store_true", help="its own redis-server")
    return parser.parse_args()


OPTIONS = options()
if not os.environ.get("DATABASE_URL"):
    raise SystemExit("set DATABASE_URL to the database to seed (not the development database)")
if os.environ.get("REDIS_URL"):
    raise SystemExit(
        "REDIS_URL is set: this benchmark empties the cache it uses, so it starts its own "
        "redis-server instead (--redis, on VIEWS_BENCH_REDIS_PORT). Unset REDIS_URL."
    )
if OPTIONS.redis:
    REDIS_PORT = int(os.environ.get("VIEWS_BENCH_REDIS_PORT", "6397"))
    WORK, children, _stop = processes.scratch("newsroom-views-bench-")
    owned.start_redis(REDIS_PORT, WORK, children, "VIEWS_BENCH_REDIS_PORT")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["DEBUG"] = "0"
os.environ["PAGE_CACHE"] = "0"
os.environ.setdefault("SECRET_KEY", "views-bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ["SECURE_SSL_REDIRECT"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.audience import figures, flush  # noqa: E402
from articles.models import Article, Section, ViewCount  # noqa: E402
from articles.pagecache.state import ContentState  # noqa: E402

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def seed(count):
    sections = list(Section.objects.all()[:5]) or [
        Section.objects.create(name=f"栏目{n}", slug=f"bench-section-{n}") for n in range(5)
    ]
    have = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    now = timezone.now()
    Article.objects.bulk_create(
        [
            Article(
                title=f"阅读量基准文章{n}",
                slug=f"views-bench-{have + n}",
                body="<p>正文</p>",
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(days=10),
                section=sections[n % len(sections)],
            )
            for n in range(max(0, count - have))
        ],
        batch_size=1000,
    )
    ids = list(Article.objects.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True))
    ViewCount.objects.all().delete()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    rows = (
        ViewCount(article_id=pk, hour=this_hour - timedelta(hours=h), views=random.randint(1, 50))
        for pk in ids[:count]
        for h in range(figures.WEEK_HOURS)
    )
    started = time.perf_counter()
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 5000:
            ViewCount.objects.bulk_create(batch)
            batch = []
    ViewCount.objects.bulk_create(batch)
    print(
        f"seeded: {len(ids[:count])} articles x {figures.WEEK_HOURS} hours = "
        f"{ViewCount.objects.count()} ViewCount rows ({time.perf_counter() - started:.1f} s)"
    )
    return ids[:count]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def bench_beacons(ids, count):
    client = Client()
    urls = [reverse("articles:read-beacon", args=[random.choice(ids)]) for _ in range(count)]
    flush.flush_clock.due(time.time())  # this minute's flush attempt is spent: beacons only
    walls, statements = [], 0
    cpu = time.process_time()
    for n, url in enumerate(urls):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            answer = client.post(
                url, headers={"user-agent": CHROME, "x-forwarded-for": f"10.0.{n // 250}.{n % 250}"}
            )
        assert answer.status_code == 204, answer.status_code
        walls.append(time.perf_counter() - started)
        statements += len(queries)
    cpu = (time.process_time() - cpu) / count
    print(
        f"beacon ({settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}): "
        f"p50 {statistics.median(walls) * 1e6:.0f} µs, p90 {percentile(walls, 0.9) * 1e6:.0f} µs, "
        f"CPU {cpu * 1e6:.0f} µs/request, SQL statements in {count} beacons: {statements}"
    )


def bench_flush():
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        written = flush.flush_views(now=time.time() + 70)
    kinds = [query["sql"].split()[0] for query in queries.captured_queries]
    print(
        f"flush: {written} views in {(time.perf_counter() - started) * 1000:.1f} ms, "
        f"statements {kinds}"
    )


def bench_figures(ids):
    times = []
    for _ in range(5):
        cache.clear()
        ContentState.current()  # the generation and next event: not the lists' cost
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            lists, _until = figures.most_read()
        times.append(time.perf_counter() - started)
    print(
        f"most-read lists, site and every section: median {statistics.median(times) * 1000:.1f} ms "
        f"({len(queries)} statement(s)), 24 h top: {lists['day'][0]['views'] if lists['day'] else 0}"
    )
    times = []
    for pk in ids[:50]:
        cache.clear()
        started = time.perf_counter()
        figures.view_total(Article(pk=pk))
        times.append(time.perf_counter() - started)
    print(f"an article's total: median {statistics.median(times) * 1000:.2f} ms (1 statement)")


def main():
    connection.force_debug_cursor = True
    ids = seed(OPTIONS.articles)
    cache.clear()  # local memory or the redis-server started above: never a shared one
    bench_beacons(ids, OPTIONS.beacons)
    bench_flush()
    bench_figures(ids)


if __name__ == "__main__":
    main()
