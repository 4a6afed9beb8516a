# shellcheck shell=bash
# Start a throwaway PostgreSQL server for the store's tests; `.ci/run` sources this.
#
# - installs PostgreSQL from the Debian packages if `initdb` / `pg_ctl` are missing;
# - runs the server as the `postgres` system user when we are root (PostgreSQL
#   refuses to run as root), in a temporary directory that user owns;
# - listens on a Unix socket in that directory only (no TCP port);
# - exports XINFANG_TEST_PG_URL for the tests;
# - registers an EXIT trap that stops the server and removes the directory.

_xf_pg_bin=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    _xf_pg_bin="$(dirname "$(readlink -f "$(command -v initdb)")")"
else
    for _xf_dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$_xf_dir/initdb" ]; then _xf_pg_bin="$_xf_dir"; fi
    done
    if [ -z "$_xf_pg_bin" ]; then
        echo "== installing PostgreSQL (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq postgresql >/dev/null
        for _xf_dir in /usr/lib/postgresql/*/bin; do
            if [ -x "$_xf_dir/initdb" ]; then _xf_pg_bin="$_xf_dir"; fi
        done
    fi
fi
if [ -z "$_xf_pg_bin" ]; then
    echo "no PostgreSQL server binaries found or installed" >&2
    return 1 2>/dev/null || exit 1
fi

_xf_pg_dir="$(mktemp -d -t xinfang-pg.XXXXXX)"
if [ "$(id -u)" = "0" ]; then
    chown postgres: "$_xf_pg_dir"
    _xf_pg_as() { runuser -u postgres -- "$@"; }
else
    _xf_pg_as() { "$@"; }
fi

_xf_pg_stop() {
    _xf_pg_as "$_xf_pg_bin/pg_ctl" -D "$_xf_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$_xf_pg_dir"
}
trap _xf_pg_stop EXIT

echo "== starting a throwaway PostgreSQL ($_xf_pg_bin) in $_xf_pg_dir"
_xf_pg_as "$_xf_pg_bin/initdb" -D "$_xf_pg_dir/data" -U postgres -A trust -E UTF8 \
    --no-locale >"$_xf_pg_dir/initdb.log" 2>&1
_xf_pg_as "$_xf_pg_bin/pg_ctl" -D "$_xf_pg_dir/data" -l "$_xf_pg_dir/server.log" -w \
    -o "-c listen_addresses='' -k $_xf_pg_dir -p 5432 -c max_connections=100" \
    start >/dev/null
export XINFANG_TEST_PG_URL="postgresql://postgres@/postgres?host=$_xf_pg_dir&port=5432"
echo "XINFANG_TEST_PG_URL=$XINFANG_TEST_PG_URL"
