"""The media library's door in the media room: every new image file goes through store_image(),
which keeps one file per content (sha256 of the bytes stored) and registers it.

The library itself (articles.models.media: the MediaImage rows with uploader, alt text,
caption, where each is used) lives in the models room, which this room may not import. The
models room connects it here when the app loads (connect()); until then store_image() only
stores. Callers: the editor's upload view (uploads.py), the Hugo importer's image store
(hugo/media.py); the article admin registers featured images itself (admin/media_library.py).
"""

import hashlib
import os

from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

_library = None


def connect(library):
    """library: an object with find(sha256) -> storage name or None, and register(name, *,
    sha256, width, height, size, uploaded_by, original_name) -> the storage name the library
    keeps for that content (the given one, or the one registered first in a race)."""
    global _library
    _library = library


def sha256_of(content):
    """The hex sha256 of a file's bytes (a File, ContentFile or open storage file)."""
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in content.chunks() if hasattr(content, "chunks") else iter(content.read, b""):
        digest.update(chunk if isinstance(chunk, bytes) else chunk.encode())
    content.seek(0)
    return digest.hexdigest()


def image_size(content):
    """(width, height) of an image file, or (None, None) when Pillow cannot read it."""
    content.seek(0)
    try:
        with Image.open(content) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None, None
    finally:
        content.seek(0)


def clean_original_name(name):
    """The uploader's file name, for display only (never a storage path): no folders, at most
    200 characters."""
    return os.path.basename((name or "").replace("\\", "/"))[:200]


def store_image(content, *, name, uploaded_by=None, original_name="", reuse=None):
    """Store content (an image clean_image() returned) under name, unless the library already
    holds the same bytes: then nothing is written and that file's name is returned.

    reuse(name, sha256): optional; True when name is already in storage with these bytes (the
    importer's content-addressed names), so it is registered without writing again.
    -> the storage name of the file holding this content."""
    digest = sha256_of(content)
    if _library is None:
        return default_storage.save(name, content)
    known = _library.find(digest)
    # The importer checks the bytes of what it reuses (a damaged file is deleted and written
    # again); an upload trusts the registered file to be there.
    if known and (reuse(known, digest) if reuse else default_storage.exists(known)):
        return known
    wrote = not (reuse is not None and reuse(name, digest))
    stored = default_storage.save(name, content) if wrote else name
    width, height = image_size(content)
    kept = _library.register(
        stored,
        sha256=digest,
        width=width,
        height=height,
        size=content.size,
        uploaded_by=uploaded_by,
        original_name=clean_original_name(original_name),
    )
    if kept != stored and wrote:  # another request registered the same bytes meanwhile
        default_storage.delete(stored)
    return kept
