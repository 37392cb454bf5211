"""{% picture %}: a featured image as <picture> with WebP and source-format srcsets, sized."""

from django import template

from .. import renditions

register = template.Library()

_BASE_WIDTHS = {"card": renditions.CARD_WIDTH, "article": renditions.ARTICLE_WIDTH}


def _source_size(image):
    """The oriented size stored on the model (width_field/height_field): no file is opened."""
    field = image.field
    width = getattr(image.instance, field.width_field or "", None)
    height = getattr(image.instance, field.height_field or "", None)
    return (width, height) if width and height else None


@register.inclusion_tag("includes/picture.html")
def picture(image, *, alt="", preset="card", sizes="", loading="lazy", fetchpriority="", css=""):
    """Render image (an ImageField's file) at the preset's width ("card" or "article"), with
    srcsets the browser picks from using sizes. Renditions were made when the article was saved."""
    context = {
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
        "fetchpriority": fetchpriority,
        "css": css,
    }
    if not image:
        return {**context, "src": ""}
    size = _source_size(image)
    formats = renditions.source_formats(image.name)
    if size is None or not formats:
        # GIFs and files of unknown size are served as they are.
        return {**context, "src": image.url, "width": size and size[0], "height": size and size[1]}
    own = formats[-1]
    base = _BASE_WIDTHS[preset]
    width, height = renditions.scaled_size(size, base)
    return {
        **context,
        "src": renditions.rendition_url(image.name, source_size=size, width=base, image_format=own),
        "width": width,
        "height": height,
        "webp_srcset": renditions.srcset(image.name, source_size=size, image_format="WEBP")
        if own != "WEBP"
        else "",
        "srcset": renditions.srcset(image.name, source_size=size, image_format=own),
    }
