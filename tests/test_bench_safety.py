"""`make bench` and the other benchmarks on a shared machine (bench/owned.py): they drop only a
database they made (marked with a comment), never flush a Redis they did not start, and stop
when a port they need is taken."""

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
MARK = "made by bench/run_bench.py"


def _owned():
    spec = importlib.util.spec_from_file_location("owned", BENCH / "owned.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


owned = _owned()


class InUse(Exception):
    sqlstate = owned.IN_USE


class FakeServer:
    """Stands for owned.admin(SERVER): databases by name with their comments; every statement
    run is kept in `statements`."""

    def __init__(self, **databases):
        self.databases = dict(databases)
        self.statements = []
        self.in_use = set()

    def __call__(self, sql, *params):
        self.statements.append(sql)
        if sql.startswith("SELECT"):
            (name,) = params
            return (self.databases[name] or None,) if name in self.databases else None
        if match := re.fullmatch(r'CREATE DATABASE "(\w+)"', sql):
            assert match[1] not in self.databases, "CREATE of an existing database"
            self.databases[match[1]] = ""
        elif match := re.fullmatch(r"COMMENT ON DATABASE \"(\w+)\" IS '([^']*)'", sql):
            self.databases[match[1]] = match[2]
        elif match := re.fullmatch(r'DROP DATABASE "(\w+)"', sql):
            if match[1] in self.in_use:
                raise InUse("database is being accessed by other users")
            del self.databases[match[1]]
        else:
            raise AssertionError(f"unexpected statement: {sql}")
        return None

    def dropped(self):
        return [sql for sql in self.statements if sql.startswith("DROP")]


@pytest.mark.parametrize("comment", ["", "the newsroom's staging copy", "made by bench/other.py"])
def test_a_database_without_the_mark_is_refused_and_left_alone(comment):
    server = FakeServer(newsroom_bench_run=comment)
    for step in (owned.fresh_database, owned.drop_database, owned.ensure_database):
        with pytest.raises(SystemExit, match="set BENCH_DB to another name"):
            step(server, "newsroom_bench_run", MARK, "BENCH_DB")
    assert server.databases == {"newsroom_bench_run": comment}
    assert server.dropped() == []


def test_a_missing_database_is_made_with_the_mark():
    server = FakeServer()
    assert owned.fresh_database(server, "newsroom_bench_run", MARK, "BENCH_DB") == MARK
    assert server.databases == {"newsroom_bench_run": MARK}
    assert server.dropped() == []


def test_a_database_with_the_mark_is_dropped_and_made_again():
    server = FakeServer(newsroom_bench_run=f"{MARK}, seeded 300", other="")
    assert owned.fresh_database(server, "newsroom_bench_run", MARK, "BENCH_DB") == MARK
    assert server.dropped() == ['DROP DATABASE "newsroom_bench_run"']
    assert server.databases == {"newsroom_bench_run": MARK, "other": ""}


def test_a_database_in_use_is_not_dropped():
    server = FakeServer(newsroom_bench_run=MARK)
    server.in_use.add("newsroom_bench_run")
    with pytest.raises(SystemExit, match="is in use .* set BENCH_DB to another name"):
        owned.fresh_database(server, "newsroom_bench_run", MARK, "BENCH_DB")
    assert server.databases == {"newsroom_bench_run": MARK}


def test_reusing_a_database_needs_the_mark():
    with pytest.raises(SystemExit, match="set REDIS_OUTAGE_DB to another name"):
        owned.owned_database(FakeServer(x=""), "x", MARK, "REDIS_OUTAGE_DB")
    with pytest.raises(SystemExit, match="does not exist"):
        owned.owned_database(FakeServer(), "x", MARK, "REDIS_OUTAGE_DB")
    assert owned.owned_database(FakeServer(x=MARK), "x", MARK, "REDIS_OUTAGE_DB") == MARK


@pytest.mark.parametrize("name", ['bench"; DROP DATABASE "postgres', "Newsroom", "", "a-b"])
def test_a_name_that_is_not_a_plain_identifier_is_refused(name):
    server = FakeServer()
    with pytest.raises(SystemExit, match="BENCH_DB="):
        owned.fresh_database(server, name, MARK, "BENCH_DB")
    assert server.statements == []


def test_a_port_in_use_stops_the_run_and_names_the_variable():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit, match=f"port {port} .* set BENCH_PORT to a free port"):
            owned.check_ports_free({"BENCH_REDIS_PORT": _free_port(), "BENCH_PORT": port})
        children = []
        with pytest.raises(SystemExit, match="set BENCH_REDIS_PORT"):
            owned.start_redis(port, "/nonexistent", children, "BENCH_REDIS_PORT")
        assert children == []  # nothing was started
    owned.check_ports_free({"BENCH_PORT": port})  # free again once closed


def test_the_same_port_twice_is_refused():
    port = _free_port()
    with pytest.raises(SystemExit, match="both"):
        owned.check_ports_free({"BENCH_PORT": port, "BENCH_PROXY_PORT": port})


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_its_own_redis_server_keeps_nothing_on_disk(tmp_path):
    port, children = _free_port(), []
    process = owned.start_redis(port, tmp_path, children, "BENCH_REDIS_PORT")
    try:
        assert children == [process]

        def config(key):
            return subprocess.run(
                ["redis-cli", "-p", str(port), "config", "get", key],
                capture_output=True,
                text=True,
            ).stdout.split()

        assert config("save") in (["save"], ["save", '""'])
        assert config("appendonly") == ["appendonly", "no"]
        assert config("bind")[1:] == ["127.0.0.1"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_no_benchmark_flushes_or_drops_blindly():
    """The faults issue 17 removed: a FLUSHDB/FLUSHALL (a shared Redis), a DROP DATABASE IF
    EXISTS (a database the script did not check), a fixed REDIS_URL of the shared server."""
    for script in sorted(BENCH.glob("*.py")):
        text = script.read_text()
        for fault in ("FLUSHDB", "FLUSHALL", "DROP DATABASE IF EXISTS", "127.0.0.1:6379"):
            assert fault.lower() not in text.lower(), f"{script.name}: {fault}"


# -- against a real PostgreSQL (make test-pg) ------------------------------------------------


def _postgres_server():
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith(("postgres://", "postgresql://")) else None


@pytest.fixture
def scratch_database():
    """A database name nobody uses; dropped at the end by the test itself (whatever the code
    under test did), so a failing run leaves nothing behind."""
    server = _postgres_server()
    name = f"bench_safety_{uuid.uuid4().hex[:12]}"
    yield owned.admin(server), name
    owned.admin(server)(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.skipif(_postgres_server() is None, reason="DATABASE_URL is not PostgreSQL")
def test_postgres_an_unmarked_database_is_refused_and_kept(scratch_database):
    run, name = scratch_database
    run(f'CREATE DATABASE "{name}"')  # made by hand: no mark
    with pytest.raises(SystemExit, match="set BENCH_DB to another name"):
        owned.fresh_database(run, name, MARK, "BENCH_DB")
    assert owned.comment(run, name) == ""  # still there, still unmarked


@pytest.mark.skipif(_postgres_server() is None, reason="DATABASE_URL is not PostgreSQL")
def test_postgres_a_marked_database_is_made_again(scratch_database):
    run, name = scratch_database
    assert owned.fresh_database(run, name, MARK, "BENCH_DB") == MARK
    oid = run("SELECT oid FROM pg_database WHERE datname = %s", name)[0]
    assert owned.fresh_database(run, name, MARK, "BENCH_DB") == MARK
    assert run("SELECT oid FROM pg_database WHERE datname = %s", name)[0] != oid
    assert owned.comment(run, name) == MARK


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
