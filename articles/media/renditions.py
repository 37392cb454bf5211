"""Image renditions: resized copies of featured and body images, in WebP and the source format.

django-imagekit does the work (Pillow processors, storage, "already made?" bookkeeping). The
renditions are made when an article is saved (editor, admin or Hugo import), stored through
Django's default storage under ``renditions/``, and named deterministically from the source name,
the width and a hash of the spec, so a page computes their URLs without touching the database or
the storage. Their sizes are computed from the source's (EXIF-oriented) size the same way the
resize processor computes them.

Making them is an explicit step, never a side effect of Article.save(): the admin, the services
and the importer call make_article_renditions() after saving (the importer makes body renditions
in its worker processes). save() only reads image sizes to give body images their srcset.
"""

import functools
import html
import logging
import os
import re
from types import SimpleNamespace
from urllib.parse import unquote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from imagekit.cachefiles.backends import get_default_cachefile_backend
from imagekit.processors import ResizeToFit
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ROOT = "renditions"
# Card (1x, 2x), article column (1x, 2x) and the full-size view in the lightbox.
CARD_WIDTH, ARTICLE_WIDTH, FULL_WIDTH = 480, 860, 1920
WIDTHS = (480, 860, 960, 1720, 1920)
LISTED_WIDTHS = (480, 860, 960, 1720)  # offered in srcset; the full size is for the lightbox
BODY_SIZES = "(max-width: 860px) 100vw, 760px"

_SOURCE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_OPTIONS = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}
# Swapped width and height for EXIF orientations 5-8 (rotated a quarter turn).
_QUARTER_TURNS = {5, 6, 7, 8}


class ExifTranspose:
    """Turn the pixels the way the camera's EXIF Orientation says (imported files keep it)."""

    def process(self, image):
        return ImageOps.exif_transpose(image)


class StoredImage(File):
    """A file in default storage known by its storage name, opened only when read."""

    def __init__(self, name):
        super().__init__(None, name=name)

    def open(self, mode="rb"):
        self.file = default_storage.open(self.name, mode)
        return self


class Rendition(ImageSpec):
    def __init__(self, source, *, width, image_format):
        self.width = width
        self.processors = [ExifTranspose(), ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        self.options = _OPTIONS[image_format]
        super().__init__(source=source)

    @property
    def cachefile_name(self):
        stem = os.path.splitext(self.source.name)[0]
        extension = _EXTENSIONS[self.format]
        return f"{ROOT}/{stem}/{self.width}w-{self.get_hash()[:10]}.{extension}"


def source_formats(name):
    """Formats to render name in: WebP first, then its own. Empty for GIF and unknown files,
    which are served as they are (resizing would stop a GIF's animation)."""
    own = _SOURCE_FORMATS.get(os.path.splitext(name)[1].lower())
    if own is None:
        return []
    return ["WEBP"] if own == "WEBP" else ["WEBP", own]


def widths_for(source_width, widths=WIDTHS):
    """Rendition widths for a source this wide: never enlarged, so wider targets collapse onto
    the source width."""
    return sorted({min(width, source_width) for width in widths})


def scaled_size(source_size, width):
    """The size ResizeToFit(width=..., upscale=False) gives a source of source_size."""
    source_width, source_height = source_size
    if width >= source_width:
        return source_size
    return width, int(round(source_height * width / source_width))


def rendition_file(name, *, width, image_format):
    spec = Rendition(StoredImage(name), width=width, image_format=image_format)
    return ImageCacheFile(spec)


@functools.lru_cache(maxsize=8192)
def _rendition_name(name, width, image_format):
    # imagekit hashes the spec with a pure-Python pickle: ~0.4 ms a URL, 70% of a list page's
    # time at 100,000 articles (docs/PERFORMANCE.md); the name depends only on these three.
    return rendition_file(name, width=width, image_format=image_format).name


def rendition_url(name, *, source_size, width, image_format):
    """URL of the rendition of name at (at most) width, computed without any I/O."""
    effective = min(width, source_size[0])
    return default_storage.url(_rendition_name(name, effective, image_format))


def srcset(name, *, source_size, image_format, widths=LISTED_WIDTHS):
    return ", ".join(
        f"{default_storage.url(_rendition_name(name, width, image_format))} {width}w"
        for width in widths_for(source_size[0], widths)
    )


def oriented_size(name):
    """(width, height) of a stored image as displayed, i.e. after its EXIF orientation; None
    when the file is missing or not an image."""
    try:
        with default_storage.open(name, "rb") as stored, Image.open(stored) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def make_renditions(name, *, formats=None):
    """Make the renditions of the stored image name that do not exist yet, in formats (default:
    WebP and its own); return the source's oriented size (None if it can't be read). Safe to
    call on every save: existing renditions are neither read nor rewritten."""
    source_size = oriented_size(name)
    if source_size is None:
        return None
    for image_format in source_formats(name) if formats is None else formats:
        for width in widths_for(source_size[0]):
            _generate(rendition_file(name, width=width, image_format=image_format))
    return source_size


def _generate(cachefile):
    try:
        cachefile.generate()
    except BaseException:
        # imagekit noted the file as "generating" in the cache, for ever: it would never be
        # tried again. The storage removed the partial file; forget the note too.
        forget_renditions([cachefile.name])
        raise


def forget_renditions(names):
    """Drop what imagekit remembers about these renditions (made, or being made), so the next
    save makes them again: after a failed write, or after their files were deleted."""
    backend = get_default_cachefile_backend()
    try:
        backend.cache.delete_many([backend.get_key(SimpleNamespace(name=n)) for n in names])
    except Exception:  # noqa: BLE001 - a failing cache must not hide the error being handled
        logger.warning("could not clear imagekit's state for %d renditions", len(names))


def discard_files(names):
    """Delete files a failed save wrote (its transaction rolled back, nothing points at them)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete %s after a failed save", name)
    forget_renditions([name for name in names if name.startswith(f"{ROOT}/")])


def make_featured_renditions(article):
    """Renditions of the article's featured image. Also corrects the stored size when the file
    carries an EXIF rotation (imported photos): pages size the image from those fields."""
    if not article.featured_image:
        return
    size = make_renditions(article.featured_image.name)
    if size is None:
        return
    stored = (article.featured_image_width, article.featured_image_height)
    if size != stored:
        article.featured_image_width, article.featured_image_height = size
        type(article).objects.filter(pk=article.pk).update(
            featured_image_width=size[0], featured_image_height=size[1]
        )


# --- Body images -----------------------------------------------------------------------------

_IMG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>', re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*"([^"]*)")?')
_MANAGED = ("width", "height", "srcset", "sizes", "loading")


def _media_name(src):
    """The storage name of a src pointing into our media, else None."""
    if not src.startswith(settings.MEDIA_URL) or src.startswith("//"):
        return None
    name = unquote(src[len(settings.MEDIA_URL) :].split("?")[0].split("#")[0])
    if not name or name.startswith(f"{ROOT}/") or ".." in name.split("/"):
        return None
    return name


def _image_attributes(name):
    # Body images keep one format: <img srcset> can't offer WebP without a <picture>.
    own = source_formats(name)[-1:]
    size = oriented_size(name)
    if size is None:
        return {}
    if not own:
        return {"width": str(size[0]), "height": str(size[1])}
    width, height = scaled_size(size, ARTICLE_WIDTH)
    own = own[0]
    candidates = widths_for(size[0], (*LISTED_WIDTHS, FULL_WIDTH))
    return {
        "width": str(width),
        "height": str(height),
        "srcset": srcset(name, source_size=size, image_format=own, widths=candidates),
        "sizes": BODY_SIZES,
    }


def _rewrite_img(match):
    tag = match.group(0)
    attributes = [
        (key.lower(), value)
        for key, value in _ATTRIBUTE.findall(tag[4:].rstrip("/>"))
        if key.lower() not in _MANAGED
    ]
    src = html.unescape(dict(attributes).get("src", ""))
    name = _media_name(src)
    managed = _image_attributes(name) if name else {}
    managed["loading"] = "lazy"
    parts = [f'{key}="{value}"' for key, value in attributes]
    parts += [f'{key}="{html.escape(value)}"' for key, value in managed.items()]
    return f"<img {' '.join(parts)}>"


def add_body_renditions(body):
    """Give every <img> of a (sanitised) body loading="lazy"; those pointing into our media also
    get width, height, srcset and sizes naming their renditions (made by make_body_renditions()).
    Reads image sizes, writes nothing. Idempotent."""
    if not body or "<img" not in body:
        return body
    return _IMG.sub(_rewrite_img, body)


def body_media_names(body):
    """Storage names of the body's images that point into our media."""
    names = []
    for tag in _IMG.findall(body or ""):
        src = html.unescape(dict(_ATTRIBUTE.findall(tag[4:].rstrip("/>"))).get("src", ""))
        name = _media_name(src)
        if name and name not in names:
            names.append(name)
    return names


def make_body_renditions(body):
    """Make the missing renditions of the body's own images (in their own format only: <img
    srcset> can't offer WebP without a <picture>)."""
    for name in body_media_names(body):
        make_renditions(name, formats=source_formats(name)[-1:])


def make_article_renditions(article):
    """Every rendition an article's page shows: its featured image's and its body images'."""
    make_featured_renditions(article)
    make_body_renditions(article.body)
