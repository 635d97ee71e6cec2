"""The load data set for benchmarks and the surge test: a city's year at full size, on PostgreSQL.

    python manage.py generate_load_data --people 500000 --year 2024

See jinan_ce/loaddata/generate.py for what it builds and docs/scaling.md for the figures.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from jinan_ce.loaddata import generate


class Command(BaseCommand):
    help = "Generate the load data set (PostgreSQL COPY): people, organisation tree, study, claims, filings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=500_000)
        parser.add_argument("--year", type=int, default=2024, help="the year the data set shows, late in it")
        parser.add_argument("--history-years", type=int, default=3, help="full years before --year")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument(
            "--pending-claims", type=int, default=None, help="claims waiting for review (default people/5)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="skip the empty-database check (for a database holding other data; a second load set on top "
            "of a first would collide on mobile and ID numbers)",
        )
        parser.add_argument("--no-migrate", action="store_true", help="do not run migrate first")
        parser.add_argument(
            "--review-state",
            action="store_true",
            help="only add the review workflow's state (stages, queues, records) to an existing data set",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_load_data needs PostgreSQL (DATABASE_URL=postgres://...)")
        if options["people"] < 100:
            raise CommandError("--people must be at least 100")
        started = time.perf_counter()
        if not options["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        if options["review_state"]:
            with transaction.atomic():
                generate.review_state_backfill(self.stdout.write)
            self.stdout.write(f"done in {time.perf_counter() - started:.0f} s")
            return
        if not generate.database_is_empty() and not options["force"]:
            raise CommandError(
                "this database already has people; generate into an empty one (drop and re-create it); "
                "--force skips this check, but a second load set would collide with the first"
            )
        stats = generate.generate(
            generate.Options(
                people=options["people"],
                year=options["year"],
                history_years=options["history_years"],
                seed=options["seed"],
                pending_claims=options["pending_claims"],
                log=self.stdout.write,
            )
        )
        self.stdout.write("")
        self.stdout.write("rows written:")
        for table, count in sorted(stats.rows.items()):
            self.stdout.write(f"  {table:<20} {count:>12,}")
        self.stdout.write(f"database size: {generate.database_size()}")
        self.stdout.write(f"total time: {time.perf_counter() - started:.0f} s")
        self.stdout.write(
            f"every load account's password: {generate.LOAD_PASSWORD} "
            f"(professionals 16xxxxxxxxx, staff 17xxxxxxxxx; demo accounts as in the README)"
        )
