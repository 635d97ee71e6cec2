#!/usr/bin/env bash
# Runs one command with the benchmark PostgreSQL (127.0.0.1:54349, var/bench/postgres) and Redis
# (127.0.0.1:63819) up, DATABASE_URL / REDIS_URL exported, and stops both afterwards whatever happens.
# The data set stays in var/bench/postgres between runs.
#
#   bash tests/benchmarks/with_services.sh .venv/bin/python manage.py generate_load_data --people 500000 --year 2024
#   bash tests/benchmarks/with_services.sh .venv/bin/python -m tests.benchmarks.run
#   bash tests/benchmarks/with_services.sh bash        # a shell on the data set
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=services.sh
source tests/benchmarks/services.sh

[ $# -gt 0 ] || die "usage: bash tests/benchmarks/with_services.sh COMMAND [ARGS...]"
mkdir -p "$BENCH_DIR"
exec 8>"$BENCH_DIR/.lock"
flock -n 8 || die "another benchmark run holds $BENCH_DIR/.lock"

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    redis_stop
    pg_stop
    say "stopped the benchmark PostgreSQL and Redis"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_apt_packages postgresql redis-server
bench_pg_start
bench_redis_start
export DATABASE_URL REDIS_URL BENCH_PG_PORT=$PG_PORT BENCH_REDIS_PORT=$REDIS_PORT
DATABASE_URL=$(pg_url)
REDIS_URL=$(redis_url 0)
export DJANGO_SETTINGS_MODULE=jinan_ce.settings
# Figures are taken as in production: no per-query recording.
export DJANGO_DEBUG=${DJANGO_DEBUG:-false}
unset DJANGO_ENV
say "benchmark stack: DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL (data $PG_DATA)"
set +e
"$@" 8>&-
status=$?
set -e
exit "$status"
