#!/usr/bin/env bash
# dalgo's main job on this machine, from nothing: make sure PostgreSQL runs,
# build dalgo, create and migrate the `dalgo` database, create Dalgo's system
# user and a demo org with its admin, then show them. Safe to run again.
#
# The admin's password comes from $DEMO_PASSWORD, else one is generated and
# printed once (it is only used when the admin is created).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/provision.sh
cargo build --release --locked -p dalgo-cli
dalgo="${CARGO_TARGET_DIR:-target}/release/dalgo"

"$dalgo" migrate
"$dalgo" create-system-orguser
password="${DEMO_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}"
printf '%s' "$password" | "$dalgo" createorganduser "Demo NGO" admin@demo-ngo.example --role super-admin --password-stdin
[ -n "${DEMO_PASSWORD:-}" ] || echo "admin password (if the admin was new): $password" >&2
"$dalgo" org show demo-ngo
"$dalgo" user list
