"""{% channel_icon channel %}: a channel's icon, the uploaded image or its sanitised SVG."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def channel_icon(channel):
    if channel.icon:
        return format_html(
            '<img class="channel-icon" src="{}" alt="" width="24" height="24">', channel.icon.url
        )
    if channel.icon_svg:
        # Channel.save() keeps only sanitised SVG (articles.text.svg).
        return mark_safe(f'<span class="channel-icon" aria-hidden="true">{channel.icon_svg}</span>')  # noqa: S308
    return ""
