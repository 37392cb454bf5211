"""Search page latency and plans on a seeded database.

    N=100000 DATABASE_URL=postgres://.../newsroom_search python bench/seed_bench.py
    DATABASE_URL=postgres://.../newsroom_search python bench/search_bench.py [--runs 20] [--candidates K] [--explain]

Times the whole /search/ page through Django's test client with the page cache off and DEBUG
off (URL routing, middleware, the count, the first page, its prefetches, highlighting and the
template), `--runs` times per query after one warm-up, and prints the median (p50), the 90th
percentile, the process CPU time per page (mean: what the page costs in Python, whatever the
load), the number of SQL queries, what the page says about the number of results, the plan
search.newest_ranked() chose (walk / window of N x 1000 newest / table, see docs/SEARCH.md) and
the median of the search queries alone (search.newest_ranked) to tell SQL from rendering.
`--explain` adds EXPLAIN (ANALYZE, BUFFERS) of each query newest_ranked() ran.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["DEBUG"] = "0"
os.environ["PAGE_CACHE"] = "0"
os.environ.setdefault("SECRET_KEY", "search-bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# No collectstatic needed: static URLs unhashed (a dictionary lookup either way).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from articles.models import Article  # noqa: E402
from articles.search import query as search  # noqa: E402

# (label, query): 2-, 3-, 4- and 5-character words from common to rare, mixed, no match.
QUERIES = [
    ("3 chars, ~50%", "元宇宙"),
    ("2 chars, ~20%", "上海"),
    ("4 chars, ~70%", "头显设备"),
    ("4 chars, ~10%", "亚太地区"),
    ("4 chars, ~3%", "数字藏品"),
    ("3 chars, ~0.6%", "太行山"),
    ("2 chars, ~0.15%", "治国"),
    ("5 chars, ~0.2%", "张江科学城"),
    ("zh + en, ~2%", "上海 Web3"),
    ("zh + en, rare", "GameFi 张江科学城"),
    ("no match", "不存在的词语"),
    ("title words", "太行山布局交易市场"),
    # Label names (articles.models.search_terms): 4 sections, 3 of 200 tags, 1-2 of 50 authors.
    # jieba cuts 标签7 into 标签 + 7, so it also finds 标签17, 标签27 ...
    ("section name, ~25%", "社区"),
    ("tag name, ~12%", "标签7"),
    ("author name, ~11%", "作者3"),
]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_page(client, query, runs):
    url = reverse("articles:search")
    response = client.get(url, {"q": query}, secure=True)  # warm-up (jieba, pool, plans)
    assert response.status_code == 200, response.status_code
    timings = []
    cpu = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, {"q": query}, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu) / runs * 1000
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": query}, secure=True)
    count = search.search(Article.objects.published(), query).count()  # what the page shows
    shown = f"{count}+" if search.is_capped(count) else str(count)
    return statistics.median(timings), percentile(timings, 0.9), cpu, len(queries), shown


def chosen_plan(query):
    """What newest_ranked() ran: e.g. "walk", "window 8", "window 4 > table"."""
    trace = []
    search.newest_ranked(query, trace=trace)
    return trace, " > ".join(f"{how} {size}" if size else how for how, size, _ in trace)


def time_candidates(query, runs):
    """The search queries alone (search.newest_ranked), without the page around them."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        search.newest_ranked(query)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main():
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20
    if "--candidates" in sys.argv:  # try another cap than search.MAX_CANDIDATES
        search.MAX_CANDIDATES = int(sys.argv[sys.argv.index("--candidates") + 1])
    total = Article.objects.count()
    visible = Article.objects.published()
    load = os.getloadavg()
    print(
        f"{total} articles on {connection.vendor}, {runs} runs each, page cache off, "
        f"at most {search.MAX_CANDIDATES} candidates"
    )
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, {os.cpu_count()} CPUs")
    client = Client()
    print(
        f"{'query':<34} {'matches':>8} {'shown':>6} {'SQL':>4} {'p50 ms':>7} {'p90 ms':>7}"
        f" {'CPU ms':>7} {'plan':<12} {'search SQL p50':>14}"
    )
    for label, query in QUERIES:
        matches = search._matching(visible, search.query_terms(query)).count()
        p50, p90, cpu, sql, shown = time_page(client, query, runs)
        name = f"{query} ({label})"
        candidates = time_candidates(query, runs)
        plan = chosen_plan(query)[1]
        print(
            f"{name:<34} {matches:>8} {shown:>6} {sql:>4} {p50:>7.1f} {p90:>7.1f} {cpu:>7.1f}"
            f" {plan:<12} {candidates:>14.1f}",
            flush=True,
        )
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if "--explain" in sys.argv and connection.vendor == "postgresql":
        for _, query in QUERIES:
            for how, size, found in chosen_plan(query)[0]:
                window = f" of the newest {size}x{search.MAX_CANDIDATES}" if size else ""
                print(f"== {query}: {how}{window}")
                print(found.explain(analyze=True, buffers=True))


if __name__ == "__main__":
    main()
