"""Django CPU per request of one page for one signed-in user, on whatever database is configured (the
demo's SQLite or the load data set): the figure that says how many requests one core can serve.

    .venv/bin/python -m tests.benchmarks.page_cpu --login 13800000005 --path '/hours/?year=2024' -n 500
    .venv/bin/python -m tests.benchmarks.page_cpu ... --profile 25     # plus cProfile's top 25 by own time

``time.process_time`` around N ``Client.get`` calls (one Client: the middleware is built once, as in a
gunicorn worker) after a warm-up; the queries of one request are listed with ``--queries``. Not
collected by pytest; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--login", default="13800000005", help="mobile number of the user")
    parser.add_argument("--path", default="/hours/?year=2024")
    parser.add_argument("-n", type=int, default=500, help="requests measured")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinan_ce.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(mobile=arguments.login))
    for _ in range(20):  # warm-up: templates compiled, caches filled, connection open
        response = client.get(arguments.path)
        if response.status_code != 200:
            raise SystemExit(f"GET {arguments.path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(arguments.path)
    queries = list(captured.captured_queries)
    if arguments.queries:
        for query in queries:
            print(query["sql"][:300])
    profiler = cProfile.Profile() if arguments.profile else None
    began_cpu, began = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for _ in range(arguments.n):
        client.get(arguments.path)
    if profiler:
        profiler.disable()
    cpu = (time.process_time() - began_cpu) / arguments.n * 1000
    wall = (time.perf_counter() - began) / arguments.n * 1000
    print(
        f"{arguments.path}: {len(queries)} queries, Django CPU {cpu:.2f} ms per request "
        f"(≈ {1000 / cpu:.0f} requests/s per core before the database's share), wall {wall:.2f} ms"
        + (" [under cProfile]" if profiler else "")
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(arguments.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
