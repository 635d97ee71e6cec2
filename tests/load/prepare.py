"""Signed-in sessions for the surge: learners in the middle of a lesson and reviewers of every level,
written as JSON for tests/load/locustfile.py. Sessions are made with Django's force_login (no password
hashing: signing in is not what the surge measures; one Argon2 check costs ~50 ms of CPU).

    python -m tests.load.prepare --learners 2000 --reviewers 50 --out var/bench/surge/sessions.json
"""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()

    from tests.benchmarks.common import setup_django

    setup_django()
    from django.db.models import Count
    from django.test import Client

    from accounts.models import Role, RoleAssignment
    from hours.models import Claim, ClaimStatus
    from learning.models import StudyLease

    def signed_in(user) -> dict:  # type: ignore[no-untyped-def]
        client = Client()
        client.force_login(user)
        return {"session": client.cookies["sessionid"].value, "csrf": secrets.token_hex(16), "user": user.pk}

    leases = list(
        StudyLease.objects.filter(session__token__startswith="load")
        .select_related("person", "session__progress")
        .order_by("person_id")[: arguments.learners]
    )
    learners = []
    for lease in leases:
        entry = signed_in(lease.person)
        entry["lesson"] = lease.session.progress.lesson_id
        entry["position"] = lease.session.progress.resume_ms / 1000
        learners.append(entry)

    # Reviewers where the claims wait: unit admins, department reviewers, county and city staff.
    busy_units = list(
        Claim.objects.filter(status=ClaimStatus.SUBMITTED)
        .values("unit", "unit__parent", "unit__bureau")
        .annotate(n=Count("id"))
        .order_by("-n")[:200]
    )
    plan: list[tuple[str, int | None]] = []
    for row in busy_units[:20]:
        plan.append((Role.UNIT_ADMIN, row["unit"]))
    for row in busy_units[:40]:
        plan.append((Role.DEPARTMENT_REVIEWER, row["unit__parent"]))
    for row in busy_units:
        plan.append((Role.COUNTY_BUREAU_STAFF, row["unit__bureau"]))
    reviewers, seen = [], set()
    counts = {Role.UNIT_ADMIN: 20, Role.DEPARTMENT_REVIEWER: 15, Role.COUNTY_BUREAU_STAFF: 12}
    for role, organisation in plan:
        if counts.get(role, 0) <= 0:
            continue
        for assignment in RoleAssignment.objects.filter(
            role=role, organisation_id=organisation, is_active=True
        ):
            if assignment.user_id in seen:
                continue
            seen.add(assignment.user_id)
            counts[role] -= 1
            reviewers.append((role, assignment.user))
            break
    for assignment in RoleAssignment.objects.filter(
        role=Role.CITY_BUREAU_STAFF, user__mobile__startswith="17"
    )[:3]:
        reviewers.append((Role.CITY_BUREAU_STAFF, assignment.user))
    from django.urls import NoReverseMatch, reverse

    try:
        queue = [reverse("hours_review_queue")]
    except NoReverseMatch:
        queue = []
    pages = {
        Role.UNIT_ADMIN: ["/dashboard/", "/unit/members/"],
        Role.DEPARTMENT_REVIEWER: ["/dashboard/", "/organisations/"],
        Role.COUNTY_BUREAU_STAFF: ["/dashboard/", "/organisations/"],
        Role.CITY_BUREAU_STAFF: ["/dashboard/", "/organisations/"],
    }
    reviewer_entries = []
    for role, user in reviewers[: arguments.reviewers]:
        entry = signed_in(user)
        entry["role"] = role
        # The review workflow's queue page once it exists; before, the pages reviewers worked from.
        entry["pages"] = queue or pages[role]
        reviewer_entries.append(entry)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps({"learners": learners, "reviewers": reviewer_entries}))
    print(f"sessions: {len(learners)} learners, {len(reviewer_entries)} reviewers → {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
