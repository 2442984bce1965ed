#!/usr/bin/env bash
# A private PostgreSQL for the kuulas tests: installs Debian's `postgresql` when no
# server binaries are found, initdb's a cluster in DIR (default /tmp/kuulas-postgres),
# starts it on 127.0.0.1 on a free port, creates the database `kuulas_test` and
# prints the line to export:
#
#   eval "$(scripts/setup-postgres.sh [DIR])"   # sets KUULAS_TEST_POSTGRES
#
# Idempotent: a second call reuses the running cluster (or restarts a stopped one).
# As root the server runs as the `postgres` system user (PostgreSQL refuses root).
# Stop it with: pg_ctl -D DIR/data stop  (as that user).
set -euo pipefail

DIR="${1:-${KUULAS_PG_DIR:-/tmp/kuulas-postgres}}"
DB=kuulas_test
log() { echo "setup-postgres: $*" >&2; }

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
    log "no PostgreSQL server found; installing Debian's postgresql"
    if [ "$(id -u)" -ne 0 ]; then
        log "need root to install postgresql (or install it yourself and rerun)"
        exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi

# Run a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        local quoted
        quoted="$(printf '%q ' "$@")"
        su postgres -s /bin/sh -c "$quoted"
    else
        "$@"
    fi
}

mkdir -p "$DIR"
[ "$(id -u)" -eq 0 ] && chown postgres "$DIR"
chmod 700 "$DIR"

port_in_use() { (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [ ! -f "$DIR/data/PG_VERSION" ]; then
    log "initdb in $DIR/data"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; exit 2; }
fi

if as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1 && [ -f "$DIR/port" ]; then
    PORT="$(cat "$DIR/port")"
    log "reusing the server already running on port $PORT"
else
    PORT=""
    for _ in $(seq 50); do
        candidate=$((20000 + RANDOM % 30000))
        port_in_use "$candidate" || { PORT=$candidate; break; }
    done
    [ -n "$PORT" ] || { log "no free port found"; exit 2; }
    as_owner sh -c "echo $PORT > '$DIR/port'"
    log "starting PostgreSQL on 127.0.0.1:$PORT"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $PORT -k $DIR -c fsync=off -c max_connections=200" start >&2 \
        || { cat "$DIR/server.log" >&2; exit 2; }
fi

if ! as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi

URL="postgres://postgres@127.0.0.1:$PORT/$DB"
export KUULAS_TEST_POSTGRES="$URL"
echo "export KUULAS_TEST_POSTGRES=$URL"
