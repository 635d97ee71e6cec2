"""Two reviewers acting on one claim at the same moment, from two database connections (PostgreSQL,
where row locks exist; SQLite serialises every write and cannot show a race). One wins; the other is
told the claim moved and changes nothing; the hours are posted once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from accounts.services import role_grant
from hours import review
from hours.models import Claim, ClaimStatus, LedgerEntry, ReviewRecord
from tests.fixtures import World

from .helpers import D
from .test_review import decide, open_stage, submit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two connections racing on row locks: PostgreSQL only (CI and scripts/test run it)",
    ),
    pytest.mark.django_db(transaction=True),
]


def colleague(world: World, role: str, organisation: Any, mobile: str, name: str) -> User:
    """A second reviewer at the same organisation."""
    person = User.objects.create_user(mobile, DEMO_PASSWORD, real_name=name)
    role_grant(actor=None, user=person, role=role, organisation=organisation)
    return person


def race(actors: list[User], claim: Claim, stage_id: int | None) -> tuple[list[Any], list[BaseException]]:
    """Each actor approves the claim from their own thread (own connection), released together."""
    barrier = threading.Barrier(len(actors))
    outcomes: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(actor: User) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = review.review_decide(
                actor=actor, claim_id=claim.pk, decision="approve", comment="同意", stage_id=stage_id
            )
            with lock:
                outcomes.append(outcome)
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, errors


@pytest.mark.parametrize("with_stage_id", [True, False])
def test_two_bureau_staff_approve_at_once_hours_post_once(
    world: World, open_year: int, with_stage_id: bool
) -> None:
    second = colleague(world, Role.COUNTY_BUREAU_STAFF, world.rencheng, "13900000101", "任城区周干事")
    claim = submit(world.professional, open_year)
    claim = decide(world.unit_admin, claim)
    claim = decide(world.department_reviewer, claim)
    stage_id = open_stage(claim).pk if with_stage_id else None

    outcomes, errors = race([world.county_staff, second], claim, stage_id)

    assert len(outcomes) == 1 and len(errors) == 1, (outcomes, errors)
    assert isinstance(errors[0], ValidationError)
    expected = review.REVIEW_ALREADY_HANDLED if with_stage_id else review.REVIEW_NOT_IN_REVIEW
    assert errors[0].messages == [str(expected)]
    claim.refresh_from_db()
    assert (claim.status, claim.credited_hours) == (ClaimStatus.APPROVED, D(20))
    credits = LedgerEntry.objects.filter(person=world.professional)
    assert [(e.hours, e.source_id) for e in credits] == [(D(20), str(claim.pk))]
    bureau_approvals = ReviewRecord.objects.filter(claim=claim, decision="approve", stage_kind=3)
    assert bureau_approvals.count() == 1
    assert bureau_approvals.get().actor == outcomes[0].record.actor


def test_two_unit_admins_at_once_move_the_claim_once(world: World, open_year: int) -> None:
    second = colleague(world, Role.UNIT_ADMIN, world.school, "13900000102", "实验中学钱老师")
    claim = submit(world.professional, open_year)
    outcomes, errors = race([world.unit_admin, second], claim, open_stage(claim).pk)
    assert len(outcomes) == 1 and len(errors) == 1
    assert errors[0].messages == [str(review.REVIEW_ALREADY_HANDLED)]  # type: ignore[attr-defined]
    claim.refresh_from_db()
    assert (claim.status, claim.current_stage, claim.review_organisation) == (
        ClaimStatus.SUBMITTED,
        2,
        world.education_department,
    )
    assert ReviewRecord.objects.filter(claim=claim, decision="approve").count() == 1
    assert LedgerEntry.objects.count() == 0
