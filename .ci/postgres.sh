#!/usr/bin/env bash
# Installs (from Debian packages) and starts a throwaway PostgreSQL on 127.0.0.1:55432, then
# prints the URL for QX_TEST_DATABASE_URL. Used by .ci/run; handy locally too:
#   export QX_TEST_DATABASE_URL=$(bash .ci/postgres.sh)
set -euo pipefail
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  apt-get clean
fi
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
data=/tmp/qx-test-pg
port=55432
if ! su postgres -c "$bin/pg_ctl -D $data status" >/dev/null 2>&1; then
  rm -rf "$data"
  mkdir -p "$data"
  chown postgres "$data"
  su postgres -c "$bin/initdb -D $data -A trust -U postgres -E UTF8 --locale=C.UTF-8" >&2
  su postgres -c "$bin/pg_ctl -D $data -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off' -l $data/server.log -w start" >&2
fi
echo "postgres://postgres@127.0.0.1:$port/postgres"
