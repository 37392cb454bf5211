"""Admin query-string parameters the database cannot run: a 400, not a 500.

Django's changelist turns a parameter it cannot build into a query (`?weight__gt=x`) into its
"bad parameters" page, but some are only found out later, when the SQL is compiled or run:

- a regular expression the database cannot compile (`?title__regex=(`): refused outright, a
  regex from the URL is also a way to make the database work hard;
- `__range` with one value (`?id__range=1`), JSON lookups SQLite does not have
  (`?extra__contains=x`), a date_hierarchy year past 9999 (`?published_at__year=99999999999`);
- a NUL byte, which PostgreSQL refuses in any text (`?title=%00`, `?q=%00`).

`CheckedLookupsMixin` compiles the changelist's query before it runs and refuses all of these
with DisallowedModelAdminLookup (SuspiciousOperation: 400, logged on django.security).
`valid_ids()` keeps only the ids an add form may be pre-filled with (`?article=x`).
"""

from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import (
    EmptyResultSet,
    FieldDoesNotExist,
    SuspiciousOperation,
    ValidationError,
)
from django.core.validators import validate_ipv46_address
from django.db.models.constants import LOOKUP_SEP

REFUSED_LOOKUPS = {"regex", "iregex"}
LARGEST_ID = 2**63 - 1  # bigint; SQLite and PostgreSQL both refuse anything larger


def is_id(value):
    return isinstance(value, str) and value.isdigit() and 0 < int(value) <= LARGEST_ID


def valid_ids(params, names):
    """The given parameters whose value is a possible primary key."""
    return {key: value for key, value in params.items() if key in names and is_id(value)}


def _has_nul(values):
    return any(isinstance(value, str) and "\x00" in value for value in values)


def _check_address(model, key, values):
    """An IP address filter (axes' ip_address) with a value PostgreSQL's inet refuses when the
    query runs, not when it compiles."""
    name = key.removesuffix(f"{LOOKUP_SEP}exact")
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return
    if field.get_internal_type() != "GenericIPAddressField":
        return
    for value in values:
        try:
            validate_ipv46_address(value)
        except ValidationError as error:
            raise DisallowedModelAdminLookup(f"Not an address: {key}") from error


class CheckedChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        for key, values in request.GET.lists():
            if key.rsplit(LOOKUP_SEP, 1)[-1] in REFUSED_LOOKUPS:
                raise DisallowedModelAdminLookup(f"Filtering by {key} not allowed")
            if _has_nul([key, *values]):
                raise DisallowedModelAdminLookup("NUL byte in a parameter")
            _check_address(self.model, key, values)
        try:
            queryset = super().get_queryset(request, exclude_parameters)
        except OverflowError as error:  # a date_hierarchy year datetime() cannot hold
            raise DisallowedModelAdminLookup(str(error)) from error
        try:
            queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            pass  # a filter that matches nothing is a fine answer
        except (IncorrectLookupParameters, SuspiciousOperation):
            raise
        except Exception as error:  # noqa: BLE001 - whatever cannot compile is the URL's fault
            raise DisallowedModelAdminLookup(f"Cannot filter like this: {error}") from error
        return queryset


class CheckedLookupsMixin:
    """For a ModelAdmin: its changelist refuses what the database cannot run (a 400)."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList
