"""Statements compiled once, run again with each request's values.

Django's ORM builds and compiles a queryset's SQL on every request. For the article page's one
row (the article and its section), that is about 1.7 of the 2.1 ms of CPU the read costs; for
a search's candidates (a rank made of three CASE expressions), about 3 ms. The statement is the
same every time but for the values. Here a queryset is compiled once per process, database and
shape, with marker values where a request's values go; each call then runs that SQL with its
own values. Instances are made as the ORM's ModelIterable makes them: Model.from_db(), the
select_related() objects by Django's RelatedPopulator, the same converters: ordinary instances.

Values are str, int or datetime, or a list of str or int (`[str]`, `[int]`): a list's length is
part of the shape (`pk__in` of 20 ids is another statement than of 19). A value Django puts
into a LIKE pattern (`__contains`, `__icontains`, `__startswith`...) is escaped for LIKE as
Django escapes it.

Whatever the statement holds besides its values is fixed at the first compile. So `build` must
take every value that varies (the clock, the language) as an argument: a statement that reads
the clock or the active language itself would show the first request's time or language to
everyone. That is checked: the statement is compiled twice, the second time in another
language and a moment later, and refused if the two differ in more than the markers.
"""

import re
import time
from datetime import UTC, datetime, timedelta
from threading import Lock

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models.query import get_related_populators
from django.dispatch import receiver
from django.utils import translation

_MARKERS = {
    str: lambda index: f"\ufffeprepared{index:06d}\ufffe",
    int: lambda index: -1_987_654_321 + index,
    datetime: lambda index: datetime(1901, 1, 1, tzinfo=UTC) + timedelta(microseconds=index),
}
_MARKER_TEXT = re.compile("\ufffeprepared[0-9]{6}\ufffe")
_LIKE = re.compile("%?(\ufffeprepared[0-9]{6}\ufffe)%?")
_LIST_SPAN = 1000  # markers per list value: a list holds at most this many
MAX_STATEMENTS = 512
_PREPARED = []


class Prepared:
    """`build(**values)`, a queryset of `model`, as statements compiled once per shape.

    kinds: each value's name and type, e.g. slug=str, now=datetime, ids=[int]. Calling it with
    those values returns the list of instances the queryset would; rows() the rows of a
    values_list() queryset, as lists, through the ORM's converters; driver_rows() as the
    database driver gives them (for columns it already gives as Python wants). `shape`: the
    names of values passed to `build` as they are, which make another statement each (a
    slice's bounds, which Django writes into the SQL); they must be hashable. At most
    MAX_STATEMENTS shapes are kept, the oldest dropped first.
    """

    def __init__(self, model, build, *, shape=(), **kinds):
        unknown = {name for name, kind in kinds.items() if _marker_kind(kind) not in _MARKERS}
        if unknown:
            raise TypeError(
                f"Prepared values must be str, int, datetime, [str] or [int]: {unknown}"
            )
        self.model, self.build, self.kinds, self.shape = model, build, kinds, tuple(shape)
        self._statements, self._lock = {}, Lock()
        _PREPARED.append(self)

    def __call__(self, **values):
        return self._statement(values).instances(values)

    def rows(self, **values):
        statement = self._statement(values)
        return list(statement.converted(statement.rows(values)))

    def driver_rows(self, **values):
        return self._statement(values).rows(values)

    def sql(self, **values):
        """(SQL, parameters) of this call, to put inside another statement; None when it can
        have no rows (an empty `__in` list)."""
        statement = self._statement(values)
        if statement.empty:
            return None
        connection = connections[statement.alias]
        return statement.sql, [_value(slot, values, connection) for slot in statement.slots]

    def _statement(self, values):
        if values.keys() != {*self.kinds, *self.shape}:
            raise TypeError(f"Prepared takes exactly {sorted({*self.kinds, *self.shape})}")
        lengths = tuple(
            len(values[name]) for name, kind in self.kinds.items() if isinstance(kind, list)
        )
        if any(length > _LIST_SPAN for length in lengths):
            raise ValueError(f"Prepared lists hold at most {_LIST_SPAN} values")
        shape = {name: values[name] for name in self.shape}
        key = (router.db_for_read(self.model), lengths, tuple(shape.values()))
        statement = self._statements.get(key)
        if statement is None:
            statement = _Statement(self, key[0], lengths, shape)
            with self._lock:
                while len(self._statements) >= MAX_STATEMENTS:
                    del self._statements[next(iter(self._statements))]
                self._statements[key] = statement
        return statement


def _marker_kind(kind):
    return (
        kind[0] if isinstance(kind, list) and len(kind) == 1 and kind[0] is not datetime else kind
    )


def _markers(kinds, lengths):
    """{name: its marker, or a list of markers for a list value of that length}."""
    markers, lengths = {}, iter(lengths)
    for i, (name, kind) in enumerate(kinds.items()):
        make = _MARKERS[_marker_kind(kind)]
        if isinstance(kind, list):
            markers[name] = [make(i * _LIST_SPAN + k) for k in range(next(lengths))]
        else:
            markers[name] = make(i * _LIST_SPAN)
    return markers


class _Statement:
    def __init__(self, prepared, alias, lengths, shape):
        self.alias, self.shape = alias, shape
        markers = _markers(prepared.kinds, lengths)
        self.places = _places(connections[alias], markers)
        self.empty = False
        try:
            compiler, self.sql, self.slots, instances = self._compile(prepared, markers)
        except EmptyResultSet:  # an empty `__in` list: no rows whatever the other values
            self.empty = True
            return
        time.sleep(0.001)  # a moment later: a clock read gives another time
        with translation.override(_another_language()):
            again = self._compile(prepared, markers)[1:3]
        if again != (self.sql, self.slots):
            raise TypeError(
                "Prepared statement reads a value besides its arguments (the clock, the language?)"
            )
        select, klass_info = compiler.select, compiler.klass_info
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        self.converters = list(converters.items())
        if instances:  # a queryset of instances, not values
            fields = klass_info["select_fields"]
            self.model, self.start, self.end = klass_info["model"], fields[0], fields[-1] + 1
            self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, alias)

    def _compile(self, prepared, markers):
        queryset = prepared.build(**markers, **self.shape)
        compiler = queryset.query.get_compiler(using=self.alias)
        sql, params = compiler.as_sql()
        # Instances unless values() or values_list() chose the columns.
        instances = queryset.query.default_cols
        if instances and queryset.query.annotations:
            raise TypeError("Prepared makes plain instances: no annotations")
        slots = tuple(_slot(param, self.places) for param in params)
        found = {place for slot in slots for place in _slot_places(slot)}
        missing = set(self.places.values()) - found
        if missing:
            names = sorted({name for name, _index in missing})
            raise TypeError(f"Prepared values not in the statement: {names}")
        return compiler, sql, slots, instances

    def rows(self, values):
        if self.empty:
            return []
        connection = connections[self.alias]
        params = [_value(slot, values, connection) for slot in self.slots]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()

    def converted(self, rows):
        connection = connections[self.alias]
        for row in rows:
            row = list(row)
            for position, (converters, expression) in self.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
            yield row

    def instances(self, values):
        made = []
        for row in self.converted(self.rows(values)):
            instance = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            made.append(instance)
        return made


def _places(connection, markers):
    """{a marker as it appears among the parameters: (value's name, index in its list)}."""
    places = {}
    for name, marker in markers.items():
        if isinstance(marker, list):
            places.update({_adapt(connection, m): (name, k) for k, m in enumerate(marker)})
        else:
            places[_adapt(connection, marker)] = (name, None)
    return places


# A parameter is a constant, a value (("value", place)), or text holding values: a LIKE
# pattern of one value (("like", text, place)), else values joined in text (("text", parts)).
def _slot(param, places):
    if isinstance(param, (str, int, datetime)) and not isinstance(param, bool):
        place = places.get(param)
        if place is not None:
            return ("value", place)
    if isinstance(param, str) and _MARKER_TEXT.search(param):
        like = _LIKE.fullmatch(param)
        if like and param != like.group(1):
            return ("like", param, places[like.group(1)])
        return (
            "text",
            tuple(_MARKER_TEXT.split(param)),
            tuple(places[marker] for marker in _MARKER_TEXT.findall(param)),
        )
    return ("constant", param)


def _slot_places(slot):
    if slot[0] == "value":
        return [slot[1]]
    if slot[0] == "like":
        return [slot[2]]
    if slot[0] == "text":
        return list(slot[2])
    return []


def _value(slot, values, connection):
    kind = slot[0]
    if kind == "constant":
        return slot[1]
    if kind == "value":
        return _adapt(connection, _lookup(values, slot[1]))
    if kind == "like":
        text, place = slot[1], slot[2]
        escaped = connection.ops.prep_for_like_query(_lookup(values, place))
        return _MARKER_TEXT.sub(lambda _match: escaped, text)
    parts, places = slot[1], slot[2]
    pieces = [parts[0]]
    for place, part in zip(places, parts[1:], strict=True):
        pieces += [str(_lookup(values, place)), part]
    return "".join(pieces)


def _lookup(values, place):
    name, index = place
    return values[name] if index is None else values[name][index]


def _adapt(connection, value):
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _another_language():
    codes = [code for code, _name in settings.LANGUAGES]
    return next((code for code in codes if code != translation.get_language()), codes[0])


# What a compiled statement may depend on besides its values: the databases and which one
# reads (the alias is in its key, a test may swap the rest), the languages, the time zone.
_COMPILED_FROM = {
    "DATABASES",
    "DATABASE_ROUTERS",
    "LANGUAGES",
    "LANGUAGE_CODE",
    "USE_TZ",
    "TIME_ZONE",
}


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting not in _COMPILED_FROM:
        return
    for prepared in _PREPARED:
        with prepared._lock:
            prepared._statements.clear()
