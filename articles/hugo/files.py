"""A Hugo site's content files: which files there are (every language's folder too), what
each one is, and reading one without leaving the site or reading more than a limit."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

from articles.hugo.limits import MAX_FILE_BYTES, size_text

CONTENT_SUFFIXES = {".md", ".markdown", ".html", ".htm"}
_LANG_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,8})?)$", re.IGNORECASE)


class Refused(Exception):
    """A file the import does not read (outside the site, too large, unreadable); the message
    is the report's reason."""


@dataclass
class ContentFile:
    path: Path
    rel: str  # posix path under content/, the article's source_path
    stem: str  # file name without language and extension ("index", "_index", "about")
    lang: str | None
    section: str  # Hugo's section: the first folder under content/ ("" for top-level pages)
    root: Path | None = None  # the site's folder: what read() may not leave

    @property
    def is_branch_index(self):
        return self.stem == "_index"

    @property
    def is_bundle(self):
        return self.stem == "index"

    def read(self, *, max_bytes=MAX_FILE_BYTES):
        """The file's bytes; raises Refused (outside the site, over max_bytes, unreadable)."""
        return read_limited(self.path, root=self.root or self.path.parent, max_bytes=max_bytes)


def inside(path, root):
    """True when path, symlinks followed, is root or under it."""
    try:
        return Path(path).resolve().is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop (< 3.13)
        return False


def read_limited(path, *, root, max_bytes):
    """Read path, refusing (Refused) a file whose real path leaves root or that holds more
    than max_bytes. Reads at most max_bytes + 1 bytes whatever the file claims to be."""
    if not inside(path, root):
        raise Refused("refused: a symlink to a file outside the site")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise Refused(f"unreadable: {exc.strerror}") from exc
    if len(raw) > max_bytes:
        raise Refused(
            f"refused: too large ({size_text(max(size, len(raw)))}, over the "
            f"{size_text(max_bytes)} limit for a file)"
        )
    return raw


def content_files(site):
    """Every content file, sorted by path, hidden files and folders skipped: those under content/
    (a language suffix, `a.en.md`, gives the language) and those of each language's own
    content folder (site.language_dirs), named as if they had that language's suffix
    (`content/en/a.md` is `a.en.md`): Hugo pairs translations the same way in both layouts.
    An import asks several times (selection, channels, old URLs, links): the folders are read
    once for each opened site."""
    key = (site.content_dir, tuple(sorted(site.language_dirs.items())))
    if site.__dict__.get("_content_files", (None,))[0] != key:
        found = _files_in(site, site.content_dir, language=None, skip=site.language_dirs.values())
        for language, folder in sorted(site.language_dirs.items()):
            found += _files_in(site, folder, language=language, skip=[site.content_dir])
        site.__dict__["_content_files"] = (key, sorted(found, key=lambda file: file.rel))
    return list(site.__dict__["_content_files"][1])


def _files_in(site, folder, *, language, skip):
    skip = [path for path in skip if path != folder and path.is_relative_to(folder)]
    found = []
    for path in sorted(folder.rglob("*")):
        rel_parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in rel_parts):
            continue
        if path.suffix.lower() not in CONTENT_SUFFIXES or not path.is_file():
            continue
        if any(path.is_relative_to(other) for other in skip):
            continue  # another language's folder inside this one
        name = path.name[: -len(path.suffix)]
        match = _LANG_SUFFIX.match(name)
        lang = None
        if match and (
            match["lang"].lower() in site.languages
            or "-" in match["lang"]
            or len(match["lang"]) == 2
        ):
            name, lang = match["stem"], match["lang"].lower()
        rel = "/".join(rel_parts)
        if language and lang is None:
            lang = language
            rel = "/".join([*rel_parts[:-1], f"{name}.{language}{path.suffix}"])
        found.append(
            ContentFile(
                path=path,
                rel=rel,
                stem=name,
                lang=lang,
                section=rel_parts[0] if len(rel_parts) > 1 else "",
                root=site.root,
            )
        )
    return found
