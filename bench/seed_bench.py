"""Seed N articles for the benchmark, fast: bulk inserts, no per-row save().

    DATABASE_URL=postgres://.../newsroom_search N=100000 python bench/seed_bench.py

Chinese titles and bodies come from a fixed pool of generated sentences; each sentence is
segmented with jieba once (articles.text.segment.segment_for_index), and an article's search document
is the join of its sentences' segments -- the same words save() would index, since sentences end
in punctuation. Each article is about a few subjects, so word frequencies look like a news
site's: 元宇宙 in about half the articles, 上海 in a fifth, a few site words at 0.2-10%, and
400 dictionary names spread Zipf-like from ~10% down to ~0.1% (search benchmarks need both
common and rare words); verbs, objects and stock phrases are in most articles. A handful of shared featured images (with their renditions) keeps media small.
Authors, sections, topics, tags and live placements in every slot are made too; 1% of the
articles are drafts and ten are scheduled in the coming days. Prints the insert throughput.

It replaces every placement of the database it fills, so DATABASE_URL must name one (a fresh
database, as the benchmarks make): without it the run stops rather than fill the development
database.
"""

import io
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from articles.media.renditions import make_renditions  # noqa: E402
from articles.models import (  # noqa: E402
    Article,
    ArticleAuthor,
    Author,
    Placement,
    Section,
    Slot,
    Tag,
    TaggedArticle,
    Topic,
)
from articles.models.search_terms import refresh_search_terms  # noqa: E402
from articles.text.segment import segment_for_index  # noqa: E402

BATCH = 2000
# Subject words and the share of articles about them (on top of two Zipf-drawn dictionary names).
PLANTED = {
    "元宇宙": 0.5,
    "上海": 0.2,
    "Web3": 0.1,
    "区块链": 0.08,
    "GameFi": 0.05,
    "数字藏品": 0.03,
    "虚拟现实": 0.02,
    "张江科学城": 0.002,
}
GENERIC_SUBJECTS = "业内人士 分析人士 记者 相关负责人 多家机构 市场人士 专家 用户".split()
DICTIONARY_SUBJECTS = 400
SENTENCES_PER_SUBJECT = 6
VERBS = "发布 推出 宣布 启动 完成 升级 测试 投资 收购 开放 关闭 调整 公布 加速 布局".split()
OBJECTS = (
    "虚拟空间 数字身份 链上治理 去中心化金融 游戏平台 开发工具 硬件设备 白皮书 产业基金".split()
)
OBJECTS += (
    "数字人 算力网络 内容生态 交易市场 跨链协议 头显设备 沉浸式体验 行业标准 试点项目".split()
)
TAILS = "引发市场关注 吸引大量用户 获得监管批准 带动相关板块 成为行业焦点 仍面临挑战".split()
TAILS += "预计明年落地 已进入测试阶段 计划向全球开放 首批名额已满 得到多方支持".split()


def dictionary_subjects(rng, count=DICTIONARY_SUBJECTS):
    """Place, organisation and other proper names of 2-4 characters from jieba's dictionary."""
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as handle:
        names = [
            word
            for word, freq, tag in (line.split() for line in handle)
            if tag in ("ns", "nt", "nz") and 2 <= len(word) <= 4 and int(freq) > 200
        ]
    return rng.sample([name for name in names if name not in PLANTED], count)


def sentence_pool(rng, subjects):
    """SENTENCES_PER_SUBJECT (text, segmented words) for each subject, keyed by subject."""
    pool = {}
    for subject in subjects:
        sentences = []
        for _ in range(SENTENCES_PER_SUBJECT):
            text = (
                f"{subject}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
                f"{rng.choice(GENERIC_SUBJECTS)}表示{rng.choice(OBJECTS)}{rng.choice(TAILS)}。"
            )
            sentences.append((text, segment_for_index(text)))
        pool[subject] = sentences
    return pool


def article_subjects(rng, names, weights):
    """The subjects of one article: planted words by their share, plus two Zipf-drawn names."""
    chosen = [word for word, share in PLANTED.items() if rng.random() < share]
    chosen += rng.choices(names, weights=weights, k=2)
    return list(dict.fromkeys(chosen))


def shared_images(rng, count=6):
    names = []
    for n in range(count):
        color = tuple(rng.randrange(40, 220) for _ in range(3))
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 900), color).save(buffer, "JPEG", quality=80)
        name = f"bench/featured-{n}.jpg"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(buffer.getvalue()))
        make_renditions(name)
        names.append(name)
    return names


def taxonomy():
    sections = [
        Section.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [
            ("news", "资讯"),
            ("nav", "导航"),
            ("games", "游戏"),
            ("community", "社区"),
        ]
    ]
    topics = [Topic.objects.get_or_create(name=f"专题{n}", slug=f"topic-{n}")[0] for n in range(20)]
    tags = [Tag.objects.get_or_create(name=f"标签{n}", slug=f"tag-{n}")[0] for n in range(200)]
    authors = [
        Author.objects.get_or_create(name=f"作者{n}", slug=f"author-{n}")[0] for n in range(50)
    ]
    return sections, topics, tags, authors


def seed(total):
    rng = random.Random(6)
    started = time.perf_counter()
    names = dictionary_subjects(rng)
    weights = [1 / rank for rank in range(1, len(names) + 1)]
    pool = sentence_pool(rng, [*PLANTED, *GENERIC_SUBJECTS, *names])
    images = shared_images(rng)
    sections, topics, tags, authors = taxonomy()
    topic_through = Article.topics.through
    now = timezone.now()
    span = timedelta(days=5 * 365).total_seconds()
    first_id = (Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    prep_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for batch_start in range(0, total, BATCH):
        articles = []
        for n in range(batch_start, min(total, batch_start + BATCH)):
            subjects = article_subjects(rng, names, weights) + GENERIC_SUBJECTS[:1]
            sentences = [
                rng.choice(pool[rng.choice(subjects)]) for _ in range(rng.randrange(12, 30))
            ]
            title_text, title_words = rng.choice(pool[rng.choice(subjects[:-1])])
            title = title_text.rstrip("。")
            paragraphs = [sentences[i : i + 4] for i in range(0, len(sentences), 4)]
            body = "".join(f"<p>{''.join(t for t, _ in p)}</p>" for p in paragraphs)
            description = sentences[0][0]
            status = Article.Status.DRAFT if n % 100 == 99 else Article.Status.PUBLISHED
            published = now - timedelta(seconds=rng.random() * span)
            if n < 10:
                published = now + timedelta(days=n + 1)
            image = images[n % len(images)]
            articles.append(
                Article(
                    title=title,
                    slug=f"bench-{first_id + n}",
                    description=description,
                    body=body,
                    featured_image=image,
                    featured_image_width=1600,
                    featured_image_height=900,
                    featured_image_alt=title,
                    section=sections[n % len(sections)],
                    status=status,
                    published_at=published,
                    updated_at=published,
                    weight=rng.randrange(1, 5) if n % 50 == 0 else None,
                    search_document=" ".join(
                        [title_words, description and sentences[0][1]] + [w for _, w in sentences]
                    ),
                    edit_version=1,
                )
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(articles)
            links, tagged, topical = [], [], []
            for article in created:
                for position, author in enumerate(rng.sample(authors, rng.randrange(1, 3))):
                    links.append(ArticleAuthor(article=article, author=author, position=position))
                tagged += [
                    TaggedArticle(content_object=article, tag=t) for t in rng.sample(tags, 3)
                ]
                topical += [
                    topic_through(article=article, topic=t)
                    for t in rng.sample(topics, rng.randrange(1, 3))
                ]
            ArticleAuthor.objects.bulk_create(links)
            TaggedArticle.objects.bulk_create(tagged)
            topic_through.objects.bulk_create(topical)
            # bulk_create sends no signals: the labels' names, as save() and the admin keep them.
            refresh_search_terms(article_ids=[article.pk for article in created])
        done = min(total, batch_start + BATCH)
        if done % 20000 == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  {done} articles, {rate:.0f}/s", flush=True)
    insert_seconds = time.perf_counter() - started

    visible = list(Article.objects.published().order_by("-published_at")[:12])
    Placement.objects.all().delete()
    slots = {slot.key: slot for slot in Slot.objects.all()}
    placements = [Placement(slot=slots["pinned"], article=visible[0], position=0)]
    placements += [
        Placement(slot=slots["carousel"], article=a, position=i) for i, a in enumerate(visible[1:7])
    ]
    placements += [
        Placement(slot=slots["showcase"], article=a, position=i)
        for i, a in enumerate(visible[7:10])
    ]
    Placement.objects.bulk_create(placements)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As a live database is: vacuumed (the visibility map lets index-only scans skip
            # the heap) and analysed (the planner's and the search's word statistics). Left to
            # autovacuum, it would run during the measurements.
            cursor.execute("VACUUM ANALYZE")
    from articles.pagecache.generation import bump_generation

    bump_generation()
    print(
        f"seeded {total} articles in {prep_seconds + insert_seconds:.1f} s "
        f"(inserts {total / insert_seconds:.0f} articles/s, with authors, tags and topics)"
    )


if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("set DATABASE_URL to the database to seed (not the development database)")
    seed(int(os.environ.get("N", "10000")))
