"""Load and database-restart runs for docs/RELIABILITY.md: numbers, no assertions.

    .venv/bin/python bench/reliability.py load      # wrk -c64 -d60s on a mix of pages
    .venv/bin/python bench/reliability.py restart   # restart PostgreSQL while clients poll

Loopback only. Creates the throwaway database RELIABILITY_DB (default `newsroom_reliability`)
on DATABASE_SERVER (default postgres://postgres@127.0.0.1:5432), seeds N articles
(bench/seed_bench.py, N=2000), starts its own redis-server on 127.0.0.1:RELIABILITY_REDIS_PORT
(6393), serves the site with gunicorn in production settings (DEBUG=0) on
127.0.0.1:RELIABILITY_PORT (8137), and:

- load: wrk with 64 connections for DURATION seconds (60) on a weighted mix of every public page
  (home, lists, detail, tag, section, topic, author, search, feeds, sitemap); prints requests/s,
  latency percentiles, status counts, socket errors. PAGE_CACHE=1 runs it with the Redis page
  cache on; the default is off, so every request reaches PostgreSQL.
- restart: 8 client threads request uncached pages (a different search each time, an article)
  while wrk keeps 16 connections busy; after 10 s `pg_ctlcluster 15 main restart` runs. Prints
  when the database was down, every failed request's time and status, and how long after the
  database came back the first request succeeded. Gunicorn is not touched.

The ports are checked before anything starts. The database is marked with a comment when it is
created; a run drops and remakes only a database with that mark that nobody is using, and stops
at one of that name without it (bench/owned.py). Nothing is flushed: the redis-server is the
run's own. Everything it started is stopped on exit.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import owned
import processes

REPO = Path(__file__).resolve().parents[1]
PY = str(REPO / ".venv" / "bin" / "python")
SERVER = os.environ.get("DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
# bench/redis_outage.py and bench/draft_saves.py reuse this setup with their own names and ports:
# each is (environment variable, value).
DATABASE = ("RELIABILITY_DB", os.environ.get("RELIABILITY_DB", "newsroom_reliability"))
MARK = "made by bench/reliability.py"
PORT = ("RELIABILITY_PORT", int(os.environ.get("RELIABILITY_PORT", "8137")))
REDIS_PORT = ("RELIABILITY_REDIS_PORT", int(os.environ.get("RELIABILITY_REDIS_PORT", "6393")))
WORK, children, stop_everything = processes.scratch("newsroom-reliability-")

MIX_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("MIX_FILE")) do table.insert(paths, line) end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  for code, n in pairs(total) do io.write(string.format("STATUS %d %d\n", code, n)) end
  io.write(string.format("LATENCY p50=%.1f p90=%.1f p99=%.1f max=%.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("ERRORS connect=%d read=%d write=%d timeout=%d status=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
"""


def app():
    return f"127.0.0.1:{PORT[1]}"


def app_env():
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DATABASE[1]}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT[1]}/0",
        "PAGE_CACHE": os.environ.get("PAGE_CACHE", "0"),
        "DEBUG": "0",
        "SECRET_KEY": "reliability-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(WORK / "media"),
        "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", "4"),
    }


def run(args, **extra):
    subprocess.run(args, env={**app_env(), **extra}, cwd=REPO, check=True)


def check_ports():
    """Before anything is made: the ports this run will listen on are free."""
    owned.check_ports_free(dict([PORT, REDIS_PORT]))


def start_redis():
    return owned.start_redis(REDIS_PORT[1], WORK, children, REDIS_PORT[0])


def prepare(n="2000"):
    """A fresh database of ours, seeded; without Redis (local memory), so the run's own
    redis-server holds nothing of the seed's."""
    owned.fresh_database(owned.admin(SERVER), DATABASE[1], MARK, DATABASE[0])
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], REDIS_URL="")
    run([PY, "bench/seed_bench.py"], N=os.environ.get("N", n), REDIS_URL="")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], REDIS_URL="")


PAGES = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
django.setup()
from articles.models import Article, Author, Section, Tag, Topic
visible = list(Article.objects.published().order_by("-published_at")[:400])
paths = ["/"] * 10 + ["/articles/", "/articles/?page=2", "/articles/?page=20"] * 3
paths += [a.get_absolute_url() for a in visible[::10]]
paths += [t.get_absolute_url() for t in Tag.objects.order_by("pk")[:10]]
paths += [s.get_absolute_url() for s in Section.objects.all()]
paths += [t.get_absolute_url() for t in Topic.objects.all()]
paths += [a.get_absolute_url() for a in Author.objects.all()[:5]]
paths += ["/search/?q=%E5%85%83%E5%AE%87%E5%AE%99", "/search/?q=%E5%A4%B4%E6%98%BE"] * 2
paths += ["/feed/", "/feed/atom/", "/sitemap.xml", "/archive/"]
print(json.dumps({"mix": paths, "detail": visible[0].get_absolute_url()}))
"""


def pages():
    out = subprocess.run(
        [PY, "-c", PAGES], env=app_env(), cwd=REPO, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def start_gunicorn():
    owned.check_ports_free(dict([PORT]))
    process = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "newsroom.wsgi",
            "--bind",
            app(),
            "--workers",
            os.environ.get("WORKERS", "3"),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "5",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        env=app_env(),
        cwd=REPO,
        start_new_session=True,
    )
    children.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://{app()}/robots.txt", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def wrk(paths, *, connections, seconds):
    mix = WORK / "mix.txt"
    mix.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = WORK / "mix.lua"
    script.write_text(MIX_LUA, encoding="utf-8")
    out = subprocess.run(
        [
            "wrk",
            f"-c{connections}",
            f"-d{seconds}s",
            "-t2",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://{app()}",
        ],
        env={**os.environ, "MIX_FILE": str(mix)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    statuses = {int(c): int(n) for c, n in re.findall(r"STATUS (\d+) (\d+)", out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {
        "rps": rps,
        "statuses": dict(sorted(statuses.items())),
        "latency": re.search(r"LATENCY (.*)", out).group(1),
        "errors": re.search(r"ERRORS (.*)", out).group(1),
        "requests": sum(statuses.values()),
    }


def load():
    check_ports()
    start_redis()
    prepare()
    paths = pages()["mix"]
    start_gunicorn()
    wrk(paths, connections=8, seconds=5)  # warm-up
    seconds = int(os.environ.get("DURATION", "60"))
    result = wrk(paths, connections=64, seconds=seconds)
    fivexx = sum(n for code, n in result["statuses"].items() if code >= 500)
    print(
        f"load: {len(paths)} paths, 64 connections, {seconds} s, "
        f"page cache {'on' if app_env()['PAGE_CACHE'] == '1' else 'off'}, "
        f"{os.cpu_count()} CPUs, gunicorn {os.environ.get('WORKERS', '3')} workers x 4 threads"
    )
    print(f"  requests  {result['requests']}  ({result['rps']:.0f}/s)")
    print(f"  statuses  {result['statuses']}  5xx: {fivexx}")
    print(f"  latency   {result['latency']}")
    print(f"  errors    {result['errors']}")


class Poller(threading.Thread):
    """Requests uncached pages in a loop and records (time, status) for each."""

    def __init__(self, n, detail, log):
        super().__init__(daemon=True)
        self.n, self.detail, self.log, self.running = n, detail, log, True

    def run(self):
        i = 0
        while self.running:
            i += 1
            if i % 2:
                path = "/search/?q=" + urllib.parse.quote(f"元宇宙{self.n}-{i}")
            else:
                path = f"{self.detail}?poll={self.n}-{i}"
            started = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://{app()}{path}", timeout=15) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError as exc:
                status = f"connection: {exc}"
            self.log.append((started, status))
            time.sleep(0.05)


def database_up():
    return (
        subprocess.run(
            ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False
        ).returncode
        == 0
    )


def restart():
    check_ports()
    start_redis()
    prepare()
    info = pages()
    gunicorn = start_gunicorn()
    workers_before = _worker_pids(gunicorn.pid)
    log = []
    pollers = [Poller(n, info["detail"], log) for n in range(8)]
    load_result = {}
    background = threading.Thread(
        target=lambda: load_result.update(wrk(info["mix"], connections=16, seconds=40)),
        daemon=True,
    )
    t0 = time.monotonic()
    for poller in pollers:
        poller.start()
    background.start()
    time.sleep(10)
    down_at = time.monotonic()
    subprocess.run(["pg_ctlcluster", "15", "main", "restart", "-m", "fast"], check=True)
    while not database_up():
        time.sleep(0.05)
    up_at = time.monotonic()
    time.sleep(20)
    for poller in pollers:
        poller.running = False
    background.join()
    workers_after = _worker_pids(gunicorn.pid)

    failures = sorted((t, s) for t, s in log if s != 200)
    after_up = [t for t, s in sorted(log) if t >= up_at and s == 200]
    print("restart: pg_ctlcluster 15 main restart -m fast, 8 pollers + wrk -c16, page cache off")
    print(f"  polled requests   {len(log)}, failed {len(failures)}")
    print(f"  database down     {down_at - t0:.2f}s .. {up_at - t0:.2f}s ({up_at - down_at:.2f} s)")
    if failures:
        print(f"  failures          {failures[0][0] - t0:.2f}s .. {failures[-1][0] - t0:.2f}s")
        late = [f for f in failures if f[0] > up_at]
        print(f"  failures started after the database was up again: {len(late)}")
        kinds = {}
        for _t, status in failures:
            kinds[str(status)[:60]] = kinds.get(str(status)[:60], 0) + 1
        print(f"  failure kinds     {kinds}")
    if after_up:
        print(f"  first success after the database was back: +{after_up[0] - up_at:.2f} s")
    last_failure_end = max((t for t, _ in failures), default=up_at)
    print(f"  last failure      {last_failure_end - up_at:+.2f} s relative to database up")
    print(f"  wrk during run    {load_result.get('statuses')} {load_result.get('errors')}")
    print(f"  gunicorn workers  same pids after: {workers_before == workers_after}")


def _worker_pids(master):
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
    ).stdout
    return sorted(out.split())


if __name__ == "__main__":
    {"load": load, "restart": restart}[sys.argv[1] if len(sys.argv) > 1 else "load"]()
