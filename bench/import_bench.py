"""Benchmark: import N generated Hugo articles (no images) into a fresh SQLite database.

    .venv/bin/python bench/import_bench.py [--articles 10000] [--jobs N] [--keep]

Prints, for the first import and for a re-import of the unchanged site, articles per second of
wall-clock time and of CPU time (this process plus its worker processes), queries per article,
the peak resident memory of this process and of the largest worker, and the load average
(other processes on the machine slow the wall clock, not the CPU time).
Not a test: numbers, no assertions.

DEBUG=1 unless set: the import as docs/HUGO.md runs it (Django then logs every query). For the
production settings: DEBUG=0 SECRET_KEY=<anything long> .venv/bin/python bench/import_bench.py
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "上海在元宇宙赛道率先起跑。昨天，以“感知·消费·互联”为主题的峰会在浦东软件园举办。记者从峰会上获悉，"
    "到2025年，相关产业规模将达3500亿元，培育10家以上具有国际竞争力的创新型头部企业。"
)


def generate(root, count, *, seed=7):
    rng = random.Random(seed)
    tags = [f"标签{n}" for n in range(300)]
    authors = [f"作者{n}" for n in range(60)]
    sections = ["news", "games", "navigation", "community"]
    topics = ["元宇宙", "GameFi", "DeFi-Games", "NFT", "DAO", "Web3"]
    content = root / "content"
    for n in range(count):
        section = sections[n % len(sections)]
        bundle = content / section / f"article-{n:05d}"
        bundle.mkdir(parents=True)
        front = [
            "---",
            f'title: "第 {n} 篇：{rng.choice(topics)}产业观察"',
            f"date: 2022-{1 + n % 12:02d}-{1 + n % 28:02d}T21:38:40+08:00",
            f"lastmod: 2022-{1 + n % 12:02d}-{1 + n % 28:02d}T22:00:00+08:00",
            "draft: false",
            f'authors: ["{rng.choice(authors)}"]',
            f'description: "第 {n} 篇文章的摘要。"',
            f"tags: [{', '.join(repr(t) for t in rng.sample(tags, 5))}]",
            f'categories: ["{section}"]',
            f'news: ["{rng.choice(topics)}"]',
            "weight:" if n % 3 else f"weight: {n % 10}",
            "lightgallery: true",
            "pinned: false",
            f"recommend: {'true' if n % 50 == 0 else 'false'}",
            "recommend1: false",
            "---",
            "",
        ]
        body = [f"## 小标题 {k}\n\n{PARAGRAPH * 3}\n\n- 要点一\n- 要点 **二**\n" for k in range(3)]
        text = "\n".join(front) + "\n".join(body)
        (bundle / "index.md").write_text(text, encoding="utf-8")
    (root / "config.toml").write_text(
        '[taxonomies]\ntag = "tags"\ncategory = "categories"\nnews = "news"\n', encoding="utf-8"
    )


class _Timed:
    def __init__(self, report, wall, cpu, worker_cpu, queries):
        self.report, self.wall, self.cpu, self.worker_cpu = report, wall, cpu, worker_cpu
        self.queries = queries


def _timed(run):
    from django.db import connection

    queries = 0

    def count(execute, *args):
        nonlocal queries
        queries += 1
        return execute(*args)

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        report = run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return _Timed(report, wall, cpu, worker_cpu, queries)


def _print_rates(timed, articles):
    total_cpu = timed.cpu + timed.worker_cpu
    print(
        f"               wall {timed.wall:.1f}s = {articles / timed.wall:.0f} articles/s; "
        f"CPU {total_cpu:.1f}s (this process {timed.cpu:.1f}s, workers {timed.worker_cpu:.1f}s)"
    )
    print(
        f"               = {articles / total_cpu:.0f} articles/s of CPU time, "
        f"{articles / timed.cpu:.0f}/s of this process's; "
        f"{timed.queries / max(articles, 1):.1f} queries per article"
    )
    per = 1000 / max(articles, 1)
    print(
        f"               CPU per article: {total_cpu * per:.2f} ms (this process "
        f"{timed.cpu * per:.2f} ms, workers {timed.worker_cpu * per:.2f} ms)"
    )


def _load():
    return " ".join(f"{n:.1f}" for n in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (1: none)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated site and DB")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(REPO))

    import django

    django.setup()
    from django.core.management import call_command

    from articles.hugo.importer import import_site

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(work / "site", args.articles)
    print(f"generated {args.articles} articles in {time.perf_counter() - started:.1f}s")
    print(
        f"jobs: {args.jobs}, CPUs: {os.cpu_count()}, DEBUG={os.environ['DEBUG']}, "
        f"load average before: {_load()}"
    )

    first = _timed(lambda: import_site(site_dir=work / "site", jobs=args.jobs))
    print(f"first import:  {first.report.counts()}")
    _print_rates(first, len(first.report.created))
    again = _timed(lambda: import_site(site_dir=work / "site", jobs=args.jobs))
    print(f"re-import:     {len(again.report.unchanged)} unchanged, {again.queries} queries")
    _print_rates(again, len(again.report.unchanged))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory:   {own:.0f} MB max RSS of this process, {worker:.0f} MB of the largest")
    print("               worker (workers share the parent's pages, so this is no sum)")
    print(f"load average after: {_load()}")
    if args.keep:
        print(f"kept: {work}")
    else:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
