"""Whether a stored page is still current after changes that moved what it is keyed by, but
left it as it was: term pages (terms.py) and the pages that show articles' text.

A text edit (pages_changed() with text) moves the text version, which every page marked
shows_article_text() records: search pages, feeds, sitemaps. A typo fixed in one article's
body changes few of them: a feed only if it lists that article, a search page only if it shows
that article or the article's match for the page's words changed. So each text version also
records what its edit changed (record_text()): the articles, and on PostgreSQL the words of
the search index that the article gained or lost, or None when that cannot be told (SQLite,
whose search matches any substring; a change to the article's labels, which rank results). A
page rendered with a text scope (text_scope()) stays current through text versions that were
all recorded and none of which touched it (text_unchanged()); then it is stored again under
the current versions (restamped()).

Anything not recorded (a record evicted or not yet written, more than terms.MAX_STEPS versions,
a page without a scope) is a change, so a failing or flushed cache only costs renders.
"""

import re
import time

from django.core.cache import cache

from articles.pagecache import terms as term_pages

# Past this many changed words a record keeps None (any search page counts as touched).
MAX_WORDS = 2000


def _text_record_key(version):
    return f"newsroom:text-changed:{version}"


def text_change(article_ids, words=None):
    """What a text edit changed, for record_text(): the articles whose text (body, update time)
    changed and the search-index words they gained or lost, None when unknown."""
    words = None if words is None or len(words) > MAX_WORDS else sorted(words)
    return {"ids": sorted(article_ids), "words": words}


def record_text(version, change, *, timeout):
    """Text version `version` is the edit text_change() describes, and nothing else."""
    cache.set(_text_record_key(version), change, timeout=timeout)


def text_scope(article_ids, query_words=None):
    """What a page marked shows_article_text() depends on, for request.page_text_scope: the
    text of the articles it shows and, for a search page, which articles match its words
    (query_words: the words the search looked for; None for a page whose articles do not
    depend on text, such as a feed)."""
    scope = {"ids": sorted(article_ids)}
    if query_words is not None:
        query = " ".join(word.casefold() for word in query_words)
        scope["query"] = query
        scope["runs"] = sorted(set(_CHINESE.findall(query)))
    return scope


# Chinese characters (CJK unified ideographs): letters to PostgreSQL's parser in the UTF-8
# locales Chinese search runs in, so it never splits a run of them, while it may split a run of
# Latin letters and digits ("+0a0" gives "a0"). tests/test_cache_text.py asks the server.
_CHINESE = re.compile(r"[\u4e00-\u9fff]+")


def _touches(change, scope):
    """Whether the change can show on a page with this scope: it is to an article the page
    shows, or, on a search page, it gave or took a word the search looks for.

    The query is matched against the index's words as PostgreSQL parses it: split on spaces,
    punctuation and some changes between letters and digits, lowercased. So each word it looks
    for is a part of the query, and one of Chinese characters only is a whole run of them
    (scope["runs"]): a common one-character word of a Chinese article does not touch every
    Chinese query. Broader than exact, never narrower."""
    if not set(change["ids"]).isdisjoint(scope["ids"]):
        return True
    if "query" not in scope:
        return False
    if change["words"] is None:
        return True
    runs = set(scope.get("runs", ()))
    for word in map(str.casefold, change["words"]):
        chinese = "runs" in scope and _CHINESE.fullmatch(word)
        looked_for = word in runs if chinese else word in scope["query"]
        if looked_for:
            return True
    return False


def text_unchanged(scope, since, now):
    """Whether a page with this text scope shows the same at text version `now` as at `since`:
    every version in between was recorded and none touches the scope."""
    found = term_pages.recorded(_text_record_key, since, now)
    return found is not None and not any(_touches(change, scope) for change in found)


def _lists_unchanged(entry, since, now):
    """A term page through changes to other terms' lists; a search page through changes,
    recorded with their article and its words, that it cannot show (terms.records())."""
    if "term" in entry:
        return term_pages.unchanged(entry["term"], since, now)
    scope = entry.get("text_scope")
    if scope is None or "query" not in scope:
        return False
    found = term_pages.records(since, now)
    return found is not None and not any(
        record["text"] is None or _touches(record["text"], scope) for record in found
    )


def current(entry, state, *, narrowed=True):
    """Whether an entry stored under the page's key still shows what readers should see: the
    key names the site generation and the page's version; a page listing articles also
    recorded the generation, and a page showing articles' text the text version, which may
    have moved since (lists_changed(), pages_changed()). narrowed=True also asks the shared
    cache whether those moves left the page as it was: a term's page through generations that
    changed other terms' lists only, a page with a text scope through edits it does not show."""
    generation, text = entry.get("generation"), entry.get("text_version")
    lists_same = (
        generation is None
        or generation == state.generation
        or (narrowed and _lists_unchanged(entry, generation, state.generation))
    )
    return lists_same and (
        text is None
        or text == state.text_version
        or (
            narrowed
            and "text_scope" in entry
            and text_unchanged(entry["text_scope"], text, state.text_version)
        )
    )


def restamped(key, entry, state):
    """An entry current() kept through changes it does not show, stored again under the
    current generation and text version, so the next reader's check is the plain one."""
    stamps = {
        name: now
        for name, now in (("generation", state.generation), ("text_version", state.text_version))
        if entry.get(name) not in (None, now)
    }
    if not stamps:
        return entry
    entry = {**entry, **stamps}
    ttl = int(entry["expires_at"] - time.time())
    if ttl >= 1:
        cache.set(key, entry, timeout=ttl)
    return entry
