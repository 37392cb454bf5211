"""python manage.py restore DIR: load a backup made by `manage.py backup`.

Migrates, empties the database (refusing when it holds articles unless --force), loads
db.json.gz and unpacks media.tar.gz into MEDIA_ROOT, then checks the files against the manifest.
"""

import json
import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.management.commands.backup import file_digest, media_files
from articles.models import Article


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup` into this database and media."

    def add_arguments(self, parser):
        parser.add_argument("backup_dir")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that already has articles."
        )

    def handle(self, *args, backup_dir, force, **options):
        source = Path(backup_dir)
        manifest = self._manifest(source)
        call_command("migrate", interactive=False, verbosity=0)
        if Article.objects.exists() and not force:
            raise CommandError(
                "this database already has articles; restore into an empty one or pass --force"
            )
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(source / "db.json.gz"), verbosity=0)
        self._unpack_media(source / "media.tar.gz")

        restored = media_files(settings.MEDIA_ROOT)
        damaged = [
            name for name, digest in manifest["media"].items() if restored.get(name) != digest
        ]
        if damaged:
            raise CommandError(
                f"{len(damaged)} media file(s) differ from the backup: {damaged[:5]}"
            )
        count = Article.objects.count()
        if count != manifest["articles"]:
            raise CommandError(f"restored {count} articles, the backup has {manifest['articles']}")
        self.stdout.write(f"restored {count} articles and {len(manifest['media'])} media files")

    def _manifest(self, source):
        try:
            manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"{source} is not a complete backup: {exc}") from exc
        if file_digest(source / "db.json.gz") != manifest["db_sha256"]:
            raise CommandError("db.json.gz does not match its checksum: the backup is damaged")
        return manifest

    def _unpack_media(self, archive_path):
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, .. and links out of MEDIA_ROOT.
            archive.extractall(media_root, filter="data")
