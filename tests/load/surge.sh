#!/usr/bin/env bash
# The deadline surge on loopback: the benchmark PostgreSQL (with the load data set) and Redis, gunicorn
# (gunicorn.conf.py: 2 x cores + 1 sync workers), a Celery worker on every queue, and Locust headless
# with 2,000 learners (a heartbeat every 30 s) and 50 reviewers, for a fixed time. Everything it starts
# is stopped on exit. Results: var/bench/surge/ (Locust CSVs and HTML, gunicorn and Celery logs) and a
# summary table on stdout; exit status 1 when the goal (p95 < 200 ms, no errors) is missed.
#
#   bash tests/load/surge.sh                     # 2,000 learners + 50 reviewers, 4 minutes
#   SURGE_LEARNERS=500 SURGE_TIME=90s bash tests/load/surge.sh
#
# Needs: the load data set (generate_load_data, see docs/scaling.md) and locust in .venv
# (the project's `load` extra: .venv/bin/pip install -e ".[load]", or .venv/bin/pip install 'locust>=2.40,<3').
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../benchmarks/services.sh
source tests/benchmarks/services.sh
source scripts/services/celery.sh

LEARNERS=${SURGE_LEARNERS:-2000}
REVIEWERS=${SURGE_REVIEWERS:-50}
RUN_TIME=${SURGE_TIME:-4m}
SPAWN_RATE=${SURGE_SPAWN_RATE:-40}
HTTP_PORT=${SURGE_HTTP_PORT:-8792}
WORKERS=${SURGE_GUNICORN_WORKERS:-}
WSGI_APP=${SURGE_WSGI:-jinan_ce.wsgi:application}
OUT=$BENCH_DIR/surge
CELERY_LOG=$OUT/celery.log
mkdir -p "$OUT"
[ -x .venv/bin/locust ] || die "locust is not installed: .venv/bin/pip install -e \".[load]\""

exec 8>"$BENCH_DIR/.lock"
flock -n 8 || die "another benchmark run holds $BENCH_DIR/.lock"

GUNICORN_PID=
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill -TERM "$GUNICORN_PID"
        for _ in $(seq 100); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$GUNICORN_PID" 2>/dev/null
    fi
    celery_stop
    redis_stop
    pg_stop
    say "stopped gunicorn, the Celery worker, Redis and PostgreSQL this run started"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bench_pg_start
bench_redis_start
export DATABASE_URL REDIS_URL DJANGO_SETTINGS_MODULE=${SURGE_SETTINGS:-jinan_ce.settings} DJANGO_DEBUG=false
unset DJANGO_ENV
DATABASE_URL=$(pg_url)
REDIS_URL=$(redis_url 0)
.venv/bin/python -c "import sys; sys.exit(0)"  # the venv works
redis-cli -p "$REDIS_PORT" flushall >/dev/null
say "settings $DJANGO_SETTINGS_MODULE, application $WSGI_APP"

if [ "${SURGE_REUSE_SESSIONS:-}" = 1 ] && [ -s "$OUT/sessions.json" ]; then
    say "reusing the signed-in sessions of $OUT/sessions.json (less than 30 minutes old, or they expired)"
else
    say "preparing $LEARNERS learners and $REVIEWERS reviewers (signed-in sessions)"
    .venv/bin/python -m tests.load.prepare --learners "$LEARNERS" --reviewers "$REVIEWERS" --out "$OUT/sessions.json" 8>&-
fi

say "starting a Celery worker (all queues) and gunicorn on 127.0.0.1:$HTTP_PORT"
celery_start "$DATABASE_URL" 8>&-
GUNICORN_BIND=127.0.0.1:$HTTP_PORT GUNICORN_WORKERS=${WORKERS:-$((2 * $(nproc) + 1))} GUNICORN_MAX_REQUESTS=0 \
    .venv/bin/gunicorn "$WSGI_APP" -c gunicorn.conf.py >"$OUT/gunicorn.log" 2>&1 8>&- &
GUNICORN_PID=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/" 2>/dev/null && break
    kill -0 "$GUNICORN_PID" 2>/dev/null || die "gunicorn exited (log: $OUT/gunicorn.log)"
    sleep 0.2
done

say "surge: $LEARNERS learners + $REVIEWERS reviewers for $RUN_TIME (spawn $SPAWN_RATE/s)"
psql "$DATABASE_URL" -qAtc "SELECT pg_stat_reset()" >/dev/null 2>&1 || true
set +e
LOAD_SESSIONS=$OUT/sessions.json LOAD_REVIEWERS=$REVIEWERS \
    .venv/bin/locust -f tests/load/locustfile.py --headless -u $((LEARNERS + REVIEWERS)) -r "$SPAWN_RATE" \
    -t "$RUN_TIME" --host "http://127.0.0.1:$HTTP_PORT" --csv "$OUT/surge" --html "$OUT/surge.html" \
    --only-summary --stop-timeout 10 >"$OUT/locust.log" 2>&1 8>&-
locust_status=$?
set -e
tail -n 30 "$OUT/locust.log"
.venv/bin/python -m tests.load.summary "$OUT/surge_stats.csv" --loadavg "$(cut -d' ' -f1-3 /proc/loadavg)"
exit $?
