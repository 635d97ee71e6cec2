# ruff: noqa: E501  (SQL column lists and result lines read better unwrapped)
"""The city-wide compliance report over 500,000 people on PostgreSQL, against the bare xlsx writer.

    DATABASE_URL=postgres://USER@127.0.0.1:PORT/postgres \\
        .venv/bin/python -m tests.benchmarks.bench_report [--people 500000] [--fresh]

Goal (issue 6): the report takes at most 1.2x the time the bare writer (openpyxl write-only, the same
library and settings) needs to write the same rows, measured in the same run, and peaks at <= 150 MiB.

What it does:
1. Creates (``--fresh``: re-creates) its own database ``jinan_ce_bench_report`` on the server of
   DATABASE_URL, migrates it, loads the demo city plus ``--units`` units spread over every county and
   department, and COPYs the people (professionals with masked ID numbers), their role rows, about four
   ledger entries each for the year (courses, imports, claims; some reversals) and some R1 reductions.
   A data set already there with enough people is reused.
2. Runs the report (``hours.reports.write_report`` over the city) in a fresh child process, which
   reports its wall time and peak RSS; the same child also dumps the detail rows to a scratch file.
3. Runs the bare writer in another fresh child: it replays the dumped rows (reading them back is timed
   apart and subtracted) into a write-only workbook with the same sheets, and reports time and RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

DATABASE = "jinan_ce_bench_report"
YEAR = 2024
ROOT = Path(__file__).resolve().parents[2]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆帅旭宁龙林欣晨阳佳琳雪梅婷倩颖慧洁"


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_url(name: str) -> str:
    base = os.environ["DATABASE_URL"]
    return base.rsplit("/", 1)[0] + "/" + name


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinan_ce.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Data ---------------------------------------------------------------------------------------------


def create_database(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{DATABASE}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def generate(people: int, units: int, seed: int) -> None:
    """COPY the data set (see the module docstring); idempotent: skipped when enough people exist."""
    from django.core.management import call_command
    from django.db import connection

    from accounts.demo import load_demo
    from accounts.models import Organisation, OrganisationKind, User
    from hours import services

    call_command("migrate", verbosity=0)
    existing = User.objects.filter(unit__isnull=False).count()
    if existing >= people:
        print(f"data set present: {existing:,} people with a unit")
        return
    started = time.perf_counter()
    load_demo()
    services.year_rules_load_defaults()
    random_source = random.Random(seed)
    parents = list(
        Organisation.objects.filter(
            kind__in=[
                OrganisationKind.COUNTY_BUREAU,
                OrganisationKind.ZONE_BUREAU,
                OrganisationKind.DEPARTMENT,
            ]
        )
    )
    unit_ids: list[int] = list(
        Organisation.objects.filter(kind=OrganisationKind.UNIT).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        for number in range(units):
            parent = parents[number % len(parents)]
            cursor.execute(
                "INSERT INTO accounts_organisation (name, kind, parent_id, path, depth, bureau_id, phone, credit_code,"
                " unit_type, is_public_subject_provider, address, is_active, sort_order, created_at)"
                " VALUES (%s, 'unit', %s, '', %s, %s, '', '', 'enterprise', false, '', true, 0, now()) RETURNING id",
                [f"压测单位{number:05d}", parent.pk, parent.depth + 1, parent.bureau_id],
            )
            unit_id = cursor.fetchone()[0]
            cursor.execute(
                "UPDATE accounts_organisation SET path = %s WHERE id = %s",
                [f"{parent.path}{unit_id}/", unit_id],
            )
            unit_ids.append(unit_id)
    first_id = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    raw = connection.connection  # psycopg 3 connection under Django's wrapper
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY accounts_user (id, password, is_superuser, mobile, real_name, id_number_encrypted, id_number_digest,"
            " id_number_masked, email, unit_id, title_series, title_level, specialty, education, is_active, is_staff,"
            " date_joined) FROM STDIN"
        ) as copy:
            for offset in range(people):
                person_id = first_id + offset
                name = random_source.choice(SURNAMES) + "".join(
                    random_source.choices(GIVEN, k=random_source.choice((1, 2)))
                )
                masked = f"3708{random_source.randint(10, 99)}********{random_source.randint(0, 9999):04d}"
                copy.write_row(
                    (
                        person_id,
                        "!",
                        False,
                        f"2{person_id:010d}",
                        name,
                        "",
                        "",
                        masked,
                        "",
                        random_source.choice(unit_ids),
                        "",
                        "",
                        "",
                        "",
                        True,
                        False,
                        "2024-01-05 09:00:00+08",
                    )
                )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [first_id + people]
        )
        with cursor.copy(
            "COPY accounts_roleassignment (user_id, role, is_active, granted_at) FROM STDIN"
        ) as copy:
            for offset in range(people):
                copy.write_row((first_id + offset, "professional", True, "2024-01-05 09:00:00+08"))
        entry_id = (cursor.execute("SELECT coalesce(max(id), 0) FROM hours_ledgerentry").fetchone() or [0])[
            0
        ] + 1
        reversals: list[tuple[int, int, str, str]] = []
        with cursor.copy(
            "COPY hours_ledgerentry (id, person_id, year, category, hours, rule_code, source_type, source_id,"
            " evidence_key, memo, created_at) FROM STDIN"
        ) as copy:
            for offset in range(people):
                person_id = first_id + offset
                month = random_source.randint(5, 11)
                plan = [("public_compulsory", random_source.choice(("10.0", "16.0", "20.0")), "course")]
                if random_source.random() < 0.85:
                    plan.append(("public_elective", random_source.choice(("4.0", "10.0")), "course"))
                if random_source.random() < 0.8:
                    plan.append(("professional", random_source.choice(("24.0", "40.0", "60.0")), "import"))
                if random_source.random() < 0.3:
                    plan.append(("professional", "10.0", "claim"))
                for number, (category, hours, source) in enumerate(plan):
                    copy.write_row(
                        (
                            entry_id,
                            person_id,
                            YEAR,
                            category,
                            hours,
                            "PRO-4" if source == "claim" else "",
                            source,
                            f"{person_id}-{number}",
                            "",
                            "压测",
                            f"{YEAR}-{month:02d}-15 10:00:00+08",
                        )
                    )
                    if source == "import" and random_source.random() < 0.02:
                        reversals.append((entry_id, person_id, category, hours))
                    entry_id += 1
        with cursor.copy(
            "COPY hours_ledgerentry (id, person_id, year, category, hours, rule_code, source_type, source_id,"
            " evidence_key, reverses_id, memo, created_at) FROM STDIN"
        ) as copy:
            for reversed_id, person_id, category, hours in reversals:
                copy.write_row(
                    (
                        entry_id,
                        person_id,
                        YEAR,
                        category,
                        f"-{hours}",
                        "",
                        "import",
                        f"{person_id}-r",
                        "",
                        reversed_id,
                        "冲销：压测",
                        f"{YEAR}-12-01 10:00:00+08",
                    )
                )
                entry_id += 1
        cursor.execute("SELECT setval(pg_get_serial_sequence('hours_ledgerentry', 'id'), %s)", [entry_id])
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"generated {people:,} people in {units:,} more units, {entry_id - 1:,} ledger rows in {time.perf_counter() - started:.0f} s"
    )


# --- The two measured runs (each in its own process) ------------------------------------------------


def child_report(scratch: str) -> dict[str, float]:
    from accounts.models import Organisation, OrganisationKind
    from hours import reports

    scope = os.environ.get("BENCH_REPORT_SCOPE", "city")
    city = (
        Organisation.objects.get(kind=OrganisationKind.CITY_BUREAU)
        if scope == "city"
        else Organisation.objects.get(name=scope)
    )
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as handle:
        summaries = reports.write_report(handle, city.path, YEAR)
        size = handle.tell()
    elapsed = time.perf_counter() - started
    result = {
        "seconds": elapsed,
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_mib": rss_before,
        "rows": summaries.overall.headcount,
        "compliant": summaries.overall.compliant,
        "bytes": size,
    }
    # Not timed: the same rows for the bare writer (the very lists the report appends).
    with open(scratch, "wb") as dump:
        chunk: list[list[object]] = []
        for cells in reports.detail_rows(city.path, YEAR, reports.Summaries()):
            chunk.append(cells)
            if len(chunk) == 2000:
                pickle.dump(chunk, dump, protocol=pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, dump, protocol=pickle.HIGHEST_PROTOCOL)
    return result


def _replay(scratch: str) -> Iterator[list[object]]:
    with open(scratch, "rb") as dump:
        while True:
            try:
                yield from pickle.load(dump)  # noqa: S301 - the file this run wrote
            except EOFError:
                return


def child_writer(scratch: str) -> dict[str, float]:
    from openpyxl import Workbook

    from hours import reports

    started = time.perf_counter()
    count = sum(1 for _ in _replay(scratch))
    read_seconds = time.perf_counter() - started
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for title in ("按县（市、区）汇总", "按主管部门汇总", "按单位汇总"):
        workbook.create_sheet(title)
    details = workbook.create_sheet("人员明细")
    details.append([str(label) for label in reports.DETAIL_HEADER])
    for values in _replay(scratch):
        details.append(values)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        size = handle.tell()
    elapsed = time.perf_counter() - started - read_seconds
    return {
        "seconds": elapsed,
        "read_seconds": read_seconds,
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_mib": rss_before,
        "rows": count,
        "bytes": size,
    }


def run_child(kind: str, scratch: str) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - this module, this interpreter
        [sys.executable, "-m", "tests.benchmarks.bench_report", "--child", kind, "--scratch", scratch],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url(DATABASE)},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=500_000)
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the benchmark database")
    parser.add_argument(
        "--repeat", type=int, default=1, help="alternate report and writer runs; compare the fastest of each"
    )
    parser.add_argument(
        "--scope", default="city", help="'city' (everyone) or the name of an organisation to report on"
    )
    parser.add_argument("--child", choices=["report", "writer"], help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child:
        setup_django(os.environ["DATABASE_URL"])
        result = (
            child_report(arguments.scratch)
            if arguments.child == "report"
            else child_writer(arguments.scratch)
        )
        print(json.dumps(result))
        return 0

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_report needs DATABASE_URL=postgres://... (a server where it may create a database)")
        return 2
    create_database(arguments.fresh)
    setup_django(database_url(DATABASE))
    generate(arguments.people, arguments.units, arguments.seed)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as directory:
        scratch = str(Path(directory) / "rows.pickle")
        os.environ["BENCH_REPORT_SCOPE"] = arguments.scope
        reports_runs, writer_runs = [], []
        for _ in range(arguments.repeat):  # alternating, so both see the same machine load
            reports_runs.append(run_child("report", scratch))
            writer_runs.append(run_child("writer", scratch))
    report = min(reports_runs, key=lambda run: run["seconds"])
    writer = min(writer_runs, key=lambda run: run["seconds"])
    report["peak_rss_mib"] = max(run["peak_rss_mib"] for run in reports_runs)
    if arguments.repeat > 1:
        print("report runs (s): " + ", ".join(f"{run['seconds']:.1f}" for run in reports_runs))
        print("writer runs (s): " + ", ".join(f"{run['seconds']:.1f}" for run in writer_runs))
    ratio = report["seconds"] / writer["seconds"]
    load = os.getloadavg()[0]
    print(
        f"rows: report {report['rows']:,} (compliant {report['compliant']:,}), bare writer {writer['rows']:,}"
    )
    print(
        f"report (query + compliance + summaries + xlsx): {report['seconds']:.1f} s, peak RSS {report['peak_rss_mib']:.0f} MiB (before: {report['rss_before_mib']:.0f}), {report['bytes'] / 2**20:.1f} MiB xlsx"
    )
    print(
        f"bare openpyxl write-only writer, same rows:     {writer['seconds']:.1f} s, peak RSS {writer['peak_rss_mib']:.0f} MiB (reading the rows back, subtracted: {writer['read_seconds']:.1f} s)"
    )
    print(
        f"ratio {ratio:.2f} (goal <= 1.20): {'PASS' if ratio <= 1.2 else 'FAIL'}; peak RSS goal <= 150 MiB: {'PASS' if report['peak_rss_mib'] <= 150 else 'FAIL'}"
    )
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs")
    return 0 if ratio <= 1.2 and report["peak_rss_mib"] <= 150 else 1


if __name__ == "__main__":
    sys.exit(main())
