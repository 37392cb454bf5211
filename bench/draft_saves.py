"""Readers while an editor saves a draft every 2 s, for docs/RELIABILITY.md: numbers only.

    .venv/bin/python bench/draft_saves.py          # MODES="quiet draft bump" by default

Same setup as bench/redis_outage.py (its database REDIS_OUTAGE_DB, N=1000 articles, its own
redis-server, on port DRAFT_SAVES_REDIS_PORT (6392) here, gunicorn on 127.0.0.1:DRAFT_SAVES_PORT
(8142), page cache on). --no-seed reuses the database redis_outage.py left, if it carries that
script's mark. Each mode runs wrk with 64
connections for 30 s on bench/reliability.py's page mix:

- quiet: readers only;
- draft: an editor process saves the same draft every 2 s (Article.save(), as the admin does);
- bump: the same saves, each followed by bump_generation(): what every draft save did before
  saves readers cannot see stopped starting a new generation.

The modes run one after the other on a shared machine: compare them within one run.
"""

import os
import subprocess
import sys

import owned
import redis_outage  # noqa: F401 - points bench/reliability.py at the outage database
import reliability
from reliability import PY, REPO

reliability.PORT = ("DRAFT_SAVES_PORT", int(os.environ.get("DRAFT_SAVES_PORT", "8142")))
reliability.REDIS_PORT = (
    "DRAFT_SAVES_REDIS_PORT",
    int(os.environ.get("DRAFT_SAVES_REDIS_PORT", "6392")),
)

EDITOR = """
import os, sys, time, django
os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
django.setup()
from articles.models import Article
from articles.pagecache.generation import bump_generation
draft = Article.objects.filter(status="draft").first()
end, n = time.time() + float(sys.argv[2]), 0
while time.time() < end:
    n += 1
    draft.body = f"<p>draft save {n}</p>"
    draft.save()
    if sys.argv[1] == "bump":
        bump_generation()
    time.sleep(2)
"""


def main():
    reliability.check_ports()
    reliability.start_redis()
    if "--no-seed" in sys.argv:
        name, mark = reliability.DATABASE, reliability.MARK
        owned.owned_database(owned.admin(reliability.SERVER), name[1], mark, name[0])
    else:
        redis_outage.prepare()
    paths = reliability.pages()["mix"]
    reliability.start_gunicorn()
    reliability.wrk(paths, connections=8, seconds=5)  # warm-up
    print("draft saves: wrk -c64 30 s per mode, page cache on (Redis)")
    for mode in os.environ.get("MODES", "quiet draft bump").split():
        editor = None
        if mode != "quiet":
            editor = subprocess.Popen(
                [PY, "-c", EDITOR, mode, "30"], env=reliability.app_env(), cwd=REPO
            )
        result = reliability.wrk(paths, connections=64, seconds=30)
        if editor:
            editor.wait()
        print(
            f"  {mode:6} {result['rps']:5.0f}/s  {result['statuses']}  {result['latency']}  "
            f"errors {result['errors']}",
            flush=True,
        )
        reliability.wrk(paths, connections=8, seconds=5)  # refill between modes


if __name__ == "__main__":
    main()
