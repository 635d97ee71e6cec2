# shellcheck shell=bash
# A real Celery worker for the test run, in the background, logging to var/ci/celery.log. Its
# DATABASE_URL points at the *test* database so tasks sent by tests (which commit their data through
# transactional_db) find that data. Sourced by scripts/test after common.sh.

CELERY_LOG=${CELERY_LOG:-var/ci/celery.log}

# celery_start DATABASE_URL
celery_start() {
    local database_url=$1
    : >"$CELERY_LOG"
    # CONN_MAX_AGE=0: the worker closes its connection after each task, so pytest-django can drop the
    # test database at the end of the session.
    DATABASE_URL="$database_url" DATABASE_CONN_MAX_AGE=0 \
        .venv/bin/celery -A jinan_ce worker --pool=solo --concurrency=1 -l info \
        --hostname "jinan_ce_test@%h" --without-gossip --without-mingle \
        >>"$CELERY_LOG" 2>&1 9>&- &
    CELERY_PID=$!
    for _ in $(seq 600); do
        if ! kill -0 "$CELERY_PID" 2>/dev/null; then
            tail -n 40 "$CELERY_LOG" >&2 || true
            CELERY_PID=
            die "the Celery worker exited during start-up (log: $CELERY_LOG)"
        fi
        grep -q ' ready\.' "$CELERY_LOG" && return 0
        sleep 0.1
    done
    tail -n 40 "$CELERY_LOG" >&2 || true
    die "the Celery worker was not ready after 60 s (log: $CELERY_LOG)"
}

celery_stop() {
    if [ -n "${CELERY_PID:-}" ] && kill -0 "$CELERY_PID" 2>/dev/null; then
        kill -TERM "$CELERY_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$CELERY_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$CELERY_PID" 2>/dev/null || true
        wait "$CELERY_PID" 2>/dev/null || true
    fi
    CELERY_PID=
}
