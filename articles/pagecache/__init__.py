"""The page cache for anonymous readers, which never serves stale news.

generation.py  the content generation every kept value is keyed by, and the receivers that bump it
state.py       the next scheduled event, ContentState, cached_for_content()
keep.py        keep a value per generation (shared cache or this process), never while a replica lags
middleware.py  whole pages: PageCacheMiddleware and the rules for what may be cached
fastpath.py    page-cache hits answered before Django's handler (newsroom/wsgi.py)

It imports no models: articles/apps.py tells it which models to watch (watch_models()) and
where scheduled events come from (watch_events()), so it could become an app of its own.
"""
