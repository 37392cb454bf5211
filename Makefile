# Newsroom: the targets a newcomer needs. `make run` to try it, `make test` before you push.
# Python 3.11: python3.11 if it is on the PATH, else python3 when that is 3.11.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || python3 -c 'import sys; print(sys.executable if sys.version_info[:2] == (3, 11) else "")' 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test test-pg test-e2e lint check bench bench-day backup restore clean messages

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Newsroom needs Python 3.11 (python3.11 or python3 on the PATH)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)

run: demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest -m "not e2e" -p no:cacheprovider

# The same suite against PostgreSQL: DATABASE_URL must point at a server whose user can
# create databases (pytest-django makes and drops test_<name>). Tests marked `once` (slow, and
# the same on either database: Pillow, the parsers, the admin's permissions) run in `make test`
# only, to keep CI under 30 minutes.
test-pg: install
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL=postgres://..."; exit 2; }
	$(BIN)/pytest -m "not e2e and not once" -p no:cacheprovider

test-e2e: install
	$(BIN)/pytest -m e2e -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Database dump and media archive into var/backups/<timestamp>/; restore into an empty database
# with `make restore BACKUP=var/backups/<timestamp>` (docs/RELIABILITY.md). Production runs these
# with its own environment (DEBUG=0, DATABASE_URL, MEDIA_ROOT).
backup: install
	DEBUG=$${DEBUG-1} $(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<timestamp>"; exit 2; }
	DEBUG=$${DEBUG-1} $(PY) manage.py restore $(BACKUP)

# Refresh locale/en from every string in the code and templates, then compile. Translate the
# new entries (msgids are the Chinese originals) in locale/en/LC_MESSAGES/django.po and rerun.
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=static \
		--ignore=media --ignore=var --ignore=staticfiles --ignore=tests --ignore=bench --ignore=test-results
	DEBUG=1 $(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache

# Seed N articles into PostgreSQL (its own database BENCH_DB, default newsroom_bench_run), serve
# with gunicorn in production settings and its own redis-server, load with wrk cold and warm, and
# behind nginx if installed. Ports from BENCH_PORT, BENCH_PROXY_PORT, BENCH_REDIS_PORT; drops only
# a database it made and flushes nothing. See docs/PERFORMANCE.md, "Running the benchmarks safely".
N ?= 10000
bench: install
	N=$(N) $(PY) bench/run_bench.py

# A newsroom's day: readers at 64 connections, quiet and while an editor saves, fixes typos and
# publishes in the admin; throughput, latency, hit rate, errors, staleness against the targets.
# DURATION=180 seconds per mode; its own database (kept between runs) and redis-server.
bench-day: install
	N=$(N) $(PY) bench/bench_day.py

.PHONY: bench-import
bench-import: install
	$(PY) bench/import_bench.py
