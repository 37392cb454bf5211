"""Image intake: every uploaded image is opened, checked and re-encoded by Pillow.

Re-encoding drops whatever else rode along in the file (EXIF location, scripts in polyglots),
applies the EXIF orientation, and gives the file a name we chose rather than the uploader's.
"""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

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
        raise ValidationError(_("这不是一个可以读取的图片文件。")) from exc


# Metadata Pillow would otherwise copy into the new file: comments (JPEG COM, GIF comment
# extension) can carry a script or PHP payload, XMP and EXIF can carry a location.
_DROPPED_INFO = ("comment", "exif", "xmp", "XML:com.adobe.xmp", "photoshop", "icc_profile")


def _reencode(image, image_format):
    image = _to_srgb(image)
    for key in _DROPPED_INFO:
        image.info.pop(key, None)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    elif image_format == "GIF":
        image.save(buffer, "GIF")
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=88)
    else:
        image.save(buffer, "PNG", optimize=True)
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
