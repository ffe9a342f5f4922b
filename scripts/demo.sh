#!/usr/bin/env bash
# dalgo's main job, given the binary: create and migrate the database, create
# Dalgo's system user and the org "Demo NGO" with its super-admin, then show
# them. Safe to run again: what exists is kept, and an existing admin's
# password is never changed.
#
# The admin's password comes from $DEMO_PASSWORD, else one is generated; a
# generated password is printed (on stderr) only when dalgo set it, that is
# when the admin was created by this run.
#
# Usage: scripts/demo.sh [DALGO]   (default: dalgo on PATH)
set -euo pipefail
dalgo="${1:-dalgo}"

"$dalgo" migrate
"$dalgo" create-system-orguser
password="${DEMO_PASSWORD:-}"
[ -n "$password" ] || password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
report="$(printf '%s' "$password" |
  "$dalgo" createorganduser "Demo NGO" admin@demo-ngo.example --role super-admin --password-stdin -o json)"
if grep -Eq '"password": *"set"' <<<"$report"; then
  if [ -n "${DEMO_PASSWORD:-}" ]; then
    echo "admin@demo-ngo.example created with the password from \$DEMO_PASSWORD" >&2
  else
    echo "admin@demo-ngo.example created; its password (shown once): $password" >&2
  fi
fi  # else dalgo has said that the admin exists and kept its password
"$dalgo" org show demo-ngo
"$dalgo" user list
