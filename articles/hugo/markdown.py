"""Markdown -> HTML the way the Hugo site rendered it: CommonMark, tables, footnotes,
strikethrough and task lists, raw HTML allowed (the sanitiser has the last word)."""

import re
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from articles.hugo import shortcodes


@cache
def _parser():
    return (
        MarkdownIt("commonmark", {"html": True, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(tasklists_plugin, enabled=False)
    )


def markdown_to_html(text):
    return _parser().render(text)


def render_body(text, *, is_markdown=True):
    """Return (html, unknown shortcode names). HTML content files skip Markdown."""
    render = markdown_to_html if is_markdown else (lambda inner: inner)
    expanded = shortcodes.expand(text, render_markdown=render)
    html = render(expanded.text)
    if expanded.blocks:
        html = _put_back(html, expanded.blocks)
    return html, expanded.unknown


_PARAGRAPH_OF_ONE = re.compile("<p>(\ue000\\d+\ue001)</p>")
_ANY = re.compile("\ue000\\d+\ue001")


def _put_back(html, blocks):
    # A block shortcode alone on its line comes back as <p>X</p>; the <p> must go, or a
    # <figure> or <details> would end up inside a paragraph. Replace until none is left:
    # inner content can itself hold placeholders.
    for _ in range(10):
        html = _PARAGRAPH_OF_ONE.sub(lambda m: blocks.get(m.group(1), m.group(0)), html)
        html = _ANY.sub(lambda m: blocks.get(m.group(0), m.group(0)), html)
        if "\ue000" not in html:
            break
    return html
