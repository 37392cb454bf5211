"""The login throttle behind the real nginx of docs/nginx.conf.

nginx is started on a free port in front of the live test server, with the repository's config
(only paths and ports changed). Different clients are different loopback source addresses
(127.0.0.2 and 127.0.0.3: the whole 127/8 answers on Linux), so nginx sees, and appends to
X-Forwarded-For, a different address for each; what the clients put into X-Forwarded-For
themselves must change nothing. Skipped when nginx is not installed.
"""

import contextlib
import http.client
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest
from axes.models import AccessAttempt

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
)
ATTACKER, COLLEAGUE = "127.0.0.2", "127.0.0.3"
PASSWORD = "right-horse-42"

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx)"),
    pytest.mark.django_db(transaction=True),
]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render_config(folder, *, listen_port, upstream_port):
    """docs/nginx.conf inside a minimal main config, with this machine's ports and paths."""
    site = (ROOT / "docs" / "nginx.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "server 127.0.0.1:8000 ": f"server 127.0.0.1:{upstream_port} ",
        "/var/cache/nginx/newsroom": str(folder / "cache"),
        "/srv/newsroom/staticfiles/": f"{ROOT / 'staticfiles'}/",
        "/srv/newsroom/media/": f"{folder / 'media'}/",
    }
    for old, new in replacements.items():
        if old in ("listen 80;", "server 127.0.0.1:8000 "):
            assert old in site, f"docs/nginx.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    return f"""
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    {mime}
    access_log off;
{temp}
{site}
}}
"""


@contextlib.contextmanager
def running_nginx(upstream_port):
    """docs/nginx.conf served by a real nginx in front of upstream_port; yields its port."""
    folder = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    # nginx workers run as an unprivileged user when the master is root.
    folder.chmod(0o755)
    for name in ("cache", "media", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(mode=0o777)
        (folder / name).chmod(0o777)
    port = _free_port()
    conf = folder / "nginx.conf"
    conf.write_text(render_config(folder, listen_port=port, upstream_port=upstream_port))
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)]
        + ["-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not listen within 10 s")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def nginx(live_server):
    with running_nginx(live_server.thread.port) as port:
        yield port


class Browser:
    """One person at one address: keeps its cookies, talks to nginx from `source`."""

    def __init__(self, port, source):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, body=None, headers=()):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=15, source_address=(self.source, 0)
        )
        sent = {"Host": "localhost", **dict(headers)}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return response.status, text

    def log_in(self, username, password, *, forwarded_for=None):
        status, page = self.request("GET", "/admin/login/")
        assert status == 200, page[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": "/admin/",
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        status, _page = self.request("POST", "/admin/login/", body, headers)
        return status


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    # the defaults, spelled out: one proxy (nginx), on this machine
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128"]


def test_wrong_passwords_from_one_address_lock_out_that_address_only(
    nginx, throttled, django_user_model
):
    django_user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    attacker, colleague = Browser(nginx, ATTACKER), Browser(nginx, COLLEAGUE)

    # Five wrong passwords for admin, each claiming another origin in X-Forwarded-For
    # (the colleague's address, the proxy's, made-up ones): all are counted as the attacker's.
    claims = [COLLEAGUE, "127.0.0.1", "10.1.2.3", f"{COLLEAGUE}, 127.0.0.1", None]
    statuses = [attacker.log_in("admin", "wrong", forwarded_for=claim) for claim in claims]
    assert statuses == [200, 200, 200, 200, 429]
    assert attacker.log_in("admin", PASSWORD) == 429  # locked: even the right password

    # admin, signing in correctly from elsewhere, is not locked out.
    assert colleague.log_in("admin", PASSWORD) == 302
    status, page = colleague.request("GET", "/admin/")
    assert status == 200 and 'id="user-tools"' in page

    # The lock-out is the attacker's address with that username, and stays.
    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("admin", ATTACKER)
    ]
    assert attacker.log_in("admin", PASSWORD) == 429
