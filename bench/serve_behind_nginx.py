"""The production recipe on this machine: gunicorn with newsroom/gunicorn.conf.py behind nginx
with docs/nginx.conf (only paths and ports changed), until Ctrl-C.

    .venv/bin/python bench/serve_behind_nginx.py               # demo site, nginx on :8080
    .venv/bin/python bench/serve_behind_nginx.py --port 8081 --app-port 8001
    DEBUG=0 SECRET_KEY=... DATABASE_URL=postgres://... REDIS_URL=redis://... \\
        .venv/bin/python bench/serve_behind_nginx.py --environment   # your own settings

By default it makes a throwaway SQLite database with the demo content (migrate + load_demo, as
tests/e2e/ do; DEBUG=1, so no collectstatic is needed); --environment serves whatever the
environment configures instead (run migrate and, with DEBUG=0, collectstatic first: nginx
serves /static/ from staticfiles/). gunicorn runs with the recipe's own worker count
(GUNICORN_* to change it). The processes are the same helpers the tests start
(tests/servers.py), so what tests/e2e/test_slow_clients.py and test_gunicorn_restarts.py
measure is what this serves. Both are stopped on Ctrl-C or SIGTERM. The ports (--port, default
SERVE_PORT or 8080; --app-port, default SERVE_APP_PORT or a free one) are checked first: one in
use stops it, where nginx would fail to start and the other service would be answering.
"""

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import owned  # noqa: E402 - bench/owned.py, next to this script

from tests.servers import demo_site, production_recipe  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SERVE_PORT", "8080")),
        help="nginx's port (SERVE_PORT, else 8080)",
    )
    parser.add_argument(
        "--app-port",
        type=int,
        default=int(os.environ.get("SERVE_APP_PORT", "0")),
        help="gunicorn's (SERVE_APP_PORT, else a free one)",
    )
    parser.add_argument(
        "--environment",
        action="store_true",
        help="serve the database and settings of the environment instead of a demo site",
    )
    args = parser.parse_args()
    ports = {"--port / SERVE_PORT": args.port}
    if args.app_port:
        ports["--app-port / SERVE_APP_PORT"] = args.app_port
    owned.check_ports_free(ports)
    # SIGTERM ends like Ctrl-C: the blocks below stop nginx and gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    with tempfile.TemporaryDirectory(prefix="newsroom-serve-") as folder:
        if args.environment:
            site = dict(os.environ)
        else:
            print("demo site: migrate + load_demo into a throwaway SQLite database ...", flush=True)
            site = demo_site(Path(folder))
        with production_recipe(site, port=args.port, app_port=args.app_port or None) as urls:
            proxy, app = urls
            print(f"nginx (docs/nginx.conf):                 {proxy}/", flush=True)
            print(f"gunicorn (newsroom/gunicorn.conf.py):    {app}/", flush=True)
            print("Ctrl-C stops both.", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
