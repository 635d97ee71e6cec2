# ruff: noqa: E501  (result lines read better unwrapped; commands are fixed lists, no shell)
"""Reads Locust's stats CSV and prints the surge table against the goal: p95 under 200 ms, no errors.
Exit status 1 when the goal is missed."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

GOAL_P95_MS = 200.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("stats_csv", type=Path)
    parser.add_argument("--loadavg", default="")
    arguments = parser.parse_args()
    rows = list(csv.DictReader(arguments.stats_csv.open(encoding="utf-8")))
    print()
    print(
        f"{'endpoint':<48} {'requests':>9} {'failures':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}"
    )
    aggregated = None
    for row in rows:
        if row["Name"] == "Aggregated":
            aggregated = row
        name = (row["Type"] + " " + row["Name"])[:48]
        values = (
            row["Request Count"],
            row["Failure Count"],
            f"{float(row['Requests/s']):.1f}",
            row["50%"],
            row["95%"],
            row["99%"],
            f"{float(row['Max Response Time']):.0f}",
        )
        print(f"{name:<48} " + " ".join(f"{value:>8}" for value in values))
    if aggregated is None:
        print("no aggregated row: the run did not produce results")
        return 1
    p95 = float(aggregated["95%"])
    failures = int(aggregated["Failure Count"])
    passed = p95 < GOAL_P95_MS and failures == 0
    print()
    print(
        f"surge goal: p95 < {GOAL_P95_MS:.0f} ms and no errors — p95 {p95:.0f} ms, {failures} failures "
        f"of {aggregated['Request Count']} requests → {'pass' if passed else 'MISS'}"
        + (f"   (load average at the end: {arguments.loadavg})" if arguments.loadavg else "")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
