"""make backup / make restore: a round trip from one database and media folder into empty ones
gives back every article, taxonomy, placement, account and media file unchanged."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SNAPSHOT = r"""
import json
from django.conf import settings
from django.contrib.auth.models import Group, User
from articles.management.commands.backup import media_files
from articles.models import Article, Author, Placement, Section, Slot, Tag, Topic

def row(obj):
    return {f.attname: str(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}

articles = []
for a in Article.objects.order_by("pk"):
    articles.append({
        "fields": row(a),
        "byline": [x.name for x in a.byline],
        "tags": sorted(t.name for t in a.tags.all()),
        "topics": sorted(t.name for t in a.topics.all()),
        "placements": sorted(
            (p.slot.key, p.position, str(p.starts_at), str(p.ends_at)) for p in a.placements.all()
        ),
    })
print(json.dumps({
    "articles": articles,
    "taxonomies": [row(x) for m in (Section, Topic, Author, Tag, Slot) for x in m.objects.order_by("pk")],
    "placements": [row(p) for p in Placement.objects.order_by("pk")],
    "groups": {g.name: sorted(p.codename for p in g.permissions.all()) for g in Group.objects.all()},
    "users": [(u.username, u.password, u.is_staff, sorted(g.name for g in u.groups.all())) for u in User.objects.order_by("pk")],
    "media": media_files(settings.MEDIA_ROOT),
}, ensure_ascii=False, sort_keys=True))
"""


def _env(database_url, media_root):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(*args, env, check=True):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def snapshot(env):
    return json.loads(manage("shell", "-c", SNAPSHOT, env=env).stdout.strip().splitlines()[-1])


@pytest.fixture
def databases(tmp_path):
    """Two empty databases: PostgreSQL when DATABASE_URL points there, SQLite files otherwise."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "target")]
        return
    import psycopg

    base, _, _ = url.rpartition("/")
    names = [f"backup_test_{os.getpid()}_{n}" for n in ("source", "target")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    yield [f"{base}/{name}" for name in names]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_every_article_and_file(tmp_path, databases):
    source = _env(databases[0], tmp_path / "media-source")
    target = _env(databases[1], tmp_path / "media-target")
    manage("migrate", "--noinput", env=source)
    manage("load_demo", env=source)
    before = snapshot(source)
    assert len(before["articles"]) >= 10 and before["media"] and before["placements"]

    backup_dir = tmp_path / "backup"
    manage("backup", "--output", str(backup_dir), env=source)
    assert sorted(p.name for p in backup_dir.iterdir()) == [
        "db.json.gz",
        "manifest.json",
        "media.tar.gz",
    ]

    out = manage("restore", str(backup_dir), env=target).stdout
    assert f"restored {len(before['articles'])} articles" in out
    after = snapshot(target)

    assert after["articles"] == before["articles"]
    for key in ("taxonomies", "placements", "groups", "users", "media"):
        assert after[key] == before[key], key

    # The restored site keeps working: new rows get fresh ids, pages render.
    manage(
        "shell",
        "-c",
        "from articles.models import Article; Article.objects.create(title='恢复之后的新文章')",
        env=target,
    )
    refused = manage("restore", str(backup_dir), env=target, check=False)
    assert refused.returncode != 0 and "already has articles" in refused.stderr


# Editors at work: every transaction adds an article with its byline; every third deletes one.
WRITER = r"""
import os, time
from django.db import transaction
from articles.models import Article, ArticleAuthor, Author
author, _ = Author.objects.get_or_create(name="并发作者")
print("writing", flush=True)
end, n = time.monotonic() + float(os.environ["WRITE_SECONDS"]), 0
while time.monotonic() < end:
    with transaction.atomic():
        article = Article.objects.create(title=f"写入中 {n}")
        ArticleAuthor.objects.create(article=article, author=author)
    if n % 3 == 2:
        Article.objects.filter(pk=article.pk - 1).delete()
    n += 1
print(n)
"""


def test_a_backup_taken_while_editors_write_is_one_snapshot_and_restores(tmp_path, databases):
    """dumpdata reads table after table: without one snapshot, bylines written between the
    articles table and theirs point at articles the dump lacks, and the restore fails."""
    source = _env(databases[0], tmp_path / "media-source")
    target = _env(databases[1], tmp_path / "media-target")
    manage("migrate", "--noinput", env=source)
    manage("load_demo", env=source)
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WRITER],
        cwd=ROOT,
        env={**source, "WRITE_SECONDS": "8"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while writer.stdout.readline().strip() != "writing":  # after the shell's own notice
            assert writer.poll() is None, writer.stderr.read()
        time.sleep(0.5)
        backups = []
        for n in range(2):  # each while the writer runs
            backups.append(tmp_path / f"backup-{n}")
            manage("backup", "--output", str(backups[-1]), env=source)
    finally:
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert int(out.split()[-1]) > 50  # the writer really wrote during the backups
    for backup in backups:
        manifest = json.loads((backup / "manifest.json").read_text())
        result = manage("restore", str(backup), "--force", env=target)
        assert f"restored {manifest['articles']} articles" in result.stdout


def test_restore_refuses_a_damaged_backup(tmp_path, databases):
    source = _env(databases[0], tmp_path / "media-source")
    manage("migrate", "--noinput", env=source)
    manage(
        "shell",
        "-c",
        "from articles.models import Article; Article.objects.create(title='一')",
        env=source,
    )
    backup_dir = tmp_path / "backup"
    manage("backup", "--output", str(backup_dir), env=source)
    dump = backup_dir / "db.json.gz"
    dump.write_bytes(dump.read_bytes()[:-20])

    result = manage("restore", str(backup_dir), env=_env(databases[1], tmp_path / "m"), check=False)

    assert result.returncode != 0
    assert "damaged" in result.stderr


def test_make_targets_call_the_commands():
    dry = subprocess.run(
        ["make", "-n", "backup", "restore", "BACKUP=var/backups/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "manage.py backup" in dry.stdout
    assert "manage.py restore var/backups/x" in dry.stdout
