"""Images a Hugo page points at: found in the bundle or static/, re-encoded into media.

Nothing is downloaded: remote images stay where they are and are reported. Nothing outside the
site is read: a path or a symlink whose real path leaves SITE_DIR is refused and reported.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage

from articles.media.images import FORMATS, clean_image
from articles.models import ContentIssue

MEDIA_PREFIX = "articles/hugo"
_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|\.{0,2}\\)")
_EXTENSIONS = {f".{ext}" for ext in FORMATS.values()} | {".jpeg"}


@dataclass
class ImageProblem:
    kind: str  # a ContentIssue.Kind value
    ref: str
    message: str


class ImageStore:
    """Copies images into media once per run (and once ever: names are content hashes)."""

    def __init__(self, *, site, dry_run=False):
        self.site = site
        self.dry_run = dry_run
        self._stored = {}  # resolved source path or content hash -> media name

    def classify(self, ref):
        """-> ("remote", url) | ("local", Path) | ImageProblem."""
        ref = (ref or "").strip()
        if ref.startswith(("http://", "https://", "//")):
            return ("remote", ref)
        if _WINDOWS.match(ref) or "\\" in ref:
            return ImageProblem(
                ContentIssue.Kind.BROKEN_IMAGE_PATH,
                ref,
                f"Windows path '{ref}' points at a file on the author's computer, not in the site",
            )
        return None

    def resolve(self, ref, *, page_dir):
        """Find ref on disk. -> ("remote", url) | ("local", Path) | ImageProblem."""
        classified = self.classify(ref)
        if classified is not None:
            return classified
        parts = urlsplit(ref.strip())
        if parts.scheme:
            return ImageProblem(
                ContentIssue.Kind.BROKEN_IMAGE_PATH, ref, f"image URL '{ref}' is not http(s)"
            )
        path = unquote(parts.path)
        if not path:
            return ImageProblem(ContentIssue.Kind.BROKEN_IMAGE_PATH, ref, "empty image path")
        relative = PurePosixPath(path.lstrip("/"))
        if path.startswith("/"):
            # Site-absolute: static/ (or assets/), else a bundle addressed by its URL path.
            candidates = [d / relative for d in self.site.static_dirs]
            candidates.append(self.site.content_dir / relative)
        else:
            candidates = [page_dir / relative] + [d / relative for d in self.site.static_dirs]
        root = self.site.root.resolve()
        for candidate in candidates:
            try:
                resolved = candidate.resolve()  # symlinks followed
            except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop
                continue
            if not resolved.is_relative_to(root):
                return ImageProblem(
                    ContentIssue.Kind.BROKEN_IMAGE_PATH, ref, f"image path '{ref}' leaves the site"
                )
            if resolved.is_file():
                return ("local", resolved)
        where = "static/" if path.startswith("/") else "the page's folder or static/"
        return ImageProblem(
            ContentIssue.Kind.MISSING_IMAGE, ref, f"image '{ref}' not found in {where}"
        )

    def store(self, source, *, ref):
        """Copy source into media; -> media name, or ImageProblem when Pillow can't read it."""
        if source in self._stored:
            return self._stored[source]
        try:
            size = Path(source).stat().st_size
            if size > settings.UPLOAD_MAX_BYTES:  # what clean_image() refuses: don't read it
                return ImageProblem(
                    ContentIssue.Kind.UNREADABLE_IMAGE,
                    ref,
                    f"image '{ref}' too large ({size // 1024} KB, over the "
                    f"{settings.UPLOAD_MAX_BYTES // 1024} KB limit)",
                )
            raw = Path(source).read_bytes()
        except OSError as exc:
            return ImageProblem(
                ContentIssue.Kind.UNREADABLE_IMAGE, ref, f"image '{ref}' unreadable: {exc.strerror}"
            )
        digest = hashlib.sha256(raw).hexdigest()
        if digest in self._stored:
            self._stored[source] = self._stored[digest]
            return self._stored[digest]
        suffix = Path(source).suffix.lower()
        if suffix in _EXTENSIONS:
            # A file we wrote ourselves (an export re-imported) is already clean: reuse it.
            own = media_name(digest, suffix.lstrip(".").replace("jpeg", "jpg"))
            if default_storage.exists(own):
                self._stored[source] = own
                return own
        try:
            with open(source, "rb") as handle:
                cleaned = clean_image(File(handle, name=Path(source).name))
        except ValidationError as exc:
            return ImageProblem(
                ContentIssue.Kind.UNREADABLE_IMAGE,
                ref,
                f"image '{ref}' unreadable: {' '.join(exc.messages)}",
            )
        data = cleaned.read()
        name = media_name(hashlib.sha256(data).hexdigest(), cleaned.name.rsplit(".", 1)[-1])
        if not self.dry_run and not default_storage.exists(name):
            cleaned.seek(0)
            name = default_storage.save(name, cleaned)
        self._stored[source] = self._stored[digest] = name
        return name


def media_name(digest, ext):
    return f"{MEDIA_PREFIX}/{digest[:2]}/{digest[:24]}.{ext}"
