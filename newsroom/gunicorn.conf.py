"""gunicorn's settings for Newsroom: `gunicorn -c newsroom/gunicorn.conf.py newsroom.wsgi`
(docs/DEPLOYMENT.md). Each can be changed from the environment (GUNICORN_*).

Slow clients are nginx's to absorb (request and response buffering, docs/nginx.conf): a gthread
worker reads a request on one of its threads, so a dozen clients trickling bytes straight at
gunicorn hold every thread. Behind nginx, gunicorn only ever talks to nginx on loopback.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
backlog = 2048
keepalive = 5  # nginx keeps its upstream connections open (docs/nginx.conf, keepalive)
# A request that takes longer than this is a stuck worker: it is killed and replaced.
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
