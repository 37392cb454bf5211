"""Figures as readers read them: thousands grouped by commas in every language ("阅读 1,234"),
where Django's Chinese number format groups none (and by 4 digits when asked)."""

from django import template

register = template.Library()


@register.filter
def grouped(value):
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
