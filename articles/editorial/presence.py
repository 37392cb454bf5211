"""Who else has an article's form open: heartbeats kept in the shared cache and nowhere else.

Every open form (a "tab": a random id the page makes, static/js/editor-presence.js) beats every
BEAT seconds. A beat writes the tab's own entry (which expires GONE_AFTER seconds later) and
reads the others' entries through a small per-article index. No database write, no worker, and
nothing named by the content generation: a beat never empties a cached page. The index changes
only when a tab comes or goes; two tabs joining at the same instant may drop one from it, and
that tab puts itself back with its next beat.

Taking over flags every other tab open on the article; each learns it from its next beat and
leaves. While the cache does not answer (newsroom/redis_cache.py fails soft: reads miss) a beat
finds nobody, so the form shows nothing.
"""

import logging
import re
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

BEAT = 20
GONE_AFTER = 50  # two missed beats and a bit
INDEX_KEEP = 3600
TAKEN_KEEP = 600
_TAB = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def valid_tab(tab):
    return bool(_TAB.match(tab or ""))


def _index_key(article_id):
    return f"newsroom:presence:{article_id}"


def _entry_key(article_id, member):
    return f"newsroom:presence:{article_id}:tab:{member}"


def _taken_key(article_id, member):
    return f"newsroom:presence:{article_id}:taken:{member}"


def _member(user, tab):
    return f"{user.pk}.{tab}"


def _since_label(seconds):
    minutes = int(seconds // 60)
    if minutes < 1:
        return _("刚刚打开")
    return ngettext("%(count)d 分钟前", "%(count)d 分钟前", minutes) % {"count": minutes}


def _describe(entry, *, user, now):
    since = _since_label(now - entry["since"])
    if entry["user"] == user.pk:
        message = _("你在另一个窗口也打开了这篇文章（%(since)s）") % {"since": since}
    elif entry["editing"]:
        message = _("%(name)s 也在编辑这篇文章（%(since)s）") % {
            "name": entry["name"],
            "since": since,
        }
    else:
        message = _("%(name)s 正在查看这篇文章（%(since)s）") % {
            "name": entry["name"],
            "since": since,
        }
    return {"name": entry["name"], "editing": entry["editing"], "message": message}


def _live_others(article_id, member):
    """The other tabs' entries by member, pruning the index of tabs that are gone."""
    stored = cache.get(_index_key(article_id)) or []
    members = stored if member in stored else [*stored, member]
    found = cache.get_many([_entry_key(article_id, m) for m in members])
    live = [m for m in members if m == member or _entry_key(article_id, m) in found]
    if live != stored:
        cache.set(_index_key(article_id), live, INDEX_KEEP)
    else:
        cache.touch(_index_key(article_id), INDEX_KEEP)
    return {m: found[_entry_key(article_id, m)] for m in live if m != member}


def beat(*, article_id, user, name, tab, editing, now=None):
    """Record this tab as open and say who else is: {"others": [...], "taken_over": ...}."""
    now = time.time() if now is None else now
    member = _member(user, tab)
    try:
        taken = cache.get(_taken_key(article_id, member))
        if taken:
            cache.delete(_entry_key(article_id, member))
            return {"others": [], "taken_over": taken}
        entry_key = _entry_key(article_id, member)
        since = (cache.get(entry_key) or {}).get("since", now)
        entry = {"user": user.pk, "name": name, "editing": editing, "since": since, "seen": now}
        cache.set(entry_key, entry, GONE_AFTER)
        others = _live_others(article_id, member)
    except Exception:  # any cache backend's failure: the form just shows nobody
        logger.warning("presence: the cache did not answer", exc_info=True)
        return {"others": [], "taken_over": None}
    ordered = sorted(others.values(), key=lambda other: other["since"])
    return {"others": [_describe(o, user=user, now=now) for o in ordered], "taken_over": None}


def take_over(*, article_id, user, name, tab, now=None):
    """Flag every other tab open on the article as taken over by this user; how many were."""
    now = time.time() if now is None else now
    member = _member(user, tab)
    when = timezone.localtime(datetime.fromtimestamp(now, tz=UTC))
    notice = {
        "by": name,
        "message": _(
            "%(name)s 于 %(time)s 接管了这篇文章。你在这里没有保存的修改留在本浏览器里，"
            "重新打开这篇文章时可以恢复。"
        )
        % {"name": name, "time": when.strftime("%H:%M")},
    }
    try:
        others = _live_others(article_id, member)
        for other in others:
            cache.set(_taken_key(article_id, other), notice, TAKEN_KEEP)
            cache.delete(_entry_key(article_id, other))
    except Exception:
        logger.warning("presence: the cache did not answer", exc_info=True)
        return 0
    return len(others)


def leave(*, article_id, user, tab):
    try:
        cache.delete(_entry_key(article_id, _member(user, tab)))
    except Exception:
        logger.warning("presence: the cache did not answer", exc_info=True)
