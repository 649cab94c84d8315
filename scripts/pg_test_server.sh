#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for the test suite.
#
#   eval "$(scripts/pg_test_server.sh start)"   # exports MAC_TEST_PG_URL and MAC_TEST_PG_DIR
#   .venv/bin/pytest tests/store tests/feed
#   scripts/pg_test_server.sh stop "$MAC_TEST_PG_DIR"
#
# The cluster lives in a fresh temp directory, listens on 127.0.0.1 only on a free port,
# uses scram-sha-256 with a random password and is owned by the `postgres` OS user
# (initdb refuses to run as root). Tests create and drop their own databases in it.
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_USER="${PG_OS_USER:-postgres}"

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir port password
    dir="$(mktemp -d -t mac-pg-XXXXXX)"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$dir"
    password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    printf '%s\n' "$password" >"$dir/pwfile"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$dir/pwfile"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=scram-sha-256 \
        --pwfile="$dir/pwfile" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    port="$(free_port)"
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "export MAC_TEST_PG_URL='postgresql+psycopg2://postgres:${password}@127.0.0.1:${port}/postgres'"
    echo "export MAC_TEST_PG_DIR='$dir'"
}

stop() {
    local dir="${1:-${MAC_TEST_PG_DIR:-}}"
    [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "usage: $0 stop <cluster dir>" >&2; exit 2; }
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start | stop <cluster dir>" >&2; exit 2 ;;
esac
