"""The table of contents of an article: its body's h2-h4 headings that carry an id."""

from dataclasses import dataclass
from html.parser import HTMLParser

HEADING_LEVELS = {"h2": 2, "h3": 3, "h4": 4}
MAX_ENTRIES = 100


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    text: str


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.entries = []
        self._open = None  # (tag, level, id, text parts) of the heading being read

    def handle_starttag(self, tag, attrs):
        if self._open is None and tag in HEADING_LEVELS:
            anchor = (dict(attrs).get("id") or "").strip()
            self._open = (tag, HEADING_LEVELS[tag], anchor, [])

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            _, level, anchor, parts = self._open
            text = " ".join("".join(parts).split())
            if anchor and text and len(self.entries) < MAX_ENTRIES:
                self.entries.append(TocEntry(level=level, anchor=anchor, text=text))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[3].append(data)


def table_of_contents(body):
    """[TocEntry] of the sanitised body's h2, h3 and h4 headings that have an id and some text,
    in document order. Headings without an id cannot be linked to and are left out."""
    parser = _Headings()
    parser.feed(body or "")
    parser.close()
    return parser.entries
