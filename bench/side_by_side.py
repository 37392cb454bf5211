"""CPU per uncached request of two checkouts, interleaved page by page: before/after ratios a
shared or noisy machine cannot skew much.

    export DATABASE_URL=postgres://.../newsroom_pageperf PAGE_CACHE=0 DEBUG=0 SECRET_KEY=... \
        ALLOWED_HOSTS=testserver SEARCH_RATE=0
    git worktree add /tmp/before <commit>; ln -s $PWD/.venv /tmp/before/.venv
    (cd /tmp/before && python manage.py collectstatic --noinput)
    python bench/side_by_side.py --before /tmp/before [--rounds 7] [--requests 100] \
        [--pages home,detail]

Two worker processes, one per checkout (this file run with `--serve ROOT`, which puts ROOT's
code first on the path), each with its own Django and a warm connection to the same database.
For each round and page, the before worker then the after worker (the order alternating by
round) render the page `--requests` times with the test client, page cache off, and report the
process CPU time per request. A slower minute of the machine lands on both sides of the same
round, so the ratio of each round is kept and the median over rounds printed, with each side's
median CPU ms and its SQL count. The pages are bench/profile_pages.py's, each rendered again and
again (what is kept per content generation is warm), and two long tails: 80 tag pages and 80
article pages each asked for once after a change (`long_tail()`), as a crawler or a reader of an
old article meets them.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def serve(root):
    """Worker: read "url requests" lines, answer {"cpu_ms", "queries", "status"} lines."""
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from articles.pagecache.generation import bump_generation

    client, warmed = Client(), set()
    for line in sys.stdin:
        url, requests = line.rsplit(" ", 1)
        if " " in url:
            print(json.dumps(long_tail(client, url.split(), bump_generation)), flush=True)
            continue
        if url not in warmed:
            for _ in range(30):
                client.get(url)
            warmed.add(url)
        queries = []

        def counting(execute, *args, queries=queries):
            queries.append(args[0])
            return execute(*args)

        with connection.execute_wrapper(counting):
            status = client.get(url).status_code
        started = time.process_time()
        for _ in range(int(requests)):
            client.get(url)
        cpu_ms = (time.process_time() - started) * 1000 / int(requests)
        answer = {"cpu_ms": cpu_ms, "queries": len(queries), "status": status}
        print(json.dumps(answer), flush=True)


def long_tail(client, urls, bump_generation):
    """Each of `urls` once, after a change: what a page costs the first time it is asked for in
    a content generation, with the site's shared parts (menus, cards) warm after the first few."""
    bump_generation()
    started = time.process_time()
    statuses = {client.get(url).status_code for url in urls}
    cpu_ms = (time.process_time() - started) * 1000 / len(urls)
    return {"cpu_ms": cpu_ms, "queries": "-", "status": sorted(statuses)}


class Worker:
    def __init__(self, root):
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(root)],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def measure(self, url, requests):
        self.process.stdin.write(f"{url} {requests}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait()


def page_urls():
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    sys.path.insert(0, str(HERE))
    import profile_pages

    from articles.models import Article, Tag

    urls = profile_pages.page_urls()
    tags = [tag.get_absolute_url() for tag in Tag.objects.order_by("pk")[10:90]]
    newest = Article.objects.published().order_by("-published_at")
    articles = [article.get_absolute_url() for article in newest[400:480]]
    urls["tag tail"] = " ".join(tags)
    urls["detail tail"] = " ".join(articles)
    return urls


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path)
    parser.add_argument("--after", type=Path, default=HERE.parent)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--pages", help="comma-separated names (default: every page)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.before is None:
        parser.error("--before CHECKOUT is required")
    urls = page_urls()
    if args.pages:
        urls = {name: urls[name] for name in args.pages.split(",")}
    workers = {"before": Worker(args.before.resolve()), "after": Worker(args.after.resolve())}
    found = {(name, side): [] for name in urls for side in workers}
    ratios = {name: [] for name in urls}
    try:
        for round_ in range(args.rounds):
            order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
            for name, url in urls.items():
                answers = {side: workers[side].measure(url, args.requests) for side in order}
                for side, answer in answers.items():
                    found[(name, side)].append(answer)
                ratios[name].append(answers["after"]["cpu_ms"] / answers["before"]["cpu_ms"])
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
    finally:
        for worker in workers.values():
            worker.stop()
    print(f"{args.rounds} interleaved rounds of {args.requests} requests per page and side")
    print(f"{'page':<14} {'before ms':>9} {'after ms':>9} {'ratio':>6} {'range':>11}  SQL")
    for name in urls:
        before = statistics.median(a["cpu_ms"] for a in found[(name, "before")])
        after = statistics.median(a["cpu_ms"] for a in found[(name, "after")])
        sql = f"{found[(name, 'before')][0]['queries']} -> {found[(name, 'after')][0]['queries']}"
        low, high = min(ratios[name]), max(ratios[name])
        print(
            f"{name:<14} {before:9.2f} {after:9.2f} {statistics.median(ratios[name]):6.2f} "
            f"{low:5.2f}-{high:4.2f}  {sql}"
        )


if __name__ == "__main__":
    main()
