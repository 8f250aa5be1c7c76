#!/usr/bin/env bash
# Start a local PostgreSQL for the tests that read a real server (the business-KPI source's sql_database path)
# and print the SQLAlchemy URL on stdout. Installs PostgreSQL from the Debian packages when it is missing.
# Anything going wrong prints a warning and no URL: those tests then skip with a message, the rest still run.
set -uo pipefail
SUDO=""; AS_POSTGRES="runuser -u postgres --"
[ "$(id -u)" != 0 ] && { SUDO="sudo -n"; AS_POSTGRES="sudo -n -u postgres"; }
log() { echo "postgres: $*" >&2; }
if ! command -v pg_lsclusters >/dev/null 2>&1; then
    log "installing postgresql (Debian packages)"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null; } \
        || { log "could not install postgresql"; exit 0; }
fi
read -r VER NAME _ < <(pg_lsclusters -h | head -1)
if [ -z "${VER:-}" ]; then
    VER=$(ls /usr/lib/postgresql | sort -V | tail -1); NAME=main
    $SUDO pg_createcluster "$VER" "$NAME" >/dev/null || { log "could not create a cluster"; exit 0; }
fi
$SUDO pg_ctlcluster "$VER" "$NAME" start >&2 2>/dev/null || true
PORT=$(pg_lsclusters -h | awk -v v="$VER" -v n="$NAME" '$1==v && $2==n {print $3}')
for _ in $(seq 1 30); do pg_isready -q -h localhost -p "$PORT" && break; sleep 1; done
pg_isready -q -h localhost -p "$PORT" || { log "server did not start"; exit 0; }
PASS="finops-ci-$(date +%s)"
$AS_POSTGRES psql -q -p "$PORT" -v ON_ERROR_STOP=1 -c "set client_min_messages = warning" \
    -c "drop database if exists finops_ci" -c "drop role if exists finops_ci" \
    -c "set client_min_messages = warning" -c "create role finops_ci login password '$PASS'" -c "create database finops_ci owner finops_ci" >/dev/null \
    || { log "could not create the test role and database"; exit 0; }
echo "postgresql://finops_ci:${PASS}@localhost:${PORT}/finops_ci"
