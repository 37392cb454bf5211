"""The production recipe under load: nginx (docs/nginx.conf) in front of gunicorn
(newsroom/gunicorn.conf.py). Replacing workers (max_requests) and a graceful reload (kill -HUP)
drop no request behind nginx; gunicorn alone resets a few connections then (measured here, the
reason for nginx's retry); a killed worker drops only what it was serving. Real processes, real
sockets; run once in CI (make test-e2e)."""

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.servers import NGINX, demo_site, running_nginx, start_gunicorn, stop_gunicorn

PATHS = ["/", "/articles/", "/robots.txt", "/tags/"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return demo_site(tmp_path_factory.mktemp("gunicorn"))


@pytest.fixture
def gunicorn(site):
    """Workers replaced all the time under the load below (max_requests 40 ± 10)."""
    base, process = start_gunicorn(site, workers=2, max_requests=40)
    yield base, process
    stop_gunicorn(process)


@pytest.fixture
def steady_gunicorn(site):
    """Workers never replaced: only what a test does to them happens."""
    base, process = start_gunicorn(site, workers=2, max_requests=0)
    yield base, process
    stop_gunicorn(process)


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
    if NGINX is None:
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
