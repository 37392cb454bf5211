"""Hugo shortcodes, rendered before Markdown the way Hugo does it.

Known shortcodes become HTML held behind placeholders (so Markdown leaves them alone), unknown
ones stay visible as their own source text and are reported, and the escaped documentation
form {{</* name */>}} is shown literally and never run.

The text is scanned in linear time (it may be a Writer's body, on export): a tag is
`{{<` or `{{%`, spaces, an optional `/`, a name, then everything up to the first `>}}` or `%}}`
(less a trailing `/`: self-closed). Once no `>}}` is left, nothing after can be a tag.
"""

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import PurePosixPath
from urllib.parse import quote

from articles.hugo.limits import MAX_SHORTCODE_NESTING, LimitError
from articles.text.sanitize import video_embed

_ESCAPED_OPEN = re.compile(r"\{\{[<%]/\*")
_ESCAPED_CLOSE = re.compile(r"\*/[>%]\}\}")
_OPEN = re.compile(r"\{\{([<%])\s*+(/?)\s*+([\w./-]++)")
_CLOSE = re.compile(r"[>%]\}\}")
# Words as POSIX shlex reads them: whitespace is " \t\r\n"; quotes join a word; a backslash
# escapes any character outside quotes, and only " and \ inside double quotes.
_NEXT_WORD = re.compile(
    r"""[ \t\r\n]*+((?:[^ \t\r\n'"\\]++|\\.|"(?:[^"\\]++|\\.)*+"|'[^']*+')++)?""", re.DOTALL
)
_PIECE = re.compile(r"""\\(.)|"((?:[^"\\]|\\.)*)"|'([^']*)'|([^'"\\]+)""", re.DOTALL)
_ESCAPE_IN_DOUBLE = re.compile(r'\\(["\\])')
PAIRED = {"admonition", "details"}
# ref and relref are written into the text itself (they sit inside a link's destination); the
# link then points at the content file, which links.py maps to its article once all are in.
INLINE = {"ref", "relref"}
KNOWN = PAIRED | INLINE | {"figure", "image", "link", "bilibili", "youtube"}
ADMONITION_TITLES = {
    "note": "注意",
    "abstract": "摘要",
    "info": "信息",
    "tip": "技巧",
    "success": "成功",
    "question": "问题",
    "warning": "警告",
    "failure": "失败",
    "danger": "危险",
    "bug": "Bug",
    "example": "示例",
    "quote": "引用",
}


@dataclass
class Rendered:
    text: str  # the body with placeholders where shortcodes were
    blocks: dict = field(default_factory=dict)  # placeholder -> HTML
    unknown: list = field(default_factory=list)  # names of shortcodes kept as text


def placeholder(n):
    return f"\ue000{n}\ue001"


@dataclass
class Tag:
    start: int
    end: int
    source: str  # the tag as written, {{< ... >}}
    opener: str  # "<" or "%"
    closing: bool  # {{< /name >}}
    name: str
    args: str  # the text between the name and the end, less the self-closing "/"
    self_closed: bool
    closer: str  # ">" or "%"


def scan(text):
    """Every shortcode tag in text, in order, never overlapping; linear in len(text)."""
    pos = 0
    while True:
        opened = _OPEN.search(text, pos)
        if not opened:
            return
        name_end = opened.end()
        close = _CLOSE.search(text, name_end)
        if not close:
            return  # no end left: no tag can start after here either
        inside = text[name_end : close.start()].rstrip()
        self_closed = inside.endswith("/")
        if self_closed:
            inside = inside[:-1].rstrip()
        yield Tag(
            start=opened.start(),
            end=close.end(),
            source=text[opened.start() : close.end()],
            opener=opened.group(1),
            closing=bool(opened.group(2)),
            name=opened.group(3),
            args=inside,
            self_closed=self_closed,
            closer=text[close.start()],
        )
        pos = close.end()


def _unescape_docs(text, result):
    """{{</* x */>}} -> a placeholder holding the literal {{< x >}}."""
    out, pos = [], 0
    while True:
        opened = _ESCAPED_OPEN.search(text, pos)
        if not opened:
            break
        close = _ESCAPED_CLOSE.search(text, opened.end())
        if not close:
            break
        shown = f"{{{{{text[opened.start() + 2]}{text[opened.end() : close.start()]}"
        shown += f"{text[close.start() + 2]}}}}}"
        out += [text[pos : opened.start()], _hold(result, escape(shown))]
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)


def expand(text, *, render_markdown):
    """Replace shortcodes in text; render_markdown(str) -> HTML renders paired inner content."""
    result = Rendered(text="")
    text = _unescape_docs(text, result)
    tags = list(scan(text))
    closes = _pairs(tags)
    result.text = _expand(text, tags, closes, result, render_markdown)
    return result


def _hold(result, html):
    key = placeholder(len(result.blocks))
    result.blocks[key] = html
    return key


def _pairs(tags):
    """index of a paired opener -> index of its closing tag (same name, nesting counted)."""
    closes, open_by_name = {}, {}
    for index, tag in enumerate(tags):
        if tag.name not in PAIRED or tag.self_closed:
            continue
        stack = open_by_name.setdefault(tag.name, [])
        if not tag.closing:
            stack.append(index)
        elif stack:
            closes[stack.pop()] = index
    return closes


def _expand(text, tags, closes, result, render_markdown, span=None, depth=0):
    """The text of span = (first tag, tag past the last, start, stop), shortcodes replaced."""
    first, last, pos, stop = span or (0, len(tags), 0, len(text))
    out = []
    index = first
    while index < last:
        tag = tags[index]
        out.append(text[pos : tag.start])
        if tag.closing or tag.name not in KNOWN:
            if not tag.closing:
                result.unknown.append(tag.name)
            out.append(_hold(result, escape(tag.source)))
            pos, index = tag.end, index + 1
            continue
        if tag.name in INLINE:
            out.append(_ref(_parse_args(tag.args)))
            pos, index = tag.end, index + 1
            continue
        inner, pos, index = "", tag.end, index + 1
        close = closes.get(index - 1)
        if tag.name in PAIRED and not tag.self_closed and close is not None and close < last:
            if depth >= MAX_SHORTCODE_NESTING:
                raise LimitError(
                    f"shortcodes nested more than {MAX_SHORTCODE_NESTING} deep; not imported"
                )
            inner_span = (index, close, tag.end, tags[close].start)
            inner = _expand(text, tags, closes, result, render_markdown, inner_span, depth + 1)
            pos, index = tags[close].end, close + 1
        inner_html = render_markdown(inner) if inner else ""
        out.append(_hold(result, RENDERERS[tag.name](_parse_args(tag.args), inner_html)))
    out.append(text[pos:stop])
    return "".join(out)


def _parse_args(source):
    """{{< name a "b c" key="v" >}} -> {0: "a", 1: "b c", "key": "v"}."""
    args = {}
    source = source.replace("`", '"')
    try:
        words = split_words(source)
    except ValueError:
        words = source.split()
    position = 0
    for word in words:
        key, sep, value = word.partition("=")
        if sep and re.fullmatch(r"[\w-]+", key):
            args[key] = value
        else:
            args[position] = word
            position += 1
    return args


def split_words(source):
    """shlex.split(source) in linear time (shlex grows each word a character at a time:
    quadratic on a long one). Raises ValueError for an unclosed quote or a final backslash."""
    words, pos = [], 0
    while True:
        match = _NEXT_WORD.match(source, pos)
        if match.group(1) is None:
            if match.end() != len(source):
                raise ValueError("no closing quotation or escaped character")
            return words
        words.append("".join(_piece(p) for p in _PIECE.finditer(match.group(1))))
        pos = match.end()


def _piece(match):
    escaped, double, single, plain = match.groups()
    if double is not None:
        return _ESCAPE_IN_DOUBLE.sub(r"\1", double)
    return next(part for part in (escaped, single, plain) if part is not None)


def _arg(args, name, position=None, default=""):
    if name in args:
        return args[name]
    if position is not None and position in args:
        return args[position]
    return default


def _figure(args, inner_html):
    src = _arg(args, "src", 0)
    alt = _arg(args, "alt") or _arg(args, "title", 1)
    caption = _arg(args, "caption") or _arg(args, "title", 1)
    link = _arg(args, "link")
    img = f'<img src="{escape(src)}" alt="{escape(alt)}">'
    if link:
        img = f'<a href="{escape(link)}">{img}</a>'
    figcaption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{img}{figcaption}</figure>"


def _admonition(args, inner_html):
    kind = _arg(args, "type", 0, "note").lower()
    title = _arg(args, "title", 1) or ADMONITION_TITLES.get(kind, kind)
    is_open = _arg(args, "open", 2, "true").lower() != "false"
    return (
        f'<details class="admonition {escape(kind)}"{" open" if is_open else ""}>'
        f"<summary>{escape(title)}</summary>{inner_html}</details>"
    )


def _details(args, inner_html):
    summary = _arg(args, "summary", 0, "详情")
    is_open = _arg(args, "open", 1, "false").lower() == "true"
    return (
        f"<details{' open' if is_open else ''}><summary>{escape(summary)}</summary>"
        f"{inner_html}</details>"
    )


def _link(args, inner_html):
    href = _arg(args, "href", 0)
    content = _arg(args, "content", 1) or href
    title = _arg(args, "title", 2)
    title_attr = f' title="{escape(title)}"' if title else ""
    return f'<a href="{escape(href)}"{title_attr}>{escape(content)}</a>'


def _ref(args):
    """{{< ref "x.md#anchor" >}} -> x.md#anchor, %-encoded so it stays one link destination."""
    target = _arg(args, "path", 0).strip()
    path, sep, fragment = target.partition("#")
    if path and not PurePosixPath(path).suffix:
        path += ".md"  # ref "news/x": a page or a bundle; links.py looks for both
    return quote(path, safe="/._-~") + (sep + quote(fragment, safe="._-~") if sep else "")


def _bilibili(args, inner_html):
    video = _arg(args, "id", 0).strip()
    page = _arg(args, "p", 1).strip()
    title = _arg(args, "title")
    embed = video_embed("bilibili", video, page=page, title=title)
    if embed:
        return embed
    url = f"https://www.bilibili.com/video/{video}/" + (f"?p={page}" if page else "")
    return f'<a class="video-link" href="{escape(url)}">哔哩哔哩视频 {escape(video)}</a>'


def _youtube(args, inner_html):
    video = _arg(args, "id", 0).strip()
    title = _arg(args, "title")
    embed = video_embed("youtube", video, title=title)
    if embed:
        return embed
    url = f"https://www.youtube.com/watch?v={video}"
    return (
        f'<a class="video-link" href="{escape(url)}">{escape(title or f"YouTube 视频 {video}")}</a>'
    )


RENDERERS = {
    "figure": _figure,
    "image": _figure,
    "admonition": _admonition,
    "details": _details,
    "link": _link,
    "bilibili": _bilibili,
    "youtube": _youtube,
}


def escape_for_export(text):
    """Turn any shortcode-looking text in an exported body into the escaped form, so a Hugo
    build (or our importer) shows it instead of running it."""
    out, pos = [], 0
    for tag in scan(text):
        escaped = "{{" + tag.opener + "/*" + tag.source[3:-3] + "*/" + tag.closer + "}}"
        out += [text[pos : tag.start], escaped]
        pos = tag.end
    out.append(text[pos:])
    return "".join(out)
