"""Pages in the site's other languages (index.en.md, post.en.md) as translation articles.

Hugo's rule links translations: the same `translationKey` front matter value, else the same
folder and file stem (a/index.md + a/index.en.md). The importer brings every default-language
page first, so when a translation comes its group is known: it joins the translation_group of
the article its default-language page became. docs/HUGO.md, "Translations", has the rules.
"""

import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings

from articles.hugo import frontmatter
from articles.hugo.files import Refused
from articles.hugo.site import lookup
from articles.hugo.titles import django_language
from articles.models import Article

DATA_PAGE = "data page"  # a default-language page the portal took (a channel or an ad)


def language_reason(hugo_language):
    """-> (Django code, "") for a language the newsroom keeps translations in, else
    ("", why the page is skipped)."""
    code = django_language(hugo_language)
    languages = dict(settings.LANGUAGES)
    if code not in languages:
        return "", (
            f"in another language ({hugo_language}): the site has no such language "
            f"({', '.join(languages)})"
        )
    if code == settings.LANGUAGE_CODE:
        return "", (
            f"in another language ({hugo_language}), which is the newsroom's own language "
            f"({code}) as the default-language pages are; not imported"
        )
    return code, ""


def translation_key(extra):
    value = lookup(extra, "translationKey") if isinstance(extra, dict) else None
    return "" if value in (None, "") else str(value).strip()


def link_key(file, extra):
    """What links a page to its translations in Hugo: translationKey wins over the path."""
    key = translation_key(extra)
    if key:
        return ("translationKey", key)
    return ("path", str(PurePosixPath(file.rel).parent), file.stem)


@dataclass
class Link:
    group: uuid.UUID | None = None  # None: skipped
    language: str = ""
    sibling_url: str = ""  # the default-language article's URL, "" when the group is its own
    warning: str = ""
    skip: str = ""


class Translations:
    def __init__(self, *, site, report, dry_run):
        self.site, self.report, self.dry_run = site, report, dry_run
        self._defaults = {}  # link key -> (default page rel, group | DATA_PAGE | None)
        self._claims = {}  # (group, language) -> translation rel, this run

    def is_translation(self, file):
        return bool(file.lang) and file.lang != self.site.default_language

    def stored(self, pk):
        """(translation_group, extra, URL) of an article an earlier import made."""
        row = Article.objects.filter(pk=pk).values_list("translation_group", "extra", "slug")
        group, extra, slug = row.first() or (None, {}, "")
        return group, extra, Article(slug=slug).get_absolute_url() if slug else ""

    def add_default(self, file, *, extra, group, url=""):
        """group: the article's translation_group, DATA_PAGE, or None (failed or skipped);
        url: the article's."""
        self._defaults.setdefault(link_key(file, extra), (file.rel, group, url))

    def unkept(self, *, max_file_bytes):
        """(file, front matter, URL of its default-language page or "") of each page in a
        language the newsroom does not keep, for their old URLs' redirects."""
        found = []
        for file in self.site.unkept_pages:
            try:
                meta = frontmatter.split(frontmatter.decode(file.read(max_bytes=max_file_bytes)))
                meta = meta.meta
            except (Refused, frontmatter.FrontMatterError):
                continue  # reported as skipped already; nothing to lead anywhere
            _rel, group, url = self._defaults.get(link_key(file, meta), ("", None, ""))
            found.append((file, meta, url if group not in (None, DATA_PAGE) else ""))
        return found

    def link(self, file, *, extra, pk=None, group=None, unchanged=False):
        """The Link a translation joins its group by; None when it is skipped (reported).
        pk, group: the row an earlier import made of this file; unchanged: that row stays
        as it is, but for its group."""
        link = self._link(file, extra=extra, pk=pk, group=group)
        if link.skip:
            self.report.skip(file.rel, link.skip)
            return None
        if link.warning:
            self.report.warn(file.rel, link.warning)
        if unchanged and group != link.group and not self.dry_run:
            Article.objects.filter(pk=pk).update(translation_group=link.group)
        return link

    def _link(self, file, *, extra, pk, group):
        default = self.site.default_language
        language = django_language(file.lang)
        key = link_key(file, extra)
        sibling, found, url = self._defaults.get(key, ("", None, ""))
        if found == DATA_PAGE:
            return Link(
                skip=f"in another language ({file.lang}): the copy of a data page (a channel "
                f"takes its title from it; an ad is the same ad), kept in {default} only"
            )
        warning = ""
        if isinstance(found, uuid.UUID):
            group = found
        else:
            group, url = group or uuid.uuid4(), ""
            if sibling:
                warning = (
                    f"its {default} page {sibling} was not imported (failed or skipped): "
                    "not linked to it, imported in a translation group of its own"
                )
                sibling = ""
            elif key[0] == "translationKey":
                warning = (
                    f"no {default} page has translationKey {key[1]!r}: imported in a "
                    "translation group of its own"
                )
        claimed = self._claims.get((group, language))
        if claimed is None:
            others = Article.objects.filter(translation_group=group, language=language)
            if pk:
                others = others.exclude(pk=pk)
            row = others.values_list("source_path", "slug").first()
            claimed = row and (row[0] or f"the article {row[1]!r}")
        if claimed and claimed != file.rel:
            return Link(
                skip=f"same translation ({language}) of {sibling or 'its group'} as "
                f"{claimed}; skipped"
            )
        self._claims[(group, language)] = file.rel
        return Link(group=group, language=language, sibling_url=url, warning=warning)

    def forget(self, file, link):
        """A translation whose write failed gives its claim back."""
        if link and link.group and self._claims.get((link.group, link.language)) == file.rel:
            del self._claims[(link.group, link.language)]
