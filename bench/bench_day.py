"""`make bench-day`: a newsroom's day. Readers at 64 connections, quiet and while an editor works.

    N=10000 DURATION=180 .venv/bin/python bench/bench_day.py     # the defaults
    N=2000 DURATION=30 .venv/bin/python bench/bench_day.py       # a quick try

Loopback only, production settings (DEBUG=0, page cache on, Redis, PostgreSQL, gunicorn with
newsroom/gunicorn.conf.py). Each mode is DURATION seconds of wrk with 64 connections on a
weighted mix of public pages (most of it the home page and the newest articles, a long tail over
every article, lists, sections, tags, topics, authors, search, feeds):

- quiet: readers only;
- day: the same readers while an editor, logged in to the admin over HTTP, saves a draft every
  2 s, fixes a typo in the body of one of the 200 newest published articles every 10 s (a
  different one each time) and publishes a new article every 60 s, each through the admin's own
  forms (GET the form, post it back). After each change readers can see, anonymous pollers GET
  the affected pages every 50 ms until the change shows: the edited article's page; the home
  page, the section's page and /feed/ for a publish.

Before each mode every page of the mix is requested once (each mode starts from a full cache).
MODES (default "quiet day") may repeat modes to interleave them ("quiet day quiet day") and may
name "drafts", "edits" or "publishes": the editor doing only that, to see what each costs.

Prints per mode the throughput, latency, page-cache hit rate, errors, the editor's save times
and the staleness of each change, then whether the targets hold (day against quiet: throughput
>= 80 %, p99 <= 2x, 0 errors, every change visible within 1 s). docs/PERFORMANCE.md, "A
newsroom's day", says how each figure is measured.

Its own PostgreSQL database (BENCH_DAY_DB, default newsroom_bench_day, on BENCH_PG's server),
kept between runs when it holds N seeded articles; its own redis-server (BENCH_DAY_REDIS_PORT,
6395); the readers' gunicorn on 127.0.0.1:BENCH_DAY_PORT (8150) and, as docs/nginx.conf has it,
the editors' own on BENCH_DAY_ADMIN_PORT (8151; ADMIN_POOL=0: the editor uses the readers'). It only ever drops the database it created
(marked with a comment) and flushes nothing: its Redis lives and dies with the run. Everything it
starts is stopped on exit.
"""

import gzip
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cpu
import owned
import processes

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.admin_forms import read_form  # noqa: E402 - the form reader the admin tests use

PY = str(REPO / ".venv" / "bin" / "python")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DAY_DB", "newsroom_bench_day")
REDIS_PORT = int(os.environ.get("BENCH_DAY_REDIS_PORT", "6395"))
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_DAY_PORT", "8150"))
# The editors' own gunicorn, as docs/nginx.conf routes /admin/ (docs/DEPLOYMENT.md, "Workers"):
# ADMIN_POOL=0 sends the editor to the readers' gunicorn instead, to see what that costs.
ADMIN_POOL = os.environ.get("ADMIN_POOL", "1") != "0"
ADMIN_PORT = int(os.environ.get("BENCH_DAY_ADMIN_PORT", "8151")) if ADMIN_POOL else PORT
ADMIN_WORKERS = os.environ.get("ADMIN_WORKERS", "1")
N = int(os.environ.get("N") or "10000")
DURATION = int(os.environ.get("DURATION") or "180")
CONNECTIONS = int(os.environ.get("CONNECTIONS") or "64")
MODES = (os.environ.get("MODES") or "quiet day").split()
# What the editor does in each mode: "day" is the benchmark; the others take it apart.
MODE_EVENTS = {
    "quiet": (),
    "day": ("draft", "edit", "publish"),
    "drafts": ("draft",),
    "edits": ("edit",),
    "publishes": ("publish",),
}
# Kept with the database (the seeded featured images and their renditions), outside git.
MEDIA_ROOT = Path(os.environ.get("BENCH_DAY_MEDIA", REPO / "var" / "bench-day" / "media"))
MARK = "made by bench/bench_day.py"
EDITOR = "bench-day-editor"
PASSWORD = f"bench-day-{random.randrange(10**12)}"
ADMIN = "/admin/"
DRAFT_EVERY, EDIT_EVERY, PUBLISH_EVERY = 2, 10, 60
POLL_EVERY, POLL_GIVE_UP = 0.05, 15.0
WORK, children, stop_everything = processes.scratch("newsroom-bench-day-")
GUNICORN = []  # the masters, once started (their workers' CPU is measured per mode)
REDIS = []


def app_env():
    return {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB_NAME}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "PAGE_CACHE": "1",
        "DEBUG": "0",
        "SECRET_KEY": "bench-day-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "ADMIN_URL": ADMIN,
        "MEDIA_ROOT": str(MEDIA_ROOT),
        "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", "4"),
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        # wrk talks to gunicorn directly: no nginx retries the GETs a leaving worker resets
        # (docs/DEPLOYMENT.md, "Workers"), so recycled workers would count as readers' errors.
        "GUNICORN_MAX_REQUESTS": os.environ.get("GUNICORN_MAX_REQUESTS", "0"),
        # The prefill renders every page of the mix within two or three minutes; with the
        # default 300 s they would all expire together in whichever mode runs at minute five,
        # a wave of renders the modes do not share alike (docs/PERFORMANCE.md).
        "PAGE_CACHE_TIMEOUT": os.environ.get("PAGE_CACHE_TIMEOUT", "3600"),
    }


def run(args, **extra):
    subprocess.run(args, env={**app_env(), **extra}, cwd=REPO, check=True)


def django(code, *args):
    """Run `code` with Django set up in a separate process; its last output line, as JSON."""
    setup = (
        "import os, sys, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'newsroom.settings'\n"
        "sys.path.insert(0, 'bench')\n"
        "django.setup()\n"
    )
    out = subprocess.run(
        [PY, "-c", setup + code, *args],
        env=app_env(),
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# -- setup ---------------------------------------------------------------------------------------


def _admin(sql, *params):
    return owned.admin(SERVER)(sql, *params)


def ensure_database():
    """Create DB_NAME (marked as ours) if missing; refuse one someone else made. Returns its
    comment: MARK, then ", seeded N" once a seed of N articles has completed."""
    return owned.ensure_database(_admin, DB_NAME, MARK, "BENCH_DAY_DB")


def prepare():
    comment = ensure_database()
    if comment == f"{MARK}, seeded {N}":
        print(f"database {DB_NAME}: kept, it already has {N} seeded articles")
        run([PY, "manage.py", "migrate", "--noinput", "-v0"])
    else:
        print(f"database {DB_NAME}: not seeded with N={N} ({comment}): made afresh")
        # Ours (ensure_database checked), holding another N or a seed that did not finish.
        _admin(f'DROP DATABASE "{DB_NAME}" WITH (FORCE)')
        ensure_database()
        print(f"database {DB_NAME}: seeding {N} articles (bench/seed_bench.py)")
        run([PY, "manage.py", "migrate", "--noinput", "-v0"])
        MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
        run([PY, "bench/seed_bench.py"], N=str(N))
        _admin(f"COMMENT ON DATABASE \"{DB_NAME}\" IS '{MARK}, seeded {N}'")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"])


# What the run needs from the database; also removes what earlier runs published (slug day-*),
# so every run starts from the seeded site, and (re)sets the editor's login.
INFO = """
import json, sys, urllib.parse
from django.contrib.auth import get_user_model
from articles.models import Article, Author, Section, Tag, Topic
import seed_bench

removed = 0
for article in Article.objects.filter(slug__startswith="day-"):
    article.delete()
    removed += 1
User = get_user_model()
editor = User.objects.filter(username=sys.argv[1]).first()
if editor is None:
    editor = User.objects.create_superuser(sys.argv[1], password=sys.argv[2])
else:
    editor.set_password(sys.argv[2])
    editor.save()

visible = Article.objects.published().order_by("-published_at", "-pk")
newest = list(visible.values_list("pk", "slug")[:200])
url = lambda slug: f"/articles/{slug}/"
mix = [[20, "/"]]
# The newest 20 articles: 30 % of all requests, Zipf-like; the next 180: 10 %.
zipf = [1 / rank for rank in range(1, 21)]
mix += [[30 * w / sum(zipf), url(slug)] for w, (_, slug) in zip(zipf, newest[:20])]
mix += [[10 / 180, url(slug)] for _, slug in newest[20:200]]
# The long tail: every other visible article, 10 % together.
tail = list(visible.values_list("slug", flat=True)[200:])
mix += [[10 / len(tail), url(slug)] for slug in tail]
mix += [[2, "/articles/"]] + [[0.5, f"/articles/?page={n}"] for n in (2, 3, 4, 5)]
sections = list(Section.objects.order_by("pk"))
mix += [[2, s.get_absolute_url()] for s in sections]
mix += [[0.5, s.get_absolute_url() + "?page=2"] for s in sections]
tags = list(Tag.objects.order_by("pk")[:200])
mix += [[6 / rank / sum(1 / r for r in range(1, len(tags) + 1)), t.get_absolute_url()]
        for rank, t in enumerate(tags, 1)]
mix += [[1.5 / 20, t.get_absolute_url()] for t in Topic.objects.order_by("pk")[:20]]
mix += [[1.5 / 50, a.get_absolute_url()] for a in Author.objects.order_by("pk")[:50]]
words = list(seed_bench.PLANTED) + seed_bench.OBJECTS[:12]
mix += [[4 / rank / sum(1 / r for r in range(1, len(words) + 1)),
         "/search/?q=" + urllib.parse.quote(w)]
        for rank, w in enumerate(words, 1)]
mix += [[3, "/feed/"], [1, "/feed/atom/"], [0.5, "/archive/"]]
# Crawlers: the sitemap index, then every part it names.
from xml.etree import ElementTree
from django.test import Client
index = Client(HTTP_HOST="127.0.0.1").get("/sitemap.xml").content
parts = [urllib.parse.urlsplit(loc.text) for loc in ElementTree.fromstring(index).iter()
         if loc.tag.endswith("loc")]
mix += [[0.1, "/sitemap.xml"]]
mix += [[0.4 / len(parts), p.path + (f"?{p.query}" if p.query else "")] for p in parts]
# New articles go where the home page lists the latest (its news section, if it has one).
from articles.reading.home import home_blocks
news = home_blocks()["news_section"] or sections[0]
draft = Article.objects.filter(status="draft", slug__startswith="bench-").order_by("pk").first()
print(json.dumps({
    "removed": removed,
    "mix": mix,
    "newest": [[pk, url(slug)] for pk, slug in newest],
    "draft": draft.pk,
    "news": [news.pk, news.get_absolute_url()],
    "verbs": seed_bench.VERBS,
}))
"""


def start_redis():
    # The first thing main() starts: gunicorn's port is checked here too, before anything is made.
    # Kept in REDIS, for the CPU split.
    ports = {"BENCH_DAY_REDIS_PORT": REDIS_PORT, "BENCH_DAY_PORT": PORT}
    if ADMIN_POOL:
        ports["BENCH_DAY_ADMIN_PORT"] = ADMIN_PORT
    owned.check_ports_free(ports, HOST)
    REDIS[:] = [owned.start_redis(REDIS_PORT, WORK, children, "BENCH_DAY_REDIS_PORT")]
    return REDIS[0]


def start_gunicorn(log, port=PORT, **settings):
    process = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "-c",
            "newsroom/gunicorn.conf.py",
            "newsroom.wsgi",
        ],
        env={**app_env(), "GUNICORN_BIND": f"{HOST}:{port}", **settings},
        cwd=REPO,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    children.append(process)
    GUNICORN.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if Http(port=port).get("/robots.txt")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


# -- HTTP ----------------------------------------------------------------------------------------


class Http:
    """One keep-alive connection; cookies kept by hand (production marks them Secure, which
    http.cookiejar would not send over plain http to loopback)."""

    def __init__(self, *, gzip_ok=True, port=PORT):
        self.conn = None
        self.port = port
        self.cookies = {}
        self.gzip_ok = gzip_ok

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if "max-age=0" in value.lower() or val in ('""', ""):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val
        if response.getheader("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        text = data.decode("utf-8", "replace")
        return response.status, response, text

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, data):
        body = urllib.parse.urlencode(data, doseq=True)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body=body, headers=headers)


def reader_address():
    """Readers come from many addresses: behind nginx each request names its client in
    X-Forwarded-For (docs/nginx.conf), which the search rate limit counts per client."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


# -- readers (wrk) -------------------------------------------------------------------------------

MIX_LUA = r"""
local paths, cum, total = {}, {}, 0
for line in io.lines(os.getenv("MIX_FILE")) do
  local w, p = line:match("^(%S+)%s+(%S+)$")
  total = total + tonumber(w)
  table.insert(paths, p)
  table.insert(cum, total)
end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("seed", #threads)
end
function init(args)
  math.randomseed(os.time() * 100 + seed)
  statuses, hit, miss, other = {}, 0, 0, 0
end
function request()
  local r, lo, hi = math.random() * total, 1, #cum
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cum[mid] < r then lo = mid + 1 else hi = mid end
  end
  local address = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255),
    math.random(1, 254))
  return wrk.format("GET", paths[lo], {["Accept-Encoding"] = "gzip",
    ["X-Forwarded-For"] = address})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local cache = headers["X-Page-Cache"]
  if cache == "hit" then hit = hit + 1 elseif cache == "miss" then miss = miss + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local total, h, m, o = {}, 0, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
    h, m, o = h + t:get("hit"), m + t:get("miss"), o + t:get("other")
  end
  for code, n in pairs(total) do io.write(string.format("STATUS %d %d\n", code, n)) end
  io.write(string.format("CACHE %d %d %d\n", h, m, o))
  io.write(string.format("LATENCY %.3f %.3f %.3f %.3f\n", latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("ERRORS %d %d %d %d %d\n", summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status))
end
"""


def write_mix(mix):
    path = WORK / "mix.txt"
    path.write_text("".join(f"{w:.8f} {p}\n" for w, p in mix), encoding="utf-8")
    script = WORK / "mix.lua"
    script.write_text(MIX_LUA, encoding="utf-8")
    return path, script


def wrk(mix_file, script, *, seconds, connections=CONNECTIONS):
    process = subprocess.Popen(
        ["wrk", f"-c{connections}", f"-d{seconds}s", "-t2", "--timeout", "10s", "-s", str(script)]
        + [f"http://{HOST}:{PORT}"],
        env={**os.environ, "MIX_FILE": str(mix_file)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children.append(process)
    out, err = process.communicate(timeout=seconds + 60)
    children.remove(process)
    if process.returncode:
        raise SystemExit(f"wrk failed: {err.strip()}")
    statuses = {int(c): int(n) for c, n in re.findall(r"STATUS (\d+) (\d+)", out)}
    hit, miss, other = map(int, re.search(r"CACHE (\d+) (\d+) (\d+)", out).groups())
    p50, p90, p99, top = map(float, re.search(r"LATENCY (\S+) (\S+) (\S+) (\S+)", out).groups())
    connect, read, write, timeout, status = map(
        int, re.search(r"ERRORS (\d+) (\d+) (\d+) (\d+) (\d+)", out).groups()
    )
    bad = sum(n for code, n in statuses.items() if not 200 <= code < 400)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": sum(statuses.values()),
        "statuses": dict(sorted(statuses.items())),
        "hit": hit,
        "miss": miss,
        "other": other,
        "p50": p50,
        "p90": p90,
        "p99": p99,
        "max": top,
        "socket": {"connect": connect, "read": read, "write": write, "timeout": timeout},
        "errors": bad + connect + read + write + timeout,
    }


def prefill(mix):
    """Request every page of the mix once, so each mode starts from the same full cache."""
    local = threading.local()
    counts = {"hit": 0, "miss": 0, "other": 0, "bad": 0}
    lock = threading.Lock()

    def fetch(path):
        if not hasattr(local, "http"):
            local.http = Http()
        status, response, _ = local.http.get(path, {"X-Forwarded-For": reader_address()})
        kind = response.getheader("X-Page-Cache") or "other"
        with lock:
            counts[kind if kind in counts else "other"] += 1
            counts["bad"] += not 200 <= status < 400

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(fetch, sorted({path for _, path in mix})))
    return counts, time.monotonic() - started


# -- the editor ----------------------------------------------------------------------------------


def error_text(html):
    found = re.findall(r'class="(?:errornote|errorlist)[^"]*"[^>]*>(.*?)</', html, re.S)
    return " | ".join(re.sub(r"<[^>]+>", "", f).strip() for f in found)[:300] or html[:200]


class Editor(threading.Thread):
    """One editor in the admin, over HTTP, as a browser would: GET the form, post it back,
    follow the redirect. The save's time is the POST's, until its redirect answer."""

    def __init__(self, info, checks, stop, run_id, kinds):
        super().__init__(daemon=True)
        self.info, self.checks, self.stop, self.run_id = info, checks, stop, run_id
        self.kinds = kinds
        self.http = Http(gzip_ok=False, port=ADMIN_PORT)
        self.saves = {"draft": [], "edit": [], "publish": []}
        self.failures = []
        candidates = [pk for pk, _ in info["newest"]]
        random.Random(run_id).shuffle(candidates)
        self.candidates = candidates
        self.urls = dict(info["newest"])
        self.draft_form = None
        self.published = 0

    def login(self):
        status, _, html = self.http.get(f"{ADMIN}login/")
        token = read_form(html)["csrfmiddlewaretoken"]
        data = {"csrfmiddlewaretoken": token, "username": EDITOR, "password": PASSWORD}
        status, _, html = self.http.post(f"{ADMIN}login/", {**data, "next": ADMIN})
        if status != 302 or "sessionid" not in self.http.cookies:
            raise SystemExit(f"editor login failed: {status} {error_text(html)}")

    def form(self, path):
        status, _, html = self.http.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        data = read_form(html, "article_form")
        for name in list(data):  # leave the blank extra inline rows out, as a browser does
            if name.endswith("-TOTAL_FORMS"):
                data[name] = data[name.replace("TOTAL_FORMS", "INITIAL_FORMS")]
        return data

    def save(self, kind, path, data):
        started = time.monotonic()
        status, response, html = self.http.post(path, data)
        saved_at = time.monotonic()
        if status != 302:
            self.failures.append(f"{kind}: {status} {error_text(html)}")
            return None
        self.saves[kind].append(saved_at - started)
        return saved_at, response.getheader("Location")

    def run(self):
        t0 = time.monotonic()
        events = [(t, "draft") for t in range(1, DURATION - 2, DRAFT_EVERY)]
        events += [(t, "edit") for t in range(6, DURATION - 2, EDIT_EVERY)]
        events += [(t, "publish") for t in range(12, DURATION - 2, PUBLISH_EVERY)]
        for at, kind in sorted(e for e in events if e[1] in self.kinds):
            if self.stop.wait(max(0, t0 + at - time.monotonic())):
                return
            try:
                getattr(self, kind)()
            except Exception as exc:  # noqa: BLE001 - counted and reported, the day goes on
                self.failures.append(f"{kind}: {type(exc).__name__}: {exc}")

    def draft(self):
        """Save and continue editing: the admin redirects back to the form, read again."""
        path = f"{ADMIN}articles/article/{self.info['draft']}/change/"
        data = self.draft_form or self.form(path)
        n = len(self.saves["draft"]) + 1
        body = re.sub(r"<p>编辑中：[^<]*</p>$", "", data["body"].strip())
        data["body"] = body + f"<p>编辑中：第 {n} 次保存，{time.strftime('%H:%M:%S')}</p>"
        data["_continue"] = "1"
        result = self.save("draft", path, data)
        self.draft_form = None
        if result:
            self.draft_form = self.form(urllib.parse.urlsplit(result[1]).path)

    def edit(self):
        """A typo fix: one verb in the body of a published article becomes another."""
        pk = self.candidates.pop()
        url = self.urls[pk]
        path = f"{ADMIN}articles/article/{pk}/change/"
        page = Http().get(url)[2]
        data = self.form(path)
        body = data["body"]
        verbs = self.info["verbs"]
        for match in re.finditer("|".join(verbs), body):
            start, end = match.span()
            new = random.choice([v for v in verbs if v != match.group()])
            fixed = body[:start] + new + body[end:]
            snippet = fixed[max(0, start - 6) : start + len(new) + 6]
            if not re.search(r"[<>&]", snippet) and snippet not in page and snippet not in body:
                break
        else:
            self.failures.append(f"edit: no word to change in article {pk}")
            return
        data["body"] = fixed
        result = self.save("edit", path, data)
        if result:
            self.checks.watch("typo fix", result[0], {url: snippet})
            self.http.get(urllib.parse.urlsplit(result[1]).path)  # the list it redirects to

    def publish(self):
        path = f"{ADMIN}articles/article/add/"
        data = self.form(path)
        self.published += 1
        n = self.published
        slug = f"day-{self.run_id}-{self.kinds[-1]}-{n}"
        section_id, section_url = self.info["news"]
        verbs = self.info["verbs"]
        sentences = [
            f"编辑部{verbs[i % len(verbs)]}今日第 {n} 条快讯的第 {i} 段。" for i in range(8)
        ]
        data.update(
            title=f"快讯 {self.run_id}-{n}：元宇宙日报今日要闻",
            slug=slug,
            description=sentences[0],
            body="".join(f"<p>{s}</p>" for s in sentences),
            section=str(section_id),
            status="published",
            # Weighted articles come first in reading order (Hugo's rule) and the seed weights
            # 2 % of them: at N >= 1,000 they fill the first page of every section but one, so
            # an unweighted new article would never reach the home page. Weight 1 puts it first
            # after the pinned one, as an editor would who wants it seen.
            weight="1",
        )
        result = self.save("publish", path, data)
        if result:
            marker = f"/articles/{slug}/"
            pages = {"/": marker, section_url: marker, "/feed/": marker}
            self.checks.watch("publish", result[0], pages)
            self.http.get(urllib.parse.urlsplit(result[1]).path)


# -- staleness -----------------------------------------------------------------------------------


class Checks:
    """After each change, for each affected page: an anonymous GET every 50 ms, each on its own
    connection and not waiting for the one before (a slow answer under load does not slow the
    polling), until an answer shows the change. A page's staleness is when the first request that
    showed it was sent, counted from the editor's save returning, provided every request sent
    after it showed it too; `answered` is when that answer arrived, request time included."""

    def __init__(self):
        self.results = []  # dicts: kind, path, visible, answered, stale, bad
        self.threads = []
        self.lock = threading.Lock()

    def watch(self, kind, saved_at, pages):
        for path, marker in pages.items():
            thread = threading.Thread(
                target=self._page, args=(kind, saved_at, path, marker), daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def _page(self, kind, saved_at, path, marker):
        polls, seen, threads = [], threading.Event(), []

        def poll(sent):
            try:
                status, _, text = Http().get(path, {"X-Forwarded-For": reader_address()})
            except OSError:
                status, text = "socket", ""
            fresh = status == 200 and marker in text
            polls.append((sent, time.monotonic() - saved_at, status, fresh))
            if fresh:
                seen.set()

        sent = time.monotonic() - saved_at
        while not seen.is_set() and sent < POLL_GIVE_UP:
            thread = threading.Thread(target=poll, args=(sent,), daemon=True)
            thread.start()
            threads.append(thread)
            seen.wait(max(0, saved_at + sent + POLL_EVERY - time.monotonic()))
            sent = time.monotonic() - saved_at
        for thread in threads:
            thread.join(30)
        last_stale = max((p[0] for p in polls if not p[3]), default=-1)
        after = sorted(p for p in polls if p[3] and p[0] > last_stale)
        result = {
            "kind": kind,
            "path": path,
            "visible": after[0][0] if after else None,
            "answered": after[0][1] if after else None,
            "stale": sum(1 for p in polls if p[2] == 200 and not p[3]),
            "bad": sum(1 for p in polls if p[2] != 200),
        }
        with self.lock:
            self.results.append(result)

    def wait(self):
        for thread in self.threads:
            thread.join(POLL_GIVE_UP + 35)


# -- a mode --------------------------------------------------------------------------------------


def run_mode(mode, info, mix_file, script, run_id):
    counts, seconds = prefill(info["mix"])
    print(
        f"\n== {mode}: {CONNECTIONS} connections, {DURATION} s "
        f"(load average {os.getloadavg()[0]:.1f}; prefill {seconds:.0f} s, "
        f"{counts['miss']} of {counts['hit'] + counts['miss'] + counts['other']} pages rendered"
        + (f", {counts['bad']} not 2xx/3xx)" if counts["bad"] else ")"),
        flush=True,
    )
    checks, stop, editor = Checks(), threading.Event(), None
    if MODE_EVENTS[mode]:
        editor = Editor(info, checks, stop, run_id, MODE_EVENTS[mode])
        editor.login()
        editor.start()
    # The readers' gunicorn's workers; the editors' own (ADMIN_POOL) count in "server side".
    before = cpu.Sample(cpu.children_of(GUNICORN[0].pid))
    split = cpu.Split(cpu_groups())
    result = wrk(mix_file, script, seconds=DURATION)
    result["cpu"] = cpu.Sample(cpu.children_of(GUNICORN[0].pid)) - before
    result["split"] = cpu.Split(cpu_groups()) - split
    if editor:
        stop.set()
        editor.join(60)
    checks.wait()
    result["editor"] = editor
    result["failures"] = editor.failures if editor else []
    result["checks"] = checks.results
    report(mode, result)
    return result


def cpu_groups():
    """Where the server side's CPU goes: {label: pids}."""
    groups = {"readers' workers": cpu.children_of(GUNICORN[0].pid)}
    if ADMIN_POOL:
        groups["editors' gunicorn"] = [GUNICORN[1].pid, *cpu.children_of(GUNICORN[1].pid)]
    groups["PostgreSQL"] = cpu.named("postgres")
    groups["Redis"] = [REDIS[0].pid] if REDIS else []
    return groups


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def report(mode, r):
    cacheable = r["hit"] + r["miss"]
    print(f"  throughput  {r['rps']:.0f} req/s ({r['requests']} requests)")
    app_ms, server_ms = r["cpu"].per_request(r["requests"])
    print(
        f"  CPU         {app_ms:.2f} ms per reader request in gunicorn's workers, {server_ms:.2f} "
        f"ms server side (workers {r['cpu'].workers:.0f} s, machine but wrk "
        f"{r['cpu'].machine - r['cpu'].clients:.0f} s; the editor's requests included "
        + ("in the server side only: the editors' own gunicorn)" if ADMIN_POOL else "in both)")
    )
    rest = r["cpu"].machine - r["cpu"].clients - sum(r["split"].values())
    parts = [f"{label} {seconds:.0f} s" for label, seconds in r["split"].items()]
    print(f"  CPU split   {', '.join(parts)}, the rest {rest:.0f} s (gunicorn masters, the kernel)")
    print(f"  latency     p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f}, p99 {r['p99']:.1f}, ", end="")
    print(f"max {r['max']:.1f}")
    print(
        f"  page cache  {100 * r['hit'] / max(1, cacheable):.1f} % hits "
        f"({r['hit']} hit, {r['miss']} miss, {r['other']} without the header)"
    )
    socket = ", ".join(f"{k} {v}" for k, v in r["socket"].items())
    print(f"  errors      {r['errors']} (statuses {r['statuses']}; socket {socket})")
    editor = r["editor"]
    if editor is None:
        return
    parts = []
    for kind, label in (("draft", "draft saves"), ("edit", "typo fixes"), ("publish", "publishes")):
        times = editor.saves[kind]
        if times:
            parts.append(
                f"{len(times)} {label} (p50 {ms(statistics.median(times))}, max {ms(max(times))})"
            )
        else:
            parts.append(f"0 {label}")
    print(f"  editor      {'; '.join(parts)}; failed {len(editor.failures)}")
    for failure in editor.failures[:5]:
        print(f"              ! {failure}")
    for kind in ("typo fix", "publish"):
        rows = [c for c in r["checks"] if c["kind"] == kind]
        # A typo fix is checked on its article's page; a publish on each of its three pages.
        groups = {"article page": rows} if kind == "typo fix" else {}
        for page in sorted({c["path"] for c in rows}, key=lambda p: (p != "/", p)):
            if kind == "publish":
                groups[page] = [c for c in rows if c["path"] == page]
        for where, found in groups.items():
            visible = [c["visible"] for c in found if c["visible"] is not None]
            answered = [c["answered"] for c in found if c["answered"] is not None]
            missing = len(found) - len(visible)
            figures = "-"
            if visible:
                figures = (
                    f"visible median {ms(statistics.median(visible))}, max {ms(max(visible))} "
                    f"(answered median {ms(statistics.median(answered))}, "
                    f"max {ms(max(answered))})"
                )
            print(
                f"  staleness   {kind:8} {where:14} {len(found)}x: {figures}; "
                f"stale answers {sum(c['stale'] for c in found)}, "
                f"not 200 {sum(c['bad'] for c in found)}"
                + (f"; NOT VISIBLE after {POLL_GIVE_UP:.0f} s: {missing}" if missing else "")
            )


def pooled(runs):
    """One mode's runs (MODES may name a mode more than once, to interleave): mean throughput
    and p99, errors, failures and staleness checks of all."""
    return {
        "rps": statistics.mean(r["rps"] for r in runs),
        "p99": statistics.mean(r["p99"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "failures": [f for r in runs for f in r["failures"]],
        "checks": [c for r in runs for c in r["checks"]],
    }


def targets(quiet, day):
    quiet, day = pooled(quiet), pooled(day)
    print("\n== targets (day against quiet)")
    ok = True

    def line(good, text):
        nonlocal ok
        ok &= good
        print(f"  {'met   ' if good else 'MISSED'}  {text}")

    share = day["rps"] / quiet["rps"] if quiet["rps"] else 0
    line(share >= 0.8, f"throughput >= 80 % of quiet: {100 * share:.0f} %")
    ratio = day["p99"] / quiet["p99"] if quiet["p99"] else float("inf")
    line(ratio <= 2, f"p99 <= 2x quiet: {day['p99']:.1f} ms = {ratio:.2f}x {quiet['p99']:.1f}")
    line(
        quiet["errors"] == 0 and day["errors"] == 0,
        f"0 errors: quiet {quiet['errors']}, day {day['errors']}",
    )
    line(not day["failures"], f"every editor save went through: {len(day['failures'])} failed")
    times = [c["visible"] for c in day["checks"]]
    late = [t for t in times if t is None or t > 1]
    slowest = max((t for t in times if t is not None), default=0)
    line(
        bool(times) and not late,
        f"every change visible within 1 s: {len(times)} page checks, {len(late)} later, "
        f"slowest {ms(slowest)}",
    )
    return ok


def main():
    for mode in MODES:
        if mode not in MODE_EVENTS:
            raise SystemExit(f"MODES: {mode}? one of {', '.join(MODE_EVENTS)}")
    print(
        f"newsroom's day: N={N}, {DURATION} s per mode, {CONNECTIONS} connections, "
        f"{cpu.cpu_model()}; database {DB_NAME}, redis :{REDIS_PORT}, gunicorn {HOST}:{PORT}"
    )
    start_redis()
    prepare()
    run_id = time.strftime("%m%d%H%M%S")
    info = django(INFO, EDITOR, PASSWORD)
    if info["removed"]:
        print(f"removed {info['removed']} articles an earlier run published")
    mix_file, script = write_mix(info["mix"])
    log_path = WORK / "gunicorn.log"
    with log_path.open("w") as log:
        start_gunicorn(log)
        if ADMIN_POOL:
            start_gunicorn(log, ADMIN_PORT, GUNICORN_WORKERS=ADMIN_WORKERS)
    print(
        f"readers: gunicorn -c newsroom/gunicorn.conf.py ({os.environ.get('GUNICORN_WORKERS', '3')} "
        f"workers x {os.environ.get('GUNICORN_THREADS', '4')} threads), "
        f"{len(info['mix'])} paths in the mix; editor: "
        + (
            f"its own gunicorn ({ADMIN_WORKERS} worker, :{ADMIN_PORT})"
            if ADMIN_POOL
            else "the same"
        )
    )
    results = {}
    for mode in MODES:
        results.setdefault(mode, []).append(run_mode(mode, info, mix_file, script, run_id))
    kept = MEDIA_ROOT.parent / "gunicorn.log"
    kept.parent.mkdir(parents=True, exist_ok=True)  # a database seeded by another checkout
    kept.write_bytes(log_path.read_bytes())
    lines = log_path.read_text(errors="replace").splitlines()
    tracebacks = sum("Traceback" in line for line in lines)
    print(f"\ngunicorn log ({kept}): {len(lines)} lines, {tracebacks} tracebacks")
    errors = {}
    for line in lines:
        if re.match(r"^[\w.]+(Error|Exception|Warning)\b", line):
            errors[line[:200]] = errors.get(line[:200], 0) + 1
    for line, count in sorted(errors.items(), key=lambda item: -item[1])[:8]:
        print(f"    {count:5}x {line}")
    if "quiet" in results and "day" in results:
        ok = targets(results["quiet"], results["day"])
        print("  all targets met" if ok else "  some targets missed")


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_everything()
