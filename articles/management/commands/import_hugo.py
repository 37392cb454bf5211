"""python manage.py import_hugo SITE_DIR: bring a Hugo site's content in (docs/HUGO.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from articles.hugo.body import REMOTE_SUMMARY
from articles.hugo.importer import SiteError, import_site
from articles.hugo.limits import MAX_FILE_BYTES, MB
from articles.hugo.pipeline import default_jobs
from articles.hugo.site import DEFAULT_ENVIRONMENT

# Warnings about the site's config, printed before the summary line at every verbosity.
CONFIG_NOTES = ("config keys not used", "related.includeNewer", REMOTE_SUMMARY)


class Command(BaseCommand):
    help = "Import a Hugo site (or a bare content folder) as articles. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("site_dir", help="Hugo site root (with content/) or a content folder")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument("--report", metavar="FILE", help="Write the JSON report here.")
        parser.add_argument(
            "--section",
            action="append",
            dest="sections",
            metavar="NAME",
            help="Import only this top-level content folder (repeatable).",
        )
        parser.add_argument(
            "--timezone", default="Asia/Shanghai", help="Zone for dates written without one."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Also replace articles an editor changed in the admin since the last import.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            metavar="N",
            help="Worker processes rendering pages ahead of the writer (default: CPU count; "
            "1: none).",
        )
        parser.add_argument(
            "--max-file-size",
            type=float,
            default=MAX_FILE_BYTES / MB,
            metavar="MB",
            help=f"Refuse content files larger than this (default {MAX_FILE_BYTES // MB} MB).",
        )
        parser.add_argument(
            "--environment",
            default=DEFAULT_ENVIRONMENT,
            metavar="NAME",
            help="Merge config/NAME/ over config/_default/, as Hugo does "
            f"(default {DEFAULT_ENVIRONMENT}).",
        )
        parser.add_argument(
            "--download-remote-images",
            action="store_true",
            help="Fetch images the pages load from other sites into media (bounded in size and "
            "time, checked like uploads); without it they stay remote and are reported.",
        )

    def handle(
        self, *args, site_dir, dry_run, report, sections, timezone, overwrite, jobs, **options
    ):
        self.verbosity = options["verbosity"]
        max_file_bytes = int(options["max_file_size"] * MB)
        if max_file_bytes <= 0:
            raise CommandError("--max-file-size must be more than 0", returncode=2)
        report_file = self._open_report(report) if report else None
        progress = _Progress(self.stderr, verbosity=options["verbosity"])
        try:
            result = import_site(
                site_dir=site_dir,
                dry_run=dry_run,
                sections=sections,
                tz=timezone,
                overwrite=overwrite,
                progress=progress,
                jobs=max(1, jobs),
                max_file_bytes=max_file_bytes,
                environment=options["environment"],
                download_remote_images=options["download_remote_images"],
            )
        except (SiteError, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        finally:
            progress.finish()
        if report_file:
            with report_file:
                json.dump(result.as_dict(), report_file, ensure_ascii=False, indent=2)
        self._summary(result, dry_run=dry_run)
        if result.failed:
            raise CommandError(f"{len(result.failed)} file(s) failed; see above.", returncode=1)

    def _open_report(self, path):
        try:
            return open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed after the import
        except OSError as exc:
            raise CommandError(f"cannot write report {path}: {exc.strerror}", returncode=2) from exc

    def _summary(self, result, *, dry_run):
        if self.verbosity >= 2:
            for warning in result.warnings:
                self.stdout.write(f"warning: {warning['file']}: {warning['message']}")
        else:  # what the site's config says that the import leaves aside
            for warning in result.warnings:
                if warning["message"].startswith(CONFIG_NOTES):
                    self.stdout.write(f"warning: {warning['file']}: {warning['message']}")
        for reason, files in result.skip_reasons().items():
            example = f" ({files[0]}{', ...' if len(files) > 1 else ''})"
            self.stdout.write(f"skipped {len(files)}: {reason}{example}")
        for failure in result.failed:
            self.stderr.write(f"failed: {failure['file']}: {failure['error']}")
        counts = result.counts()
        line = ", ".join(f"{key} {value}" for key, value in counts.items())
        prefix = "Dry run (nothing written): " if dry_run else ""
        style = self.style.ERROR if result.failed else self.style.SUCCESS
        self.stdout.write(style(prefix + line))


class _Progress:
    """A bar on a terminal, one plain line per file otherwise (logs, CI)."""

    WIDTH = 30

    def __init__(self, stream, *, verbosity):
        self.stream = stream
        self.enabled = verbosity >= 1
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.drawn = False

    def __call__(self, done, total, path):
        if not self.enabled:
            return
        if not self.tty:
            self.stream.write(f"[{done}/{total}] {path}")
            return
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {path[-40:]:<40}", ending="")
        self.stream.flush()
        self.drawn = True

    def finish(self):
        if self.drawn:
            self.stream.write("", ending="\n")
