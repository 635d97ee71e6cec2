# shellcheck shell=bash
# A private PostgreSQL 15 for the test run: its own cluster under var/ci/, on 127.0.0.1 only, trust
# authentication on loopback, no fsync. It never touches the machine's own clusters (Debian's 15/main).
# Sourced by scripts/test after common.sh.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${PG_PORT:-54329}
PG_ROLE=${PG_ROLE:-jinan_ce}
PG_DATABASE=${PG_DATABASE:-jinan_ce}

# The cluster lives in var/ci/postgres, owned by the `postgres` OS user. When the checkout sits where
# that user cannot reach (a clone under /root, mode 700), the cluster goes to /var/tmp and
# var/ci/postgres becomes a symlink to it.
_pg_prepare_datadir() {
    local wanted=var/ci/postgres
    if runuser -u postgres -- test -x "$PWD/var/ci"; then
        [ -L "$wanted" ] && rm -f "$wanted"
        PG_DATA="$PWD/$wanted"
    else
        local outside
        outside="/var/tmp/jinan_ce-ci-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
        warn "the postgres user cannot enter $PWD/var/ci; keeping the cluster in $outside/postgres"
        install -d -m 0755 "$outside"
        chown postgres: "$outside"
        [ -e "$wanted" ] && [ ! -L "$wanted" ] && rm -rf "$wanted"
        ln -sfn "$outside/postgres" "$wanted"
        PG_DATA="$outside/postgres"
    fi
    PG_LOG="$(dirname "$PG_DATA")/postgres.log"
}

# fd 9 is scripts/test's lock: the server must not inherit it.
_pg_ctl() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" "$@" 9>&-; }

# pg_start [--fresh] starts the private cluster, creating it first when missing (always with --fresh).
pg_start() {
    [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL 15 is not installed ($PG_BIN/pg_ctl missing)"
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user (is the postgresql package installed?)"
    _pg_prepare_datadir
    if _pg_ctl status >/dev/null 2>&1; then
        warn "a PostgreSQL from an earlier run is still up on $PG_DATA; stopping it"
        _pg_ctl stop -m immediate -w >/dev/null
    fi
    if [ "${1:-}" = --fresh ] || [ ! -s "$PG_DATA/PG_VERSION" ] || [ "$(cat "$PG_DATA/PG_VERSION")" != 15 ]; then
        rm -rf "$PG_DATA"
        install -d -o postgres -g postgres -m 0700 "$PG_DATA"
        runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres --encoding=UTF8 \
            --locale=C.UTF-8 --auth-local=trust --auth-host=reject --no-sync >/dev/null
        # Trust on loopback TCP only; nothing else may connect (listen_addresses keeps it off the network).
        cat >"$PG_DATA/pg_hba.conf" <<HBA
# private test cluster made by scripts/test
local all all               trust
host  all all 127.0.0.1/32  trust
HBA
        chown postgres: "$PG_DATA/pg_hba.conf"
    fi
    install -o postgres -g postgres -m 0640 /dev/null "$PG_LOG"
    if ! _pg_ctl -l "$PG_LOG" -w -t 60 start -o "-p $PG_PORT -c listen_addresses=127.0.0.1 \
        -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=60 -c shared_buffers=64MB" >/dev/null; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "PostgreSQL did not start on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    fi
    PG_STARTED=1
    # The application's role may create databases: pytest-django creates (and drops) the test database.
    _psql -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN CREATE ROLE $PG_ROLE LOGIN CREATEDB; END IF;
        END \$\$;" >/dev/null
    if [ -z "$(_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" ]; then
        _psql -c "CREATE DATABASE $PG_DATABASE OWNER $PG_ROLE" >/dev/null
    fi
}

_psql() { runuser -u postgres -- "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

pg_stop() {
    if [ -n "${PG_STARTED:-}" ]; then
        _pg_ctl stop -m fast -w -t 30 >/dev/null 2>&1 || _pg_ctl stop -m immediate >/dev/null 2>&1 || true
        PG_STARTED=
    fi
}

pg_url() { printf 'postgres://%s@127.0.0.1:%s/%s' "$PG_ROLE" "$PG_PORT" "${1:-$PG_DATABASE}"; }
