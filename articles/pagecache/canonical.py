"""What a request is, for the page cache: its canonical form, and whether it carries a login.

Anything a client adds to a URL or a cookie header must not buy it a page rendered just for it
(a bypass of the cache) nor a new entry (a way to fill it):

- The query is reduced to the parameters public pages read (canonical_query()): a list's page
  number, the sitemap's, the search words, and a section list's sort order and filters (a
  declared set of names: list_parameters()). `?utm_source=x&fbclid=y`, `?page=02` or a
  cache buster is the same page as its canonical URL: it is answered from that URL's entry, and
  on a miss rendered *as* that URL (canonicalize()), so the stored page carries nothing the
  client added (pagination links, the language switch's `next` and the canonical link all read
  the request's query).
- A session cookie counts only when it names a session the store holds something in
  (names_a_session()): one lookup in SESSION_ENGINE's store, never a page render.

With canonical keys, what one client can make the cache hold is bounded by the site itself:
real paths (only 200s are stored) times their real page numbers (past the last page is a 404),
times scheme, allowed host, language and encoding. Search words and list filters are the open
dimensions; PageCacheMiddleware stores at most PAGE_CACHE["SEARCH_PAGES"] pages with `q`, a sort
or a filter per content generation and event window (has_search_words()).
"""

from importlib import import_module
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.http import urlencode

# List pages read `page` (ListView, the archives, search), the sitemap reads `p`; both are
# int()-ed by Django's paginator, page 1 being the default.
PAGE_NUMBERS = ("page", "p")
# /search/ reads `q`; every page puts it in its canonical link and pagination links (seo.py),
# so it is kept wherever it appears.
SEARCH_WORDS = "q"
# A section's list reads `sort` and one parameter per filterable field (articles/reading/
# portal.py). The cache cannot ask the database which fields are filterable (the fast path never
# touches it), so the names are declared: these, or PAGE_CACHE["LIST_PARAMETERS"]. A list reads
# only declared names, so a page is the same whether the cache answers or not.
SORT = "sort"
LIST_PARAMETERS = (SORT, "status", "blockchain", "nft_support", "free_to_play", "play_to_earn")
MAX_VALUE_LENGTH = 100


def list_parameters():
    """The names of the list parameters (sort, filters) pages may read and the cache keeps."""
    return tuple(settings.PAGE_CACHE.get("LIST_PARAMETERS", LIST_PARAMETERS))


def list_value(query, name):
    """A list parameter's value as a list reads it (and the cache keys it): the last one,
    stripped, cut at MAX_VALUE_LENGTH characters; "" when absent."""
    return query.get(name, "").strip()[:MAX_VALUE_LENGTH]


def canonical_query(request):
    """The query string of the page this request gets: the parameters public pages read, in a
    fixed order, each as the view reads it (the last value; a page number as int() reads it,
    page 1 and blanks as absent; anything else, e.g. `page=last` or nonsense the view answers
    404 to, as sent)."""
    if not request.META.get("QUERY_STRING"):
        return ""
    query = request.GET
    kept = []
    for name in PAGE_NUMBERS:
        value = query.get(name, "").strip()
        try:
            number = int(value)
        except ValueError:
            pass
        else:
            value = "" if number == 1 else str(number)
        if value:
            kept.append((name, value))
    words = query.get(SEARCH_WORDS, "").strip()
    if words:
        kept.append((SEARCH_WORDS, words))
    for name in list_parameters():
        value = list_value(query, name)
        if value:
            kept.append((name, value))
    return urlencode(kept)


def version_path(request, query):
    """What a page's version is kept under (generation.page_version_key()): its path and its
    page number, so /sitemap-articles.xml?p=3 has a version of its own; not the values anyone
    can vary (search words, sort, filters), which would let a client make keys at will: those
    pages share their path's version. `query`: canonical_query()."""
    numbers = [(name, value) for name, value in parse_qsl(query) if name in PAGE_NUMBERS]
    return request.path + (f"?{urlencode(numbers)}" if numbers else "")


def has_search_words(query):
    """Whether a canonical query (canonical_query()) carries search words, a sort order or a
    filter: the values anyone can vary, so their pages count against the search budget."""
    open_ended = {SEARCH_WORDS, *list_parameters()}
    return any(name in open_ended for name, _ in parse_qsl(query))


def canonicalize(request, query):
    """Make the request the canonical one before a miss is rendered for the cache: the query
    `query` (canonical_query()), no session cookie (names_a_session() found none behind it;
    left in, Django would answer with a cookie deletion, which is never stored).

    A path no URL pattern matches keeps its query: it is a 404, never stored, and
    django.contrib.redirects looks up its full path, query included."""
    request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
    if query == request.META.get("QUERY_STRING", ""):
        return
    try:
        resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


def names_a_session(request):
    """Whether the request's session cookie names a session holding something (a login):
    a cookie anyone can send with any value is no reason to skip the cache.

    One lookup in SESSION_ENGINE's store. With cached_db (production, REDIS_URL) a real session
    is a cache read and a made-up one a primary-key query, far below the page it would have
    cost; with cache sessions both are cache reads. The fast path (fastpath.py) never asks:
    it leaves any request with the cookie to Django, so it stays free of the database. A store
    that cannot answer counts as a session: Django then answers, as for a logged-in reader.
    """
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key is None:
        return False
    try:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        # A key the store would refuse to look up (empty, too short) is None here.
        return store.session_key is not None and bool(store.load())
    except Exception:
        return True
