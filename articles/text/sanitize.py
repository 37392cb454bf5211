"""One HTML sanitiser for everything that reaches a reader: the editor's body and Hugo imports."""

import re
from urllib.parse import urlsplit

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
    "input",
    "ins",
    "kbd",
    "li",
    "mark",
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
    "input": {"type", "checked", "disabled"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_URL_ATTRIBUTES = {"href", "src", "cite", "srcset"}
MAX_PASSES = 4
_EMPTY_IFRAME = re.compile(r"<iframe(?![^>]*\ssrc=)[^>]*>\s*</iframe>")
# An iframe's content is raw text to the HTML parser and is passed through unsanitised; it is
# never shown, but a second parser (a feed reader, an editor) might read it as markup.
_IFRAME_CONTENT = re.compile(r"(<iframe\b[^>]*>).*?(</iframe>)", re.DOTALL | re.IGNORECASE)


def _iframe_host_allowed(src):
    try:
        host = urlsplit(src).hostname or ""
    except ValueError:
        return False
    return urlsplit(src).scheme == "https" and host in settings.SANITIZER_IFRAME_HOSTS


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def _srcset_allowed(value):
    for candidate in value.split(","):
        url = "".join(ch for ch in candidate.strip().split(" ")[0] if ch > " ").lower()
        scheme = _SCHEME.match(url)
        if url.startswith("//") or (scheme and scheme.group(1) not in URL_SCHEMES):
            return False
    return True


def _filter_attribute(tag, attribute, value):
    if tag == "iframe" and attribute == "src":
        return value if _iframe_host_allowed(value) else None
    if tag == "input" and attribute == "type":
        # Task lists are the only form control an article may carry.
        return value if value == "checkbox" else None
    if attribute in _URL_ATTRIBUTES and value.strip().lower().startswith("//"):
        return None  # protocol-relative URLs dodge the scheme check
    if attribute == "srcset" and not _srcset_allowed(value):
        return None  # ammonia checks the scheme of href and src, not of srcset candidates
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
    return _drop_empty_iframes(cleaned)


def _drop_empty_iframes(html):
    # An iframe whose src was refused is useless; ammonia cannot drop a tag by attribute value.
    if "<iframe" not in html:
        return html
    return _EMPTY_IFRAME.sub("", _IFRAME_CONTENT.sub(r"\1\2", html))
