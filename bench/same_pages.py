"""Do readers get the same pages? Render every public page type, in every language, and save or
compare them, so a change meant only to make pages cheaper can be checked to change nothing a
reader gets: the same elements, attributes and text, once whitespace is normalised and character
references are resolved (`&#x27;` and `&#39;` are the same apostrophe to a browser).

    export DATABASE_URL=sqlite:////tmp/pages.sqlite3 MEDIA_ROOT=/tmp/pages-media DEBUG=1
    python manage.py migrate && python manage.py load_demo --no-admin    # once
    PAGE_CACHE=0 python bench/same_pages.py --save /tmp/pages-before.json    # today's code
    PAGE_CACHE=0 python bench/same_pages.py --compare /tmp/pages-before.json # after a change

Run both against the same database (the demo's dates are relative to when it was loaded). The
page cache must be off (PAGE_CACHE=0), so every page is rendered. Each page is requested twice,
the first request of a content generation and a warm one, and both are kept, with the status
and the number of SQL queries. CSRF tokens and CSP nonces are blanked. Exit status 1 when a
page differs.
"""

import argparse
import difflib
import html
import json
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from articles.models import Article, Author, Section, Tag, Topic  # noqa: E402
from articles.pagecache.generation import bump_generation  # noqa: E402

_SECRETS = re.compile(r'(nonce|csrfmiddlewaretoken"? value)="[^"]*"')
_SPACE = re.compile(r"\s+")
_NOW = re.compile(r"<(updated|lastBuildDate)>[^<]*</\1>")


def urls():
    """A fixed list: every page type, first in the default language, then under each other
    language's prefix."""
    articles = Article.objects.published().order_by("published_at", "pk")
    paths = ["/", "/articles/", "/articles/?page=2", "/search/?q=元宇宙", "/search/?q=上海"]
    paths += ["/search/?q=", "/search/?q=zzzznothing", "/feed/", "/feed/atom/", "/archive/"]
    paths += ["/tags/", "/sections/", "/authors/", "/topics/", "/sitemap.xml", "/robots.txt"]
    paths += [article.get_absolute_url() for article in articles]
    for model in (Tag, Section, Topic, Author):
        paths += [item.get_absolute_url() for item in model.objects.order_by("pk")]
        first = model.objects.order_by("pk").first()
        if first is not None:
            paths += [f"{first.get_absolute_url()}feed/", f"{first.get_absolute_url()}feed/atom/"]
    for year in sorted({a.published_at.year for a in articles}):
        paths.append(f"/archive/{year}/")
    paths += ["/no-such-page/", "/articles/no-such-article/", "/sections/games/?sort=score"]
    others = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    own = [path for path in paths if not path.startswith(tuple(f"/{code}/" for code in others))]
    prefixed = [f"/{code}{path}" for code in others for path in own if path != "/sitemap.xml"]
    return paths + prefixed


class Canonical(HTMLParser):
    """HTML written out again the one way: each tag with its attributes in their order and
    their values escaped alike, text with its references resolved and its whitespace runs as
    one space, comments kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        self.out.append(f"<{tag}{self._attributes(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.out.append(f"<{tag}{self._attributes(attrs)}/>")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(_SPACE.sub(" ", data), quote=False))

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    @staticmethod
    def _attributes(attrs):
        return "".join(
            f" {name}" if value is None else f' {name}="{html.escape(value)}"'
            for name, value in attrs
        )


def normalised(text, html_page=False):
    text = _SECRETS.sub(r'\1=""', text)
    if html_page:
        parser = Canonical()
        parser.feed(text)
        parser.close()
        text = "".join(parser.out)
    elif "<entry>" not in text and "<item>" not in text:  # an empty feed is updated "now"
        text = _NOW.sub(r"<\1></\1>", text)
    return _SPACE.sub(" ", text).strip()


def render_all():
    client = Client()
    pages = {}
    for path in urls():
        bump_generation()
        for round_ in ("first", "warm"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            body = response.content.decode("utf-8", "replace")
            head = f"{response.status_code}, {len(queries)} queries"
            html_page = response.get("Content-Type", "").startswith("text/html")
            pages[f"{path} [{round_}]"] = f"{head}\n{normalised(body, html_page)}"
    return pages


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--save", help="write the pages to this JSON file")
    parser.add_argument("--compare", help="compare with the pages saved in this JSON file")
    args = parser.parse_args()
    if settings.PAGE_CACHE["ENABLED"]:
        raise SystemExit("set PAGE_CACHE=0: every page must be rendered")
    pages = render_all()
    if args.save:
        Path(args.save).write_text(json.dumps(pages, ensure_ascii=False, indent=0))
        print(f"{len(pages)} pages saved to {args.save}")
    if args.compare:
        before = json.loads(Path(args.compare).read_text())
        differ = [key for key in before.keys() | pages.keys() if before.get(key) != pages.get(key)]
        for key in sorted(differ)[:10]:
            old = (before.get(key) or "").replace("> <", ">\n<").splitlines()
            new = (pages.get(key) or "").replace("> <", ">\n<").splitlines()
            print(f"--- {key}")
            sys.stdout.writelines(
                line + "\n" for line in list(difflib.unified_diff(old, new, lineterm=""))[:40]
            )
        print(f"{len(pages)} pages, {len(differ)} differ")
        if differ:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
