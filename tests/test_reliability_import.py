"""An import killed with SIGKILL halfway and run again finishes with no duplicates and nothing
half-written. The full-size run (2,000 files) is `bench/reliability_import.py`; the suite runs
the same steps on a smaller site."""

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from .faults import intact_import_images, media_files

ROOT = Path(__file__).resolve().parents[1]

CHECK = r"""
import hashlib, json
from django.core.files.storage import default_storage
from articles.models import Article
problems, rows = [], []
for a in Article.objects.prefetch_related("tags", "topics", "article_authors__author").select_related("section"):
    row = {
        "source": a.source_path, "title": a.title, "slug": a.slug,
        "tags": sorted(t.name for t in a.tags.all()),
        "authors": [x.author.name for x in a.article_authors.all()],
        "topics": sorted(t.name for t in a.topics.all()),
        "section": a.section.name if a.section else None,
        "image": a.featured_image.name or None,
        "has_body": "正文第" in a.body,
        "digest": bool(a.source_digest),
    }
    if a.featured_image:
        data = default_storage.open(a.featured_image.name).read()
        stem = a.featured_image.name.rsplit("/", 1)[-1].split(".")[0]
        row["image_intact"] = hashlib.sha256(data).hexdigest().startswith(stem)
    rows.append(row)
print(json.dumps(rows, ensure_ascii=False))
"""


def generate_site(root, count, *, image_every=5):
    """count Hugo page bundles; every image_every-th has its own featured image."""
    content = root / "content" / "news"
    expected = {}
    for n in range(count):
        bundle = content / f"story-{n:05d}"
        bundle.mkdir(parents=True)
        tags = [f"标签{n % 37}", f"标签{(n * 7) % 53}", f"tag-{n % 11}"]
        front = [
            "---",
            f'title: "第 {n} 篇：元宇宙观察"',
            f"date: 2022-{1 + n % 12:02d}-{1 + n % 28:02d}T10:00:00+08:00",
            f'authors: ["作者{n % 13}"]',
            f"tags: {json.dumps(tags, ensure_ascii=False)}",
            'categories: ["资讯"]',
            f'news: ["专题{n % 5}"]',
        ]
        if n % image_every == 0:
            buffer = io.BytesIO()
            Image.new("RGB", (320, 200), (n % 256, (n // 256) % 256, 90)).save(buffer, "PNG")
            (bundle / "cover.png").write_bytes(buffer.getvalue())
            front.append("featuredImage: cover.png")
        body = f"正文第 {n} 篇。\n\n" + "上海在元宇宙赛道率先起跑。" * 40
        (bundle / "index.md").write_text("\n".join([*front, "---", "", body]), encoding="utf-8")
        expected[f"news/story-{n:05d}/index.md"] = {
            "title": f"第 {n} 篇：元宇宙观察",
            "tags": sorted(set(tags)),
            "authors": [f"作者{n % 13}"],
            "topics": [f"专题{n % 5}"],
            "image": n % image_every == 0,
        }
    (root / "config.toml").write_text(
        '[taxonomies]\ntag = "tags"\ncategory = "categories"\nnews = "news"\n', encoding="utf-8"
    )
    return expected


def environment(database, media):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database, "MEDIA_ROOT": str(media)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def count_articles(database):
    if database.startswith("sqlite"):
        with sqlite3.connect(database.removeprefix("sqlite:///"), timeout=30) as db:
            return db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
    import psycopg

    with psycopg.connect(database) as db:
        return db.execute("SELECT count(*) FROM articles_article").fetchone()[0]


def kill_import_halfway(site, env, *, database, at):
    """Start import_hugo, SIGKILL it once `at` articles are in; return the count at death."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_hugo", str(site), "-v", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if count_articles(database) >= at:
                    break
            except (sqlite3.OperationalError, Exception):  # noqa: BLE001 - table not there yet
                pass
            time.sleep(0.05)
        assert process.poll() is None, "the import finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    _no_orphans_left(site)
    return count_articles(database)


def _no_orphans_left(site, *, seconds=10):
    """The import's worker processes exit with it (they would hold the database otherwise)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _processes_mentioning(str(site))
        if not left:
            return
        time.sleep(0.2)
    for pid in left:
        os.kill(pid, signal.SIGKILL)  # don't leave them behind, then fail
    raise AssertionError(f"import workers outlived the killed import: {left}")


def _processes_mentioning(text):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text in cmdline and "import_hugo" in cmdline:
                found.append(int(entry.name))
    return found


def verify(env, expected):
    """Every file is one complete article; returns a summary (raises AssertionError)."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    sources = [row["source"] for row in rows]
    assert len(sources) == len(set(sources)), "duplicate articles for one file"
    assert len({row["slug"] for row in rows}) == len(rows)
    assert len({row["title"] for row in rows}) == len(rows), "duplicate titles"
    assert set(sources) == set(expected)
    for row in rows:
        want = expected[row["source"]]
        assert row["title"] == want["title"]
        assert row["tags"] == want["tags"], row["source"]
        assert row["authors"] == want["authors"], row["source"]
        assert row["topics"] == want["topics"], row["source"]
        assert row["section"] == "资讯" and row["has_body"] and row["digest"], row["source"]
        assert bool(row["image"]) == want["image"], row["source"]
        if row["image"]:
            assert row["image_intact"], f"{row['source']}: {row['image']} is not the full file"
    return {"articles": len(rows), "images": sum(1 for row in rows if row["image"])}


def run(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("files", [150])
def test_import_killed_halfway_and_run_again_is_complete_without_duplicates(tmp_path, files):
    database = f"sqlite:///{tmp_path / 'import.sqlite3'}"
    env = environment(database, tmp_path / "media")
    expected = generate_site(tmp_path / "site", files)
    assert run("migrate", "--noinput", env=env).returncode == 0

    at_death = kill_import_halfway(tmp_path / "site", env, database=database, at=files // 3)
    assert 0 < at_death < files
    assert all(intact_import_images(tmp_path / "media").values()), (
        "a cut-short image under its final name"
    )

    again = run("import_hugo", str(tmp_path / "site"), env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not [name for name in media_files(tmp_path / "media") if name.endswith(".part")]
    summary = verify(env, expected)
    assert summary["articles"] == files

    third = run(
        "import_hugo", str(tmp_path / "site"), "--report", str(tmp_path / "r.json"), env=env
    )
    assert third.returncode == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(report["unchanged"]) == files
