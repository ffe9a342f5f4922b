#!/usr/bin/env bash
# dalgo's main job on this machine, from nothing: make sure PostgreSQL runs,
# build dalgo (with cargo's progress), then scripts/demo.sh: create and
# migrate the `dalgo` database, create Dalgo's system user and a demo org with
# its admin, and show them. Safe to run again.
#
# The admin's password comes from $DEMO_PASSWORD, else one is generated and
# printed only if this run created the admin.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision.sh
cargo build --release --locked -p dalgo-cli
dalgo="${CARGO_TARGET_DIR:-target}/release/dalgo"

bash scripts/demo.sh "$dalgo"

cat >&2 <<NEXT

dalgo is built: $dalgo
Next:
  $dalgo org show demo-ngo    # the demo org, its plan and members
  $dalgo --help               # every command, the exit codes, the settings
  cargo install --locked --path crates/dalgo-cli   # dalgo on your PATH
Pipelines need a Prefect server; to try them here:
  eval "\$(bash scripts/provision.sh --prefect | tail -n 1)"   # starts one, sets PREFECT_API_URL
NEXT
