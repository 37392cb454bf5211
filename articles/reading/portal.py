"""The portal's reading side: what a section's typed fields show on an article page (the visit
button, the fact box, the official links) and how a section's list is filtered and sorted.

A section is a directory when one of its fields is a button (its entries link out to a
project's site), and a database (games) when its fields fill a fact box or a row of links. The
fields come from articles.portal.fields, read once per content generation.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext as _

from articles.media.renditions import ARTICLE_WIDTH
from articles.models import SectionField
from articles.pagecache.canonical import SORT, list_parameters, list_value
from articles.pagecache.state import cached_for_content
from articles.portal.fields import fields_by_section, values_for
from articles.reading.pagination import ReadingOrderPaginator

Kind = SectionField.Kind
Display = SectionField.Display

ARTICLE_SIZES = "(max-width: 860px) 100vw, 760px"
FILTER_KINDS = (Kind.TEXT, Kind.NUMBER, Kind.YESNO, Kind.WORDS)
# How many rows of a section are read to offer its filters' values (once per generation).
MAX_ROWS_FOR_CHOICES = 2000
MAX_CHOICES = 60
_YES = {"1", "true", "yes", "y", "是"}
_NO = {"0", "false", "no", "n", "否"}


def section_fields(section_id, *, request=None):
    return fields_by_section(request).get(section_id, [])


def is_directory(fields):
    return any(item.display == Display.BUTTON for item in fields)


def is_database(fields):
    return any(item.display in (Display.FACTS, Display.LINKS) for item in fields)


def is_web_url(value):
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def natural_sizes(width, *, column=ARTICLE_WIDTH, default=ARTICLE_SIZES):
    """The `sizes` of an image `width` pixels wide shown at most `column` wide: an image
    narrower than the column is shown at its own width (never enlarged, never blurred), down
    to the screen's width on a phone."""
    if width and width < column:
        return f"(max-width: {width}px) 100vw, {width}px"
    return default


@dataclass
class Fact:
    label: str
    kind: str
    text: str = ""
    href: str = ""
    chips: list = field(default_factory=list)  # [(word, url or "")]


def _number_text(value):
    return str(value) if isinstance(value, int) else f"{value:g}"


def _fact(item, value, *, list_url, filterable):
    fact = Fact(label=item.display_label, kind=item.kind)
    if item.kind == Kind.YESNO:
        fact.text = _("是") if value else _("否")
    elif item.kind == Kind.NUMBER:
        fact.text = _number_text(value)
    elif item.kind == Kind.WORDS:
        fact.chips = [
            (word, f"{list_url}?{urlencode({item.key: word})}" if filterable else "")
            for word in value
        ]
    elif item.kind == Kind.URL:
        fact.text = value
        fact.href = value if is_web_url(value) else ""
    else:
        fact.text = str(value)
    return fact


def article_portal(article, *, request=None):
    """What the article page shows of the article's section fields: `visit` (the button's
    URL), `facts` [Fact], `official_links` [(label, url)], and `figure_sizes` (the featured
    image's sizes, at most its natural width)."""
    fields = section_fields(article.section_id, request=request) if article.section_id else []
    values = values_for(article, fields)
    list_url = article.section.get_absolute_url() if article.section_id else ""
    declared = set(list_parameters())
    visit = next(
        (
            value
            for item, value in values
            if item.display == Display.BUTTON and item.kind == Kind.URL and is_web_url(value)
        ),
        "",
    )
    facts = [
        _fact(
            item,
            value,
            list_url=list_url,
            filterable=item.filterable and item.key in declared,
        )
        for item, value in values
        if item.display == Display.FACTS
    ]
    links = [
        (item.display_label, value)
        for item, value in values
        if item.display == Display.LINKS and is_web_url(value)
    ]
    return {
        "visit": visit,
        "facts": facts,
        "official_links": links,
        "figure_sizes": natural_sizes(article.featured_image_width),
    }


# Lists: filters and sort order ------------------------------------------------------------


@dataclass
class ListQuery:
    """A section list's filters [(field, value as typed)] and sort field, from the query."""

    filters: list = field(default_factory=list)
    sort: SectionField | None = None
    impossible: bool = False  # a filter value the field can never hold: no rows

    @property
    def key(self):
        """Names these rows in the kept counts and page ids (with the list's own key)."""
        parts = [f"{item.key}={value}" for item, value in self.filters]
        if self.sort is not None:
            parts.append(f"{SORT}={self.sort.key}")
        return tuple(parts)

    @property
    def active(self):
        return bool(self.filters or self.sort)


def filterable_fields(fields):
    declared = set(list_parameters())
    return [
        item
        for item in fields
        if item.filterable and item.kind in FILTER_KINDS and item.key in declared
    ]


def sortable_fields(fields):
    return [item for item in fields if item.sortable and item.kind != Kind.URL]


def _typed(item, text):
    """The filter value `text` as the field stores it, or None when it can hold no such value."""
    if item.kind == Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            return None
        if number != number or number in (float("inf"), float("-inf")):
            return None
        return int(number) if number.is_integer() else number
    if item.kind == Kind.YESNO:
        word = text.lower()
        return True if word in _YES else False if word in _NO else None
    return text


def list_query(query, fields):
    """The ListQuery a request's query (a QueryDict) asks of a section with `fields`. Unknown
    parameters are ignored; an unknown sort is the default order."""
    result = ListQuery()
    for item in filterable_fields(fields):
        text = list_value(query, item.key)
        if not text:
            continue
        value = _typed(item, text)
        if value is None:
            result.impossible = True
            value = text
        result.filters.append((item, value))
    wanted = list_value(query, SORT)
    result.sort = next((item for item in sortable_fields(fields) if item.key == wanted), None)
    return result


def _json_text(value, *, ascii_only):
    return json.dumps(value, ensure_ascii=ascii_only)


def _word_condition(alias, word):
    """Rows whose list `alias` (the field's JSON text) holds `word`, on SQLite and PostgreSQL:
    the element as JSON text (`"Ethereum"`), with non-ASCII characters as PostgreSQL writes
    them and as Python's json module stored them on SQLite (\\uXXXX); or a lone string."""
    return (
        Q(**{f"{alias}__iexact": word})
        | Q(**{f"{alias}__icontains": _json_text(word, ascii_only=False)})
        | Q(**{f"{alias}__icontains": _json_text(word, ascii_only=True)})
    )


def apply_list_query(queryset, wanted):
    """`queryset` narrowed to the rows matching every filter of `wanted` (a ListQuery)."""
    if wanted.impossible:
        return queryset.none()
    for item, value in wanted.filters:
        alias = f"portal_{item.key}"
        if item.kind == Kind.WORDS:
            queryset = queryset.alias(**{alias: KeyTextTransform(item.key, "fields")})
            queryset = queryset.filter(_word_condition(alias, value))
        elif item.kind == Kind.TEXT:
            queryset = queryset.alias(**{alias: KeyTextTransform(item.key, "fields")})
            queryset = queryset.filter(**{f"{alias}__iexact": value})
        else:
            queryset = queryset.filter(**{f"fields__{item.key}": value})
    return queryset


def sort_order(item):
    """ORDER BY for a sortable field: numbers and yes first high to low, text A to Z; rows
    without a value last; then newest first."""
    value = KeyTransform(item.key, "fields")
    if item.kind == Kind.TEXT:
        first = value.asc(nulls_last=True)
    else:
        first = value.desc(nulls_last=True)
    return (first, F("published_at").desc(), F("pk").desc())


class FieldOrderPaginator(ReadingOrderPaginator):
    """A list sorted by a field (`?sort=score`): its count and its pages' ids kept per content
    generation under the list's key, as ReadingOrderPaginator keeps them; no pinned first."""

    def __init__(self, object_list, per_page, *, list_key, ordering, **kwargs):
        super().__init__(object_list, per_page, list_key=list_key, **kwargs)
        self.ordering = ordering

    def order_ids(self, queryset, *, start, stop):
        rows = queryset.prefetch_related(None).order_by(*self.ordering)
        return list(rows.values_list("pk", flat=True)[start:stop]), set()


def _choices(queryset, filterable):
    counts = {item.key: {} for item in filterable}
    kinds = {item.key: item for item in filterable}
    for stored in queryset.order_by().values_list("fields", flat=True)[:MAX_ROWS_FOR_CHOICES]:
        for key, item in kinds.items():
            value = (stored or {}).get(key) if isinstance(stored, dict) else None
            words = value if isinstance(value, list) else [value]
            for word in words:
                if (
                    item.kind == Kind.YESNO
                    or word is None
                    or isinstance(word, bool)
                    or isinstance(word, dict | list)
                ):
                    continue
                text = str(word).strip()
                if text:
                    counts[key][text] = counts[key].get(text, 0) + 1
    return {
        key: sorted(found, key=lambda text: (-found[text], text))[:MAX_CHOICES]
        for key, found in counts.items()
    }


def filter_choices(queryset, filterable, *, list_key):
    """{field key: [values seen, most used first]} of a section's rows, for the filter form;
    read once per content generation (at most MAX_ROWS_FOR_CHOICES rows)."""
    if not filterable:
        return {}
    return cached_for_content(
        parts=("filter-choices", *list_key), compute=lambda: _choices(queryset, filterable)
    )
