#!/usr/bin/env bash
# Make a fresh machine ready for dalgo: a running PostgreSQL with a superuser
# role for the current OS user, and (with --python, for the tests) keyutils,
# git and the cached virtualenv with dbt and Prefect pinned by
# scripts/python-constraints.txt (a copy of the pins that make prefect 3.6.29,
# dbt-core 1.10.19, dbt-postgres 1.10.2, dbt-snowflake 1.10.8 and
# moto[server] 5.2.6, AWS Secrets Manager's stand-in for the tests, install
# and run together; dbt-snowflake holds certifi below 2025.4.26).
# With --prefect, also a Prefect server for trying pipelines locally (see
# ensure_prefect_server); it prints `export PREFECT_API_URL=...`.
# Idempotent: each step checks before it acts. Sourced or run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf 'provision: %s\n' "$*" >&2; }

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

pg_ready() { pg_isready -q -h /var/run/postgresql 2>/dev/null; }

ensure_postgres_installed() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    return
  fi
  log "PostgreSQL is not installed: installing it from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

ensure_postgres_running() {
  if pg_ready; then return; fi
  local version
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_ready && return; sleep 1; done
  log "PostgreSQL did not become ready"; exit 69
}

ensure_superuser_role() {
  local me; me="$(id -un)"
  if psql -h /var/run/postgresql -d postgres -tAc 'select 1' >/dev/null 2>&1; then return; fi
  log "creating PostgreSQL superuser role '$me'"
  as_postgres psql -h /var/run/postgresql -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE \"$me\" SUPERUSER LOGIN" >/dev/null
}

# keyctl runs the keyring-backend tests inside a session keyring of their own;
# tmux gives the prompt tests a real terminal.
# python3 with venv and ensurepip builds the virtualenv (Debian splits them
# into python3-venv).
ensure_test_tools() {
  command -v keyctl >/dev/null 2>&1 && command -v git >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1 &&
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && return
  log "installing keyutils, git, tmux and python3-venv from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq keyutils git tmux python3 python3-venv >/dev/null
}

venv_dir() {
  local constraints="$1" key
  key="$(cat "$constraints" | sha256sum | cut -c1-12)"
  printf '%s/dalgo/venv-%s' "${XDG_CACHE_HOME:-$HOME/.cache}" "$key"
}

ensure_python_venv() {
  local constraints="$here/scripts/python-constraints.txt"
  if [ ! -f "$constraints" ]; then
    log "no $constraints: skipping the dbt/Prefect virtualenv"; return
  fi
  local dir; dir="$(venv_dir "$constraints")"
  if [ -x "$dir/bin/dbt" ] && [ -x "$dir/bin/prefect" ] && [ -x "$dir/bin/moto_server" ] && [ -f "$dir/.complete" ]; then
    echo "$dir"; return
  fi
  log "building the dbt/Prefect virtualenv in $dir (one-off, a few minutes)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check -c "$constraints" \
    prefect==3.6.29 dbt-core==1.10.19 dbt-postgres==1.10.2 dbt-snowflake==1.10.8 "moto[server]==5.2.6" >&2
  touch "$dir/.complete"
  echo "$dir"
}

# A Prefect server for trying pipelines on this machine (--prefect): the cached
# virtualenv's `prefect server start` on 127.0.0.1:$DALGO_PREFECT_PORT (4200),
# its database $DALGO_PREFECT_DATABASE (dalgo_prefect) on the local PostgreSQL (SQLite locks under a
# worker's writes), its home and log in ~/.cache/dalgo/prefect-PORT, running
# in the background until stopped (`kill $(cat .../server.pid)`). Waits for its
# health check, then prints the line that points dalgo at it. A server
# already answering there is used as it is.
ensure_prefect_server() {
  local venv="$1" port="${DALGO_PREFECT_PORT:-4200}" db="${DALGO_PREFECT_DATABASE:-dalgo_prefect}"
  local url="http://127.0.0.1:$port/api"
  if curl -sf "$url/health" >/dev/null 2>&1; then
    echo "export PREFECT_API_URL=$url"; return
  fi
  local home="${XDG_CACHE_HOME:-$HOME/.cache}/dalgo/prefect-$port"
  mkdir -p "$home"
  psql -h /var/run/postgresql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
    psql -h /var/run/postgresql -d postgres -q -c "CREATE DATABASE \"$db\""
  log "starting a Prefect server on 127.0.0.1:$port (log: $home/server.log)"
  PREFECT_HOME="$home" PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_API_DATABASE_CONNECTION_URL="postgresql+asyncpg:///$db?host=/var/run/postgresql" \
    nohup "$venv/bin/prefect" server start --host 127.0.0.1 --port "$port" >"$home/server.log" 2>&1 </dev/null &
  echo $! >"$home/server.pid"
  for _ in $(seq 1 300); do
    if curl -sf "$url/health" >/dev/null 2>&1; then echo "export PREFECT_API_URL=$url"; return; fi
    if ! kill -0 "$(cat "$home/server.pid")" 2>/dev/null; then break; fi
    sleep 1
  done
  log "Prefect did not start: see $home/server.log"; exit 69
}

main() {
  ensure_postgres_installed
  ensure_postgres_running
  ensure_superuser_role
  case "${1:-}" in
    --python)
      ensure_test_tools
      ensure_python_venv
      ;;
    --prefect)
      ensure_test_tools
      ensure_prefect_server "$(ensure_python_venv | tail -n 1)"
      ;;
  esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
