"""Images a Hugo page points at: found in the bundle or static/, re-encoded into media.

Remote images stay where they are and are reported (with the hosts readers' browsers would
have to be allowed to load them from), unless download_remote is on: then each URL is fetched
once (remote.py: bounded, SSRF-safe) and stored like a local file. Nothing outside the site is
read: a path or a symlink whose real path leaves SITE_DIR is refused and reported.
"""

import hashlib
import re
import shutil
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage

from articles.hugo.remote import FetchError, fetch_image
from articles.media.images import FORMATS, clean_image
from articles.media.library import store_image
from articles.media.renditions import ROOT as RENDITIONS
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

    def __init__(self, *, site, dry_run=False, download_remote=False):
        self.site = site
        self.dry_run = dry_run
        self.download_remote = download_remote
        self.remote_hosts = {}  # host -> how many remote images were left on it
        self._stored = {}  # resolved source path or content hash -> media name
        self._fetched = {}  # URL -> ("local", downloaded file) or ImageProblem
        self._downloads = None  # a temporary folder, made on the first download
        if not dry_run and hasattr(default_storage, "remove_partial_files"):
            # Partial files of an import killed mid-write (they never got a final name).
            for prefix in (MEDIA_PREFIX, f"{RENDITIONS}/{MEDIA_PREFIX}"):
                default_storage.remove_partial_files(prefix)

    def fetch(self, url):
        """Download url once; -> ("local", Path of the downloaded file) | ImageProblem."""
        if url not in self._fetched:
            try:
                data = fetch_image(url)
            except FetchError as exc:
                self._fetched[url] = ImageProblem(
                    ContentIssue.Kind.REMOTE_IMAGE, url, f"remote image {url} not downloaded: {exc}"
                )
            else:
                if self._downloads is None:
                    self._downloads = Path(tempfile.mkdtemp(prefix="hugo-images-"))
                    weakref.finalize(self, shutil.rmtree, self._downloads, ignore_errors=True)
                name = Path(urlsplit(url).path).suffix.lower()
                path = (
                    self._downloads / f"{len(self._fetched)}{name if name in _EXTENSIONS else ''}"
                )
                path.write_bytes(data)
                self._fetched[url] = ("local", path)
        return self._fetched[url]

    def left_remote(self, url):
        """Note a remote image left on its server: the report lists the hosts."""
        host = urlsplit(url).hostname or ""
        self.remote_hosts[host] = self.remote_hosts.get(host, 0) + 1

    def hosts_to_allow(self):
        """Hosts of remote images left on their servers that the CSP's img-src refuses."""
        return sorted(host for host in self.remote_hosts if not csp_allows_image_host(host))

    def classify(self, ref):
        """-> ("remote", url) | ("local", Path) | ImageProblem."""
        ref = (ref or "").strip()
        if ref.startswith(("http://", "https://", "//")):
            if self.download_remote:
                return self.fetch(f"https:{ref}" if ref.startswith("//") else ref)
            self.left_remote(ref)
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
            if self._stored_intact(own, digest):
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
        cleaned_digest = hashlib.sha256(data).hexdigest()
        name = media_name(cleaned_digest, cleaned.name.rsplit(".", 1)[-1])
        if not self.dry_run:  # into the media library: one file per content, registered
            name = store_image(cleaned, name=name, reuse=self._stored_intact, original_name=ref)
        self._stored[source] = self._stored[digest] = name
        return name

    def _stored_intact(self, name, digest):
        """Whether name is in media with exactly the bytes digest names. A file that is not (cut
        short by an import killed before writes were atomic, or damaged since) is deleted, so
        the caller writes it again under the same name."""
        if not default_storage.exists(name):
            return False
        found = hashlib.sha256()
        with default_storage.open(name, "rb") as stored:
            for chunk in stored.chunks():
                found.update(chunk)
        if found.hexdigest() == digest:
            return True
        if not self.dry_run:
            default_storage.delete(name)
        return False


def csp_allows_image_host(host):
    """Whether the site's Content-Security-Policy lets readers' browsers load images from an
    https URL on host (img-src entries: `https:`, `*`, `host`, `https://host`, `*.domain`)."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    for source in policy.get("DIRECTIVES", {}).get("img-src", []):
        source = source.strip().lower()
        if source in ("*", "https:"):
            return True
        pattern = source.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


def media_name(digest, ext):
    return f"{MEDIA_PREFIX}/{digest[:2]}/{digest[:24]}.{ext}"
