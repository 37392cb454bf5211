"""Filters of the portal's reader pages (articles/reading/portal.py)."""

from django import template

from articles.reading import portal

register = template.Library()


@register.filter
def natural_sizes(width, column):
    """`sizes` for an image `width` pixels wide in a box `column` pixels wide: its own width
    when narrower (never enlarged), else the box's."""
    column = int(column)
    return portal.natural_sizes(
        width, column=column, default=f"(max-width: {column}px) 100vw, {column}px"
    )
