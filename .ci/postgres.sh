# Sourced by .ci/run: a throwaway PostgreSQL cluster in a temporary folder,
# reachable only through a unix socket in that folder. start_postgres exports
# IWB_TEST_POSTGRES; stop_postgres stops the cluster and removes the folder.
# PostgreSQL refuses to run as root, so as root the cluster runs as nobody.
# fsync is off (PG_FSYNC=on to change it): the cluster never outlives the
# tests, and creating a database per test would otherwise cost seconds.

start_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)"; return 1
  fi
  PG_BIN=$bindir
  PG_DIR=$(mktemp -d)
  PG_AS=()
  if [ "$(id -u)" = 0 ]; then
    chown nobody "$PG_DIR"
    PG_AS=(runuser -u nobody --)
  fi
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U iwb --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log"; return 1; }
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-k $PG_DIR -c listen_addresses='' -c max_connections=300 -c fsync=${PG_FSYNC:-off}" start >/dev/null ||
    { cat "$PG_DIR/server.log"; return 1; }
  export IWB_TEST_POSTGRES="postgres://iwb@/postgres?host=$PG_DIR"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $PG_DIR"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
}
