"""One HTML sanitiser for everything that reaches a reader: the editor's body and Hugo imports.

Every URL it keeps (href, src, srcset, cite) is read the way browsers read it and written back
in one unambiguous form: see safe_url().
"""

import ipaddress
import re
import unicodedata

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "input",  # task-list boxes only, and only on the way in: _text_for_inputs() replaces them
    "ins",
    "kbd",
    "li",
    "mark",
    "oembed",  # CKEditor's media embed, only on the way in: _links_for_oembeds() replaces it
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "small",
    "source",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "width", "height", "loading", "srcset", "sizes"},
    "source": {"srcset", "type", "media", "sizes"},
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder", "allow"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "input": {"type", "checked"},
    "oembed": {"url"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "code": {"class"},
    "div": {"data-embed", "data-embed-id", "data-embed-page"},  # a video: video_embed()
}
WEB_SCHEMES = {"http", "https"}
LINK_SCHEMES = WEB_SCHEMES | {"mailto", "tel"}  # mailto: and tel: have no host to confuse
URL_SCHEMES = LINK_SCHEMES  # ammonia's own check; safe_url() has the last word
MAX_PASSES = 4
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>")
# An iframe's content is raw text to the HTML parser and is passed through unsanitised; it is
# never shown, but a second parser (a feed reader, an editor) might read it as markup.
_IFRAME_CONTENT = re.compile(r"(<iframe\b[^>]*>).*?(</iframe>)", re.DOTALL | re.IGNORECASE)
# These run on ammonia's output, whose attributes are quoted and escaped (no raw < > " in them).
_INPUT = re.compile(r"<input\b([^>]*)> ?")
_OEMBED = re.compile(r'<oembed url="([^"]*)"></oembed>')
_OEMBED_TAG = re.compile(r"</?oembed\b[^>]*>")

_ASCII_WHITESPACE = " \t\n\r\f"
_SRCSET_SEPARATORS = _ASCII_WHITESPACE + ","
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_AUTHORITY = re.compile(r"//([^/?#]*)")
_HOST_PORT = re.compile(r"(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::([0-9]*))?")
_ASCII_HOST = re.compile(r"[a-z0-9_.-]*[a-z0-9][a-z0-9_.-]*")
_UNSAFE_ASCII = re.compile(r"[\x00-\x20\x7f-\x9f\\]")  # controls, whitespace, backslash
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # and, beyond ASCII, invisible characters
# A heading's id is an `#anchor` target: letters of any script, digits, "-" and "_", bounded;
# anything else (":", quotes, spaces) drops it. Other ids are as before (footnotes: `fnref1:1`).
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
MAX_ID_LENGTH = 128
_SAFE_ID = re.compile(rf"[\w-]{{1,{MAX_ID_LENGTH}}}")


# Click-to-load videos: the body holds a placeholder naming the provider and the video's id
# (never a URL); static/js/embeds.js builds the player's URL from them when the reader clicks.
VIDEO_IDS = {
    "youtube": re.compile(r"[A-Za-z0-9_-]{11}"),
    "bilibili": re.compile(r"BV[0-9A-Za-z]{10}|av[1-9][0-9]{0,11}"),
}
VIDEO_PROVIDERS = {"youtube": "YouTube", "bilibili": "哔哩哔哩"}
_VIDEO_PAGE = re.compile(r"[1-9][0-9]{0,2}")
_DIV = re.compile(r'<div\b(?:[^>"]|"[^"]*")*>')  # on ammonia's output: values double-quoted
_EMBED_ATTRIBUTE = re.compile(r'\s(data-embed(?:-id|-page)?)="([^"]*)"')


def video_watch_url(provider, video_id, page=None):
    if provider == "youtube":
        return f"https://www.youtube.com/watch?v={video_id}"
    return f"https://www.bilibili.com/video/{video_id}/" + (f"?p={page}" if page else "")


def video_embed(provider, video_id, *, page=None, title=""):
    """The click-to-load placeholder of a video (the link to watch it on the provider's site
    when scripts are off), or None when video_id is not one of provider's ids."""
    pattern = VIDEO_IDS.get(provider)
    if pattern is None or not pattern.fullmatch(video_id or ""):
        return None
    page = str(page or "")
    page = page if provider == "bilibili" and _VIDEO_PAGE.fullmatch(page) else ""
    name = VIDEO_PROVIDERS[provider]
    url = escape_attribute(video_watch_url(provider, video_id, page))
    page_attribute = f' data-embed-page="{page}"' if page else ""
    return (
        f'<div class="video-embed" data-embed="{provider}" data-embed-id="{video_id}"'
        f'{page_attribute}><a class="video-link" href="{url}" rel="noopener noreferrer">'
        f'<span class="video-play">播放视频</span>'
        f'<span class="video-title">{escape_text(title or f"{name} 视频")}</span>'
        f'<span class="video-provider">{name}</span></a></div>'
    )


def escape_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text):
    return text.replace("&", "&amp;").replace('"', "&quot;")


def _embed_value_allowed(attribute, value):
    if attribute == "data-embed":
        return value in VIDEO_IDS
    if attribute == "data-embed-id":
        return any(pattern.fullmatch(value) for pattern in VIDEO_IDS.values())
    return bool(_VIDEO_PAGE.fullmatch(value))


def _checked_embeds(html):
    """A video placeholder keeps its data attributes only as a whole that fits: a provider and
    an id of that provider's form (a page for bilibili only); otherwise it loses all of them."""
    if "data-embed" not in html:
        return html

    def check(match):
        tag = match.group(0)
        if " data-embed" not in tag:
            return tag
        found = dict(_EMBED_ATTRIBUTE.findall(tag))
        provider, video_id = found.get("data-embed"), found.get("data-embed-id", "")
        pattern = VIDEO_IDS.get(provider)
        fits = pattern is not None and pattern.fullmatch(video_id)
        if fits and ("data-embed-page" not in found or provider == "bilibili"):
            return tag
        return _EMBED_ATTRIBUTE.sub("", tag)

    return _DIV.sub(check, html)


def safe_url(value, *, schemes=WEB_SCHEMES):
    """`value` re-serialised, or None when it is not a plain http(s) URL or a relative path
    (or one of `schemes`) that browsers and Python read alike.

    WHATWG parsers differ from urllib.parse on backslashes (`/\\evil`, `https://evil\\@host`),
    on tabs and newlines (removed anywhere), on userinfo and on missing slashes (`https:evil`);
    such URLs are refused rather than interpreted. Accepted: a relative reference not starting
    with `//`, or scheme://host[:port]/... with no userinfo. The kept URL has its scheme and
    host lowercased, its host in ASCII (IDNA) and no surrounding whitespace.
    """
    url = value.strip(_ASCII_WHITESPACE)
    if _UNSAFE_ASCII.search(url) or not (url.isascii() or _visible(url)):
        return None
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None if url.startswith("//") else url
    name = scheme.group(1).lower()
    rest = url[scheme.end() :]
    if name not in schemes:
        return None
    if name not in WEB_SCHEMES:
        return f"{name}:{rest}" if rest else None
    authority = _AUTHORITY.match(rest)
    host = _host(authority.group(1)) if authority else None
    if host is None:
        return None  # https:evil, https:/evil, https:///evil, userinfo, a bad host or port
    return f"{name}://{host}{rest[authority.end() :]}"


def _visible(url):
    return not any(unicodedata.category(ch) in _INVISIBLE for ch in url)


def _host(authority):
    """host[:port] in canonical form, or None (userinfo, percent-escapes, bad names, ports)."""
    parts = _HOST_PORT.fullmatch(authority)
    if parts is None:
        return None
    host, port = parts.group(1), parts.group(2)
    if port and int(port) > 65535:
        return None
    port = f":{int(port)}" if port else ""
    if host.startswith("["):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]{port}"
        except ValueError:
            return None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    # Letters, digits, "-", "_" and dots only: no userinfo ("@": browsers load the host after
    # it), no escapes ("%": browsers decode them), no other delimiter.
    return f"{ascii_host}{port}" if _ASCII_HOST.fullmatch(ascii_host) else None


def iframe_src_allowed(src):
    """The re-serialised src when it is https on an allowed host, else None."""
    url = safe_url(src, schemes={"https"})
    if url is None:
        return None
    host = url[len("https://") :].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return url if host in settings.SANITIZER_IFRAME_HOSTS else None


# A candidate's descriptors: a width ("480w"), a density ("2x", "1.5x") or a height ("50h").
_SRCSET_DESCRIPTOR = re.compile(r"\d+[wh]|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?x")


def safe_srcset(value):
    """A srcset whose every candidate URL passes safe_url() and whose every descriptor is one
    (a browser drops a candidate with any other: "java<TAB>script:alert(1)" is the URL "java"
    and the descriptor "script:alert(1)", which would read as a javascript: URL once the tab
    became a space), re-serialised; else None."""
    candidates = []
    for url, descriptor in _srcset_candidates(value):
        kept = safe_url(url)
        if not kept or not all(_SRCSET_DESCRIPTOR.fullmatch(d) for d in descriptor.split()):
            return None
        candidates.append(f"{kept} {descriptor}" if descriptor else kept)
    return ", ".join(candidates) or None


def _srcset_candidates(value):
    # The HTML standard's srcset parser: a URL is a run of non-whitespace; trailing commas end it,
    # else descriptors run to the next comma.
    position, length = 0, len(value)
    while True:
        while position < length and value[position] in _SRCSET_SEPARATORS:
            position += 1
        if position >= length:
            return
        end = position
        while end < length and value[end] not in _ASCII_WHITESPACE:
            end += 1
        url, position = value[position:end], end
        if url.endswith(","):
            yield url.rstrip(","), ""
            continue
        end = value.find(",", position)
        end = length if end < 0 else end
        yield url, " ".join(value[position:end].split())
        position = end + 1


def _filter_attribute(tag, attribute, value):
    if tag == "iframe" and attribute == "src":
        return iframe_src_allowed(value)
    if tag == "input":
        # Task lists' boxes become text (_text_for_inputs); no other control survives.
        return ("checkbox" if value == "checkbox" else None) if attribute == "type" else ""
    if attribute == "id" and tag in HEADINGS:
        return value if _SAFE_ID.fullmatch(value) else None
    if attribute.startswith("data-"):
        return value if _embed_value_allowed(attribute, value) else None
    if attribute == "srcset":
        return safe_srcset(value)  # ammonia checks the scheme of href and src, not of srcset
    if attribute == "href":
        return safe_url(value, schemes=LINK_SCHEMES)
    if attribute in ("src", "cite", "url"):
        return safe_url(value)
    return value


def sanitize_html(html):
    """Return html with scripts, event handlers, dangerous URLs and foreign iframes removed.

    The result is a fixed point: sanitising it again changes nothing. One pass is not always
    one (`<p><object><p>` comes out as nested paragraphs, which the next parse splits), and a
    body that changed on every save would show editors diffs they never made.
    """
    if not html:
        return ""
    previous, cleaned = html, _clean_once(html)
    passes = 1
    # Output equal to its input is a fixed point, so already-clean HTML takes one pass.
    while cleaned != previous and passes < MAX_PASSES:
        previous, cleaned = cleaned, _clean_once(cleaned)
        passes += 1
    return cleaned


def _clean_once(html):
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _checked_embeds(_links_for_oembeds(_text_for_inputs(_drop_empty_iframes(cleaned))))


def _drop_empty_iframes(html):
    # An iframe whose src was refused is useless; ammonia cannot drop a tag by attribute value.
    if "<iframe" not in html:
        return html
    return _EMPTY_IFRAME.sub("", _IFRAME_CONTENT.sub(r"\1\2", html))


def _text_for_inputs(html):
    """No form control reaches a reader; a task list's box becomes ☑ or ☐."""
    if "<input" not in html:
        return html
    return _INPUT.sub(_box, html)


def _box(match):
    attributes = match.group(1)
    if 'type="checkbox"' not in attributes:
        return ""
    return "☑ " if " checked=" in attributes else "☐ "


def _links_for_oembeds(html):
    """CKEditor's media embed becomes a plain link, as the import writes its video shortcodes:
    no third-party player loads until the reader follows it."""
    if "<oembed" not in html:
        return html
    link = r'<a class="video-link" href="\1" rel="noopener noreferrer">\1</a>'
    return _OEMBED_TAG.sub("", _OEMBED.sub(link, html))
