"""gunicorn settings, read automatically when gunicorn starts in the repository root (Docker Compose's
`web`, the surge test, a production host). Command-line flags still win over this file.

Sync workers: every request is short and CPU-bound in Python (templates, ORM), the database is on
loopback or the LAN, and a slow client is absorbed by the reverse proxy (nginx) in front. Sized by
measurement on the 2-core machine (docs/scaling.md, tests/load/): 2 x cores + 1 workers keep both
cores busy while some workers wait on PostgreSQL; more only add memory and database connections.

Environment: GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT,
GUNICORN_MAX_REQUESTS, GUNICORN_ACCESS_LOG (a path, or "-" for stdout; off by default).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count() + 1)))
# Threads > 1 switches gunicorn to its gthread worker; useful only when requests wait on I/O for long.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A hung request (a runaway query) is killed after this; PostgreSQL's statement_timeout should be lower.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Import the application once in the master: faster worker starts, shared read-only memory.
preload_app = True
# Behind the reverse proxy, which terminates TLS and sets X-Forwarded-For / X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Worker heartbeat files in memory, not on a possibly slow disk (Docker's overlay).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Each worker opens its own database connections: none may be inherited from the preloaded master."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
