"""The production recipe as real processes: gunicorn with newsroom/gunicorn.conf.py behind nginx
with docs/nginx.conf (only paths and ports changed), on free loopback ports.

Shared by the tests that start them (tests/test_security_proxy_nginx.py, tests/e2e/) and by
bench/serve_behind_nginx.py, which starts the same recipe for a person to try. No pytest here:
a helper that cannot start its server raises RuntimeError with the server's own words.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
)
GUNICORN = Path(sys.executable).parent / "gunicorn"
# The main nginx.conf that docs/nginx.conf is included into, as Debian and Ubuntu ship it: one
# worker per CPU, 768 connections each. A client whose request is passed to gunicorn takes two
# (reader and upstream); a slow client that never finishes its request takes one.
WORKER_PROCESSES = "auto"
WORKER_CONNECTIONS = 768


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render_config(folder, *, listen_port, upstream_port):
    """docs/nginx.conf inside a minimal main config, with this machine's ports and paths."""
    site = (ROOT / "docs" / "nginx.conf").read_text()
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "server 127.0.0.1:8000 ": f"server 127.0.0.1:{upstream_port} ",
        # The editors' own gunicorn: the same one here.
        "server 127.0.0.1:8001 ": f"server 127.0.0.1:{upstream_port} ",
        "/var/cache/nginx/newsroom": str(folder / "cache"),
        "/srv/newsroom/staticfiles/": f"{ROOT / 'staticfiles'}/",
        "/srv/newsroom/media/": f"{folder / 'media'}/",
    }
    for old, new in replacements.items():
        if old in ("listen 80;", "server 127.0.0.1:8000 ", "server 127.0.0.1:8001 "):
            assert old in site, f"docs/nginx.conf no longer has {old!r}: update tests/servers.py"
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    return f"""
worker_processes {WORKER_PROCESSES};
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections {WORKER_CONNECTIONS}; }}
http {{
    {mime}
    access_log off;
{temp}
{site}
}}
"""


@contextlib.contextmanager
def running_nginx(upstream_port, *, port=None):
    """docs/nginx.conf served by a real nginx in front of upstream_port; yields its port."""
    if NGINX is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    folder = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    # nginx workers run as an unprivileged user when the master is root.
    folder.chmod(0o755)
    for name in ("cache", "media", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(mode=0o777)
        (folder / name).chmod(0o777)
    port = port or free_port()
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
                raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not listen within 10 s") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def demo_site(folder):
    """A migrated SQLite database with the demo content in folder; -> the environment for it."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS"))},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
            capture_output=True,
        )  # fmt: skip
    return env


def start_gunicorn(site, *, port=None, workers=None, max_requests=None):
    """gunicorn -c newsroom/gunicorn.conf.py newsroom.wsgi with the environment `site`;
    -> (base URL, process). workers and max_requests default to the recipe's own; its log
    (stderr) is the file process.log, so a chatty gunicorn never blocks on a full pipe."""
    port = port or free_port()
    env = {**site, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    if workers is not None:
        env["GUNICORN_WORKERS"] = str(workers)
    if max_requests is not None:
        env["GUNICORN_MAX_REQUESTS"] = str(max_requests)
        env["GUNICORN_MAX_REQUESTS_JITTER"] = "10" if max_requests else "0"
    log = tempfile.TemporaryFile(mode="w+", prefix="gunicorn-")
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "newsroom/gunicorn.conf.py", "newsroom.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True,
    )  # fmt: skip
    process.log = log
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=2).read()
            return base, process
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait(10)
    log.seek(0)
    raise RuntimeError(f"gunicorn did not answer within 30 s:\n{log.read()}")


def stop_gunicorn(process):
    process.terminate()  # graceful: workers finish what they hold (GUNICORN_GRACEFUL_TIMEOUT)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    process.log.close()


@contextlib.contextmanager
def production_recipe(site, *, port=None, app_port=None):
    """gunicorn (newsroom/gunicorn.conf.py, its own worker count) behind nginx (docs/nginx.conf);
    -> (nginx's base URL, gunicorn's base URL). Both are stopped when the block ends."""
    app, process = start_gunicorn(site, port=app_port)
    try:
        with running_nginx(int(app.rsplit(":", 1)[1]), port=port) as proxy_port:
            yield f"http://127.0.0.1:{proxy_port}", app
    finally:
        stop_gunicorn(process)
