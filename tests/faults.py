"""Fault injection for the media tests: a disk that fills up or a writer that dies mid-write."""

import errno
import hashlib
import os
from pathlib import Path


class Killed(BaseException):
    """The process dying in the middle of a write (in-process stand-in for SIGKILL: like it, no
    `except Exception` of ours can swallow it)."""


class FaultyDisk:
    """Files written with os.fdopen(fd, "wb") (how the storage writes) work until fail() is
    armed: then the `file`-th file opened takes `keep` bytes and raises `error`, the way a
    disk filling up (or a process dying) interrupts a write after part of it reached the disk."""

    def __init__(self):
        self.armed, self.opened = None, 0

    def fail(self, *, file=1, keep=100, error=None):
        self.armed = (file, keep, error or (lambda: OSError(errno.ENOSPC, "No space left")))
        self.opened = 0

    def heal(self):
        self.armed = None


class _FillingFile:
    def __init__(self, real, *, keep, error):
        self.real, self.room, self.error = real, keep, error

    def write(self, data):
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.real.flush()
            raise self.error()
        self.room -= len(data)
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.real.close()


def faulty_disk(monkeypatch):
    """A FaultyDisk under every os.fdopen(..., "w...") until the test ends."""
    faulty, real_fdopen = FaultyDisk(), os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        opened = real_fdopen(fd, mode, *args, **kwargs)
        if faulty.armed is None or "w" not in mode:
            return opened
        faulty.opened += 1
        file, keep, error = faulty.armed
        return _FillingFile(opened, keep=keep, error=error) if faulty.opened == file else opened

    monkeypatch.setattr(os, "fdopen", fdopen)
    return faulty


def media_files(media_root):
    """Every file under MEDIA_ROOT, partial files included, relative and sorted."""
    root = Path(media_root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def intact_import_images(media_root):
    """{stored import image: whether its bytes hash to its name} (partial files excluded)."""
    found = {}
    for path in (Path(media_root) / "articles" / "hugo").rglob("*.*"):
        if not path.name.startswith("."):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.name] = digest.startswith(path.stem)
    return found
