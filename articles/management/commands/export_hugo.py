"""python manage.py export_hugo OUT_DIR: the newsroom as a Hugo content tree (docs/HUGO.md)."""

from django.core.management.base import BaseCommand, CommandError

from articles.hugo.exporter import UnsafePath, export_site


class Command(BaseCommand):
    help = "Write every article as a Hugo page bundle (YAML front matter, images beside it)."

    def add_arguments(self, parser):
        parser.add_argument("out_dir", help="Folder to write config.toml and content/ into")
        parser.add_argument("--timezone", default="Asia/Shanghai", help="Zone for written dates.")

    def handle(self, *args, out_dir, timezone, **options):
        try:
            report = export_site(out_dir=out_dir, tz=timezone)
        except (OSError, UnsafePath) as exc:
            raise CommandError(f"cannot write {out_dir}: {exc}", returncode=2) from exc
        for name in report.missing_images:
            self.stderr.write(f"image missing from media storage: {name}")
        for line in report.skipped:
            self.stderr.write(f"skipped: {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Exported {report.articles} articles and {report.images} images.")
        )
        if report.skipped:
            raise CommandError(
                f"{len(report.skipped)} value(s) skipped as unsafe or unwritable; see above.",
                returncode=1,
            )
