"""Term pages: a publish refreshes the lists of the article's own tags, topics and authors only.

A page listing the articles of one term (a tag, topic or author: TaxonomyArticleListView)
shows nothing but those articles and what every page shows. When lists_changed() moves the
generation for a change to the newest article, it also records which terms that change
touched, the article's before and after (changed_terms()). A term page stored under an older
generation is still current when every generation since was recorded and none names its term
(unchanged()): the other tag pages of a 10,000-article site stay cached through a publish
instead of being rendered again, each, by the next reader.

Anything not recorded (a save that moved the generation for every page, a record evicted or
not yet written, more than MAX_STEPS generations) counts as a change to every term, so a
failing or flushed cache only costs renders.
"""

from django.core.cache import cache

MAX_STEPS = 64


def _record_key(generation):
    return f"newsroom:lists-changed:{generation}"


def record(generation, terms, *, timeout):
    """Generation `generation` changed the lists of `terms` (term keys, term_key()) only."""
    cache.set(_record_key(generation), sorted(terms), timeout=timeout)


def term_key(taxonomy, pk):
    """How a term is named in the records and on its page's cache entry: "tag:12"."""
    return f"{taxonomy}:{pk}"


def unchanged(term, since, now):
    """Whether the lists of `term` are the same at generation `now` as at `since`: every
    generation in between was recorded and none names `term`."""
    steps = now - since
    if not 0 < steps <= MAX_STEPS:
        return False
    keys = [_record_key(generation) for generation in range(since + 1, now + 1)]
    found = cache.get_many(keys)
    return len(found) == len(keys) and not any(term in terms for terms in found.values())
