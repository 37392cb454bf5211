"""What a reader would see broken in an article: checked on every save and by the Hugo import.

Each check reads the stored (sanitised) body and the dates, and gives (kind, detail) pairs;
articles.hugo.issues turns them into ContentIssue rows and drops the ones fixed since.
"""

import re
from html.parser import HTMLParser
from urllib.parse import unquote

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from articles.models import ContentIssue

Kind = ContentIssue.Kind

# Kinds these checks decide alone: after a save, what they no longer find is fixed.
CHECKED_KINDS = {
    Kind.BROKEN_IMAGE_PATH,
    Kind.LASTMOD_BEFORE_DATE,
    Kind.LITERAL_MARKDOWN,
    Kind.CAPTION_CODE_BLOCK,
    Kind.SECOND_H1,
    Kind.EMPTY_BODY,
}

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd"}
_MEDIA = {"img", "iframe", "video", "audio", "embed", "object", "picture", "source"}
_WINDOWS = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|\.{0,2}\\)|\\")
_BOLD = re.compile(r"\*\*\s*[^*\s][^*]{0,60}")
_HEADING = re.compile(r"^\s*#{1,6}\s+\S.{0,40}")
_LINK = re.compile(r"!?\[[^\]\n]{1,200}\]\([^)\s]{1,300}\)")
_CAPTION_WORDS = re.compile(r"^(?:图说|图片|图：|图:|图/|摄影|来源|photo|image|caption)", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


class _Body(HTMLParser):
    """One pass over the body: images, H1 texts, <pre> blocks, and the text of each block
    outside code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images, self.h1s, self.pres, self.blocks = [], [], [], []
        self.has_media = self.has_text = False
        self._pre = self._code = 0
        self._h1 = self._pre_text = None
        self._block = []
        self._after_image = self._pre_after_image = False

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._flush()
        if tag in _MEDIA:
            self.has_media = True
        if tag == "img":
            self.images.append(dict(attrs))
            self._after_image = True
        elif tag == "pre":
            self._pre += 1
            if self._pre == 1:
                self._pre_text, self._pre_after_image = [], self._after_image
        elif tag == "code":
            self._code += 1
        elif tag == "h1":
            self._h1 = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "pre" and self._pre:
            self._pre -= 1
            if not self._pre:
                self.pres.append(("".join(self._pre_text), self._pre_after_image))
                self._after_image = False
        elif tag == "code" and self._code:
            self._code -= 1
        elif tag == "h1" and self._h1 is not None:
            self.h1s.append(" ".join("".join(self._h1).split()))
            self._h1 = None
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        if data.strip():
            self.has_text = True
        if self._pre:
            self._pre_text.append(data)
            return
        if self._h1 is not None:
            self._h1.append(data)
        if not self._code:
            self._block.append(data)
        if data.strip():
            self._after_image = False

    def _flush(self):
        text = "".join(self._block)
        if text.strip():
            self.blocks.append(text)
        self._block = []

    def close(self):
        super().close()
        self._flush()


def _short(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _image_problems(images):
    for attrs in images:
        src = (attrs.get("src") or "").strip()
        if not src:
            # The import drops a src that cannot load and keeps the path in title.
            # The sanitiser drops a src it cannot allow (a pasted C:\... path): no detail then.
            yield Kind.BROKEN_IMAGE_PATH, (attrs.get("title") or "").strip()
        elif _WINDOWS.search(src) or src.lower().startswith("file:"):
            yield Kind.BROKEN_IMAGE_PATH, src
        elif src.startswith(settings.MEDIA_URL) and not default_storage.exists(
            unquote(src.removeprefix(settings.MEDIA_URL).split("?")[0])
        ):
            yield Kind.BROKEN_IMAGE_PATH, src


def _markdown_left(blocks):
    for text in blocks:
        for pattern in (_BOLD, _HEADING, _LINK):
            found = pattern.search(text)
            if found:
                return _short(found.group(0))
    return None


def _caption_in_code(pres):
    for text, after_image in pres:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) != 1:
            continue
        line = lines[0]
        emphasised = len(line) > 2 and line[0] == line[-1] and line[0] in "*_"
        if emphasised or _CAPTION_WORDS.match(line) or (after_image and _CJK.search(line)):
            return _short(line)
    return None


def find_problems(article):
    """-> [(kind, detail)] of what readers would see broken in the article, in body order."""
    return [*body_problems(article.body), *date_problems(article)]


def body_problems(body):
    """find_problems() of the body alone: what no database or clock changes (an image's check
    asks the media storage), so an import's worker process can find them."""
    parsed = _Body()
    parsed.feed(body or "")
    parsed.close()
    problems = list(dict.fromkeys(_image_problems(parsed.images)))
    markdown = _markdown_left(parsed.blocks)
    if markdown:
        problems.append((Kind.LITERAL_MARKDOWN, markdown))
    caption = _caption_in_code(parsed.pres)
    if caption:
        problems.append((Kind.CAPTION_CODE_BLOCK, caption))
    if parsed.h1s:  # the page's H1 is the title: any H1 in the body is a second one
        problems.append((Kind.SECOND_H1, _short(parsed.h1s[0])))
    if not parsed.has_text and not parsed.has_media:
        problems.append((Kind.EMPTY_BODY, ""))
    return problems


def date_problems(article):
    """find_problems() of the article's times."""
    published, updated = article.published_at, article.updated_at
    if published and updated and updated < published <= timezone.now():
        return [(Kind.LASTMOD_BEFORE_DATE, "")]
    return []
