"""python manage.py backup [--output DIR]: the database and the media files, in one folder.

var/backups/<timestamp>/ gets db.json.gz (dumpdata: primary keys kept, content types by natural
key, so it loads into any database engine), media.tar.gz (MEDIA_ROOT) and manifest.json (counts and checksums).
Restore with `manage.py restore DIR` (docs/RELIABILITY.md).
"""

import hashlib
import json
import tarfile
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

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
        call_command(
            "dumpdata",
            format=BACKUP_FORMAT,
            natural_foreign=True,
            exclude=EXCLUDED,
            output=str(dump),
            verbosity=0,
        )
        dump.rename(target / "db.json.gz")

        media_root = Path(settings.MEDIA_ROOT)
        files = media_files(media_root)
        with tarfile.open(target / "media.tar.gz.tmp", "w:gz") as archive:
            for name in files:
                archive.add(media_root / name, arcname=name)
        (target / "media.tar.gz.tmp").rename(target / "media.tar.gz")

        manifest = {
            "created_at": timezone.now().isoformat(),
            "database_engine": settings.DATABASES["default"]["ENGINE"],
            "articles": Article.objects.count(),
            "db_sha256": file_digest(target / "db.json.gz"),
            "media": files,
        }
        (target / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        self.stdout.write(f"{target}: {manifest['articles']} articles, {len(files)} media files")
