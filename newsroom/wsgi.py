import os

from django.core.wsgi import get_wsgi_application

from articles.pagecache.fastpath import PageCacheFastPath

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()
# Page-cache hits are answered before Django's handler runs (articles/pagecache/fastpath.py);
# PAGE_CACHE_FAST_PATH=0 leaves them to PageCacheMiddleware (docs/PERFORMANCE.md compares both).
if os.environ.get("PAGE_CACHE_FAST_PATH", "1") != "0":
    application = PageCacheFastPath(application)
