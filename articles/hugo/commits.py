"""How an import commits: one transaction per file, made cheap on SQLite."""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def sqlite_commits_without_fsync():
    """One transaction per file means thousands of commits; in SQLite's WAL mode,
    synchronous=NORMAL makes a commit skip the fsync. Each file stays atomic and the database
    cannot be corrupted; a power cut may lose the last few files, which a re-run imports."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA synchronous").fetchone()[0]
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={int(before)}")
