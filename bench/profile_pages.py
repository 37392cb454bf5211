"""CPU time per request of each public page, in-process (Django test client), page cache off.

    DATABASE_URL=postgres://.../newsroom_pageperf PAGE_CACHE=0 DEBUG=0 SECRET_KEY=... \
        python bench/profile_pages.py [--requests 200] [--profile home]

Against a database seeded by bench/seed_bench.py. Prints, per page, the process CPU time and
the wall time per request (mean over --requests after a warm-up), the query count and the
HTML size. --cold starts a new content generation before each request, as after an edit: no
cached cards, related articles or counts. CPU time is the number to compare on a shared
machine: wall time includes waiting for PostgreSQL and for other processes. --profile PAGE
prints a cProfile of that page instead.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article, Author, Section, Tag, Topic  # noqa: E402
from articles.pagecache.generation import bump_generation  # noqa: E402


def page_urls():
    """The pages every benchmark measures (bench/run_bench.py reads them from here too)."""
    visible = Article.objects.published()
    # The 301st newest article; the oldest when a small seed has fewer (N=300 has 287).
    detail = visible.order_by("-published_at")[min(300, visible.count() - 1)]
    return {
        "home": "/",
        "list p1": "/articles/",
        "list p250": "/articles/?page=250",
        "detail": detail.get_absolute_url(),
        "tag": Tag.objects.order_by("pk")[5].get_absolute_url(),
        "section": Section.objects.order_by("pk")[0].get_absolute_url(),
        "topic": Topic.objects.order_by("pk")[3].get_absolute_url(),
        "author": Author.objects.order_by("pk")[7].get_absolute_url(),
        "search": "/search/?q=%E5%A4%B4%E6%98%BE%E8%AE%BE%E5%A4%87",  # 头显设备
        "search common": "/search/?q=%E5%85%83%E5%AE%87%E5%AE%99",  # 元宇宙
        "feed": "/feed/",
    }


def _counting(queries):
    def wrapper(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", default="")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="new content generation before every request: no cached cards, related, counts",
    )
    args = parser.parse_args()
    client = Client()
    urls = page_urls()
    print(f"load average {os.getloadavg()[0]:.1f}; {args.requests} requests per page")
    if args.profile:
        url = urls[args.profile]
        for _ in range(5):
            client.get(url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
        return
    print(f"{'page':10} {'CPU ms':>7} {'wall ms':>8} {'SQL':>4} {'bytes':>7}")
    for name, url in urls.items():
        for _ in range(5):
            response = client.get(url)
        if response.status_code != 200:  # list p250 below about 5,050 articles
            print(f"{name:10} left out: {url} answers {response.status_code}")
            continue
        queries = []
        with connection.execute_wrapper(_counting(queries)):
            response = client.get(url)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            if args.cold:
                bump_generation()
            client.get(url)
        cpu = (time.process_time() - cpu) / args.requests * 1000
        wall = (time.perf_counter() - wall) / args.requests * 1000
        print(f"{name:10} {cpu:7.2f} {wall:8.2f} {len(queries):4d} {len(response.content):7d}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
