"""Term pages: a publish refreshes the lists of the article's own tags, topics and authors only.

A page listing the articles of one term (a tag, topic or author: TaxonomyArticleListView)
shows nothing but those articles and what every page shows. When lists_changed() moves the
generation for a change to the newest article, it also records which terms that change
touched, the article's before and after (changed_terms()). A term page stored under an older
generation is still current when every generation since was recorded and none names its term
(unchanged()): the other tag pages of a 10,000-article site stay cached through a publish
instead of being rendered again, each, by the next reader.

The same records say which article the change was to and the search words it had before
and after it, so search pages that cannot show it stay cached too (narrowed.py).

Anything not recorded (a save that moved the generation for every page, a record evicted or
not yet written, more than MAX_STEPS generations) counts as a change to every term, so a
failing or flushed cache only costs renders.
"""

from django.core.cache import cache

MAX_STEPS = 64


def _record_key(generation):
    return f"newsroom:lists-changed:{generation}"


def record(generation, terms, *, timeout, text=None):
    """Generation `generation` changed the lists of `terms` (term keys, term_key(); None: of
    every term) and, with `text` (narrowed.text_change()), no article but those it names."""
    value = {"terms": None if terms is None else sorted(terms), "text": text}
    cache.set(_record_key(generation), value, timeout=timeout)


def term_key(taxonomy, pk):
    """How a term is named in the records and on its page's cache entry: "tag:12"."""
    return f"{taxonomy}:{pk}"


def recorded(record_key, since, now):
    """The records record_key(n) of every step n after `since` up to `now` (generations, text
    versions), oldest first; None when one is missing or there are more than MAX_STEPS."""
    steps = now - since
    if not 0 < steps <= MAX_STEPS:
        return None
    keys = [record_key(step) for step in range(since + 1, now + 1)]
    found = cache.get_many(keys)
    entries = [found.get(key) for key in keys]
    # A record of another shape (written by an older release during a deploy) is unknown too.
    return entries if all(isinstance(entry, dict) for entry in entries) else None


def records(since, now):
    """recorded() of the generations after `since` up to `now`."""
    return recorded(_record_key, since, now)


def unchanged(term, since, now):
    """Whether the lists of `term` are the same at generation `now` as at `since`: every
    generation in between was recorded and none names `term`."""
    found = records(since, now)
    return found is not None and not any(
        entry["terms"] is None or term in entry["terms"] for entry in found
    )
