"""The production recipe under load: nginx (docs/nginx.conf) in front of gunicorn
(newsroom/gunicorn.conf.py). Replacing workers (max_requests) and a graceful reload (kill -HUP)
drop no request behind nginx; gunicorn alone resets a few connections then (measured here, the
reason for nginx's retry); a killed worker drops only what it was serving. Real processes, real
sockets; run once in CI (make test-e2e)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_security_proxy_nginx import NGINX, running_nginx

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
PATHS = ["/", "/articles/", "/robots.txt", "/tags/"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
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


def start_gunicorn(site, *, max_requests):
    port = free_port()
    env = {
        **site,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": str(max_requests),
        "GUNICORN_MAX_REQUESTS_JITTER": "10" if max_requests else "0",
    }
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "newsroom/gunicorn.conf.py", "newsroom.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=2).read()
            return base, process
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(process.stderr.read())


@pytest.fixture
def gunicorn(site):
    """Workers replaced all the time under the load below (max_requests 40 ± 10)."""
    base, process = start_gunicorn(site, max_requests=40)
    yield base, process
    process.terminate()
    process.wait(30)


@pytest.fixture
def steady_gunicorn(site):
    """Workers never replaced: only what a test does to them happens."""
    base, process = start_gunicorn(site, max_requests=0)
    yield base, process
    process.terminate()
    process.wait(30)


def load(base, seconds, *, readers=6):
    """readers threads reading PATHS for `seconds`; -> (answered, failures)."""
    answered, failures, lock = [0], [], threading.Lock()
    end = time.monotonic() + seconds

    def read(n):
        while time.monotonic() < end:
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except (OSError, urllib.error.HTTPError) as exc:
                ok, response = False, exc
            with lock:
                answered[0] += ok
                if not ok:
                    failures.append((path, repr(response)))

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    return threads, answered, failures


def finish(threads):
    for thread in threads:
        thread.join(60)


def workers_of(master):
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


@pytest.fixture
def nginx_in_front(gunicorn):
    if not shutil.which(NGINX):
        pytest.skip("no nginx (apt-get install nginx)")
    base, master = gunicorn
    with running_nginx(int(base.rsplit(":", 1)[1])) as port:
        yield f"http://127.0.0.1:{port}", master


def replace_and_reload(base, master):
    threads, answered, failures = load(base, 8)
    time.sleep(3)
    master.send_signal(signal.SIGHUP)  # a deploy: new workers, the old ones finish first
    finish(threads)
    return answered[0], failures


def test_behind_nginx_replaced_workers_and_a_graceful_reload_drop_almost_nothing(nginx_in_front):
    """0 failures in every local run; one 502 in ~3,000 requests once in CI with two server
    lines (both retries hit a leaving worker), hence three. Bounded, not promised: 1 in 1,000."""
    answered, failures = replace_and_reload(*nginx_in_front)
    assert answered > 80  # each worker was replaced at least once (max_requests 40 ± 10)
    assert len(failures) <= answered // 1000, failures


def test_gunicorn_alone_resets_a_few_connections_while_workers_are_replaced(gunicorn):
    """Why nginx retries: a worker leaving closes connections it had accepted but not served.
    Not a guarantee, a measurement: at most a few of the requests, never a wrong answer."""
    answered, failures = replace_and_reload(*gunicorn)
    assert answered > 80
    assert all(
        any(word in why.lower() for word in ("reset", "refused", "closed")) for _, why in failures
    ), failures
    assert len(failures) <= answered // 10


def test_a_killed_worker_drops_what_it_held_and_nothing_after(steady_gunicorn):
    base, master = steady_gunicorn
    threads, answered, failures = load(base, 6)
    time.sleep(2)
    os.kill(workers_of(master.pid)[0], signal.SIGKILL)
    finish(threads)
    # The requests the killed worker was serving or had accepted fail as connection resets
    # (4 locally, 10 once in CI); the master starts a new worker and nothing after fails
    # (docs/DEPLOYMENT.md, "Workers").
    assert answered[0] > 50
    assert all("reset" in why.lower() or "closed" in why.lower() for _, why in failures)
    assert len(failures) <= 20, failures
    threads, answered, failures = load(base, 2)
    finish(threads)
    assert failures == [] and answered[0] > 10
