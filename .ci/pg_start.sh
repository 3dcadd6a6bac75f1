# Sourced by .ci/run: a throwaway PostgreSQL server on 127.0.0.1 for the ledger tests.
# Exports TIER_ROUTER_TEST_PG_URL; the server and its folder are removed on exit (trap).
# initdb refuses root, so the server runs as the `postgres` user that Debian's package makes.
pg_bindir() {
    local d
    if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir; return
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
}
if [ -z "$(pg_bindir)" ]; then
    apt-get update -q && apt-get install -y -q postgresql
fi
PG_BIN="$(pg_bindir)"
PG_DIR="$(mktemp -d /tmp/tier-router-ci-pg.XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
PG_USER=postgres
if [ "$(id -u)" = 0 ]; then
    chown "$PG_USER" "$PG_DIR"
    PG_AS=(runuser -u "$PG_USER" --)
else
    PG_AS=()
    PG_USER="$(id -un)"
fi
"${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U "$PG_USER" >/dev/null
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
    -w start >/dev/null
pg_stop() {
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap pg_stop EXIT
export TIER_ROUTER_TEST_PG_URL="postgresql://$PG_USER@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL for the tests: $TIER_ROUTER_TEST_PG_URL"
