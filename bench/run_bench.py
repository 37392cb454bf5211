"""`make bench`: seed PostgreSQL, serve with gunicorn in production settings, load it with wrk.

    N=10000 .venv/bin/python bench/run_bench.py     # DURATION=5 seconds per run, WORKERS=3

Loopback only. Makes its own database (BENCH_DB, default newsroom_bench_run, on BENCH_PG's
server), seeds N articles (bench/seed_bench.py), runs collectstatic, starts its own redis-server
on 127.0.0.1:BENCH_REDIS_PORT (6396) and gunicorn on 127.0.0.1:BENCH_PORT (8100) with DEBUG off,
and for each page prints requests/s at 1 and 16 connections, p50/p99 latency, SQL queries and the
gzip-compressed size; first with the page cache off (cold), then on (warm, Redis). If nginx is
installed it is started on 127.0.0.1:BENCH_PROXY_PORT (8101) with docs/nginx.conf and measured
too. Prints the seed throughput and the peak RSS of a gunicorn worker.

Safe on a shared machine (bench/owned.py): the ports are checked before anything starts; the
database is marked with a comment when created and kept after the run (bench/explain.py can read
it); the next run drops and remakes it only if it carries the mark and nobody is connected, and
stops at a database of that name without the mark. Nothing is flushed: the redis-server is the
run's own, empty when it starts. Everything it started is stopped on exit, including on failure
or Ctrl-C.
"""

import gzip
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import cpu
import owned
import processes

REPO = Path(__file__).resolve().parents[1]
PY = str(REPO / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "newsroom_bench_run")
DATABASE_URL = f"{SERVER}/{DB_NAME}"
MARK = "made by bench/run_bench.py"
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6396"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
APP_PORT = int(os.environ.get("BENCH_PORT", "8100"))
PROXY_PORT = int(os.environ.get("BENCH_PROXY_PORT", "8101"))
APP, PROXY = f"127.0.0.1:{APP_PORT}", f"127.0.0.1:{PROXY_PORT}"
DURATION = os.environ.get("DURATION", "5")
WORKERS = os.environ.get("WORKERS", "3")
WORK, children, stop_everything = processes.scratch("newsroom-bench-")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def app_env(*, page_cache):
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "PAGE_CACHE": "1" if page_cache else "0",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "MEDIA_ROOT": str(WORK / "media"),
        "DATABASE_POOL_MAX": "4",
        # wrk is one client: the per-client search limit (30 misses a minute) would answer 429
        # after the first 30 requests, and the search page would not be measured.
        "SEARCH_RATE": os.environ.get("SEARCH_RATE", "0"),
    }


def run(args, *, env):
    subprocess.run(args, env=env, cwd=REPO, check=True)


def prepare(total):
    owned.fresh_database(owned.admin(SERVER), DB_NAME, MARK, "BENCH_DB")
    # Without Redis (local memory): the seed's cache writes stay out of the run's redis-server,
    # which starts the measurements empty.
    env = {**app_env(page_cache=False), "REDIS_URL": ""}
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    started = time.perf_counter()
    run([PY, "bench/seed_bench.py"], env={**env, "N": str(total)})
    seed_seconds = time.perf_counter() - started
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env)
    return seed_seconds


_PAGES_AND_QUERIES = """
import json, sys
sys.path.insert(0, "bench")
from profile_pages import page_urls  # sets Django up
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
pages = page_urls()
client = Client()
counts = {}
for name, url in pages.items():
    client.get(url)  # warm the nav/count caches as a running site has them
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    counts[name] = [url, len(ctx), status]
print(json.dumps(counts))
"""


def pages_and_queries():
    import json

    out = subprocess.run(
        [PY, "-c", _PAGES_AND_QUERIES],
        env=app_env(page_cache=False),
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,  # errors go to the terminal
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn(*, page_cache):
    owned.check_ports_free({"BENCH_PORT": APP_PORT})
    process = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "newsroom.wsgi",
            "--bind",
            APP,
            "--workers",
            WORKERS,
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        env=app_env(page_cache=page_cache),
        cwd=REPO,
        start_new_session=True,
    )
    children.append(process)
    wait_for(f"http://{APP}/robots.txt")
    return process


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=15)
    children.remove(process)


def wait_for(url, *, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")


class RssWatcher(threading.Thread):
    """Peak resident memory of any gunicorn worker (children of the master)."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid, self.peak_kb, self.running = master_pid, 0, True

    def run(self):
        while self.running:
            out = subprocess.run(
                ["ps", "-o", "rss=", "--ppid", str(self.master_pid)],
                capture_output=True,
                text=True,
            ).stdout
            for value in out.split():
                self.peak_kb = max(self.peak_kb, int(value))
            time.sleep(0.2)


def wrk(url, *, connections):
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{DURATION}s",
            "--latency",
            "-H",
            "Accept-Encoding: gzip",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=int(DURATION) + 30,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (
        rate,
        latency.get("50", "?"),
        latency.get("99", "?"),
        int(errors.group(1)) if errors else 0,
        int(re.search(r"(\d+) requests in", out).group(1)),
    )


def size(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:  # e.g. nginx's search limit: wrk reports non-2xx
        response = error
    with response:
        body = response.read()
        plain = gzip.decompress(body) if response.headers.get("Content-Encoding") else body
    return len(body), len(plain)


def measure(label, base, pages, queries, workers_of):
    """wrk at 1 and at 16 connections per page. The CPU columns are CPU milliseconds per
    request at 1 connection (bench/cpu.py): `app` gunicorn's workers alone, `server` the whole
    machine's busy time but wrk's own (gunicorn, PostgreSQL, Redis, nginx, and any neighbour:
    the load average says how much)."""
    # The machine may be shared: the load average says how much the numbers below are inflated.
    print(f"\n== {label} (load average {os.getloadavg()[0]:.1f})")
    print(
        f"{'page':14} {'req/s c1':>9} {'p50 c1':>8} {'app ms':>7} {'server':>7} "
        f"{'req/s c16':>10} {'p50':>8} {'p99':>8} {'SQL':>4} {'gzip B':>7} {'raw B':>7}"
    )
    for name, url in pages.items():
        full = f"http://{base}{url}"
        wire, plain = size(full)
        before = cpu.Sample(workers_of())
        one = wrk(full, connections=1)
        app_ms, server_ms = (cpu.Sample(workers_of()) - before).per_request(one[4])
        many = wrk(full, connections=16)
        errors = " non-2xx!" if one[3] or many[3] else ""
        print(
            f"{name:14} {one[0]:9.0f} {one[1]:>8} {app_ms:7.2f} {server_ms:7.2f} "
            f"{many[0]:10.0f} {many[1]:>8} {many[2]:>8} "
            f"{queries.get(name, '-'):>4} {wire:7d} {plain:7d}{errors}",
            flush=True,
        )


def start_nginx():
    nginx = NGINX
    if nginx is None:
        print("\n(nginx not installed: `apt-get install -y nginx` to measure the proxy cache)")
        return None
    owned.check_ports_free({"BENCH_PROXY_PORT": PROXY_PORT})
    conf = (REPO / "docs" / "nginx.conf").read_text()
    conf = (
        conf.replace("/srv/newsroom/staticfiles", str(REPO / "staticfiles"))
        .replace("/srv/newsroom/media", str(WORK / "media"))
        .replace("/var/cache/nginx/newsroom", str(WORK / "nginx-cache"))
        .replace("listen 80;", f"listen {PROXY};")
        .replace("server 127.0.0.1:8000", f"server {APP}")
        .replace("server 127.0.0.1:8001", f"server {APP}")  # the editors' gunicorn: the same
    )
    main = f"""
worker_processes 2;
pid {WORK}/nginx.pid;
error_log {WORK}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {WORK}/nginx-body;
    proxy_temp_path {WORK}/nginx-proxy;
    {conf}
}}
"""
    (WORK / "nginx.conf").write_text(main)
    # nginx workers run as an unprivileged user: they must reach the cache and temp folders.
    WORK.chmod(0o755)
    for folder in ("nginx-cache", "nginx-body", "nginx-proxy"):
        (WORK / folder).mkdir(mode=0o777, exist_ok=True)
        (WORK / folder).chmod(0o777)
    process = subprocess.Popen(
        [nginx, "-c", str(WORK / "nginx.conf"), "-g", "daemon off;"], start_new_session=True
    )
    children.append(process)
    wait_for(f"http://{PROXY}/robots.txt")
    return process


def main():
    total = int(os.environ.get("N", "10000"))
    print(f"newsroom bench: N={total}, {cpu.cpu_model()}, gunicorn {WORKERS} workers x 4 threads")
    print(f"database {DB_NAME}, redis :{REDIS_PORT}, gunicorn {APP}, nginx {PROXY}")
    # Every port before anything is made; the run's redis-server holds its port until the end,
    # so a second run with the same settings stops here instead of dropping this run's database.
    ports = {"BENCH_REDIS_PORT": REDIS_PORT, "BENCH_PORT": APP_PORT}
    owned.check_ports_free({**ports, "BENCH_PROXY_PORT": PROXY_PORT} if NGINX else ports)
    owned.start_redis(REDIS_PORT, WORK, children, "BENCH_REDIS_PORT")
    seed_seconds = prepare(total)
    print(f"seed: {total} articles in {seed_seconds:.1f} s = {total / seed_seconds:.0f} articles/s")
    found = pages_and_queries()
    queries = {name: count for name, (url, count, status) in found.items()}
    pages = {name: url for name, (url, count, status) in found.items() if status == 200}
    for name, (url, _count, status) in found.items():
        if status != 200:  # e.g. list page 250 of a small seed: not measured
            print(f"{name}: {url} answers {status} at N={total}, left out")

    gunicorn = start_gunicorn(page_cache=False)
    watcher = RssWatcher(gunicorn.pid)
    watcher.start()
    measure(
        "cold: page cache off (counts, page ids and related lists kept per generation)",
        APP,
        pages,
        queries,
        lambda: cpu.children_of(gunicorn.pid),
    )
    stop(gunicorn)

    gunicorn = start_gunicorn(page_cache=True)
    watcher.master_pid = gunicorn.pid
    workers = lambda: cpu.children_of(gunicorn.pid)  # noqa: E731 - read at each page
    measure("warm: page cache on (Redis), straight to gunicorn", APP, pages, queries, workers)
    if start_nginx():
        measure("warm: behind nginx proxy cache (docs/nginx.conf)", PROXY, pages, queries, workers)
    watcher.running = False
    print(f"\npeak worker RSS: {watcher.peak_kb / 1024:.0f} MB")
    if (REPO / "bench" / "import_bench.py").exists() and os.environ.get("IMPORT_N", "1000") != "0":
        print("\n== Hugo import throughput (bench/import_bench.py)")
        run(
            [PY, "bench/import_bench.py", "--articles", os.environ.get("IMPORT_N", "1000")],
            env={**os.environ, "DEBUG": "1"},
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_everything()
