"""Markdown -> HTML the way the Hugo site rendered it: CommonMark, tables, footnotes,
strikethrough and task lists, raw HTML allowed (the sanitiser has the last word), and what the
site's `[markup]` config turns on, with Hugo's defaults when it says nothing: heading ids
(automatic, GitHub style, and `{#custom-id}`), linkify, typographer, definition lists. Table
column alignment becomes a class (`align-left|center|right`): the sanitiser keeps no `style`."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors.index import unique_slug
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from articles.hugo import shortcodes


@dataclass(frozen=True)
class Markup:
    """The few `[markup.goldmark]` settings the renderer follows; the defaults are Hugo's."""

    auto_heading_id: bool = True  # parser.autoHeadingID
    heading_id_type: str = "github"  # parser.autoHeadingIDType: github, github-ascii
    heading_attributes: bool = True  # parser.attribute.title: `## Title {#id .class}`
    linkify: bool = True  # extensions.linkify
    linkify_protocol: str = "https"  # extensions.linkifyProtocol, for bare www. links
    typographer: bool = True  # extensions.typographer (a bool before Hugo 0.112, else .disable)
    definition_list: bool = True  # extensions.definitionList


def markup_options(markup=None):
    """The site config's `markup` table (a plain dict, keys in any case, or None) -> Markup."""
    goldmark = _get(markup, "goldmark")
    parser, extensions = _get(goldmark, "parser"), _get(goldmark, "extensions")
    default = Markup()
    typographer = _get(extensions, "typographer", default.typographer)
    if isinstance(typographer, dict):
        typographer = not _get(typographer, "disable", False)
    return Markup(
        auto_heading_id=bool(_get(parser, "autoHeadingID", default.auto_heading_id)),
        heading_id_type=str(_get(parser, "autoHeadingIDType", default.heading_id_type)).lower(),
        heading_attributes=bool(
            _get(_get(parser, "attribute"), "title", default.heading_attributes)
        ),
        linkify=bool(_get(extensions, "linkify", default.linkify)),
        linkify_protocol=str(_get(extensions, "linkifyProtocol", default.linkify_protocol)),
        typographer=bool(typographer),
        definition_list=bool(_get(extensions, "definitionList", default.definition_list)),
    )


def _get(table, key, default=None):
    # Hugo reads config keys case-insensitively.
    if not isinstance(table, dict):
        return {} if default is None else default
    for name, value in table.items():
        if str(name).lower() == key.lower():
            return value
    return {} if default is None else default


@cache
def _parser(markup):
    md = (
        # "typographer" lets smartquotes run; it is enabled below only when the site wants it.
        MarkdownIt("commonmark", {"html": True, "typographer": True})
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(tasklists_plugin, enabled=False)
    )
    if markup.definition_list:
        md.use(deflist_plugin)
    if markup.linkify:
        md.use(gfm_autolink_plugin)
    if markup.heading_attributes:
        md.core.ruler.before("inline", "hugo_heading_attributes", _heading_attributes)
    md.core.ruler.after("inline", "hugo_heading_ids", _heading_ids(markup))
    if markup.typographer:
        # goldmark's typographer: quotes, `...`, `--`, `---`, `<<`, `>>`; not markdown-it's
        # replacements, which would also turn (c), +- and ?.... into symbols.
        md.core.ruler.after("hugo_heading_ids", "hugo_typographer", _typographer)
        md.enable("smartquotes")
    md.core.ruler.push("hugo_links_and_tables", _links_and_tables(markup))
    return md


def markdown_to_html(text, *, markup=None, heading_ids=None):
    """heading_ids: the ids already used on the page (a set, updated), so the Markdown inside
    shortcodes and around them never repeats one."""
    env = {"hugo_heading_ids": set() if heading_ids is None else heading_ids}
    return _parser(markup or Markup()).render(text, env)


def render_body(text, *, is_markdown=True, markup=None):
    """Return (html, unknown shortcode names). HTML content files skip Markdown. markup: the
    site config's `markup` table (dict) or None for Hugo's defaults."""
    options, ids = markup_options(markup), set()

    def render(inner):
        if not is_markdown:
            return inner
        return markdown_to_html(inner, markup=options, heading_ids=ids)

    expanded = shortcodes.expand(text, render_markdown=render)
    html = render(expanded.text)
    if expanded.blocks:
        html = _put_back(html, expanded.blocks)
    return html, expanded.unknown


def _headings(tokens):
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and index + 1 < len(tokens):
            yield token, tokens[index + 1]


def _heading_attributes(state):
    """`## Title {#id .class}`: goldmark's attribute syntax on headings, before the title's
    inline content is parsed. Only id and class are kept."""
    for heading, inline in _headings(state.tokens):
        content = inline.content.rstrip()
        start = content.rfind("{")
        if not content.endswith("}") or start < 0 or content[start - 1 : start] == "\\":
            continue
        try:
            end, attributes = parse_attributes(content[start:])
        except ParseError:
            continue
        if content[start + end + 1 :].strip():
            continue
        inline.content = content[:start].rstrip()
        for name in ("id", "class"):
            if attributes.get(name):
                heading.attrSet(name, attributes[name])


def _heading_ids(markup):
    def rule(state):
        used = state.env.setdefault("hugo_heading_ids", set())
        for heading, inline in _headings(state.tokens):
            if heading.attrGet("id"):
                used.add(heading.attrGet("id"))  # as goldmark: given ids are not de-duplicated
            elif markup.auto_heading_id:
                text = "".join(
                    child.content
                    for child in inline.children or ()
                    if child.type in ("text", "text_special", "code_inline")
                )
                heading.attrSet("id", unique_slug(heading_id(text, markup.heading_id_type), used))

    return rule


def heading_id(text, id_type="github"):
    """Hugo's autoHeadingID (markup/goldmark/autoid.go): lowercase; each space or "-" gives a
    "-"; letters (any script), digits and "_" are kept; everything else goes. github-ascii also
    drops what is not ASCII once accents are removed. Nothing left: "heading"."""
    text = text.strip()
    if id_type == "github-ascii":
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = []
    for ch in text:
        if ch in " -":
            out.append("-")
        elif ch == "_" or ch.isalpha() or unicodedata.category(ch) == "Nd":
            out.append(ch.lower()[:1])
    return "".join(out) or "heading"


_TYPOGRAPHER = re.compile(r"---|--|\.\.\.|<<|>>")
_TYPOGRAPHER_SIGNS = {"---": "\u2014", "--": "\u2013", "...": "\u2026", "<<": "«", ">>": "»"}


def _typographer(state):
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        in_autolink = False
        for child in token.children:
            if child.type in ("link_open", "link_close") and child.info == "auto":
                in_autolink = child.type == "link_open"
            elif child.type == "text" and not in_autolink:
                child.content = _TYPOGRAPHER.sub(
                    lambda m: _TYPOGRAPHER_SIGNS[m.group(0)], child.content
                )


_ALIGN = re.compile(r"text-align:\s*(left|center|right)")


def _links_and_tables(markup):
    def rule(state):
        for token in state.tokens:
            if token.type in ("th_open", "td_open"):
                align = _ALIGN.fullmatch(token.attrs.pop("style", "") or "")
                if align:
                    token.attrSet("class", f"align-{align.group(1)}")
            children = token.children or []
            for child, text in zip(children, children[1:], strict=False):
                href = child.attrGet("href") if child.type == "link_open" else None
                if child.info == "auto" and href and text.content.startswith("www."):
                    # GFM gives bare www. links http://; Hugo gives its linkifyProtocol.
                    child.attrSet("href", f"{markup.linkify_protocol}://{href[7:]}")

    return rule


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
