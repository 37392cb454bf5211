"""Small helpers of the public pages: figures, image sizes, channel icons, the language
switch, the share block and the page-number links."""

from functools import lru_cache

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.reading import portal, share
from articles.reading.languages import page_versions
from articles.reading.site_url import absolute_url
from articles.text.svg import sanitize_svg


def grouped(value):
    """Figures as readers read them: thousands grouped by commas in every language ("阅读
    1,234"), where Django's Chinese number format groups none (and by 4 digits when asked)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


def natural_sizes(width, column):
    """`sizes` for an image `width` pixels wide in a box `column` pixels wide: its own width
    when narrower (never enlarged), else the box's (articles/reading/portal.py)."""
    column = int(column)
    return portal.natural_sizes(
        width, column=column, default=f"(max-width: {column}px) 100vw, {column}px"
    )


@lru_cache(maxsize=512)
def _safe_svg(markup):
    """Channel.save() stores only sanitised SVG; a row written around it (an update(), the
    shell) is sanitised here too. A fixed point, so a stored icon comes out as it is."""
    try:
        return sanitize_svg(markup)
    except ValueError:
        return ""


def channel_icon(channel):
    """A channel's icon, the uploaded image or its sanitised SVG, sized by the `channel-icon`
    class (static/css/menu.css): the CSP allows no inline style."""
    if channel.icon:
        return format_html(
            '<img class="channel-icon" src="{}" alt="" width="24" height="24">', channel.icon.url
        )
    svg = _safe_svg(channel.icon_svg) if channel.icon_svg else ""
    if svg:
        return mark_safe(f'<span class="channel-icon" aria-hidden="true">{svg}</span>')  # noqa: S308
    return ""


def language_versions(context):
    """This page in each language (articles.reading.languages), for the header's switch and
    the `hreflang` links."""
    request = context.get("request")
    if request is None:
        return []
    versions = page_versions(request.path, existing=context.get("article_versions"))
    for version in versions:
        version["absolute"] = absolute_url(request, version["url"])
    return versions


def share_links(context, article):
    """The share block's links (articles.reading.share)."""
    return share.share_links(context["request"], article)


def querystring(context, **changes):
    """The request's query string with `changes` made (None removes a key), as Django's
    {% querystring %} gives it: "?page=2&sort=new", or "" when both are empty."""
    query = context["request"].GET
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"
