"""Search latency and plan on N articles: `DATABASE_URL=postgres://.../nr_bench python bench/search_bench.py 20000`.

Writes N generated articles into the database DATABASE_URL points at (use a scratch database),
then prints the plan and the median time of a few queries, each through articles.search.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DEBUG", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article  # noqa: E402

# Target words and the share of articles that mention them.
PLANTED = {
    "上海": 0.2,
    "元宇宙": 0.1,
    "数字藏品": 0.03,
    "张江科学城": 0.005,
    "Web3": 0.1,
    "GameFi": 0.05,
}
QUERIES = ["上海", "元宇宙", "张江科学城", "数字藏品", "上海 Web3", "GameFi", "不存在的词语"]


def vocabulary(rng):
    """Common two-character words from jieba's dictionary: realistic filler text."""
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as handle:
        words = [
            w
            for w, freq, *_ in (line.split() for line in handle)
            if len(w) == 2 and int(freq) > 300
        ]
    return rng.sample(words, min(4000, len(words)))


def populate(count):
    rng = random.Random(5)
    words = vocabulary(rng)
    now = timezone.now()
    batch = []
    for n in range(count):
        planted = [word for word, share in PLANTED.items() if rng.random() < share]
        title = "".join(rng.choices(words, k=8))
        description = "，".join(rng.choices(words, k=12))
        sentences = ["".join(rng.choices(words, k=14)) for _ in range(40)]  # ~1100 characters
        for word in planted:
            sentences[rng.randrange(len(sentences))] += word
        if planted and rng.random() < 0.3:
            title = planted[0] + title
        body = "<p>" + "。".join(sentences) + "</p>"
        batch.append(
            Article(
                title=title,
                slug=f"bench-{n}",
                description=description,
                body=body,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=n),
                search_document=search.build_search_document(
                    title=title, description=description, body=body
                ),
            )
        )
        if len(batch) == 1000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    call_command("migrate", verbosity=0)
    existing = Article.objects.count()
    if existing < count:
        populate(count - existing)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    print(f"{Article.objects.count()} articles on {connection.vendor}")
    base = Article.objects.published().for_listing()
    for query in QUERIES:
        results = search.search(base, query)
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            total = results.count()
            page = list(results[:20])
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{query!r:>16}: {total:6d} hits, count+first page {statistics.median(timings):7.1f} ms"
        )
    if connection.vendor == "postgresql":
        print(search.search(Article.objects.published(), "张江科学城")[:20].explain(analyze=True))
    del page


if __name__ == "__main__":
    main()
