"""docs/nginx.conf's micro-cache, run in a real nginx: made-up query strings share the page's
entry, the parameters pages read keep theirs, and what nginx could read differently from Django
(or a session cookie) goes past it.

The upstream is a stub that marks every answer public, so only nginx's own rules decide; it
counts the requests it gets. Skipped where nginx is not installed.
"""

import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


class Upstream(BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):
        Upstream.seen.append(self.path)
        body = f"{self.server.label}{self.path} #{len(Upstream.seen)}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Cache-Control", "public, max-age=60")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    upstream.label = ""
    editors = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)  # the editors' own gunicorn
    editors.label = "editors:"
    for server in (upstream, editors):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    conf = (
        (REPO / "docs" / "nginx.conf")
        .read_text()
        .replace("/srv/newsroom/staticfiles", str(work / "static"))
        .replace("/srv/newsroom/media", str(work / "media"))
        .replace("/var/cache/nginx/newsroom", str(work / "cache"))
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream.server_address[1]}")
        .replace("server 127.0.0.1:8001", f"server 127.0.0.1:{editors.server_address[1]}")
    )
    (work / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    {conf}
}}
"""
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/warmup/", timeout=1).read()
            break
        except OSError:
            if nginx.poll() is not None:
                pytest.fail(nginx.stderr.read().decode())
            time.sleep(0.05)
    yield base
    nginx.terminate()
    nginx.wait(timeout=10)
    upstream.shutdown()
    editors.shutdown()


def get(base, url, **headers):
    """(X-Proxy-Cache, the URL the upstream rendered) for `url`."""
    request = urllib.request.Request(base + url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers["X-Proxy-Cache"], response.read().decode().split(" #")[0]


def test_made_up_parameters_share_the_pages_entry(proxy):
    assert get(proxy, "/list/")[0] == "MISS"

    for url in ("/list/?utm_source=x&fbclid=y&zzz=1", "/list/?zzz=2", "/list/?"):
        assert get(proxy, url) == ("HIT", "/list/"), url


def test_the_parameters_pages_read_keep_their_own_entries(proxy):
    for url in ("/read/?page=2", "/read/?q=%E4%B8%AD", "/read/?q=web3", "/read/?p=2&page=3"):
        assert get(proxy, url) == ("MISS", url), url
        assert get(proxy, url + "&utm_source=x")[0] == "HIT", url


@pytest.mark.parametrize(
    "query",
    [
        "page=2&page=3",  # nginx reads the first, Django the last
        "page=2&page",
        "q=a&utm=1&q=b",
        "PAGE=3",  # nginx's $arg_page matches it, Django does not
        "Page=3",
        "%70age=3",  # Django reads page=3, nginx does not
        "utm_Source=x",  # harmless, but a capital is not worth telling apart
    ],
)
def test_a_query_nginx_could_read_otherwise_than_django_goes_past_it(proxy, query):
    for _ in range(2):
        assert get(proxy, f"/odd/?{query}") == ("BYPASS", f"/odd/?{query}")


def test_a_session_cookie_goes_past_it(proxy):
    get(proxy, "/session/")

    assert get(proxy, "/session/", Cookie="sessionid=made-up")[0] == "BYPASS"
    assert get(proxy, "/session/", Cookie="django_language=zh-hans")[0] == "HIT"


def test_a_search_flood_is_answered_429_by_nginx_and_other_pages_are_not(proxy):
    codes = []
    for n in range(40):
        try:
            get(proxy, f"/search/?q=flood{n}")
            codes.append(200)
        except urllib.error.HTTPError as error:
            codes.append(error.code)
    assert codes[:20] == [200] * 20  # the burst
    assert codes.count(429) >= 15
    assert get(proxy, "/not-search/?q=x")[1] == "/not-search/?q=x"


def test_a_lists_sort_and_filters_keep_their_own_entries(proxy):
    assert get(proxy, "/sections/games/")[0] == "MISS"
    for url in ("/sections/games/?status=Live", "/sections/games/?sort=score&blockchain=Polygon"):
        assert get(proxy, url) == ("MISS", url), url
        assert get(proxy, url + "&utm_source=x")[0] == "HIT", url
    assert get(proxy, "/sections/games/?status=Live&status=Beta")[0] == "BYPASS"


def test_the_admin_goes_to_the_editors_gunicorn(proxy):
    """docs/DEPLOYMENT.md, "Workers": readers never queue behind an editor's save."""
    assert get(proxy, "/admin/login/")[1] == "editors:/admin/login/"
    assert get(proxy, "/admin/articles/article/1/change/")[1].startswith("editors:")
    assert get(proxy, "/articles/admin-news/")[1] == "/articles/admin-news/"
