# shellcheck shell=bash
# A private redis-server for the test run on 127.0.0.1:63799, daemonized, in var/ci/redis, nothing
# saved to disk. Sourced by scripts/test after common.sh.

REDIS_PORT=${REDIS_PORT:-63799}

_redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

redis_start() {
    command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed"
    local dir="$PWD/var/ci/redis" pid
    install -d -m 0755 "$dir"
    pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        warn "a redis-server from an earlier run is still up (pid $pid); stopping it"
        _redis_cli shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    if _redis_cli ping >/dev/null 2>&1; then
        die "something else already answers on 127.0.0.1:$REDIS_PORT; set REDIS_PORT to another port"
    fi
    rm -f "$dir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$dir" \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no \
        --protected-mode yes >/dev/null 9>&-
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

redis_stop() {
    if [ -n "${REDIS_STARTED:-}" ]; then
        _redis_cli shutdown nosave >/dev/null 2>&1 || true
        REDIS_STARTED=
    fi
}

redis_url() { printf 'redis://127.0.0.1:%s/%s' "$REDIS_PORT" "${1:-0}"; }
