"""picture(): a featured image as <picture> with WebP and source-format srcsets, sized."""

import functools

from django.core.files.storage import default_storage
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from articles.media import renditions

_BASE_WIDTHS = {"card": renditions.CARD_WIDTH, "article": renditions.ARTICLE_WIDTH}


def _source_size(image):
    """The oriented size stored on the model (width_field/height_field): no file is opened."""
    field = image.field
    width = getattr(image.instance, field.width_field or "", None)
    height = getattr(image.instance, field.height_field or "", None)
    return (width, height) if width and height else None


@functools.lru_cache(maxsize=4096)
def _picture_parts(media_url, name, size, preset):
    """(src, width, height, webp srcset, srcset), escaped, for one image at one preset.

    A page of cards shows the same few images' URLs again and again, and each URL is a
    storage.url() call (a urljoin) per srcset candidate, about 180 a list page: computed once
    per process. Names are deterministic (renditions.py), so nothing here goes stale; media_url
    is in the key for settings that change it (tests)."""
    formats = renditions.source_formats(name)
    if size is None or not formats:
        # GIFs and files of unknown size are served as they are.
        width, height = size or ("", "")
        return escape(default_storage.url(name)), width, height, "", ""
    own = formats[-1]
    width, height = renditions.scaled_size(size, _BASE_WIDTHS[preset])
    src = renditions.rendition_url(
        name, source_size=size, width=_BASE_WIDTHS[preset], image_format=own
    )
    webp = "" if own == "WEBP" else renditions.srcset(name, source_size=size, image_format="WEBP")
    srcset = renditions.srcset(name, source_size=size, image_format=own)
    return escape(src), width, height, escape(webp), escape(srcset)


def picture(image, *, alt="", preset="card", sizes="", loading="lazy", fetchpriority="", css=""):
    """Render image (an ImageField's file) at the preset's width ("card" or "article"), with
    srcsets the browser picks from using sizes. Renditions were made when the article was saved."""
    if not image:
        return ""
    if preset not in _BASE_WIDTHS:
        raise ValueError(f"picture: unknown preset {preset!r}")
    src, width, height, webp, srcset = _picture_parts(
        default_storage.base_url, image.name, _source_size(image), preset
    )
    sizes = f' sizes="{conditional_escape(sizes)}"' if sizes else ""
    html = ['<picture class="picture">']
    if webp:
        html.append(f'<source type="image/webp" srcset="{webp}"{sizes}>')
    html.append(f'<img src="{src}"')
    if srcset:
        html.append(f' srcset="{srcset}"{sizes}')
    if width:
        html.append(f' width="{width}" height="{height}"')
    html.append(f' alt="{conditional_escape(alt)}"')
    if css:
        html.append(f' class="{conditional_escape(css)}"')
    html.append(f' loading="{conditional_escape(loading)}" decoding="async"')
    if fetchpriority:
        html.append(f' fetchpriority="{conditional_escape(fetchpriority)}"')
    html.append("></picture>")
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
