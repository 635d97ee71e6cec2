# shellcheck shell=bash
# The benchmark stack: a private PostgreSQL 15 holding the big load data set and a private Redis, both on
# 127.0.0.1 only, under var/bench/ and on their own ports (54349, 63819), so they never collide with the
# cluster scripts/test starts in var/ci/ on 54329/63799. Reuses scripts/services/*.sh (apt, the
# postgres OS user, psql, URLs); only the data directory and the server settings differ.
#
# Unlike the test cluster this one is durable (fsync and synchronous_commit on): write figures measured
# on it are honest. It is sized for the 24 GiB / 2-core machine: 4 GiB shared_buffers, enough
# connections for 2 x 5 gunicorn workers, Celery and the benchmark clients.
#
# Sourced by tests/benchmarks/with_services.sh (which traps and stops what it started).

# shellcheck source=../../scripts/services/common.sh
source scripts/services/common.sh
PG_PORT=${BENCH_PG_PORT:-54349}
REDIS_PORT=${BENCH_REDIS_PORT:-63819}
PG_DATABASE=${BENCH_PG_DATABASE:-jinan_ce_load}
# shellcheck source=../../scripts/services/postgres.sh
source scripts/services/postgres.sh
# shellcheck source=../../scripts/services/redis.sh
source scripts/services/redis.sh

BENCH_DIR=${BENCH_DIR:-var/bench}

# Same logic as scripts/services/postgres.sh, for var/bench/postgres.
_pg_prepare_datadir() {
    local wanted="$BENCH_DIR/postgres"
    install -d -m 0755 "$BENCH_DIR"
    if runuser -u postgres -- test -x "$PWD/$BENCH_DIR"; then
        [ -L "$wanted" ] && rm -f "$wanted"
        PG_DATA="$PWD/$wanted"
    else
        local outside
        outside="/var/tmp/jinan_ce-bench-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
        warn "the postgres user cannot enter $PWD/$BENCH_DIR; keeping the cluster in $outside/postgres"
        install -d -m 0755 "$outside"
        chown postgres: "$outside"
        [ -e "$wanted" ] && [ ! -L "$wanted" ] && rm -rf "$wanted"
        ln -sfn "$outside/postgres" "$wanted"
        PG_DATA="$outside/postgres"
    fi
    PG_LOG="$(dirname "$PG_DATA")/postgres.log"
}

bench_pg_start() {
    [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL 15 is not installed ($PG_BIN/pg_ctl missing)"
    id postgres >/dev/null 2>&1 || die "no 'postgres' OS user (is the postgresql package installed?)"
    _pg_prepare_datadir
    if _pg_ctl status >/dev/null 2>&1; then
        warn "the benchmark PostgreSQL from an earlier run is still up on $PG_DATA; stopping it"
        _pg_ctl stop -m fast -w >/dev/null
    fi
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
        install -d -o postgres -g postgres -m 0700 "$PG_DATA"
        runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" --username=postgres --encoding=UTF8 \
            --locale=C.UTF-8 --auth-local=trust --auth-host=reject >/dev/null
        cat >"$PG_DATA/pg_hba.conf" <<HBA
# private benchmark cluster made by tests/benchmarks/services.sh
local all all               trust
host  all all 127.0.0.1/32  trust
HBA
        chown postgres: "$PG_DATA/pg_hba.conf"
    fi
    install -o postgres -g postgres -m 0640 /dev/null "$PG_LOG"
    if ! _pg_ctl -l "$PG_LOG" -w -t 120 start -o "-p $PG_PORT -c listen_addresses=127.0.0.1 \
        -c unix_socket_directories='' -c max_connections=120 -c shared_buffers=4GB \
        -c effective_cache_size=16GB -c work_mem=32MB -c maintenance_work_mem=1GB \
        -c max_wal_size=8GB -c checkpoint_timeout=15min -c random_page_cost=1.1 \
        -c effective_io_concurrency=100 -c max_parallel_workers_per_gather=1 \
        -c jit=off -c track_io_timing=on -c log_min_duration_statement=${BENCH_PG_LOG_SLOW_MS:-500}" >/dev/null; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "the benchmark PostgreSQL did not start on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
    fi
    PG_STARTED=1
    _psql -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN CREATE ROLE $PG_ROLE LOGIN CREATEDB; END IF;
        END \$\$;" >/dev/null
    if [ -z "$(_psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'")" ]; then
        _psql -c "CREATE DATABASE $PG_DATABASE OWNER $PG_ROLE" >/dev/null
    fi
    # pg_stat_statements is in Debian's postgresql-15 package; enabled when preloaded (optional).
    _psql -d "$PG_DATABASE" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true
}

# bench_redis_start: scripts/services/redis.sh's server, in var/bench/redis.
bench_redis_start() {
    command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed"
    local dir="$PWD/$BENCH_DIR/redis" pid
    install -d -m 0755 "$dir"
    pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        warn "a benchmark redis-server from an earlier run is still up (pid $pid); stopping it"
        _redis_cli shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if _redis_cli ping >/dev/null 2>&1; then
        die "something else already answers on 127.0.0.1:$REDIS_PORT; set BENCH_REDIS_PORT to another port"
    fi
    rm -f "$dir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$dir" \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no \
        --protected-mode yes --maxmemory 1gb --maxmemory-policy noeviction >/dev/null 9>&-
    for _ in $(seq 100); do
        if [ "$(_redis_cli ping 2>/dev/null)" = PONG ]; then
            REDIS_STARTED=1
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$dir/redis.log" >&2 || true
    die "redis-server did not answer on 127.0.0.1:$REDIS_PORT"
}
