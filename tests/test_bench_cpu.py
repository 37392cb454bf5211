"""bench/cpu.py: the CPU milliseconds per request the benchmarks quote."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import cpu  # noqa: E402 - a benchmark module, next to the scripts that use it

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="reads Linux's /proc")


def busy(seconds):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass


def test_a_sample_counts_the_given_processes_and_the_clients_apart():
    before = cpu.Sample([os.getpid()])
    client = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    subprocess.run([sys.executable, "-c", client], check=True)  # like wrk: a finished child
    busy(0.3)
    spent = cpu.Sample([os.getpid()]) - before

    assert 0.25 <= spent.workers < 1.5
    assert spent.clients >= 0.55  # this process and its child
    assert spent.machine >= spent.workers
    workers_ms, _server_ms = spent.per_request(100)
    assert workers_ms == pytest.approx(1000 * spent.workers / 100)


def test_a_process_gone_between_samples_counts_nothing():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    before = cpu.Sample([child.pid])
    child.kill()
    child.wait()
    assert (cpu.Sample([child.pid]) - before).workers == 0


def test_children_of_names_a_process_s_children():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in cpu.children_of(os.getpid())
    finally:
        child.kill()
        child.wait()


def test_a_split_counts_each_group_of_processes_on_its_own():
    """make bench-day's "CPU split": the readers' workers, the editors' gunicorn, PostgreSQL."""
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        before = cpu.Split({"busy": [os.getpid()], "idle": [idle.pid], "none": []})
        busy(0.3)
        spent = cpu.Split({"busy": [os.getpid()], "idle": [idle.pid], "none": []}) - before
    finally:
        idle.kill()
        idle.wait()

    assert 0.25 <= spent["busy"] < 1.5
    assert spent["idle"] < 0.1
    assert spent["none"] == 0


def test_named_finds_processes_by_their_command_name():
    child = subprocess.Popen(["sleep", "30"])
    try:
        # Popen returns once exec has begun; the kernel renames the process a moment later,
        # which a busy machine (CI's two suites side by side) showed.
        deadline = time.monotonic() + 10
        while child.pid not in cpu.named("sleep") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert child.pid in cpu.named("sleep")
        assert os.getpid() not in cpu.named("sleep")
    finally:
        child.kill()
        child.wait()
