# ruff: noqa: E501, S603  (SQL and result lines read better unwrapped; table names come from model meta)
"""A 100,000-row roster imported against 100,000 registered people on PostgreSQL, phase by phase,
against openpyxl in read-only mode merely reading the same file (issue 9).

    DATABASE_URL=postgres://USER@127.0.0.1:PORT/postgres \\
        .venv/bin/python -m tests.benchmarks.bench_roster_import [--rows 100000] [--fresh]

or on the benchmark stack: ``bash tests/benchmarks/with_services.sh .venv/bin/python -m tests.benchmarks.bench_roster_import``.

Goal: the whole import (upload checks + parse + validate + write) in <= 5 s on the 2-core machine, and
faster than openpyxl (read_only=True) can merely read the file.

What it does:
1. Creates (``--fresh``: re-creates) its own database ``jinan_ce_bench_roster`` on the server of
   DATABASE_URL, migrates it, loads the demo city and the year rules, and COPYs ``--rows`` registered
   people (valid ID numbers, encrypted, digested and masked as registration stores them). Reused when
   present.
2. Writes the roster (.xlsx, the template's columns, one row per person, 8 hours each) once to
   var/bench/roster-import/ with openpyxl's write-only mode (Excel-like shared strings are not needed).
3. In fresh child processes (clean peak-RSS figures), each reporting wall time and peak RSS:
   a. openpyxl read_only=True, iterating every row's values: the reference;
   b. the import, as the Celery task runs it: ``services.roster_import_create`` (size, signature and
      zip-bomb checks, stored privately) then ``importer.roster_import_run``, timed per phase through
      the importer's hooks; each phase's peak RSS is measured by resetting the kernel's high-water mark
      (/proc/self/clear_refs) at the phase start and reading VmHWM at its end.
4. Prints rows per second and peak memory per phase, and checks the ledger afterwards (one credit per
   person, no more).

The ledger is written by the product code: ``hours.services.ledger_post_credits_bulk``, whose COPY fast
path takes the PRO-2 batches (no yearly cap, no evidence key); the output says how many batches took it.
(Until that fast path existed, the ORM bulk posting took about 12.8 s here and a COPY-based stand-in in
this script 4.3-4.5 s; the stand-in is gone, the product now does the same.)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DATABASE = "jinan_ce_bench_roster"
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "var" / "bench" / "roster-import"
MOBILE_PREFIX = "17"
TRAINING_START = datetime.date(2024, 6, 10)
TRAINING_END = datetime.date(2024, 6, 12)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯健俊帆帅旭宁龙林欣晨阳佳琳雪梅婷倩颖慧洁"
REGIONS = (
    "370802",
    "370811",
    "370812",
    "370826",
    "370827",
    "370828",
    "370829",
    "370830",
    "370831",
    "370832",
    "370881",
    "370883",
)


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cluster_cpu_seconds(postmaster_pid: int) -> float | None:
    """CPU time of the whole PostgreSQL cluster on this machine: the postmaster, its live children
    (every backend, the WAL writer, the checkpointer...) and the children it has reaped (the import's
    writer connections are closed by the time a phase ends)."""
    try:
        fields = Path(f"/proc/{postmaster_pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            child = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(child[1]) == postmaster_pid:
            ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def parent_pid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return None


def reset_peak_rss() -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def database_url(name: str) -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinan_ce.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.pop("REDIS_URL", None)  # the task is called in-process; no broker involved
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def person_name(index: int) -> str:
    return (
        SURNAMES[index % len(SURNAMES)]
        + GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
        + GIVEN[(index * 7) % len(GIVEN)]
    )


def person_id_number(index: int) -> str:
    from accounts.demo import make_id_number

    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=(index // 900) % 12000)
    region = REGIONS[index // (900 * 12000)]
    return make_id_number(region, birth, 100 + index % 900)


# --- Data set -------------------------------------------------------------------------------------------


def create_database(fresh: bool) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{DATABASE}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')


def generate_people(rows: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from accounts import identity
    from accounts.demo import load_demo
    from accounts.models import Organisation, OrganisationKind, User
    from hours import services as hours_services

    call_command("migrate", verbosity=0)
    load_demo()
    hours_services.year_rules_load_defaults()
    existing = User.objects.filter(mobile__startswith=MOBILE_PREFIX).count()
    if existing >= rows:
        print(f"data set present: {existing:,} registered people")
        return
    started = time.perf_counter()
    units = list(Organisation.objects.filter(kind=OrganisationKind.UNIT).values_list("pk", flat=True))
    first_id = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with connection.connection.cursor() as cursor:
        with cursor.copy(
            "COPY accounts_user (id, password, is_superuser, mobile, real_name, id_number_encrypted, id_number_digest,"
            " id_number_masked, email, unit_id, title_series, title_level, specialty, education, is_active, is_staff,"
            " date_joined) FROM STDIN"
        ) as copy:
            for index in range(existing, rows):
                number = person_id_number(index)
                copy.write_row(
                    (
                        first_id + index - existing,
                        "!",
                        False,
                        f"{MOBILE_PREFIX}{index:09d}",
                        person_name(index),
                        identity.encrypt_id_number(number),
                        identity.id_number_digest(number),
                        identity.mask_id_number(number),
                        "",
                        units[index % len(units)],
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
            "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [first_id + rows - existing]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    print(f"COPYed {rows - existing:,} registered people in {time.perf_counter() - started:.1f} s")


def roster_path(rows: int) -> Path:
    return OUTPUT / f"roster-{rows}.xlsx"


def write_roster(rows: int) -> Path:
    path = roster_path(rows)
    if path.exists():
        return path
    from openpyxl import Workbook

    from filings.reports import FILING_HEADERS

    started = time.perf_counter()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学员名单")
    sheet.append(list(FILING_HEADERS))
    for index in range(rows):
        sheet.append(
            [person_id_number(index), person_name(index), 8, TRAINING_START, TRAINING_END, "某某单位", ""]
        )
    workbook.save(path)
    print(
        f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024 / 1024:.1f} MiB) in {time.perf_counter() - started:.1f} s"
    )
    return path


# --- Children ---------------------------------------------------------------------------------------------


def child_openpyxl(path: Path) -> dict[str, float]:
    from openpyxl import load_workbook

    started = time.perf_counter()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for _row in workbook["学员名单"].iter_rows(values_only=True):
        count += 1
    workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": count - 1, "peak_rss_mib": peak_rss_mib()}


def child_calamine(path: Path) -> dict[str, float]:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    rows = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("学员名单").to_python(skip_empty_area=False)
    )
    return {"seconds": time.perf_counter() - started, "rows": len(rows) - 1, "peak_rss_mib": peak_rss_mib()}


def child_import(path: Path) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from accounts.models import User
    from filings import clock, importer, services
    from filings.models import RosterImport
    from hours.models import LedgerEntry
    from hours.services import ledger as hours_ledger

    copy_batches: list[int] = []  # how many ledger batches the COPY fast path wrote
    copy_credits = hours_ledger._copy_credits

    def counting_copy(rows, hours_text, actor_id):  # type: ignore[no-untyped-def]
        copy_batches.append(len(rows))
        return copy_credits(rows, hours_text, actor_id)

    hours_ledger._copy_credits = counting_copy  # type: ignore[assignment]
    county_staff = User.objects.get(mobile="13800000002")
    unit_admin = User.objects.get(mobile="13800000004")
    school = unit_admin.role_assignments.get(role="unit_admin").organisation
    assert school is not None
    clock.today = lambda: TRAINING_START - datetime.timedelta(days=30)  # type: ignore[assignment]
    filing = services.filing_submit(
        actor=unit_admin,
        organisation=school,
        data=services.FilingData(
            title=f"压测培训 {time.strftime('%Y-%m-%d %H:%M:%S')}",
            kind="full_time",
            organiser="任城区教育和体育局",
            start_date=TRAINING_START,
            end_date=TRAINING_END,
            training_days=3,
            planned_hours=24,  # type: ignore[arg-type]
            place="任城区教师发展中心",
            expected_participants=100000,
        ),
    )
    services.filing_approve(actor=county_staff, filing_id=filing.pk)
    clock.today = lambda: TRAINING_END + datetime.timedelta(days=1)  # type: ignore[assignment]
    services._queue = lambda roster_import: None  # type: ignore[assignment]  # run in this process, below
    data = path.read_bytes()
    with connection.cursor() as cursor:  # a warm connection, as a worker's would be
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    postmaster_pid = parent_pid(backend_pid) or backend_pid

    def database_cpu() -> float | None:
        return cluster_cpu_seconds(postmaster_pid)

    phases: dict[str, dict[str, float]] = {}
    marks: dict[str, tuple[float, float]] = {}
    can_reset = reset_peak_rss()

    cpu_marks: dict[str, tuple[float, float | None]] = {}

    def started(phase: str) -> None:
        if can_reset:
            reset_peak_rss()
        marks[phase] = (time.perf_counter(), rss_mib())
        cpu_marks[phase] = (time.process_time(), database_cpu())

    def finished(phase: str) -> None:
        began, rss_before = marks[phase]
        cpu_began, backend_began = cpu_marks[phase]
        backend_now = database_cpu()
        phases[phase] = {
            "seconds": time.perf_counter() - began,
            "cpu_seconds": time.process_time() - cpu_began,
            "backend_cpu_seconds": backend_now - backend_began
            if backend_now is not None and backend_began is not None
            else 0.0,
            "peak_rss_mib": peak_rss_mib(),
            "rss_before_mib": rss_before,
        }

    cpu_started = time.process_time()
    backend_cpu_started = database_cpu()
    started("upload")
    roster_import = services.roster_import_create(
        actor=county_staff, filing_id=filing.pk, upload=SimpleUploadedFile(path.name, data)
    )
    finished("upload")
    del data
    run_started = time.perf_counter()
    importer.roster_import_run(
        import_id=roster_import.pk, hooks=importer.ImportHooks(phase_started=started, phase_finished=finished)
    )
    run_seconds = time.perf_counter() - run_started
    cpu_seconds = time.process_time() - cpu_started
    backend_cpu_ended = database_cpu()
    backend_cpu = (
        backend_cpu_ended - backend_cpu_started
        if backend_cpu_started is not None and backend_cpu_ended is not None
        else None
    )
    roster_import = RosterImport.objects.get(pk=roster_import.pk)
    scope_prefix = f"filing:{filing.pk}:"
    entries = LedgerEntry.objects.filter(source_type="import", source_id__startswith=scope_prefix)
    result = {
        "phases": phases,
        "run_seconds": run_seconds,
        "cpu_seconds": cpu_seconds,
        "backend_cpu_seconds": backend_cpu,
        "status": roster_import.status,
        "failure": roster_import.failure_message,
        "total_rows": roster_import.total_rows,
        "credited": roster_import.credited_count,
        "errors": roster_import.error_count,
        "held": roster_import.held_count,
        "ledger_entries": entries.count(),
        "ledger_people": entries.values("person_id").distinct().count(),
        "peak_rss_mib": peak_rss_mib(),
        "batch_rows": importer.BATCH_ROWS,
        "copy_batches": len(copy_batches),
        "copy_rows": sum(copy_batches),
        "per_phase_peak_is_exact": can_reset,
    }
    roster_import.file.delete(save=False)
    return result


def run_child(kind: str, path: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "tests.benchmarks.bench_roster_import",
        "--child",
        kind,
        "--file",
        str(path),
    ]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DATABASE_URL": database_url(DATABASE)},
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"the {kind} child failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="drop and re-create the benchmark database")
    parser.add_argument("--child", choices=["openpyxl", "calamine", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child:
        path = Path(arguments.file)
        if arguments.child == "import":
            setup_django(os.environ["DATABASE_URL"])
            result: dict[str, Any] = child_import(path)
        elif arguments.child == "openpyxl":
            result = child_openpyxl(path)
        else:
            result = child_calamine(path)
        print(json.dumps(result))
        return

    if "DATABASE_URL" not in os.environ or not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL server (any database on it; this creates its own)")
    create_database(arguments.fresh)
    setup_django(database_url(DATABASE))
    generate_people(arguments.rows)
    path = write_roster(arguments.rows)

    load_before = os.getloadavg()[0]
    openpyxl_result = run_child("openpyxl", path)
    calamine_result = run_child("calamine", path)
    result = run_child("import", path)
    phases = result["phases"]
    assert isinstance(phases, dict)
    rows = arguments.rows
    total = phases["upload"]["seconds"] + result["run_seconds"]

    def line(label: str, seconds: float, peak: float, before: float | None = None) -> str:
        growth = f" (+{peak - before:6.0f} MiB over its start)" if before is not None else ""
        return f"  {label:<44} {seconds:7.2f} s  {rows / seconds:>11,.0f} rows/s  peak RSS {peak:6.0f} MiB{growth}"

    print()
    print(f"roster import benchmark: {rows:,} rows against {rows:,} registered people, PostgreSQL")
    print(
        f"machine: {machine()}; file {path.stat().st_size / 1024 / 1024:.1f} MiB; batches of {result['batch_rows']:,} rows"
    )
    print(
        f"load average (1 min) before the runs {load_before:.2f}, after {os.getloadavg()[0]:.2f}:"
        " figures are wall-clock, so other work on the machine inflates them"
    )
    print(
        line(
            "openpyxl read_only, just reading every row",
            openpyxl_result["seconds"],
            openpyxl_result["peak_rss_mib"],
        )
    )
    print(
        line(
            "python-calamine, just reading every row",
            calamine_result["seconds"],
            calamine_result["peak_rss_mib"],
        )
    )
    for phase, label in (
        ("upload", "upload checks (size, signature, zip bomb) + store"),
        ("parsing", "parsing (stored file, zip check, calamine)"),
        ("validating", "validation (rows, duplicates, one account query)"),
        ("writing", "writing (credits, ledger, report rows; COPY)"),
    ):
        figures = phases[phase]
        print(line(label, figures["seconds"], figures["peak_rss_mib"], figures["rss_before_mib"]))
        print(
            f"  {'':<44} CPU {figures['cpu_seconds']:5.2f} s Python + {figures['backend_cpu_seconds']:5.2f} s PostgreSQL"
        )
    print(line("whole import (upload + run)", total, result["peak_rss_mib"]))  # type: ignore[arg-type]
    python_cpu = sum(figures["cpu_seconds"] for figures in phases.values())
    database_cpu = sum(figures["backend_cpu_seconds"] for figures in phases.values())
    print(
        f"  CPU time, phases added up: {python_cpu:.2f} s in the importing process, {database_cpu:.2f} s in PostgreSQL"
        " (all its processes); two cores run them side by side, and other work on the machine takes its share"
    )
    print(
        f"  result: {result['status']}, {result['credited']:,} credited, {result['errors']:,} bad rows, {result['held']:,} held;"
        f" ledger: {result['ledger_entries']:,} entries for {result['ledger_people']:,} people,"
        f" {result['copy_rows']:,} of them written by COPY in {result['copy_batches']} batches"
    )
    goal_time = total <= 5.0
    goal_openpyxl = total < openpyxl_result["seconds"]
    print(
        f"  goal <= 5 s: {'met' if goal_time else 'NOT met'} ({total:.2f} s); faster than openpyxl merely reading: {'yes' if goal_openpyxl else 'NO'} ({total:.2f} s vs {openpyxl_result['seconds']:.2f} s)"
    )
    if result["status"] != "finished" or result["ledger_entries"] != result["credited"]:
        raise SystemExit("the import did not finish cleanly")


if __name__ == "__main__":
    main()
