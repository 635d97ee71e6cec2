# ruff: noqa: E501, S603  (result lines read better unwrapped; commands are fixed lists, no shell)
"""Every benchmark on the load data set, in one command, ending with one table (metric, value, goal,
result). Run it on the benchmark stack, after ``generate_load_data``:

    bash tests/benchmarks/with_services.sh .venv/bin/python -m tests.benchmarks.run [--quick] [--others]

1. Single user, in process (Django's test Client, the real database and Redis cache): 我的学时 and the
   dashboard of 300 different professionals, the reviewer queue's first page for a unit admin, a
   department reviewer, a county bureau and the city bureau (100,000+ claims pending), claim submit and
   final approval, course heartbeats (service). p50/p95 and queries per request (CaptureQueriesContext).
2. Over HTTP, against gunicorn on 127.0.0.1: one sync worker pinned to CPU 1 (PostgreSQL, Redis and wrk
   on CPU 0), driven by wrk with a different signed-in user per request: requests per second *per core*
   at saturation (4 connections), and p50/p95 with one connection (a single user over HTTP).
3. ``--others``: the roster import, certificate and city-wide report benchmarks of the filings and
   certificates issues (tests/benchmarks/bench_*.py, owned by those issues), run as they are and their
   last lines shown.

Timing assertions never live in the test suite; this prints figures and exits 0 unless something broke.
Only 127.0.0.1 is ever contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import Row, Timing, frozen_today, measure, print_table, setup_django

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2024
SNAPSHOT = datetime.date(YEAR, 11, 20)
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8791"))
GOALS = {
    "hours_rps_per_core": 300.0,
    "hours_p95_ms": 30.0,
    "queue_p95_ms": 50.0,
}


def log(message: str) -> None:
    print(message, flush=True)


# --- sample accounts ------------------------------------------------------------------------------------


def sample_professionals(count: int, seed: int = 8) -> list[Any]:
    from accounts.models import User

    ids = list(User.objects.filter(mobile__startswith="16").values_list("id", flat=True).order_by("id"))
    if not ids:
        raise SystemExit("no load data: run generate_load_data first")
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return list(User.objects.filter(id__in=chosen))


def reviewers() -> dict[str, Any]:
    """One reviewer of each level, where the most claims wait."""
    from django.db.models import Count

    from accounts.models import Organisation, Role, RoleAssignment
    from hours.models import Claim, ClaimStatus

    pending = Claim.objects.filter(status=ClaimStatus.SUBMITTED)
    busiest_unit = pending.values("unit").annotate(n=Count("id")).order_by("-n").first()
    result: dict[str, Any] = {}
    if busiest_unit:
        unit = Organisation.objects.get(pk=busiest_unit["unit"])
        result["unit admin"] = _holder(Role.UNIT_ADMIN, unit.pk)
        if unit.parent and unit.parent.kind == "department":
            result["department reviewer"] = _holder(Role.DEPARTMENT_REVIEWER, unit.parent_id)
        busiest_bureau = (
            pending.exclude(unit__bureau__kind="city_bureau")
            .values("unit__bureau")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if busiest_bureau:
            result["county bureau"] = _holder(Role.COUNTY_BUREAU_STAFF, busiest_bureau["unit__bureau"])
    city = RoleAssignment.objects.filter(role=Role.CITY_BUREAU_STAFF, user__mobile__startswith="17").first()
    if city:
        result["city bureau"] = city.user
    return {label: user for label, user in result.items() if user is not None}


def _holder(role: str, organisation_id: int) -> Any:
    from accounts.models import RoleAssignment

    assignment = (
        RoleAssignment.objects.filter(role=role, organisation_id=organisation_id, is_active=True)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def client_for(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class Browser:
    """One test Client (one handler: middleware is built once, as in a gunicorn worker; a Client per
    user would rebuild it, WhiteNoise's file scan included, on its first request) playing many
    signed-in users, one session cookie each."""

    def __init__(self, users: list[Any]) -> None:
        from django.test import Client

        self.client = Client()
        self.cookies = [client_for(user).cookies["sessionid"].value for user in users]

    def get(self, index: int, path: str) -> None:
        self.client.cookies["sessionid"] = self.cookies[index % len(self.cookies)]
        response = self.client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")


# --- single user, in process ------------------------------------------------------------------------------


def page_timing(browser: Browser, path: str, rounds: int) -> Timing:
    count = len(browser.cookies)
    for index in range(min(5, count)):  # warm-up: templates compiled, year rules cached, connection open
        browser.get(index, path)
    calls = [lambda index=index: browser.get(index, path) for index in range(count * rounds)]
    return measure(calls)


def review_queue_path() -> str | None:
    """The review workflow's queue page, once it exists (any hours URL named like a review queue)."""
    from django.urls import get_resolver

    for name in (
        "hours_review_queue",
        "hours_review",
        "hours_reviews",
        "hours_claims_review",
        "review_queue",
    ):
        if name in get_resolver().reverse_dict:
            from django.urls import reverse

            try:
                return reverse(name)
            except Exception:  # noqa: S112  (a name with arguments is not the queue's first page)
                continue
    return None


def queue_selector_timing(user: Any, rounds: int) -> tuple[Timing, str]:
    """Until the review queue page exists, its query: the first 20 claims waiting at the user's
    organisations (``Claim.review_organisation``, oldest first) and their number, as the review workflow
    indexes it; before the workflow, the pending claims of the user's jurisdiction."""
    from hours import selectors
    from hours.models import Claim, ClaimStatus

    try:
        from hours.review_policies import acting_organisation_ids
    except ImportError:
        acting_organisation_ids = None

    def first_page() -> None:
        from accounts import policies

        policies.forget_roles(user)
        if acting_organisation_ids is not None:
            claims = Claim.objects.filter(
                review_organisation_id__in=acting_organisation_ids(user), status=ClaimStatus.SUBMITTED
            ).select_related("person", "unit")
        else:
            claims = selectors.claims_visible_to(user).filter(status=ClaimStatus.SUBMITTED)
        list(claims.order_by("submitted_at", "id")[:20])
        claims.count()

    what = (
        "claims at the user's stage: first 20 + count (query only; no queue page yet)"
        if acting_organisation_ids is not None
        else "pending claims in jurisdiction: first 20 + count (selector; no queue page yet)"
    )
    first_page()
    return measure([first_page] * rounds), what


ERRORS: dict[str, int] = {}
FIRST_ERROR: dict[str, str] = {}


def _counting_errors(function: Any) -> Any:
    """A benchmark call that records an unexpected error (code still being written by another issue)
    instead of ending the run; the table says how many calls failed and why."""

    def call(*args: Any, **kwargs: Any) -> None:
        try:
            function(*args, **kwargs)
        except Exception as error:
            from django.db import connection

            name = function.__name__
            ERRORS[name] = ERRORS.get(name, 0) + 1
            FIRST_ERROR.setdefault(name, f"{type(error).__name__}: {error}"[:120])
            if connection.in_atomic_block:
                raise

    call.__name__ = function.__name__
    return call


def claim_timings(professionals: list[Any], bureau_user: Any, count: int) -> tuple[Timing, Timing, int]:
    """Claim submit (create with evidence, then submit) for ``count`` people, and the final approval of
    ``count`` pending claims at the bureau stage, on the data set's snapshot day."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Q

    from hours import services
    from hours.models import Claim, ClaimStatus

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    submits = []
    for number, person in enumerate(professionals[:count]):

        def submit(person: Any = person, number: int = number) -> None:
            claim = services.claim_save(
                actor=person,
                rule_code="PUB-3",
                year=YEAR,
                fields={"modules": "1", "certificate_number": f"BENCH{secrets.token_hex(6)}{number}"},
                uploads=[SimpleUploadedFile("证书.pdf", pdf, content_type="application/pdf")],
                claim_id=None,
            )
            # A cap already reached is refused, as a real submission would be.
            with contextlib.suppress(ValidationError):
                services.claim_submit(actor=person, claim_id=claim.pk)

        submit = _counting_errors(submit)

        submits.append(submit)
    approvals = []
    refused = 0
    from accounts import policies

    try:
        from hours.review_policies import acting_organisation_ids

        at_bureau = Q(review_organisation_id__in=acting_organisation_ids(bureau_user))
    except ImportError:
        governed = policies.governed_paths(bureau_user, policies.BUREAU_ROLES)
        at_bureau = Q(unit__path__startswith=governed[0])
    pending = list(
        Claim.objects.filter(at_bureau, status=ClaimStatus.SUBMITTED, current_stage=3)
        .order_by("submitted_at")
        .values_list("id", flat=True)[:count]
    )

    def approve(claim_id: int) -> None:
        nonlocal refused
        try:
            from hours.review import review_decide
        except ImportError:
            review_decide = None
        try:
            if review_decide is not None:
                review_decide(actor=bureau_user, claim_id=claim_id, decision="approve")
            else:
                services.claim_post_approved(claim=Claim.objects.get(pk=claim_id), actor=bureau_user)
        except ValidationError:
            refused += 1

    approve = _counting_errors(approve)  # type: ignore[assignment]
    approvals = [lambda claim_id=claim_id: approve(claim_id) for claim_id in pending]
    with frozen_today(SNAPSHOT):
        submit_timing = measure(submits)
        approve_timing = measure(approvals)
    return submit_timing, approve_timing, refused


def learners_with_sessions(count: int) -> list[tuple[Any, Any]]:
    """Learners with a lesson in progress, each with a freshly opened study session."""
    from learning.models import StudyLease
    from learning.services import study

    leases = list(
        StudyLease.objects.filter(session__token__startswith="load")
        .select_related("person", "session__progress__lesson__course")
        .order_by("person_id")[: count * 2]
    )
    opened = []
    for lease in leases:
        if len(opened) >= count:
            break
        try:
            session = study.study_open(actor=lease.person, lesson=lease.session.progress.lesson)
        except Exception:  # noqa: S112  (a course closed to this learner since: skip them)
            continue
        opened.append((lease.person, session))
    return opened


def heartbeat_timing(opened: list[tuple[Any, Any]], rounds: int) -> Timing:
    from learning.services import study

    positions = {session.token: session.position_ms / 1000 for _person, session in opened}
    calls = []
    for _ in range(rounds):
        for person, session in opened:

            def beat(person: Any = person, token: str = session.token) -> None:
                positions[token] += 30
                study.study_heartbeat(actor=person, token=token, position_seconds=positions[token])

            calls.append(beat)
    return measure(calls)


# --- HTTP ---------------------------------------------------------------------------------------------


def session_lines(users: list[Any], tokens: dict[int, str] | None = None) -> list[str]:
    """sessionid, csrftoken and heartbeat token (or -) of each user, signed in without a password hash."""
    lines = []
    for user in users:
        client = client_for(user)
        csrf = secrets.token_hex(16)
        token = (tokens or {}).get(user.pk, "-")
        lines.append(f"{client.cookies['sessionid'].value}\t{csrf}\t{token}")
    return lines


class Gunicorn:
    def __init__(self, workers: int, cpus: str | None) -> None:
        self.workers = workers
        self.cpus = cpus
        self.process: subprocess.Popen[bytes] | None = None
        self.log = ROOT / "var" / "bench" / "logs" / f"gunicorn-{workers}w.log"

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "jinan_ce.wsgi:application",
            "-c",
            "gunicorn.conf.py",
        ]
        if self.cpus and shutil.which("taskset"):
            command = ["taskset", "-c", self.cpus, *command]
        environment = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{HTTP_PORT}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_MAX_REQUESTS": "0",
        }
        with self.log.open("wb") as handle:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        import urllib.request

        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/", timeout=2)
                return self
            except Exception:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited; see {self.log}") from None
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc: Any) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wrk(
    path: str, sessions_file: Path, connections: int, seconds: int, body: str = "get"
) -> dict[str, float]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install -y wrk)")
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "tests" / "benchmarks" / "wrk_sessions.lua"),
        f"http://127.0.0.1:{HTTP_PORT}{path}",
    ]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    environment = {**os.environ, "WRK_SESSIONS": str(sessions_file), "WRK_BODY": body}
    output = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    for line in reversed(output.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            result["rps"] = result["requests"] / result["seconds"]
            return result
    raise RuntimeError(f"wrk printed no result: {output.stdout[-500:]} {output.stderr[-500:]}")


# --- the run ----------------------------------------------------------------------------------------------


def dataset_rows() -> list[Row]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM accounts_user WHERE mobile LIKE '16%%'),
                      (SELECT count(*) FROM accounts_organisation WHERE kind = 'unit'),
                      (SELECT count(*) FROM hours_ledgerentry),
                      (SELECT count(*) FROM hours_ledgerentry WHERE year = %s),
                      (SELECT count(*) FROM hours_claim WHERE status = 'submitted'),
                      pg_size_pretty(pg_database_size(current_database()))""",
            [YEAR],
        )
        people, units, ledger, ledger_year, pending, size = cursor.fetchone()
    return [
        Row("data set: professionals / units", f"{people:,} / {units:,}"),
        Row("data set: ledger entries (all years / 2024)", f"{ledger:,} / {ledger_year:,}"),
        Row("data set: claims pending review", f"{pending:,}", "≥ 100,000", pending >= 100_000),
        Row("data set: database size", size),
    ]


def run_others(people: int) -> list[Row]:
    rows = []
    for module, arguments in (
        ("bench_roster_import", []),
        ("bench_certificates", []),
        ("bench_report", ["--people", str(people)]),
    ):
        if not (ROOT / "tests" / "benchmarks" / f"{module}.py").exists():
            rows.append(Row(f"{module}.py", "not present yet"))
            continue
        log(f"--- tests/benchmarks/{module}.py (owned by its issue) ---")
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", f"tests.benchmarks.{module}", *arguments],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        tail = (result.stdout + result.stderr).strip().splitlines()[-12:]
        for line in tail:
            log(f"    {line}")
        rows.append(
            Row(
                f"{module}.py",
                f"exit {result.returncode} in {time.perf_counter() - started:.0f} s",
                note="figures above",
            )
        )
    return rows


def http_rows(professionals: list[Any], seconds: int) -> list[Row]:
    rows: list[Row] = []
    log("HTTP: gunicorn, 1 sync worker on CPU 1; wrk on CPU 0 ...")
    with tempfile.TemporaryDirectory() as scratch:
        page_sessions = Path(scratch) / "pages.tsv"
        page_sessions.write_text("\n".join(session_lines(professionals)) + "\n")
        beat_learners = learners_with_sessions(300)
        beat_sessions = Path(scratch) / "beats.tsv"
        beat_sessions.write_text(
            "\n".join(
                session_lines([p for p, _s in beat_learners], {p.pk: s.token for p, s in beat_learners})
            )
            + "\n"
        )
        with Gunicorn(workers=1, cpus="1"):
            for label, path, body, sessions_file in (
                ("我的学时 /hours/", f"/hours/?year={YEAR}", "get", page_sessions),
                ("dashboard (professional)", "/dashboard/", "get", page_sessions),
                (
                    "heartbeat POST /api/learning/heartbeats/",
                    "/api/learning/heartbeats/",
                    "heartbeat",
                    beat_sessions,
                ),
            ):
                wrk(path, sessions_file, 2, 3, body)  # warm-up
                single = wrk(path, sessions_file, 1, seconds // 2, body)
                loaded = wrk(path, sessions_file, 4, seconds, body)
                is_hours = path.startswith("/hours/")
                rows.append(
                    Row(
                        f"{label}: requests/s per core (HTTP, 1 worker, 4 connections)",
                        f"{loaded['rps']:.0f}",
                        f"≥ {GOALS['hours_rps_per_core']:.0f}" if is_hours else "—",
                        loaded["rps"] >= GOALS["hours_rps_per_core"] if is_hours else None,
                        f"{loaded['status_errors'] + loaded['socket_errors']} errors",
                    )
                )
                rows.append(
                    Row(
                        f"{label}: p50 / p95 (HTTP, one user at a time)",
                        f"{single['p50_ms']:.1f} / {single['p95_ms']:.1f} ms",
                        f"p95 ≤ {GOALS['hours_p95_ms']:.0f} ms" if is_hours else "—",
                        single["p95_ms"] <= GOALS["hours_p95_ms"] if is_hours else None,
                        f"{single['rps']:.0f} req/s",
                    )
                )
        with Gunicorn(workers=5, cpus=None):
            wrk(f"/hours/?year={YEAR}", page_sessions, 4, 3)
            total = wrk(f"/hours/?year={YEAR}", page_sessions, 10, seconds)
            rows.append(
                Row(
                    "我的学时 /hours/: requests/s, whole machine (5 workers, 10 connections)",
                    f"{total['rps']:.0f}",
                    note=f"p95 {total['p95_ms']:.0f} ms, wrk and PostgreSQL share the 2 cores",
                )
            )

    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter HTTP runs")
    parser.add_argument("--others", action="store_true", help="also run the other issues' bench_*.py")
    parser.add_argument("--people", type=int, default=500_000, help="passed to bench_report.py")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-only", action="store_true", help="only the HTTP figures")
    parser.add_argument("--settings", help="another settings module, to measure a change before adopting it")
    arguments = parser.parse_args()
    if arguments.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = arguments.settings
    setup_django()
    from django.core.cache import cache

    rounds = 1 if arguments.quick else 3
    seconds = 8 if arguments.quick else 20
    rows: list[Row] = dataset_rows()
    cache.clear()

    professionals = sample_professionals(300)
    if arguments.http_only:
        rows += http_rows(professionals, seconds)
        return finish(rows)
    log("single user: 我的学时 and dashboard of 300 professionals ...")
    browser = Browser(professionals)
    hours = page_timing(browser, f"/hours/?year={YEAR}", rounds)
    rows.append(
        Row(
            "我的学时 /hours/: p50 / p95 (single user, in process)",
            f"{hours.p50:.1f} / {hours.p95:.1f} ms",
            f"p95 ≤ {GOALS['hours_p95_ms']:.0f} ms",
            hours.p95 <= GOALS["hours_p95_ms"],
        )
    )
    rows.append(Row("我的学时 /hours/: queries per request", hours.query_range, "fixed", hours.fixed_queries))
    rows.append(
        Row(
            "我的学时 /hours/: Django CPU per request (p50)",
            f"{hours.cpu_p50:.1f} ms",
            note=f"≈ {1000 / hours.cpu_p50:.0f} req/s per core before PostgreSQL's share",
        )
    )
    dashboard = page_timing(browser, "/dashboard/", rounds)
    rows.append(
        Row(
            "dashboard (professional): p50 / p95",
            f"{dashboard.p50:.1f} / {dashboard.p95:.1f} ms",
            note=f"Django CPU {dashboard.cpu_p50:.1f} ms",
        )
    )
    rows.append(
        Row(
            "dashboard (professional): queries per request",
            dashboard.query_range,
            "fixed",
            dashboard.fixed_queries,
        )
    )

    staff = reviewers()
    queue_path = review_queue_path()
    for label, user in staff.items():
        log(f"reviewer queue first page: {label} ...")
        if queue_path:
            timing = page_timing(Browser([user]), queue_path, 20 * rounds)
            what = f"review queue {queue_path}"
        else:
            timing, what = queue_selector_timing(user, 20 * rounds)
        rows.append(
            Row(
                f"reviewer queue ({label}): p50 / p95",
                f"{timing.p50:.1f} / {timing.p95:.1f} ms",
                f"p95 ≤ {GOALS['queue_p95_ms']:.0f} ms",
                timing.p95 <= GOALS["queue_p95_ms"],
                what,
            )
        )
        rows.append(Row(f"reviewer queue ({label}): queries", timing.query_range))
        staff_dashboard = page_timing(Browser([user]), "/dashboard/", 3 * rounds)
        rows.append(
            Row(
                f"dashboard ({label}): p50 / p95",
                f"{staff_dashboard.p50:.1f} / {staff_dashboard.p95:.1f} ms",
                note=f"{staff_dashboard.query_range} queries",
            )
        )

    log("claim submit and final approval ...")
    bureau_user = staff.get("county bureau") or staff.get("city bureau")
    claim_people = sample_professionals(60 * rounds, seed=11)
    submit, approve, refused = claim_timings(claim_people, bureau_user, 60 * rounds)
    for name, count in ERRORS.items():
        rows.append(Row(f"errors in {name}", str(count), passed=False, note=FIRST_ERROR[name]))
    rows.append(
        Row(
            "claim save + submit (with evidence): p50 / p95",
            f"{submit.p50:.1f} / {submit.p95:.1f} ms",
            note=f"{submit.per_second:.0f}/s single process, {submit.query_range} queries",
        )
    )
    rows.append(
        Row(
            "claim final approval (ledger posting): p50 / p95",
            f"{approve.p50:.1f} / {approve.p95:.1f} ms",
            note=f"{approve.per_second:.0f}/s single process, {approve.query_range} queries, {refused} refused by caps",
        )
    )

    log("course heartbeats (service) ...")
    opened = learners_with_sessions(300)
    beats = heartbeat_timing(opened, 2 * rounds)
    rows.append(
        Row(
            "course heartbeat (service): p50 / p95",
            f"{beats.p50:.1f} / {beats.p95:.1f} ms",
            note=f"{beats.per_second:.0f}/s single process, {beats.query_range} queries, Django CPU {beats.cpu_p50:.1f} ms",
        )
    )

    if not arguments.no_http:
        rows += http_rows(professionals, seconds)

    if arguments.others:
        rows += run_others(arguments.people)

    return finish(rows)


def finish(rows: list[Row]) -> int:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    rows.append(
        Row(
            "load average at the end (1, 5, 15 min)",
            load,
            note=f"{os.cpu_count()} CPUs; other sessions' processes included",
        )
    )
    log("")
    print_table(rows, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
