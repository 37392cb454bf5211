"""Redis stopping under load, for docs/RELIABILITY.md ("Redis failing"): numbers, no assertions.

    .venv/bin/python bench/redis_outage.py

Loopback only. Recreates the database REDIS_OUTAGE_DB (default `newsroom_redis_outage`) on
DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), seeds N articles (N=1000), starts
its own redis-server on port REDIS_OUTAGE_REDIS_PORT (6391) and gunicorn (production settings,
page cache on) on 127.0.0.1:REDIS_OUTAGE_PORT (8141). Then wrk keeps
64 connections on bench/reliability.py's page mix for 30 s; a poller asks for one hot article
every 0.1 s (was it a cache hit?) and another asks for /admin/ with a logged-in editor's session
cookie (still logged in?). Redis is stopped at 8 s and started again at 18 s. Prints the
statuses, the page-cache hits before, during and after, the editor's answers, and the lines
gunicorn's workers logged. As bench/reliability.py: ports checked first, only a database with
its mark is dropped, nothing flushed. Everything it started is stopped on exit.
"""

import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import reliability
from reliability import PY, REPO

reliability.DATABASE = (
    "REDIS_OUTAGE_DB",
    os.environ.get("REDIS_OUTAGE_DB", "newsroom_redis_outage"),
)
reliability.MARK = "made by bench/redis_outage.py"
reliability.PORT = ("REDIS_OUTAGE_PORT", int(os.environ.get("REDIS_OUTAGE_PORT", "8141")))
reliability.REDIS_PORT = (
    "REDIS_OUTAGE_REDIS_PORT",
    int(os.environ.get("REDIS_OUTAGE_REDIS_PORT", "6391")),
)
os.environ["PAGE_CACHE"] = "1"
LOG = reliability.WORK / "gunicorn.log"

SESSION = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
user = get_user_model().objects.create_superuser("outage-editor", password="x-outage-0123")
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session.save()
print(session.session_key)
"""


def prepare():
    reliability.prepare(n="1000")


def get(path, cookie=None):
    request = urllib.request.Request(f"http://{reliability.app()}{path}")
    if cookie:
        request.add_header("Cookie", f"sessionid={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers.get("X-Page-Cache")
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except OSError as exc:
        return f"connection: {exc}", None


class Poller(threading.Thread):
    def __init__(self, path, cookie=None):
        super().__init__(daemon=True)
        self.path, self.cookie, self.log, self.running = path, cookie, [], True

    def run(self):
        while self.running:
            self.log.append((time.monotonic(), *get(self.path, self.cookie)))
            time.sleep(0.1)


def main():
    reliability.check_ports()
    redis = reliability.start_redis()
    prepare()
    info = reliability.pages()
    cookie = subprocess.run(
        [PY, "-c", SESSION],
        env=reliability.app_env(),
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    with LOG.open("w") as log:
        reliability.start_gunicorn.__globals__["subprocess"] = _Logged(log)
        reliability.start_gunicorn()
    reliability.wrk(info["mix"], connections=8, seconds=5)  # warm-up
    reader, editor = Poller(info["detail"]), Poller("/admin/", cookie)
    result = {}
    load = threading.Thread(
        target=lambda: result.update(reliability.wrk(info["mix"], connections=64, seconds=30))
    )
    t0 = time.monotonic()
    for thread in (reader, editor, load):
        thread.start()
    time.sleep(8)
    down_at = time.monotonic()
    redis.terminate()
    redis.wait()
    time.sleep(10)
    up_at = time.monotonic()
    reliability.start_redis()
    load.join()
    reader.running = editor.running = False
    reader.join()
    editor.join()

    def phase(entries, start, end):
        return [entry for entry in entries if start <= entry[0] < end]

    print("redis outage: wrk -c64 30 s, page cache on, Redis stopped 8 s .. 18 s")
    print(f"  wrk          {result['requests']} requests ({result['rps']:.0f}/s)")
    print(f"  statuses     {result['statuses']}  errors {result['errors']}")
    print(f"  latency      {result['latency']}")
    for name, start, end in (
        ("before", t0, down_at),
        ("down", down_at, up_at),
        ("after", up_at, float("inf")),
    ):
        polled = phase(reader.log, start, end)
        hits = sum(1 for _, _, cache in polled if cache == "hit")
        statuses = sorted({str(status) for _, status, _ in polled})
        admin = sorted({str(status) for _, status, _ in phase(editor.log, start, end)})
        print(f"  {name:7} hot page {len(polled)} polls {statuses}, {hits} hits; editor {admin}")
    back = [t for t, _, cache in reader.log if t >= up_at and cache == "hit"]
    if back:
        print(f"  first hit after Redis was back: +{back[0] - up_at:.2f} s")
    lines = LOG.read_text().splitlines()
    print(f"  gunicorn log {len(lines)} lines, {sum('Traceback' in x for x in lines)} tracebacks")
    for line in lines[:12]:
        print(f"    {line[:160]}")


class _Logged:
    """subprocess for start_gunicorn(): its Popen writes gunicorn's stderr to the log file."""

    def __init__(self, log):
        self.log = log

    def __getattr__(self, name):
        return getattr(subprocess, name)

    def Popen(self, *args, **kwargs):  # noqa: N802 - subprocess's name
        return subprocess.Popen(*args, stderr=self.log, **kwargs)


if __name__ == "__main__":
    main()
