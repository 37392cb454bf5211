"""{% channel_icon channel %}: a channel's icon, the uploaded image or its sanitised SVG, sized by
the `channel-icon` class (static/css/menu.css): the CSP allows no inline style."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.text.svg import sanitize_svg

register = template.Library()


@lru_cache(maxsize=512)
def _safe_svg(markup):
    """Channel.save() stores only sanitised SVG; a row written around it (an update(), the
    shell) is sanitised here too. A fixed point, so a stored icon comes out as it is."""
    try:
        return sanitize_svg(markup)
    except ValueError:
        return ""


@register.simple_tag
def channel_icon(channel):
    if channel.icon:
        return format_html(
            '<img class="channel-icon" src="{}" alt="" width="24" height="24">', channel.icon.url
        )
    svg = _safe_svg(channel.icon_svg) if channel.icon_svg else ""
    if svg:
        return mark_safe(f'<span class="channel-icon" aria-hidden="true">{svg}</span>')  # noqa: S308
    return ""
