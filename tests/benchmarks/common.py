"""Shared pieces of the benchmarks: Django set-up against the load data set, sample accounts, sessions,
percentiles and the result table. Never imported by the test suite (tests/benchmarks is not collected)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

GOAL_UNSET = "—"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinan_ce.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit(
            "the benchmarks run on the load data set: bash tests/benchmarks/with_services.sh "
            ".venv/bin/python -m tests.benchmarks.run"
        )
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Row:
    metric: str
    value: str
    goal: str = GOAL_UNSET
    passed: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "MISS", None: ""}[self.passed]


def print_table(rows: list[Row], out: Callable[[str], None] = print) -> None:
    headers = ("metric", "value", "goal", "result", "note")
    cells = [(r.metric, r.value, r.goal, r.verdict, r.note) for r in rows]
    widths = [max(_width(h), *(_width(c[i]) for c in cells)) for i, h in enumerate(headers[:4])]
    line = "  ".join(_pad(h, widths[i]) for i, h in enumerate(headers[:4])) + "  note"
    out(line)
    out("-" * len(line))
    for cell in cells:
        out("  ".join(_pad(cell[i], widths[i]) for i in range(4)) + "  " + cell[4])


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


@dataclass
class Timing:
    latencies_ms: list[float]
    queries: list[int]
    wall_seconds: float
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def cpu_p50(self) -> float:
        """CPU time of the Django process per call (the server's share of a core, PostgreSQL's aside):
        unlike wall time, barely moved by other processes on the machine."""
        return percentile(self.cpu_ms, 0.5)

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 0.95)

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def query_range(self) -> str:
        if not self.queries:
            return "?"
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"

    @property
    def fixed_queries(self) -> bool:
        return bool(self.queries) and min(self.queries) == max(self.queries)


def measure(calls: list[Callable[[], Any]], count_queries: bool = True) -> Timing:
    """Runs each call once, timing it and counting its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    latencies: list[float] = []
    cpu: list[float] = []
    queries: list[int] = []
    started = time.perf_counter()
    for call in calls:
        connection.queries_log.clear()  # the log keeps 9,000 queries: a full one would count none
        with CaptureQueriesContext(connection) as captured:
            began, began_cpu = time.perf_counter(), time.process_time()
            call()
            latencies.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        if count_queries:
            queries.append(len(captured.captured_queries))
    return Timing(latencies, queries, time.perf_counter() - started, cpu)


@contextmanager
def frozen_today(day: Any) -> Iterator[None]:
    """``timezone.localdate()`` answers ``day`` (the data set's snapshot date) inside the block, so the
    2024 claim window is open as it was on that day; ``timezone.now()`` keeps running."""
    from django.utils import timezone

    original = timezone.localdate

    def localdate(value: Any = None, timezone_: Any = None) -> Any:
        if value is None:
            return day
        return original(value, timezone_) if timezone_ is not None else original(value)

    timezone.localdate = localdate  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.localdate = original  # type: ignore[assignment]


def summary(values: list[float]) -> str:
    return f"mean {statistics.fmean(values):.1f}" if values else "—"
