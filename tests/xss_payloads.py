"""Known XSS payloads (OWASP filter-evasion cheat sheet, PortSwigger's list, mutation-XSS
papers) and a checker that finds executable markup in a rendered page.

Each payload calls alert()/confirm()/print(), so a browser test can fail on any dialog.
"""

from html import unescape
from html.parser import HTMLParser

PAYLOADS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(2)</scr</script>ipt>",
    '<script type="text/javascript">alert(3)</script>',
    "</script><script>alert(4)</script>",
    '"><script>alert(5)</script>',
    "'><script>alert(6)</script>",
    "</title><script>alert(7)</script>",
    "</textarea><script>alert(8)</script>",
    "<<script>alert(9);//<</script>",
    # event handlers
    "<img src=x onerror=alert(10)>",
    '<img src="x" onerror="alert(11)">',
    "<IMG SRC=x oNeRrOr=alert(12)>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(13)>",
    "<body onload=alert(14)>",
    "<svg onload=alert(15)>",
    "<svg/onload=alert(16)>",
    "<input autofocus onfocus=alert(17)>",
    "<details open ontoggle=alert(18)>",
    "<video><source onerror=alert(19)></video>",
    "<audio src=x onerror=alert(20)>",
    "<marquee onstart=alert(21)>",
    '<div onmouseover="alert(22)">hover</div>',
    "<a onclick=alert(23)>click</a>",
    '<p style="x" onpointerenter=alert(24)>p</p>',
    '" onmouseover="alert(25)',
    "' autofocus onfocus='alert(26)",
    # javascript:, vbscript:, data: URLs
    '<a href="javascript:alert(27)">link</a>',
    '<a href="JaVaScRiPt:alert(28)">link</a>',
    '<a href="&#106;avascript:alert(29)">link</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(30)">link</a>',
    '<a href="jav&#x09;ascript:alert(31)">tab</a>',
    '<a href=" &#14; javascript:alert(32)">space</a>',
    '<a href="vbscript:msgbox(33)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzNCk8L3NjcmlwdD4=">data</a>',
    '<img src="javascript:alert(35)">',
    '<iframe src="javascript:alert(36)"></iframe>',
    '<form action="javascript:alert(37)"><button>go</button></form>',
    '<button formaction="javascript:alert(38)">go</button>',
    '<object data="javascript:alert(39)"></object>',
    '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoNDApPg==">',
    '<a href="//xss.example/40">protocol-relative</a>',
    # SVG and MathML
    "<svg><script>alert(41)</script></svg>",
    '<svg><a xlink:href="javascript:alert(42)"><text x="20" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(43) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(44)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(45)>",
    '<math href="javascript:alert(46)">math</math>',
    # style
    "<style>@import 'https://xss.example/47.css';</style>",
    '<div style="background:url(javascript:alert(48))">s</div>',
    '<div style="width: expression(alert(49))">ie</div>',
    "<style>*{background:url('javascript:alert(50)')}</style>",
    # iframes, frames, meta, base
    '<iframe srcdoc="<script>alert(51)</script>"></iframe>',
    '<iframe src="https://evil.example/52"></iframe>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(53)">',
    '<base href="javascript:alert(54)//">',
    '<frameset><frame src="javascript:alert(55)"></frameset>',
    # mutation XSS (parser differentials)
    '<noscript><p title="</noscript><img src=x onerror=alert(56)>">',
    "<template><img src=x onerror=alert(57)></template>",
    "<textarea><img src=x onerror=alert(58)></textarea>",
    "<title><img src=x onerror=alert(59)></title>",
    "<xmp><img src=x onerror=alert(60)></xmp>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(61)>">',
    '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(62) src=1>">',
    '<!--<img src="--><img src=x onerror=alert(63)//">',
    '<img src="x` `<script>alert(64)</script>"` `>',
    '<a href="javascript&colon;alert(65)">colon</a>',
    # template injection and JSON breaking
    "{{ 7*7 }}{% debug %}",
    "</script><img src=x onerror=alert(67)>",
    "\u2028\u2029<script>alert(68)</script>",
]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcset",
    "lowsrc",
    "dynsrc",
    "code",
    "codebase",
    "to",
    "values",
    "from",
}
FORBIDDEN_TAGS = {"object", "embed", "applet", "base", "frame", "frameset", "xmp", "set", "animate"}
SCRIPT_TYPES_OK = {"application/ld+json", "application/json"}


def _normalised_url(value):
    value = unescape(value or "")
    return "".join(ch for ch in value if ch > " " and ch not in "\x7f").lower()


class _ExecutableMarkup(HTMLParser):
    def __init__(self, *, own_script_prefixes):
        super().__init__(convert_charrefs=True)
        self.own = own_script_prefixes
        self.found = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self._check(tag, dict(attrs), attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, dict(attrs), attrs)

    def _check(self, tag, attrs, raw):
        where = f"<{tag} {raw}>"
        if tag == "script":
            kind = (attrs.get("type") or "").lower()
            src = attrs.get("src")
            if kind in SCRIPT_TYPES_OK and not src:
                self._in_script = kind
            elif not src or not src.startswith(self.own):
                self.found.append(f"script: {where}")
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"forbidden tag: {where}")
        if tag == "iframe" and "srcdoc" in attrs:
            self.found.append(f"iframe srcdoc: {where}")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.found.append(f"meta refresh: {where}")
        if tag == "style":
            self.found.append(f"style element: {where}")
        for name, value in raw:
            name = name.lower()
            if name.startswith("on"):
                self.found.append(f"event handler {name}: {where}")
            if name in URL_ATTRIBUTES and _normalised_url(value).startswith(DANGEROUS_SCHEMES):
                self.found.append(f"dangerous url in {name}: {where}")
            if name == "style" and any(
                bad in _normalised_url(value) for bad in ("javascript:", "expression(", "@import")
            ):
                self.found.append(f"dangerous style: {where}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script and "</script" in data.lower():
            self.found.append("script element broken out of")


def executable_markup(html, *, own_script_prefixes=("/static/",)):
    """Everything in html that a browser could run: a list of findings, empty when safe."""
    parser = _ExecutableMarkup(own_script_prefixes=own_script_prefixes)
    parser.feed(html)
    parser.close()
    return parser.found
