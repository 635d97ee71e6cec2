"""The demo's claims in review: `load_demo` leaves work at every stage, and running it again files
nothing twice."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from hours.models import Claim, ClaimStatus, LedgerEntry, SourceType
from hours.review_models import ReviewRecord, ReviewStageKind, ReviewStageState
from tests.fixtures import World

pytestmark = pytest.mark.django_db


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def open_stages() -> list[tuple[str, str, int, str]]:
    """(claimant's mobile, rule, stage kind, stage organisation) of every demo claim still in review."""
    return sorted(
        (claim.person.mobile, claim.rule_code, stage.kind, stage.organisation.name)
        for claim in Claim.objects.filter(evidence_key__startswith="number:DEMO").select_related("person")
        for stage in claim.review_stages.filter(state=ReviewStageState.OPEN).select_related("organisation")
    )


def test_load_demo_files_the_review_claims_once(world: World) -> None:
    first = run_load_demo()
    assert "Demo claims filed for review: 7" in first

    demo_claims = Claim.objects.filter(evidence_key__startswith="number:DEMO")
    assert sorted(demo_claims.values_list("status", flat=True)) == sorted(
        [ClaimStatus.SUBMITTED] * 5 + [ClaimStatus.RETURNED, ClaimStatus.APPROVED]
    )
    assert open_stages() == sorted(
        [
            ("13800000005", "PUB-3", ReviewStageKind.UNIT, "任城区实验中学"),
            ("13800000005", "PRO-6", ReviewStageKind.DEPARTMENT, "任城区教育和体育局"),
            ("13800000005", "PRO-3", ReviewStageKind.BUREAU, "任城区人力资源和社会保障局"),
            ("13800000007", "PUB-2", ReviewStageKind.UNIT, "济宁鲁科智能科技有限公司"),
            ("13800000007", "PRO-6", ReviewStageKind.BUREAU, "任城区人力资源和社会保障局"),
        ]
    )
    # A company without a department: unit admin, then the county bureau's approval posts the hours.
    approved = demo_claims.get(status=ClaimStatus.APPROVED)
    assert (approved.person.mobile, approved.rule_code) == ("13800000007", "PUB-3")
    credits = LedgerEntry.objects.filter(source_type=SourceType.CLAIM, source_id=approved.pk)
    assert list(credits.values_list("hours", flat=True)) == [Decimal("15")]
    records = ReviewRecord.objects.filter(claim__in=demo_claims).count()

    second = run_load_demo()
    assert "Demo claims filed for review" not in second
    assert Claim.objects.filter(evidence_key__startswith="number:DEMO").count() == 7
    assert ReviewRecord.objects.filter(claim__in=demo_claims).count() == records
