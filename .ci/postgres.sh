#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test run (used by .ci/run).
#
#   eval "$(.ci/postgres.sh start)"   # installs PostgreSQL if missing, starts a cluster on
#                                     # 127.0.0.1 and a free port, prints `export …` lines:
#                                     # MCPGATE_TEST_PG_URL, MCPGATE_TEST_PG_DIR
#   .ci/postgres.sh stop              # stops that cluster and deletes its directory
#
# Idempotent: `start` with MCPGATE_TEST_PG_DIR set and its server running only prints the lines
# again; `stop` without a running cluster does nothing. Everything else goes to stderr.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }

find_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a server binary as `postgres` when we are root (PostgreSQL refuses to run as root).
as_postgres() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin dir port
  if [[ -n "${MCPGATE_TEST_PG_DIR:-}" && -f "${MCPGATE_TEST_PG_DIR}/data/postmaster.pid" ]]; then
    log "postgres.sh: cluster in $MCPGATE_TEST_PG_DIR is already running"
    printf 'export MCPGATE_TEST_PG_URL=%q\n' "$MCPGATE_TEST_PG_URL"
    printf 'export MCPGATE_TEST_PG_DIR=%q\n' "$MCPGATE_TEST_PG_DIR"
    return 0
  fi
  if ! bin="$(find_bin)"; then
    log "postgres.sh: installing PostgreSQL from Debian packages"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
    bin="$(find_bin)"
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/mcpgate-ci-pg.XXXXXX")"
  chmod 700 "$dir"
  if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$dir"; fi
  port="$(free_port)"
  as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync >&2
  as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >&2
  as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE DATABASE mcpgate_test" >&2
  log "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
  printf 'export MCPGATE_TEST_PG_URL=%q\n' "postgresql://postgres@127.0.0.1:$port/mcpgate_test"
  printf 'export MCPGATE_TEST_PG_DIR=%q\n' "$dir"
}

stop() {
  local bin dir="${MCPGATE_TEST_PG_DIR:-}"
  if [[ -z "$dir" || ! -d "$dir" ]]; then
    log "postgres.sh: no cluster to stop"
    return 0
  fi
  if [[ -f "$dir/data/postmaster.pid" ]] && bin="$(find_bin)"; then
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$dir"
  log "postgres.sh: stopped and removed $dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *)
    log "usage: $0 [start|stop]"
    exit 2
    ;;
esac
