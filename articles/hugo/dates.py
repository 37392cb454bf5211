"""Hugo dates in every shape found in real sites, made timezone-aware."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

_DATETIME = re.compile(
    r"""^\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})
    (?:[T\s]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d+))?)?
    \s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def parse_date(value, *, tz="Asia/Shanghai"):
    """Return an aware datetime, None for an empty value, or raise ValueError.

    Accepts ISO text with T or a space, Z, +08:00, +0800 or +08, an hour without its leading
    zero, fractions of a second, a bare date, and TOML's native date/datetime values. Values
    without a zone are read in tz.
    """
    if value is None or value == "":
        return None
    zone = ZoneInfo(tz)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    match = _DATETIME.match(str(value))
    if not match:
        raise ValueError(f"unrecognised date {value!r}")
    parts = match.groupdict()
    micro = int((parts["frac"] or "0")[:6].ljust(6, "0"))
    try:
        moment = dt.datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            int(parts["s"] or 0),
            micro,
        )
    except ValueError as exc:
        raise ValueError(f"impossible date {value!r}: {exc}") from exc
    return moment.replace(tzinfo=_zone(parts["tz"]) or zone)


def _zone(text):
    if not text:
        return None
    if text.upper() == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def format_date(moment, *, tz="Asia/Shanghai"):
    """ISO 8601 with the offset written out (2022-07-28T21:38:40+08:00), for export;
    fractions of a second only when there are some."""
    return moment.astimezone(ZoneInfo(tz)).isoformat()
