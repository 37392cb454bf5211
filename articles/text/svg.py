"""SVG icons pasted as markup (a channel's icon): only drawing elements and the attributes that
say how to draw them, nothing that runs, styles the page or loads anything.

nh3 parses the markup as HTML does (the icon is inlined into a page), so an `<svg>` is read in
its foreign-content mode: names keep their SVG case (`viewBox`, `linearGradient`), CDATA is
text, a `<script>` or `<foreignObject>` goes with its content. Its output is then walked once
more: only the first `<svg>` and what it contains stay, text stays only in `<title>`/`<desc>`,
`xlink:href` becomes `href`. References (`href`, `url(...)` in a paint) may only name a local
`#id`: an icon loads nothing from elsewhere.

Size: markup over MAX_SVG_BYTES (UTF-8) is refused with SvgTooLarge (a ValueError), never cut:
a cut SVG draws something else. The admin shows the message; an upload is the way for big art.
"""

import re
from html import unescape

import nh3

MAX_SVG_BYTES = 20 * 1024
MAX_PASSES = 4

DRAWING = {"path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "use"}
CONTAINERS = {"svg", "g", "defs", "symbol", "clipPath", "mask"}
PAINT_SERVERS = {"linearGradient", "radialGradient", "stop"}
TEXT_ONLY = {"title", "desc"}
ALLOWED_TAGS = DRAWING | CONTAINERS | PAINT_SERVERS | TEXT_ONLY
ALLOWED_ATTRIBUTES = {
    "*": {
        "id",
        "class",
        "role",
        "aria-hidden",
        "aria-label",
        "focusable",
        "transform",
        "fill",
        "fill-opacity",
        "fill-rule",
        "clip-rule",
        "clip-path",
        "mask",
        "stroke",
        "stroke-width",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-opacity",
        "opacity",
        "color",
        "display",
        "visibility",
        "vector-effect",
        "shape-rendering",
    },
    "svg": {"viewBox", "width", "height", "x", "y", "preserveAspectRatio"},
    "symbol": {"viewBox", "preserveAspectRatio", "x", "y", "width", "height"},
    "path": {"d", "pathLength"},
    "circle": {"cx", "cy", "r", "pathLength"},
    "ellipse": {"cx", "cy", "rx", "ry", "pathLength"},
    "rect": {"x", "y", "width", "height", "rx", "ry", "pathLength"},
    "line": {"x1", "y1", "x2", "y2", "pathLength"},
    "polyline": {"points", "pathLength"},
    "polygon": {"points", "pathLength"},
    "use": {"href", "xlink:href", "x", "y", "width", "height"},
    "linearGradient": {
        "x1",
        "y1",
        "x2",
        "y2",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "href",
        "xlink:href",
    },
    "radialGradient": {
        "cx",
        "cy",
        "r",
        "fx",
        "fy",
        "fr",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "href",
        "xlink:href",
    },
    "stop": {"offset", "stop-color", "stop-opacity"},
    "clipPath": {"clipPathUnits"},
    "mask": {"x", "y", "width", "height", "maskUnits", "maskContentUnits"},
}
REFERENCES = {"href", "xlink:href"}
# A local reference: `#name`. Anything else (a path, another host, javascript:) is refused.
_NAME = r"[A-Za-z_][\w.-]{0,99}"
_ID = re.compile(_NAME)
_LOCAL_REFERENCE = re.compile(rf"#{_NAME}")
# Presentation attributes are read as CSS: url() only as `url(#id)`, a fallback colour after it.
_LOCAL_PAINT = re.compile(rf"url\(\s*(['\"]?)#{_NAME}\1\s*\)(?:\s+#?[\w]+)?", re.IGNORECASE)

_TOKEN = re.compile(r"<(/?)([A-Za-z][^\s/>]*)((?:\s+[^\s=/>]+(?:=\"[^\"]*\")?)*)\s*/?>|[^<]+|<")
_ATTRIBUTE = re.compile(r"\s+([^\s=/>]+)(?:=\"([^\"]*)\")?")
_HREF = re.compile(r"\s(?:xlink:)?href=\"")


class SvgTooLarge(ValueError):
    def __init__(self, size):
        super().__init__(f"SVG of {size} bytes, at most {MAX_SVG_BYTES}")
        self.size = size


def _filter_attribute(tag, attribute, value):
    if "\\" in value or "\x00" in value:
        return None  # a CSS escape can spell url( in a way no check here would read
    if attribute in REFERENCES:
        return value if _LOCAL_REFERENCE.fullmatch(value) else None
    if attribute == "id":
        return value if _ID.fullmatch(value) else None
    if "url" in value.lower() and "(" in value:
        return value if _LOCAL_PAINT.fullmatch(value.strip()) else None
    return value


def _clean_once(markup):
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "foreignObject", "template", "noscript"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )
    return _first_svg(cleaned)


def _start_tag(name, attributes):
    """The tag with `xlink:href` written as `href` (one of them, href first)."""
    parsed = _ATTRIBUTE.findall(attributes)
    names = {key for key, _ in parsed}
    kept = []
    for key, value in parsed:
        if key == "xlink:href":
            if "href" in names:
                continue
            key = "href"
        kept.append(f' {key}="{value}"')
    return f"<{name}{''.join(kept)}>"


def _first_svg(cleaned):
    """The first top-level `<svg>` of nh3's output (well-formed: every attribute quoted and
    escaped, every element closed), text only in title/desc; "" when it draws nothing."""
    out, stack, done, drawing = [], [], False, False  # stack: (name, kept)
    for match in _TOKEN.finditer(cleaned):
        closing, name, attributes = match.group(1), match.group(2), match.group(3) or ""
        inside = stack[-1] if stack else (None, False)
        if name is None:  # text (or a stray "<", which nh3 never writes)
            if inside[1] and inside[0] in TEXT_ONLY and match.group(0) != "<":
                out.append(match.group(0))
            continue
        if closing:
            if stack and inside[0] == name:
                stack.pop()
                if inside[1]:
                    out.append(f"</{name}>")
                    done = done or not any(kept for _, kept in stack)
            continue
        if stack and not inside[1]:
            kept = False  # inside something left out: left out too
        elif inside[0] in TEXT_ONLY:
            kept = False  # markup inside a title is HTML there, never drawn
        elif name == "use" and not _HREF.search(attributes):
            kept = False  # its reference was refused: it would draw nothing
        else:
            kept = bool(stack) or (name == "svg" and not done)
        stack.append((name, kept))
        if kept:
            drawing = drawing or name in DRAWING
            out.append(_start_tag(name, attributes))
    if stack or not drawing:
        return ""
    return "".join(out)


def sanitize_svg(markup):
    """The icon's drawing as safe SVG markup, "" when nothing drawable remains.

    The result is a fixed point: sanitising it again changes nothing. Raises SvgTooLarge
    (a ValueError) for markup over MAX_SVG_BYTES."""
    markup = markup or ""
    size = len(markup.encode())
    if size > MAX_SVG_BYTES:
        raise SvgTooLarge(size)
    previous, cleaned, passes = None, _clean_once(markup), 1
    while cleaned != previous and passes < MAX_PASSES:
        previous, cleaned = cleaned, _clean_once(cleaned)
        passes += 1
    return cleaned if cleaned == previous or not cleaned else ""


def missing_references(markup):
    """The `#id`s the icon's `<use>` elements name that it does not define itself: a sprite
    the old site's theme had (`#icon-wenzhang`), which draws nothing here."""
    defined = set(re.findall(r'\sid="([^"]*)"', markup or ""))
    named = re.findall(r'<use\b[^>]*\s(?:xlink:)?href="#([^"]*)"', markup or "")
    return sorted({unescape(name) for name in named if name not in defined})
