"""Kill an import with SIGKILL halfway, run it again, check the result (docs/RELIABILITY.md).

    .venv/bin/python bench/reliability_import.py [--files 2000] [--database postgres://...]

Generates a Hugo site (a featured image in every fifth bundle), starts `manage.py import_hugo`,
SIGKILLs it once a third of the articles are in, runs it again to the end and checks: one article
per file, every tag, author, topic and image in place, image files complete. Prints numbers.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.test_reliability_import import (  # noqa: E402
    environment,
    generate_site,
    kill_import_halfway,
    run,
    verify,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--database", help="an empty database URL (default: a new SQLite file)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reliability-import-"))
    database = args.database or f"sqlite:///{work / 'import.sqlite3'}"
    env = environment(database, work / "media")
    expected = generate_site(work / "site", args.files)
    if run("migrate", "--noinput", env=env).returncode:
        sys.exit("migrate failed")

    started = time.monotonic()
    at_death = kill_import_halfway(work / "site", env, database=database, at=args.files // 3)
    killed_after = time.monotonic() - started
    started = time.monotonic()
    again = run("import_hugo", str(work / "site"), env=env)
    rerun_seconds = time.monotonic() - started
    if again.returncode:
        sys.exit(f"re-run failed:\n{again.stderr[-3000:]}")
    summary = verify(env, expected)
    print(f"database:        {database.split('@')[-1]}")
    print(
        f"files:           {args.files} ({sum(e['image'] for e in expected.values())} with images)"
    )
    print(f"killed after:    {killed_after:.1f}s with {at_death} articles in")
    print(f"re-run:          {rerun_seconds:.1f}s, exit 0")
    print(
        f"verified:        {summary['articles']} articles, {summary['images']} images intact, "
        "no duplicates, every tag/author/topic in place"
    )
    print(f"work folder:     {work}")


if __name__ == "__main__":
    main()
