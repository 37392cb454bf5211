"""python manage.py backup [--output DIR]: the database and the media files, in one folder.

var/backups/<timestamp>/ gets db.json.gz (dumpdata: primary keys kept, content types by natural
key, so it loads into any database engine), media.tar.gz (MEDIA_ROOT) and manifest.json (counts and checksums).
Restore with `manage.py restore DIR` (docs/RELIABILITY.md).

The dump is one snapshot of the database while writers go on (one_snapshot()), so every row it
holds points at rows it holds too; each media file is read once, and the bytes archived are the
bytes its checksum is of.
"""

import hashlib
import io
import json
import tarfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from articles.media.storage import is_partial
from articles.models import Article

BACKUP_FORMAT = "backup-json"
serializers.register_serializer(BACKUP_FORMAT, "articles.backup_format")

# Rebuilt by migrate (contenttypes, permissions) or worthless in a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(root):
    root = Path(root)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): file_digest(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# A read transaction that sees the database as of its first read (PostgreSQL: REPEATABLE READ;
# SQLite in WAL mode: one read transaction), while other connections keep writing.
SNAPSHOT_BEGIN = {
    "postgresql": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "sqlite": "BEGIN DEFERRED",
}


@contextmanager
def one_snapshot():
    """Every read inside sees one moment of the database. dumpdata reads table after table: out
    of a transaction a byline written between two of them would point at an article the dump
    does not hold, and the restore would fail."""
    begin = SNAPSHOT_BEGIN.get(connection.vendor)
    if begin is None or connection.in_atomic_block:
        raise CommandError(f"no consistent snapshot on {connection.vendor} here")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(begin)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def archive_media(root, archive):
    """Add every file under root to the tar archive; -> {name: SHA-256 of the bytes added}. A
    file deleted meanwhile is left out; one rewritten meanwhile is archived as read."""
    root = Path(root)
    digests = {}
    if not root.exists():
        return digests
    for path in sorted(root.rglob("*")):
        if not path.is_file() or is_partial(path.name):
            continue  # a partial file is a write in progress (articles/media/storage.py)
        try:
            data, stat = path.read_bytes(), path.stat()
        except FileNotFoundError:
            continue
        name = str(path.relative_to(root))
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(stat.st_mtime), stat.st_mode & 0o777
        archive.addfile(info, io.BytesIO(data))
        digests[name] = hashlib.sha256(data).hexdigest()
    return digests


class Command(BaseCommand):
    help = "Back up the database and the media files into var/backups/<timestamp>/."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Folder to write (default var/backups/<timestamp>)")

    def handle(self, *args, output, **options):
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = Path(output or Path(settings.BASE_DIR) / "var" / "backups" / stamp)
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} exists and is not empty")
        target.mkdir(parents=True, exist_ok=True)
        # dumpdata picks compression from the suffix; the name changes only once it is complete.
        dump = target / "db.tmp.json.gz"
        with one_snapshot():
            call_command(
                "dumpdata",
                format=BACKUP_FORMAT,
                natural_foreign=True,
                exclude=EXCLUDED,
                output=str(dump),
                verbosity=0,
            )
            articles = Article.objects.count()  # of the same snapshot
        dump.rename(target / "db.json.gz")

        # After the snapshot: a file the dump names was there before it (files are written
        # before the rows naming them are committed), so it is archived.
        with tarfile.open(target / "media.tar.gz.tmp", "w:gz") as archive:
            files = archive_media(settings.MEDIA_ROOT, archive)
        (target / "media.tar.gz.tmp").rename(target / "media.tar.gz")

        manifest = {
            "created_at": timezone.now().isoformat(),
            "database_engine": settings.DATABASES["default"]["ENGINE"],
            "articles": articles,
            "db_sha256": file_digest(target / "db.json.gz"),
            "media": files,
        }
        (target / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        self.stdout.write(f"{target}: {manifest['articles']} articles, {len(files)} media files")
