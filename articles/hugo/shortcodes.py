"""Hugo shortcodes, rendered before Markdown the way Hugo does it.

Known shortcodes become HTML held behind placeholders (so Markdown leaves them alone), unknown
ones stay visible as their own source text and are reported, and the escaped documentation
form {{</* name */>}} is shown literally and never run.
"""

import re
import shlex
from dataclasses import dataclass, field
from html import escape

_ESCAPED = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
_TAG = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)(.*?)\s*(/?)\s*([>%])\}\}", re.DOTALL)
PAIRED = {"admonition", "details"}
KNOWN = PAIRED | {"figure", "image", "link", "bilibili", "youtube"}
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


def expand(text, *, render_markdown):
    """Replace shortcodes in text; render_markdown(str) -> HTML renders paired inner content."""
    result = Rendered(text="")
    result.text = _expand(text, result, render_markdown)
    return result


def _hold(result, html):
    key = placeholder(len(result.blocks))
    result.blocks[key] = html
    return key


def _expand(text, result, render_markdown):
    text = _ESCAPED.sub(
        lambda m: _hold(result, escape(f"{{{{{m.group(1)}{m.group(2)}{m.group(3)}}}}}")), text
    )
    out = []
    pos = 0
    while True:
        match = _TAG.search(text, pos)
        if not match:
            out.append(text[pos:])
            break
        out.append(text[pos : match.start()])
        closing, name = match.group(2), match.group(3)
        args = _parse_args(match.group(4))
        self_closed = bool(match.group(5))
        if closing or name not in KNOWN:
            if not closing:
                result.unknown.append(name)
            out.append(_hold(result, escape(match.group(0))))
            pos = match.end()
            continue
        inner, end = "", match.end()
        if name in PAIRED and not self_closed:
            close = _find_close(text, name, match.end())
            if close:
                inner, end = text[match.end() : close.start()], close.end()
        inner_html = render_markdown(_expand(inner, result, render_markdown)) if inner else ""
        html = RENDERERS[name](args, inner_html)
        out.append(_hold(result, html))
        pos = end
    return "".join(out)


def _find_close(text, name, start):
    depth = 1
    for match in _TAG.finditer(text, start):
        if match.group(3) != name or match.group(5):
            continue
        depth += -1 if match.group(2) else 1
        if depth == 0:
            return match
    return None


def _parse_args(source):
    """{{< name a "b c" key="v" >}} -> {0: "a", 1: "b c", "key": "v"}."""
    args = {}
    source = source.replace("`", '"')
    try:
        words = shlex.split(source, posix=True)
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


def _bilibili(args, inner_html):
    video = _arg(args, "id", 0)
    page = _arg(args, "p", 1)
    url = f"https://www.bilibili.com/video/{video}/" + (f"?p={page}" if page else "")
    return f'<a class="video-link" href="{escape(url)}">哔哩哔哩视频 {escape(video)}</a>'


def _youtube(args, inner_html):
    video = _arg(args, "id", 0)
    url = f"https://www.youtube.com/watch?v={video}"
    title = _arg(args, "title") or f"YouTube 视频 {video}"
    return f'<a class="video-link" href="{escape(url)}">{escape(title)}</a>'


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
    return _TAG.sub(
        lambda m: "{{" + m.group(1) + "/*" + m.group(0)[3:-3] + "*/" + m.group(6) + "}}", text
    )
