#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 with trust auth and a database `test`, as on the project's machines.
# Where nothing answers, it installs Debian's postgresql (if missing), trusts local connections and starts the cluster.
# DRY_RUN=1 prints what it would change instead of changing it; PG_PORT_CHECK=absent acts as if nothing answered,
# PG_LIB=/nowhere as if postgresql were not installed.
set -euo pipefail
PG_LIB=${PG_LIB:-/usr/lib/postgresql}
run() { if [ -n "${DRY_RUN:-}" ]; then echo "would run: $*"; else "$@"; fi }
answers() {
  [ "${PG_PORT_CHECK:-}" != absent ] && (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

if answers; then
  echo "postgres: a server answers on 127.0.0.1:5432"
else
  echo "postgres: nothing answers on 127.0.0.1:5432, starting Debian's postgresql"
  if ! ls "$PG_LIB"/*/bin/postgres >/dev/null 2>&1; then
    run apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  fi
  version=$(ls "$PG_LIB" 2>/dev/null | sort -V | tail -1)
  version=${version:-15}
  if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then run pg_createcluster --port 5432 "$version" main; fi
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # Trust connections from this machine only: the tests connect as postgres without a password.
  run sed -i -E 's/^(local\s+all\s+all\s+)\S+$/\1trust/; s/^(local\s+all\s+postgres\s+)\S+$/\1trust/; s/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+$/\1trust/' "$hba"
  # Started anew so the trust lines apply (a cluster that is down only starts; `restart` refuses it).
  run pg_ctlcluster "$version" main stop 2>/dev/null || true
  run pg_ctlcluster "$version" main start
  if [ -z "${DRY_RUN:-}" ]; then
    for _ in $(seq 1 30); do answers && break; sleep 1; done
    answers || { echo "postgres: the cluster did not start"; exit 1; }
  fi
fi

if [ -n "${DRY_RUN:-}" ]; then
  echo "would run: psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE test' (when it does not exist)"
elif ! psql -h 127.0.0.1 -U postgres -d test -Atc 'SELECT 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
fi
echo "postgres: ready (database test)"
