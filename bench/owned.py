"""What a benchmark makes on a shared machine, and the rule that it removes only what it made.

    import owned
    admin = owned.admin(SERVER)                              # SQL on SERVER's `postgres`
    owned.check_ports_free({"BENCH_PORT": 8100, "BENCH_REDIS_PORT": 6396})
    owned.start_redis(6396, WORK, children, "BENCH_REDIS_PORT")
    owned.fresh_database(admin, "newsroom_bench_run", MARK, "BENCH_DB")

A database is the benchmark's when its comment (COMMENT ON DATABASE) starts with the script's
mark, set when the script created it. A database of that name without the mark (made by hand,
by a test, by another tool) is never dropped or used: the run stops and names the environment
variable that chooses another name. A database still in use is not dropped either.

Redis is never shared: each run starts its own redis-server on its own port (no snapshots, no
append-only file), which holds nothing when it starts and is stopped when the run ends, so there
is nothing to flush. Every port is checked before anything is started on it.
"""

import re
import socket
import subprocess
import time

NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
IN_USE = "55006"  # SQLSTATE object_in_use: DROP DATABASE while others are connected


def admin(server):
    """A function running one statement on `server`'s postgres database (autocommit); for a
    SELECT it returns the first row (None when there is none)."""

    def run(sql, *params):
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if sql.startswith("SELECT") else None

    return run


def comment(run, name):
    """None when there is no database `name`, else its comment ("" when it has none)."""
    row = run(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", name
    )
    return None if row is None else (row[0] or "")


def _checked(name, env_var):
    if not NAME.fullmatch(name):
        raise SystemExit(f"{env_var}={name!r}: a database name is lower-case letters, digits, _")
    return name


def _refuse(name, env_var):
    return SystemExit(
        f"database {name} exists and was not made by this benchmark, so it is left alone: "
        f"set {env_var} to another name (or drop {name} yourself if it is yours)"
    )


def _marked_comment(run, name, mark, env_var):
    """The comment of `name` (None when there is no such database); refuses one without the
    mark."""
    _checked(name, env_var)
    found = comment(run, name)
    if found is not None and not found.startswith(mark):
        raise _refuse(name, env_var)
    return found


def ensure_database(run, name, mark, env_var):
    """Create `name` marked with `mark` if it is missing; refuse one without the mark. Returns
    its comment (the mark, then whatever the script appended to it)."""
    found = _marked_comment(run, name, mark, env_var)
    if found is None:
        run(f'CREATE DATABASE "{name}"')
        run(f"COMMENT ON DATABASE \"{name}\" IS '{mark}'")
        return mark
    return found


def owned_database(run, name, mark, env_var):
    """The comment of `name`, which must exist and carry the mark (a run that reuses one)."""
    found = _marked_comment(run, name, mark, env_var)
    if found is None:
        raise SystemExit(f"database {name} does not exist: run without --no-seed first")
    return found


def drop_database(run, name, mark, env_var):
    """Drop `name` if it carries the mark; refuse one without it. False if there was none."""
    if _marked_comment(run, name, mark, env_var) is None:
        return False
    try:
        run(f'DROP DATABASE "{name}"')
    except Exception as exc:
        if getattr(exc, "sqlstate", None) == IN_USE:
            raise SystemExit(
                f"database {name} is in use (another run of this benchmark?), so it is not "
                f"dropped: wait for that run to end, or set {env_var} to another name"
            ) from exc
        raise
    return True


def fresh_database(run, name, mark, env_var):
    """An empty database `name`, marked: ours from an earlier run is dropped and made again."""
    drop_database(run, name, mark, env_var)
    return ensure_database(run, name, mark, env_var)


def check_ports_free(ports, host="127.0.0.1"):
    """Stop the run, naming the variable to change, if a port of {env_var: port} is taken."""
    seen = {}
    for env_var, port in ports.items():
        if port in seen:
            raise SystemExit(f"{env_var} and {seen[port]} are both {port}: give each its own port")
        seen[port] = env_var
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As servers bind: a port left in TIME_WAIT by a stopped server counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise SystemExit(
                    f"port {port} on {host} is in use (another run or another service): "
                    f"set {env_var} to a free port"
                ) from exc


def start_redis(port, folder, children, env_var, *, seconds=10):
    """A redis-server of our own on 127.0.0.1:port, empty, with no snapshot or append-only file
    (its working folder `folder`); appended to `children`, so it stops when the run ends. It is
    ready when the server answering on the port reports this process's id."""
    check_ports_free({env_var: port})
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    children.append(process)
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"redis-server on port {port} exited ({process.returncode}): set {env_var} "
                "to a free port"
            )
        info = subprocess.run(
            ["redis-cli", "-p", str(port), "info", "server"], capture_output=True, text=True
        ).stdout
        if f"process_id:{process.pid}\r" in info or f"process_id:{process.pid}\n" in info:
            return process
        time.sleep(0.1)
    raise SystemExit(f"redis-server on port {port} did not start")
