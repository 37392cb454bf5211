"""The URLs the Hugo site served: page permalinks and taxonomy term pages."""

import re
import unicodedata
from pathlib import PurePosixPath

from django.utils.encoding import escape_uri_path

_KEEP = set("%./\\_-#+~@")


def urlize(text, *, lower=True):
    """Hugo's urlize: spaces become hyphens, most punctuation goes, letters of any script stay."""
    out = []
    for char in str(text).strip():
        if char.isspace():
            out.append("-")
        elif char in _KEEP or unicodedata.category(char)[0] in {"L", "N", "M"}:
            out.append(char)
    path = "".join(out)
    return path.lower() if lower else path


def page_permalink(*, site, file, meta, published_at, language=None):
    """The page's URL path on the Hugo site, e.g. /news/some-bundle/. language: a Hugo
    language other than the default one, whose pages Hugo serves under /<language>/."""
    url = meta.get("url")
    if isinstance(url, str) and url.strip():
        path = url.strip()
        return path if path.startswith("/") else f"/{path}"
    rel = PurePosixPath(file.rel)
    folders = list(rel.parent.parts)
    filename = folders[-1] if file.is_bundle and folders else file.stem
    if file.is_bundle and folders:
        folders = folders[:-1]
    slug = str(meta.get("slug") or "").strip()
    pattern = site.permalinks.get(file.section)
    if pattern:
        path = _expand(
            pattern,
            folders=folders,
            filename=filename,
            slug=slug,
            meta=meta,
            published_at=published_at,
            section=file.section,
        )
    else:
        path = "/" + "/".join([*folders, slug or filename]) + "/"
    # Hugo sanitises the path as it urlizes a term: spaces -> "-", punctuation such as
    # "、", "(", "!" dropped, letters of any script kept.
    path = urlize(path, lower=site.lower_paths)
    path = re.sub(r"/{2,}", "/", path)
    if site.ugly_urls and path.endswith("/") and path != "/":
        path = path[:-1] + ".html"
    return language_prefix(site, language) + path


def language_prefix(site, language=None):
    """ "/en" for a page in another language; the default language's is "" unless
    defaultContentLanguageInSubdir is set."""
    if language and language != site.default_language:
        return f"/{language}"
    return site.language_prefix


def _expand(pattern, *, folders, filename, slug, meta, published_at, section):
    title = urlize(meta.get("title") or "")
    values = {
        "section": section,
        "sections": "/".join(folders),
        "title": title,
        "slug": slug or title,
        "filename": filename,
        "slugorfilename": slug or filename,
        "contentbasename": filename,
        "slugorcontentbasename": slug or filename,
    }
    if published_at is not None:
        values |= {
            "year": f"{published_at:%Y}",
            "month": f"{published_at:%m}",
            "monthname": f"{published_at:%B}".lower(),
            "day": f"{published_at:%d}",
            "weekday": str(published_at.isoweekday() % 7),
            "weekdayname": f"{published_at:%A}".lower(),
            "yearday": f"{published_at.timetuple().tm_yday}",
        }
    tokens = sorted(values, key=len, reverse=True)
    token_re = re.compile(r":(" + "|".join(tokens) + r")\b")
    path = token_re.sub(lambda m: values[m.group(1)], pattern)
    return path if path.startswith("/") else f"/{path}"


def term_permalink(*, site, taxonomy, term):
    pattern = site.permalinks.get(taxonomy)
    slug = urlize(term, lower=site.lower_paths)
    if pattern:
        path = re.sub(r":(slug|title)\b", slug, pattern)
        return site.language_prefix + (path if path.startswith("/") else f"/{path}")
    return f"{site.language_prefix}/{taxonomy}/{slug}/"


def alias_path(alias, *, permalink):
    """Aliases without a leading slash are relative to the page's folder, as in Hugo."""
    alias = str(alias).strip()
    if not alias:
        return ""
    if not alias.startswith("/"):
        base = (
            permalink.rsplit("/", 2)[0] if permalink.endswith("/") else permalink.rsplit("/", 1)[0]
        )
        alias = f"{base}/{alias}"
    return alias


def request_path(path):
    """The form Django's RedirectFallbackMiddleware compares against (non-ASCII %-encoded)."""
    return escape_uri_path(path)
