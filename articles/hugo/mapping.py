"""Front matter -> article fields: which key means what (docs/HUGO.md has the table)."""

import datetime as dt
import json
import re
from dataclasses import dataclass, field

from articles.hugo.dates import parse_date
from articles.hugo.limits import MAX_DESCRIPTION_CHARS, MAX_EXTRA_BYTES, size_text

MAPPED_KEYS = {
    "title",
    "date",
    "lastmod",
    "draft",
    "authors",
    "author",
    "description",
    "featuredImage",
    "tags",
    "categories",
    "weight",
    "lightgallery",
    "pinned",
    "recommend",
    "recommend1",
    "slug",
    "url",
    "aliases",
}
SLOT_KEYS = {"pinned": "pinned", "recommend": "carousel", "recommend1": "showcase"}
# Sections whose pages are data for the theme (ad slots), never articles.
DATA_SECTIONS = {"ads"}


def is_author_taxonomy(plural, singular):
    """`author = "authors"`: its terms are bylines, never topics."""
    return "author" in {str(plural).lower(), str(singular).lower()} or (
        str(plural).lower() == "authors"
    )


def is_topic_taxonomy(plural, singular):
    """Every declared taxonomy but tags, categories and authors becomes topics."""
    return plural not in {"tags", "categories"} and not is_author_taxonomy(plural, singular)


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_MEDIA = re.compile(r"<(?:img|video|audio|iframe|embed|object|svg)\b", re.IGNORECASE)


def data_page_reason(meta, *, section="", html=None, summary=False):
    """Why a page is data for the theme rather than an article (imported as a draft), or "".

    A page without a body still has something for readers when it has a summary, a featured
    image or a `link` out (a directory entry of a portal): it stays published; `summary` says
    the page has a description or a featured image."""
    for key, value in meta.items():
        name = str(key).lower()
        if name == "hidepage" and _bool(value):
            return "hidePage: true"
        if name in {"_build", "build"} and isinstance(value, dict):
            for option in ("render", "list"):
                setting = next((v for k, v in value.items() if str(k).lower() == option), None)
                if setting is False or str(setting).strip().lower() in {"never", "false"}:
                    return f"{key}: {option}: {str(setting).lower()}"
    if str(section).lower() in DATA_SECTIONS:
        return f"a page of the {section}/ section"
    has_link = any(str(key).lower() == "link" and value for key, value in meta.items())
    if html is not None and _blank(html) and not (summary or has_link):
        return "no body, summary, image or link (empty or only an HTML comment)"
    return ""


def _blank(html):
    """True when a rendered body shows nothing: no text and no media once comments go."""
    html = _COMMENT.sub("", html)
    return not _MEDIA.search(html) and not _TAG.sub("", html).replace("&nbsp;", "").strip()


class MappingError(ValueError):
    pass


@dataclass
class Fields:
    title: str
    published_at: dt.datetime | None
    updated_at: dt.datetime | None
    draft: bool
    authors: list
    description: str
    featured_image: str
    tags: list
    section: str
    topics: list  # [(taxonomy, term)]
    weight: int | None
    lightbox: bool
    slots: list
    slug: str
    url: str
    aliases: list
    extra: dict
    toc: bool = False
    warnings: list = field(default_factory=list)
    lastmod_before_date: str = ""


def map_front_matter(meta, *, taxonomies, tz):
    """Read every key we know; the rest goes to extra. Raises MappingError for a bad file."""
    warnings = []
    title = _text(meta.get("title"))
    if not title:
        raise MappingError("no title in front matter")
    try:
        published_at = parse_date(meta.get("date") or meta.get("publishDate"), tz=tz)
    except ValueError as exc:
        raise MappingError(f"date: {exc}") from exc
    try:
        updated_at = parse_date(meta.get("lastmod"), tz=tz)
    except ValueError as exc:
        warnings.append(f"lastmod ignored: {exc}")
        updated_at = None
    lastmod_before_date = ""
    if published_at and updated_at and updated_at < published_at:
        lastmod_before_date = (
            f"lastmod {updated_at.isoformat()} is before date {published_at.isoformat()}; kept"
        )
        warnings.append(lastmod_before_date)
    extra = {
        k: jsonable(v) for k, v in meta.items() if k not in MAPPED_KEYS and k not in taxonomies
    }
    if not isinstance(meta.get("toc"), dict):  # a theme's toc options stay in extra as well
        extra.pop("toc", None)
    categories = _terms(meta.get("categories"))
    if len(categories) > 1:
        extra["categories"] = categories
    topics = [
        (plural, term)
        for plural, singular in taxonomies.items()
        if is_topic_taxonomy(plural, singular)
        for term in _terms(meta.get(plural))
    ]
    # The first category is the section; each further one a topic of the `categories`
    # vocabulary, so the old /categories/<term>/ page leads somewhere.
    topics += [("categories", term[:100]) for term in categories[1:]]
    authors, link = _authors(meta)
    if link and "authorLink" not in extra:
        extra["authorLink"] = link
    description = _text(meta.get("description"))
    if len(description) > MAX_DESCRIPTION_CHARS:
        warnings.append(
            f"description cut to {MAX_DESCRIPTION_CHARS} of {len(description)} characters"
        )
    return Fields(
        title=title[:200],
        published_at=published_at,
        updated_at=updated_at,
        draft=_bool(meta.get("draft")),
        authors=authors,
        description=description[:MAX_DESCRIPTION_CHARS],
        featured_image=_featured_image(meta),
        tags=[t[:100] for t in _terms(meta.get("tags"))],
        section=categories[0][:100] if categories else "",
        topics=topics,
        weight=_weight(meta.get("weight"), warnings),
        lightbox=_bool(meta.get("lightgallery"), default=True),
        slots=[slot for key, slot in SLOT_KEYS.items() if _bool(meta.get(key))],
        slug=_text(meta.get("slug")),
        url=_text(meta.get("url")),
        aliases=_terms(meta.get("aliases")),
        extra=bounded_extra(extra, warnings),
        toc=_toc(meta.get("toc")),
        warnings=warnings,
        lastmod_before_date=lastmod_before_date,
    )


def bounded_extra(extra, warnings):
    """extra as stored on the article, at most MAX_EXTRA_BYTES of JSON: keys are kept in
    order while they fit; the others are dropped, each with a warning."""
    kept, total = {}, 0
    for key, value in extra.items():
        size = len(json.dumps({key: value}, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if total + size > MAX_EXTRA_BYTES:  # a few bytes too many, never too few
            warnings.append(
                f"front matter key {key!r} dropped: {size_text(size)} would take extra over its "
                f"{size_text(MAX_EXTRA_BYTES)} limit"
            )
            continue
        kept[key] = value
        total += size
    return kept


def _text(value):
    if value is None:
        return ""
    return str(value).strip()


def _bool(value, *, default=False):
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return bool(value)


def _terms(value):
    """A taxonomy value: list, single string, or null; empty strings and duplicates dropped."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    seen, terms = set(), []
    for item in value:
        term = _text(item)
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


def _toc(value):
    """`toc: true`, or a map of the theme's toc options (`toc: {enable: true, auto: false}`)."""
    if isinstance(value, dict):
        enable = next((v for k, v in value.items() if str(k).lower() == "enable"), True)
        return _bool(enable, default=True)
    return _bool(value)


def _weight(value, warnings):
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        warnings.append(f"weight {value!r} is not a number; ignored")
        return None


def _authors(meta):
    names, link = [], ""
    for item in [*_as_list(meta.get("authors")), *_as_list(meta.get("author"))]:
        if isinstance(item, dict):
            name, link = _text(item.get("name")), link or _text(item.get("link"))
        else:
            name = _text(item)
        if name and name not in names:
            names.append(name[:100])
    return names, link


def _as_list(value):
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _featured_image(meta):
    value = meta.get("featuredImage")
    if isinstance(value, list):
        value = next((v for v in value if _text(v)), "")
    if _text(value):
        return _text(value)
    for resource in meta.get("resources") or []:
        if isinstance(resource, dict) and resource.get("name") in {
            "featured-image",
            "featuredImage",
        }:
            return _text(resource.get("src"))
    return ""


def jsonable(value):
    """TOML dates and other non-JSON values in extra become text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
