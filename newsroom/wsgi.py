import os

from django.core.wsgi import get_wsgi_application

from articles.pagecache.fastpath import PageCacheFastPath

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# Page-cache hits are answered before Django's handler runs (articles/pagecache/fastpath.py).
application = PageCacheFastPath(get_wsgi_application())
