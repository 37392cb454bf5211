"""Media files that appear whole or not at all.

Django's FileSystemStorage writes straight into the final path, so a process killed halfway (or
a disk that fills up) leaves a truncated file under a name pages and the import trust. Here each
file is written to a hidden partial file in the same directory, flushed to disk, then given its
final name in one step; a failed write removes the partial file. Remote storages (S3) are not
affected: their uploads are already all or nothing.
"""

import errno
import hashlib
import os
import secrets
import socket
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

PARTIAL_SUFFIX = ".part"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
# Filesystems without hard links (some network and FUSE mounts) answer these to os.link().
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV})
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_written = ContextVar("media_written", default=None)


def is_partial(file_name):
    """True for the name of a partial file: a write in progress, or one a killed process left."""
    return file_name.startswith(".") and file_name.endswith(PARTIAL_SUFFIX)


def is_disk_full(exc):
    """True when exc (or what caused it) is the disk or the quota running out."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextmanager
def recording_writes():
    """Collect the names of the files saved inside the block, so a caller whose work failed
    afterwards can remove what it wrote (see AtomicFileSystemStorage)."""
    names = []
    token = _written.set(names)
    try:
        yield names
    finally:
        _written.reset(token)


@deconstructible(path="articles.media.storage.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that writes a partial file and links it into place when complete.

    os.link() gives the final name atomically and fails if the name is taken, so, as in
    Django's own storage, a file is never overwritten: a name taken meanwhile sends the file to
    get_available_name() for another. With allow_overwrite=True the partial file os.replace()s
    the old one instead.
    """

    def _save(self, name, content):
        full_path = self.path(name)
        self._make_directories(os.path.dirname(full_path))
        partial = self._write_partial(os.path.dirname(full_path), content)
        try:
            while True:
                try:
                    self._publish(partial, full_path)
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                else:
                    break
        except BaseException:
            _remove(partial)
            raise
        self._ensure_location_group_id(full_path)
        name = os.path.relpath(full_path, self.location).replace("\\", "/")
        if (recorded := _written.get()) is not None:
            recorded.append(name)
        return name

    def _write_partial(self, directory, content):
        partial = os.path.join(
            directory, f".{_HOST}-{os.getpid()}-{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
        )
        # O_EXCL with the mode FileSystemStorage uses, so the umask applies the same way.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(partial, flags, 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                # Durable before it gets its name: after a power cut, a name never points at
                # blocks that were not written yet.
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(partial, self.file_permissions_mode)
        except BaseException:
            _remove(partial)
            raise
        return partial

    def _publish(self, partial, full_path):
        if getattr(self, "_allow_overwrite", False):
            os.replace(partial, full_path)
            return
        try:
            os.link(partial, full_path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            if os.path.lexists(full_path):
                raise FileExistsError(full_path) from exc
            os.replace(partial, full_path)
            return
        _remove(partial)

    def _make_directories(self, directory):
        """os.makedirs(), with directory_permissions_mode applied to every level it creates."""
        if os.path.isdir(directory):
            return
        self._make_directories(os.path.dirname(directory))
        try:
            os.mkdir(directory)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise FileExistsError(f"{directory} exists and is not a directory.") from None
            return
        if self.directory_permissions_mode is not None:
            os.chmod(directory, self.directory_permissions_mode)

    def remove_partial_files(self, prefix="", *, older_than=3600):
        """Delete the partial files killed writers left under prefix: those of processes no
        longer running on this host, and any older than older_than seconds. -> how many."""
        root = self.path(prefix) if prefix else self.location
        removed, now = 0, time.time()
        for directory, _folders, files in os.walk(root):
            for file_name in files:
                if not is_partial(file_name):
                    continue
                path = os.path.join(directory, file_name)
                try:
                    stale = now - os.stat(path).st_mtime > older_than
                except FileNotFoundError:
                    continue
                if stale or _writer_is_gone(file_name):
                    removed += _remove(path)
        return removed


def _writer_is_gone(file_name):
    host, _, rest = file_name[1:].partition("-")
    pid = rest.partition("-")[0]
    if host != _HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        return 0
    return 1
