#!/usr/bin/env bash
# Dalgo's own code agrees with what dalgo writes in live mode (issue 43):
# on a Dalgo database built from tests/fixtures/django, dalgo creates an
# org, its admin, a member and a flag; Dalgo's Django code (DDP_backend's
# ORM, scripts/django_agrees.py) logs the admin in, reads the roles and the
# flag; a membership the ORM makes is in `dalgo user list`; after `dalgo org
# delete` Django no longer finds the org.
#
# Usage: scripts/django-agrees.sh DDP_BACKEND_DIR
#   DDP_BACKEND_DIR: DDP_backend at e2f35e17 with its virtualenv in .venv
#   (`uv sync --frozen --no-dev` there; Python 3.10 or later). A plain clone
#   of dalgo cannot fetch it, so CI does not run this; run it by hand.
# Env: DALGO (the binary; default target/debug/dalgo), PGHOST (socket dir).
set -euo pipefail

ddp=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
dalgo=${DALGO:-$root/target/debug/dalgo}
host=${PGHOST:-/var/run/postgresql}
psql=$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -1)
db=dalgo_django_agrees_$$

q() { "$psql" -X -q -v ON_ERROR_STOP=1 -h "$host" "$@"; }
django() {
    (cd "$ddp" && DBNAME=$db DBHOST=$host DBPORT=${PGPORT:-5432} DBUSER=$(id -un) PYTHONPATH=$ddp \
        .venv/bin/python "$root/scripts/django_agrees.py" "$@")
}
expect() { # expect WHAT WANT GOT
    if [ "$2" != "$3" ]; then echo "FAIL: $1: wanted $2, got $3" >&2; exit 1; fi
    echo "ok: $1"
}

q -d postgres -c "CREATE DATABASE $db"
trap 'q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
for f in schema.sql rows.sql sequences.sql; do q -1 -d "$db" -f "$root/tests/fixtures/django/$f" >/dev/null; done
grep -v -e '^#' -e '^0001_initial$' "$root/crates/dalgo/src/db/ddpui_migrations.txt" \
    | sed "s/.*/INSERT INTO django_migrations (app, name, applied) VALUES ('ddpui', '&', now());/" | q -d "$db"

export DATABASE_URL="postgresql:///$db?host=$host" DALGO_ACTOR=django-agrees
"$dalgo" migrate -q
PASSWORD=pw-agrees-1 "$dalgo" createorganduser "Agree Org" admin@agree.org >/dev/null
PASSWORD=pw-agrees-2 "$dalgo" user add m@agree.org --org agree-org --role analyst >/dev/null
"$dalgo" manage-feature-flags REPORTS --enable --org-slug agree-org >/dev/null

expect "authenticate() logs in the admin dalgo created" "login ok" "$(django login admin@agree.org pw-agrees-1)"
expect "the admin's role as Dalgo reads it" admin "$(django role admin@agree.org agree-org)"
expect "the member's role as Dalgo reads it" analyst "$(django role m@agree.org agree-org)"
expect "is_feature_flag_enabled sees the flag dalgo enabled" True "$(django flag REPORTS agree-org)"
django add-member web@agree.org agree-org member >/dev/null
got=$("$dalgo" user list --org agree-org -o name)
expect "a membership the ORM made is in dalgo user list" yes "$(grep -qx web@agree.org <<<"$got" && echo yes || echo no)"
"$dalgo" org delete agree-org --yes >/dev/null
expect "after dalgo org delete Django finds no org" 0 "$(django orgs agree-org)"
echo "Dalgo's own code agrees"
