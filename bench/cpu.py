"""CPU time a measurement costs, read from /proc (Linux): so benchmarks quote CPU milliseconds per
request, which another machine can compare, and not requests/s alone.

    before = cpu.Sample(worker_pids)
    ... run wrk ...
    spent = cpu.Sample(worker_pids) - before   # .workers, .machine, .clients (seconds)

- workers: the given processes (gunicorn's workers, all their threads), user + system time;
- machine: every process on the machine (/proc/stat's busy time: all but idle and iowait),
  minus `clients`, the CPU of this script and of its finished child processes (wrk, run to
  completion before the second sample): the server side's whole cost (gunicorn, PostgreSQL, Redis, nginx)
  and whatever else the machine ran meanwhile (its load average says how much).
"""

import os
import resource
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")


def cpu_model():
    """The CPU's model name and clock as /proc/cpuinfo gives them, and the number of CPUs."""
    found = {}
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            name, _, value = line.partition(":")
            found.setdefault(name.strip(), value.strip())
    model = found.get("model name", "unknown CPU")
    mhz = found.get("cpu MHz")
    return f"{model}{f' @ {float(mhz):.0f} MHz' if mhz else ''}, {os.cpu_count()} CPUs"


def _machine_busy():
    with open("/proc/stat", encoding="utf-8") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / TICK


def _process_cpu(pids):
    """{pid: user + system seconds} of the processes still there."""
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return found


def _clients_cpu():
    """This script (an editor, pollers) and its finished children (wrk)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def children_of(pid):
    """The pids of `pid`'s child processes (gunicorn's workers, for its master)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


def named(name):
    """The pids of every process whose command name is `name` ("postgres": the server and all
    its backends, whichever database they serve)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm", encoding="utf-8") as comm:
                    if comm.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                continue
    return found


class Split:
    """CPU seconds of named groups of processes, {label: [pids]}, between two samples:
    `Split(groups) - before` -> {label: seconds}. A process counts while both samples saw it."""

    def __init__(self, groups):
        self.groups = {label: _process_cpu(pids) for label, pids in groups.items()}

    def __sub__(self, before):
        return {
            label: sum(
                spent - before.groups[label][pid]
                for pid, spent in now.items()
                if pid in before.groups.get(label, {})
            )
            for label, now in self.groups.items()
        }


@dataclass
class Spent:
    workers: float
    machine: float
    clients: float

    def per_request(self, requests):
        """(workers, server side) in CPU milliseconds per request."""
        if not requests:
            return float("nan"), float("nan")
        server = max(0.0, self.machine - self.clients)
        return 1000 * self.workers / requests, 1000 * server / requests


class Sample:
    def __init__(self, worker_pids):
        self.workers = _process_cpu(worker_pids)
        self.machine = _machine_busy()
        self.clients = _clients_cpu()

    def __sub__(self, before):
        # A worker that left or came meanwhile (recycled) counts only while both samples saw it.
        workers = sum(
            spent - before.workers[pid]
            for pid, spent in self.workers.items()
            if pid in before.workers
        )
        return Spent(
            workers=workers,
            machine=self.machine - before.machine,
            clients=self.clients - before.clients,
        )
