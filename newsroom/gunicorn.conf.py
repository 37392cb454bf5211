"""gunicorn's settings for Newsroom: `gunicorn -c newsroom/gunicorn.conf.py newsroom.wsgi`
(docs/DEPLOYMENT.md). Each can be changed from the environment (GUNICORN_*).

Slow clients are nginx's to absorb (request and response buffering, docs/nginx.conf): a gthread
worker reads a request on one of its threads, so a dozen clients trickling bytes straight at
gunicorn hold its threads for as long as they like (tests/e2e/test_slow_clients.py: with 12
slowloris clients half to all of a reader's requests timed out). Behind nginx, gunicorn only
ever talks to nginx on loopback: 300 slow clients there cost a reader nothing
(docs/DEPLOYMENT.md, "Slow clients")."""

import os

from articles.text.segment import jieba as load_jieba

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
backlog = 2048
# Seconds an idle client connection is kept. nginx opens a new one per request (docs/nginx.conf,
# no upstream keepalive), so this is for what talks to gunicorn directly (health checks).
keepalive = 5
# A worker that has not reported to the master for this long is killed and replaced. A gthread
# worker reports from its main loop, so one thread stuck in a request (or on a slow client)
# does not count: that thread stays stuck (slow clients measured: still held after 45 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# A reload (kill -HUP) or a replaced worker finishes the requests it has, up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Each worker is replaced after this many requests (jittered, so they do not all go at once):
# memory a long-lived worker collects is given back without anyone noticing.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "500"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")


def post_worker_init(worker):
    """Load jieba's dictionary (0.5-2.7 s measured) before a new worker takes requests, so the
    first search a replaced worker answers does not pay for it (the import above is light: jieba
    itself loads on the call)."""
    load_jieba()
