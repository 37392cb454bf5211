"""Image intake: every uploaded image is opened, checked and re-encoded by Pillow.

Re-encoding drops whatever else rode along in the file (EXIF location, scripts in polyglots),
applies the EXIF orientation, and gives the file a name we chose rather than the uploader's.

The re-encoded file carries a marker (a JPEG or GIF comment, a PNG tEXt chunk, a WebP XMP chunk). A file that has
it, and holds nothing but image data besides (already_normalised()), is checked and decoded like
any other but kept byte for byte: an image that comes back (an export imported again, a picture
saved from the site) is not re-encoded a second time, which for JPEG would lose quality again.
"""

import io
import struct
import uuid
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from PIL.PngImagePlugin import PngInfo

from articles.media.storage import is_disk_full

FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# Every image gets WebP renditions (renditions.py), and WebP cannot be wider or taller than this.
MAX_SIDE = 16383
# A sliver (e.g. 16000×1) scales to a rendition 0 px high, which cannot be made either; no
# real photo or banner comes near this.
MAX_ASPECT_RATIO = 100


def clean_image(uploaded, *, max_bytes=None, max_pixels=None):
    """Return a ContentFile holding a re-encoded copy of uploaded, or raise ValidationError."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise ValidationError(
            _("图片太大（%(size)d KB），上限是 %(limit)d KB。")
            % {"size": uploaded.size // 1024, "limit": max_bytes // 1024}
        )
    uploaded.seek(0)
    try:
        with Image.open(uploaded) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    _("图片像素过多（%(w)d×%(h)d），上限是 %(limit)d 像素。")
                    % {"w": width, "h": height, "limit": max_pixels}
                )
            if max(width, height) > MAX_SIDE:
                raise ValidationError(
                    _("图片的宽或高不能超过 %(limit)d 像素（这张是 %(w)d×%(h)d）。")
                    % {"w": width, "h": height, "limit": MAX_SIDE}
                )
            if max(width, height) > MAX_ASPECT_RATIO * max(1, min(width, height)):
                raise ValidationError(
                    _("图片太细长（%(w)d×%(h)d）：长边不能超过短边的 %(ratio)d 倍。")
                    % {"w": width, "h": height, "ratio": MAX_ASPECT_RATIO}
                )
            if image_format not in FORMATS:
                raise ValidationError(_("只接受 JPEG、PNG、GIF 或 WebP 图片。"))
            probe.verify()
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image.load()
            uploaded.seek(0)
            data = uploaded.read(max_bytes + 1)
            if len(data) <= max_bytes and already_normalised(data, image_format):
                return ContentFile(data, name=f"{uuid.uuid4().hex}.{FORMATS[image_format]}")
            image = ImageOps.exif_transpose(image)
            return _reencode(image, image_format)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        if is_disk_full(exc):
            raise  # the server's disk, not the image: callers say so
        raise ValidationError(_("这不是一个可以读取的图片文件。")) from exc


MARKER = b"newsroom-normalised-v1"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_MARKER_CHUNK = b"Comment\x00" + MARKER
_PNG_IMAGE_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT"}
# JPEG segments a baseline or progressive image needs: APP0 (JFIF), DQT, SOFn, DHT, DRI.
_JPEG_IMAGE_SEGMENTS = {0xE0, 0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD}


def already_normalised(data, image_format):
    """True when data is a file clean_image() wrote: our marker, once, and nothing else but the
    image itself (no EXIF, ICC, XMP, other comments, or bytes after the end). The marker alone
    proves nothing (anyone can copy it); the structure is what makes the bytes safe to keep."""
    checks = {
        "JPEG": _jpeg_is_ours,
        "PNG": _png_is_ours,
        "GIF": _gif_is_ours,
        "WEBP": _webp_is_ours,
    }
    try:
        return checks.get(image_format, lambda data: False)(data)
    except (IndexError, ValueError, struct.error):
        return False


def _jpeg_is_ours(data):
    if data[:2] != b"\xff\xd8":
        return False
    pos, markers = 2, 0
    while pos < len(data):
        if data[pos] != 0xFF:
            return False
        kind = data[pos + 1]
        if kind == 0xD9:  # EOI: the file must end here
            return pos + 2 == len(data) and markers == 1
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segment = data[pos + 4 : pos + 2 + length]
        if kind == 0xFE:
            if segment != MARKER:
                return False
            markers += 1
        elif kind == 0xDA:  # SOS: entropy-coded data up to the next real marker
            pos = data.index(b"\xff", pos + 2 + length)
            while data[pos + 1] == 0x00 or 0xD0 <= data[pos + 1] <= 0xD7:  # stuffing, RSTn
                pos = data.index(b"\xff", pos + 1)
            continue
        elif kind not in _JPEG_IMAGE_SEGMENTS:
            return False
        pos += 2 + length
    return False


def _png_is_ours(data):
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos, markers = len(_PNG_SIGNATURE), 0
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if len(body) != length or zlib.crc32(kind + body) != crc:
            return False
        pos += 12 + length
        if kind == b"IEND":
            return pos == len(data) and markers == 1
        if kind == b"tEXt" and body == _PNG_MARKER_CHUNK:
            markers += 1
        elif kind not in _PNG_IMAGE_CHUNKS:
            return False
    return False


def _gif_is_ours(data):
    if data[:6] != b"GIF89a":
        return False
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    markers = 0
    while True:
        kind = data[pos]
        if kind == 0x3B:  # trailer
            return pos + 1 == len(data) and markers == 1
        if kind == 0x21:
            label, pos = data[pos + 1], pos + 2
            if label not in (0xF9, 0xFE, 0xFF):
                return False
            start = pos
            pos = _skip_sub_blocks(data, pos)
            if label == 0xFE:
                if data[start : pos - 1] != bytes([len(MARKER)]) + MARKER:
                    return False
                markers += 1
            elif label == 0xFF and data[start : start + 12] != b"\x0bNETSCAPE2.0":
                return False
        elif kind == 0x2C:
            flags = data[pos + 9]
            pos += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = _skip_sub_blocks(data, pos + 1)  # past the LZW code size
        else:
            return False


_WEBP_IMAGE_CHUNKS = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF"}


def _webp_is_ours(data):
    """RIFF chunks: the image's own, our marker as the XMP chunk, and the RIFF size exact."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    if struct.unpack("<I", data[4:8])[0] + 8 != len(data):
        return False
    pos, markers = 12, 0
    while pos < len(data):
        kind, length = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            return False
        pos += 8 + length + (length & 1)  # chunks are padded to an even size
        if kind == b"XMP ":
            if body != MARKER:
                return False
            markers += 1
        elif kind not in _WEBP_IMAGE_CHUNKS:
            return False
    return pos == len(data) and markers == 1


def _skip_sub_blocks(data, pos):
    """The position after a chain of GIF data sub-blocks and its 0 terminator."""
    while data[pos]:
        pos += data[pos] + 1
    if pos >= len(data):
        raise IndexError(pos)
    return pos + 1


# Metadata Pillow would otherwise copy into the new file: comments (JPEG COM, GIF comment
# extension) can carry a script or PHP payload, XMP and EXIF can carry a location.
_DROPPED_INFO = ("comment", "exif", "xmp", "XML:com.adobe.xmp", "photoshop", "icc_profile")


def _reencode(image, image_format):
    image = _to_srgb(image)
    for key in _DROPPED_INFO:
        image.info.pop(key, None)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True, comment=MARKER)
    elif image_format == "GIF":
        image.save(buffer, "GIF", comment=MARKER)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=88, xmp=MARKER)
    else:
        marker = PngInfo()
        marker.add_text("Comment", MARKER)
        image.save(buffer, "PNG", optimize=True, pnginfo=marker)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{FORMATS[image_format]}")


def _to_srgb(image):
    """Convert an image with an embedded colour profile to sRGB, so the profile can be dropped
    (a profile is an opaque blob an attacker controls) without the colours shifting."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB")
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    converted.info = {key: value for key, value in image.info.items() if key != "icc_profile"}
    return converted
