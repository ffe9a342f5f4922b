#!/usr/bin/env bash
# The test command. On a fresh machine it first provisions what is missing:
# PostgreSQL (started, or installed from Debian's packages), a superuser role
# for this OS user, and the cached Python virtualenv with dbt and Prefect
# pinned by scripts/python-constraints.txt. Then it runs the whole suite
# (unit, integration against real PostgreSQL, doc tests, examples built).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$(bash scripts/provision.sh --python | tail -n 1)"
if [ -n "$venv" ]; then
  export DBT_VENV="$venv"
  export PATH="$venv/bin:$PATH"
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Four tests at a time on two cores: most of a test's time is spent waiting on
# dbt, Prefect or PostgreSQL, not on a core (loaded with two busy loops, the
# suite took 16 min at 2 threads and 11 at 4).
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-4}"
cargo test --locked "$@"
