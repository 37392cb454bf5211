"""cached_for_content(): a value computed once per content generation and event window, kept in
the shared cache and by this process (articles/pagecache/state.py), and never read past a
change."""

import pytest
from django.core.cache import cache
from django.utils import translation

from articles.models import Tag
from articles.pagecache import keep, state
from articles.pagecache.generation import bump_generation

pytestmark = pytest.mark.django_db


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return [self.calls]


def test_a_value_is_computed_once_and_then_read_from_this_process():
    compute = Counting()
    first = state.cached_for_content(parts=("test-value",), compute=compute)
    # The shared cache loses it (evicted, or flushed by another process): this process's copy
    # is the same generation's value, read without a round trip.
    cache.delete(state.ContentState.current().key("value", "zh-hans", "test-value"))
    again = state.cached_for_content(parts=("test-value",), compute=compute)

    assert first == again == [1]
    assert compute.calls == 1


def test_a_value_kept_here_only_is_not_in_the_shared_cache():
    compute = Counting()
    here = state.cached_for_content(parts=("test-value",), compute=compute, shared=False)
    key = state.ContentState.current().key("value", "zh-hans", "test-value")
    assert cache.get(key) is None
    assert state.cached_for_content(parts=("test-value",), compute=compute, shared=False) == here
    assert compute.calls == 1
    bump_generation()
    assert state.cached_for_content(parts=("test-value",), compute=compute, shared=False) == [2]


def test_a_change_starts_over():
    compute = Counting()
    state.cached_for_content(parts=("test-value",), compute=compute)
    bump_generation()

    assert state.cached_for_content(parts=("test-value",), compute=compute) == [2]


def test_each_language_has_its_own_value():
    compute = Counting()
    state.cached_for_content(parts=("test-value",), compute=compute)
    with translation.override("en"):
        assert state.cached_for_content(parts=("test-value",), compute=compute) == [2]


def test_nothing_is_kept_here_while_a_replica_may_lag(monkeypatch):
    monkeypatch.setattr(state, "replica_may_lag", lambda: True)
    monkeypatch.setattr(keep, "replica_may_lag", lambda: True)
    compute = Counting()
    state.cached_for_content(parts=("test-value",), compute=compute)
    state.cached_for_content(parts=("test-value",), compute=compute)

    assert compute.calls == 2


def test_a_term_page_reads_its_term_once_and_never_past_a_change(client, make_article):
    """Taxonomy pages keep their term per generation (reading/views.py, taxonomy_term()): a
    rename shows at once, a slug nobody has is a 404 until the term is made."""
    tag = Tag.objects.create(name="元宇宙", slug="metaverse")
    make_article(title="一篇", tags=[tag])
    url = tag.get_absolute_url()
    assert "<h1>元宇宙</h1>" in client.get(url).text

    tag.name = "元宇宙（新）"
    tag.save()
    assert "<h1>元宇宙（新）</h1>" in client.get(url).text

    assert client.get("/tags/web3/").status_code == 404
    Tag.objects.create(name="Web3", slug="web3")
    assert client.get("/tags/web3/").status_code == 200
