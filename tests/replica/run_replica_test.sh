#!/usr/bin/env bash
# The router against a real PostgreSQL streaming replica on this machine, not a mock:
# pg_basebackup of the local cluster (127.0.0.1:5432) into a temporary directory, started as a
# hot standby on port 5433, then tests/test_replica.py with DATABASE_URL (primary) and
# DATABASE_REPLICA_URL (replica). Stops and deletes everything it made, also on failure.
# Needs: run as root or as the postgres user; trust auth on 127.0.0.1 (as in CI). Adds a
# `host replication all 127.0.0.1/32 trust` line to pg_hba.conf if none allows replication.
set -euo pipefail
cd "$(dirname "$0")/../.."
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PRIMARY=${PRIMARY:-postgres://postgres@127.0.0.1:5432}
PORT=${REPLICA_PORT:-5433}
DB="newsroom_replica_$$"
WORK=$(mktemp -d /tmp/newsroom-replica-XXXXXX)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
psql_primary() { "$PGBIN/psql" "$PRIMARY/${2:-postgres}" -v ON_ERROR_STOP=1 -qAtc "$1"; }

cleanup() {
  as_postgres "'$PGBIN/pg_ctl' -D '$WORK/data' -m immediate stop" >/dev/null 2>&1 || true
  psql_primary "DROP DATABASE IF EXISTS \"$DB\"" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -n "${KEEP_LOG:-}" ] && trap 'cat "$WORK/replica.log" 2>/dev/null; cleanup' EXIT

hba=$(psql_primary "SHOW hba_file")
if ! grep -Eq '^\s*host\s+replication\s' "$hba"; then
  echo "host replication all 127.0.0.1/32 trust" >> "$hba"
  psql_primary "SELECT pg_reload_conf()" >/dev/null
fi

psql_primary "CREATE DATABASE \"$DB\""
DATABASE_URL="$PRIMARY/$DB" DEBUG=1 .venv/bin/python manage.py migrate --noinput -v0

chown postgres "$WORK" 2>/dev/null || true
chmod 700 "$WORK"
as_postgres "'$PGBIN/pg_basebackup' -d '$PRIMARY/postgres' -D '$WORK/data' -R -X stream -c fast"
# Debian keeps the cluster's configuration in /etc, outside the data directory the backup copied.
as_postgres "cat > '$WORK/data/postgresql.conf' <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
hot_standby = on
CONF
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$WORK/data/pg_hba.conf'
: > '$WORK/data/pg_ident.conf'"
as_postgres "'$PGBIN/pg_ctl' -D '$WORK/data' -l '$WORK/replica.log' -w -t 60 start" >/dev/null
echo "replica of $DB on 127.0.0.1:$PORT (in recovery: $("$PGBIN/psql" "postgres://postgres@127.0.0.1:$PORT/postgres" -qAtc 'SELECT pg_is_in_recovery()'))"

DATABASE_URL="$PRIMARY/$DB" DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:$PORT/$DB" \
  NEWSROOM_REPLICA_TEST=1 .venv/bin/pytest -p no:cacheprovider -q tests/test_replica.py "$@"
