# Sourced by .ci/run (and usable by hand: `source .ci/postgres.sh && start_test_postgres`).
# Starts a throwaway PostgreSQL 15 server for the tests: initdb into a temporary folder as the
# `postgres` user, listening on 127.0.0.1 only, on a free port, synchronous_commit = on. Exports
#   YISHI_TEST_DATABASE_URL  postgres://postgres@127.0.0.1:PORT/postgres
#   YISHI_TEST_PGDATA        the cluster's folder (the kill test stops and restarts it)
#   YISHI_TEST_PGBIN         the folder of pg_ctl, pgbench, ...
# stop_test_postgres stops it and removes the folder.

YISHI_PG_VERSION=15

install_postgres() {
  if [ -x "/usr/lib/postgresql/$YISHI_PG_VERSION/bin/initdb" ]; then return 0; fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
    { echo "warning: could not install postgresql; the PostgreSQL tests will fail"; return 1; }
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

start_test_postgres() {
  install_postgres || return 1
  local bin="/usr/lib/postgresql/$YISHI_PG_VERSION/bin"
  local dir port
  dir=$(mktemp -d /tmp/yishi-pg.XXXXXX) || return 1
  chown postgres:postgres "$dir"
  chmod 0700 "$dir"
  port=$(free_port) || return 1
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
synchronous_commit = on
fsync = on
max_connections = 200
CONF
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    >/dev/null || { cat "$dir/server.log"; return 1; }
  export YISHI_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export YISHI_TEST_PGDATA="$dir/data"
  export YISHI_TEST_PGBIN="$bin"
  YISHI_TEST_PGDIR="$dir"
  echo "PostgreSQL $YISHI_PG_VERSION for the tests at $YISHI_TEST_DATABASE_URL"
}

stop_test_postgres() {
  [ -n "${YISHI_TEST_PGDIR:-}" ] || return 0
  runuser -u postgres -- "$YISHI_TEST_PGBIN/pg_ctl" -D "$YISHI_TEST_PGDATA" -m fast -w stop \
    >/dev/null 2>&1 || true
  rm -rf "$YISHI_TEST_PGDIR"
  YISHI_TEST_PGDIR=
}
