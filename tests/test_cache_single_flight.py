"""One render per miss: when many readers miss the same page at once, one request renders it and
the others get what it stored (articles/pagecache/middleware.py, _wait_for_render)."""

import threading
import time

import pytest
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import RequestFactory

from articles.pagecache import middleware
from articles.pagecache.state import ContentState

pytestmark = pytest.mark.django_db

READERS = 8


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "RENDER_WAIT": 2.0}


@pytest.fixture
def fixed_state(monkeypatch):
    """Threads share the main thread's content state (they have no test database of their own),
    with the page versions of a path that was cached before."""
    state = ContentState.current(path="/")
    state.page_version = 1
    monkeypatch.setattr(ContentState, "current", classmethod(lambda cls, **kw: state))
    return state


def slow_page(renders, *, seconds=0.3, status=200):
    lock = threading.Lock()

    def view(request):
        with lock:
            renders.append(request.path)
        time.sleep(seconds)
        return HttpResponse(f"<p>{request.path}</p>", status=status)

    return view


def all_at_once(page_cache, path):
    """READERS anonymous GETs of path, started together; -> their responses."""
    factory, start, responses = RequestFactory(), threading.Barrier(READERS), []

    def read():
        request = factory.get(path)
        start.wait()
        responses.append(page_cache(request))

    threads = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return responses


def test_readers_missing_one_page_together_cause_one_render(fixed_state):
    renders = []
    page_cache = middleware.PageCacheMiddleware(slow_page(renders))

    responses = all_at_once(page_cache, "/articles/together/")

    assert renders == ["/articles/together/"]
    assert len(responses) == READERS
    assert all(
        r.status_code == 200 and r.content == b"<p>/articles/together/</p>" for r in responses
    )
    sources = sorted(r["X-Page-Cache"] for r in responses)
    assert sources == ["hit"] * (READERS - 1) + ["miss"]
    assert (
        cache.get(
            f"{middleware._page_key(fixed_state, RequestFactory().get('/articles/together/'), '')}:rendering"
        )
        is None
    )


def test_the_first_render_of_a_path_is_one_render_too():
    """A path never stored has no page version yet (generation.py, "Page versions"): the render
    adds one, and the readers waiting read the state again to find the page under it."""
    ContentState.current()  # the next event, computed here: the threads have no database
    renders = []
    page_cache = middleware.PageCacheMiddleware(slow_page(renders))

    responses = all_at_once(page_cache, "/articles/first-time/")

    assert renders == ["/articles/first-time/"]
    assert sorted(r["X-Page-Cache"] for r in responses) == ["hit"] * (READERS - 1) + ["miss"]


def test_a_page_that_is_not_stored_does_not_keep_the_others_waiting(fixed_state):
    renders = []
    page_cache = middleware.PageCacheMiddleware(slow_page(renders, seconds=0.2, status=404))

    started = time.monotonic()
    responses = all_at_once(page_cache, "/articles/missing/")

    assert all(r.status_code == 404 for r in responses)
    # The first renders alone; the others render themselves as soon as it is done, not after
    # RENDER_WAIT: well under 8 renders' time one after another.
    assert 1 <= len(renders) <= READERS
    assert time.monotonic() - started < 0.2 * READERS


def test_a_wait_never_outlasts_render_wait(fixed_state, settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "RENDER_WAIT": 0.2}
    renders = []
    page_cache = middleware.PageCacheMiddleware(slow_page(renders, seconds=1.0))

    started = time.monotonic()
    responses = all_at_once(page_cache, "/articles/slow/")

    assert all(r.status_code == 200 for r in responses)
    assert len(renders) == READERS  # each gave up waiting after 0.2 s and rendered
    assert time.monotonic() - started < 1.0 + 0.2 + 1.0


def test_without_a_working_cache_nobody_waits(fixed_state, monkeypatch):
    """A failing cache (newsroom/redis_cache.py answers like an empty one) holds no lock: every
    request renders at once rather than waiting for a lock it cannot see."""
    backend = type(caches["default"])  # every thread has its own instance of it
    monkeypatch.setattr(backend, "add", lambda *a, **k: False)
    monkeypatch.setattr(backend, "get", lambda self, key, default=None, version=None: default)
    monkeypatch.setattr(backend, "set", lambda *a, **k: None)
    renders = []
    page_cache = middleware.PageCacheMiddleware(slow_page(renders, seconds=0.2))

    started = time.monotonic()
    responses = all_at_once(page_cache, "/articles/no-cache/")

    assert all(r.status_code == 200 for r in responses) and len(renders) == READERS
    assert time.monotonic() - started < 1.0
