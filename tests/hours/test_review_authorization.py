"""The authorization matrix of the review workflow: every queue, decision, evidence, trail, revocation,
archive and settings URL (pages and API), for every role, with 张敏's claim (任城区实验中学, under
任城区教育和体育局, under 任城区) at each of its three stages. Outside the jurisdiction is a 404; inside
it but not at one's stage, the decision is refused with the service's message; anything refused leaves
the claim, its stages, its trail, the ledger and the archive exactly as they were."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hours import review
from hours.models import Claim, ClaimEvidence, ClaimStatus, IntegrityRecord, ReviewStageTemplate
from tests.fixtures import World, client_for

from .helpers import PDF_BYTES
from .test_review import decide, open_stage, snapshot, submit

ROLES = [
    "anonymous",
    "professional",
    "pending_professional",
    "unit_admin",
    "other_unit_admin",
    "department_reviewer",
    "county_staff",
    "other_county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
]
REVIEWERS = {
    "unit_admin",
    "other_unit_admin",
    "department_reviewer",
    "county_staff",
    "other_county_staff",
    "city_staff",
}
SEES_CLAIM = {
    "professional",
    "unit_admin",
    "department_reviewer",
    "county_staff",
    "city_staff",
    "platform_admin",
}
ACTS_AT_STAGE = {1: "unit_admin", 2: "department_reviewer", 3: "county_staff"}
BUREAU_STAFF = {"county_staff", "other_county_staff", "city_staff"}
REVOKES = {"county_staff", "city_staff"}  # bureau staff over the claim's unit
LOGIN = "login"


def page_client(world: World, role: str) -> Client:
    return client_for(None if role == "anonymous" else getattr(world, role))


def api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role))
    return client


def status(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


_numbers = itertools.count(1)


def claim_at(world: World, year: int, stage: int) -> Claim:
    """张敏's claim (20 hours) waiting at the given stage, with evidence of its own."""
    claim = submit(world.professional, year, {"grade": "B", "certificate_number": f"WY-{next(_numbers)}"})
    for reviewer in [world.unit_admin, world.department_reviewer][: stage - 1]:
        claim = decide(reviewer, claim)
    return claim


def approved_claim(world: World, year: int) -> Claim:
    claim = claim_at(world, year, 3)
    return decide(world.county_staff, claim)


@pytest.mark.parametrize("stage", [1, 2, 3])
@pytest.mark.parametrize("role", ROLES)
def test_queue_pages_and_api(world: World, open_year: int, role: str, stage: int) -> None:
    claim = claim_at(world, open_year, stage)
    page = page_client(world, role).get("/hours/review/")
    queue = api_client(world, role).get("/api/hours/review/queue/")
    counts = api_client(world, role).get("/api/hours/review/counts/")
    if role == "anonymous":
        assert (status(page), queue.status_code, counts.status_code) == (LOGIN, 403, 403)
        return
    if role not in REVIEWERS:
        assert (page.status_code, queue.status_code, counts.status_code) == (404, 404, 404)
        return
    assert (page.status_code, queue.status_code, counts.status_code) == (200, 200, 200)
    listed = f'data-claim="{claim.pk}"' in page.content.decode()
    ids = [item["id"] for item in queue.json()["results"]]
    if role == ACTS_AT_STAGE[stage]:
        assert listed and ids == [claim.pk]
        assert counts.json()["pending"] == 1
        assert queue.json()["results"][0]["stage_id"] == open_stage(claim).pk
    else:
        assert not listed and ids == []
        assert counts.json()["pending"] == 0


@pytest.mark.parametrize("stage", [1, 2, 3])
@pytest.mark.parametrize("role", ROLES)
def test_review_page_and_evidence(world: World, open_year: int, role: str, stage: int) -> None:
    claim = claim_at(world, open_year, stage)
    evidence = ClaimEvidence.objects.get(claim=claim)
    client = page_client(world, role)
    page = client.get(f"/hours/review/claims/{claim.pk}/")
    detail = client.get(f"/hours/claims/{claim.pk}/")
    file_page = client.get(f"/hours/claims/{claim.pk}/evidence/{evidence.pk}/")
    api = api_client(world, role)
    trail = api.get(f"/api/hours/claims/{claim.pk}/trail/")
    file_api = api.get(f"/api/hours/claims/{claim.pk}/evidence/{evidence.pk}/")
    if role == "anonymous":
        assert [status(r) for r in (page, detail, file_page)] == [LOGIN] * 3
        assert (trail.status_code, file_api.status_code) == (403, 403)
    elif role in SEES_CLAIM:
        assert [r.status_code for r in (page, detail, file_page, trail, file_api)] == [200] * 5
        assert b"".join(file_page.streaming_content).startswith(PDF_BYTES)
        assert ('data-testid="decision-form"' in page.content.decode()) == (role == ACTS_AT_STAGE[stage])
        assert [r["decision"] for r in trail.json()["records"]] == ["submit"] + ["approve"] * (stage - 1)
    else:
        assert [r.status_code for r in (page, detail, file_page, trail, file_api)] == [404] * 5


EXPECTED_STATUS = {
    "approve": {1: ClaimStatus.SUBMITTED, 2: ClaimStatus.SUBMITTED, 3: ClaimStatus.APPROVED},
    "return": {1: ClaimStatus.RETURNED, 2: ClaimStatus.RETURNED, 3: ClaimStatus.RETURNED},
    "reject": {1: ClaimStatus.REJECTED, 2: ClaimStatus.REJECTED, 3: ClaimStatus.REJECTED},
}


@pytest.mark.parametrize("stage", [1, 2, 3])
@pytest.mark.parametrize("role", ROLES)
def test_decisions(world: World, open_year: int, role: str, stage: int) -> None:
    """Each decision by page and by API: the stage's reviewer moves the claim; anyone else changes
    nothing (a 404 outside the jurisdiction, the service's message inside it)."""
    if role == ACTS_AT_STAGE[stage]:
        for decision in ("approve", "return", "reject"):
            for channel in ("page", "api"):
                claim = claim_at(world, open_year, stage)
                stage_id = open_stage(claim).pk
                if channel == "page":
                    response = page_client(world, role).post(
                        f"/hours/review/claims/{claim.pk}/decide/",
                        {"decision": decision, "comment": "意见", "stage": stage_id},
                    )
                    assert response.status_code == 302
                else:
                    response = api_client(world, role).post(
                        f"/api/hours/review/claims/{claim.pk}/decision/",
                        {"decision": decision, "comment": "意见", "stage_id": stage_id},
                        format="json",
                    )
                    assert response.status_code == 200
                    assert response.json()["claim"]["status"] == EXPECTED_STATUS[decision][stage]
                claim.refresh_from_db()
                assert claim.status == EXPECTED_STATUS[decision][stage]
        return
    claim = claim_at(world, open_year, stage)
    stage_id = open_stage(claim).pk
    before = snapshot(claim)
    for decision in ("approve", "return", "reject"):
        form = {"decision": decision, "comment": "意见", "stage": stage_id}
        page = page_client(world, role).post(f"/hours/review/claims/{claim.pk}/decide/", form)
        if role == "anonymous":
            assert status(page) == LOGIN
        elif role in SEES_CLAIM:
            assert page.status_code == 302 and page["Location"] == f"/hours/review/claims/{claim.pk}/"
        else:
            assert page.status_code == 404
        assert snapshot(claim) == before
        api = api_client(world, role).post(
            f"/api/hours/review/claims/{claim.pk}/decision/",
            {"decision": decision, "comment": "意见", "stage_id": stage_id},
            format="json",
        )
        if role == "anonymous":
            assert api.status_code == 403
        elif role in SEES_CLAIM:
            assert api.status_code == 403
            assert api.json()["detail"] == (
                str(review.REVIEW_OWN_CLAIM) if role == "professional" else str(review.REVIEW_NOT_YOUR_STAGE)
            )
        else:
            assert api.status_code == 404
        assert snapshot(claim) == before


@pytest.mark.parametrize("stage", [1, 2, 3])
@pytest.mark.parametrize("role", ROLES)
def test_bulk_approve(world: World, open_year: int, role: str, stage: int) -> None:
    claim = claim_at(world, open_year, stage)
    stage_id = open_stage(claim).pk
    before = snapshot(claim)
    page = page_client(world, role).post(
        "/hours/review/bulk/", {"items": [f"{claim.pk}:{stage_id}"], "comment": "同意"}
    )
    api = api_client(world, role).post(
        "/api/hours/review/bulk-approve/",
        {"items": [{"claim_id": claim.pk, "stage_id": stage_id}], "comment": "同意"},
        format="json",
    )
    if role == ACTS_AT_STAGE[stage]:
        assert page.status_code == 302
        assert api.status_code == 200
        assert api.json()["approved"] == [] and len(api.json()["refused"]) == 1  # the page moved it first
        assert snapshot(claim) != before
        return
    if role == "anonymous":
        assert (status(page), api.status_code) == (LOGIN, 403)
    elif role in REVIEWERS:
        assert (page.status_code, api.status_code) == (302, 200)
        assert api.json() == {
            "approved": [],
            "refused": [
                {
                    "claim_id": claim.pk,
                    "reason": str(review.REVIEW_NOT_YOUR_STAGE),
                }
            ],
        }
    else:
        assert (page.status_code, api.status_code) == (404, 404)
    assert snapshot(claim) == before


@pytest.mark.parametrize("role", ROLES)
def test_revocation(world: World, open_year: int, role: str) -> None:
    claim = approved_claim(world, open_year)
    before = snapshot(claim)
    page = page_client(world, role).post(f"/hours/review/claims/{claim.pk}/revoke/", {"reason": "虚假申报"})
    if role in REVOKES:
        assert page.status_code == 302
        claim.refresh_from_db()
        assert claim.status == ClaimStatus.REVOKED
        assert IntegrityRecord.objects.filter(claim=claim).count() == 1
        return
    if role == "anonymous":
        assert status(page) == LOGIN
    elif role in SEES_CLAIM:
        assert page.status_code == 302
    else:
        assert page.status_code == 404
    assert snapshot(claim) == before
    api = api_client(world, role).post(
        f"/api/hours/review/claims/{claim.pk}/revoke/", {"reason": "虚假申报"}, format="json"
    )
    assert api.status_code == (403 if role == "anonymous" or role in SEES_CLAIM else 404)
    assert snapshot(claim) == before


@pytest.mark.parametrize("role", sorted(REVOKES))
def test_revocation_through_the_api(world: World, open_year: int, role: str) -> None:
    claim = approved_claim(world, open_year)
    response = api_client(world, role).post(
        f"/api/hours/review/claims/{claim.pk}/revoke/", {"reason": "虚假申报"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["claim_id"], response.json()["reason"], response.json()["reversed_hours"]) == (
        claim.pk,
        "虚假申报",
        "20.0",
    )


@pytest.mark.parametrize("role", ROLES)
def test_integrity_archive(world: World, open_year: int, role: str) -> None:
    claim = approved_claim(world, open_year)
    review.claim_revoke(actor=world.county_staff, claim_id=claim.pk, reason="伪造成绩通知书")
    page = page_client(world, role).get("/hours/integrity/")
    export = page_client(world, role).get("/hours/integrity/", {"format": "xlsx"})
    api = api_client(world, role).get("/api/hours/integrity/")
    if role == "anonymous":
        assert (status(page), status(export), api.status_code) == (LOGIN, LOGIN, 403)
    elif role in BUREAU_STAFF:
        assert (page.status_code, export.status_code, api.status_code) == (200, 200, 200)
        listed = [row["claim_id"] for row in api.json()["results"]]
        assert listed == ([] if role == "other_county_staff" else [claim.pk])
        assert ("伪造成绩通知书" in page.content.decode()) == (role != "other_county_staff")
        assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    else:
        assert (page.status_code, export.status_code, api.status_code) == (404, 404, 404)


@pytest.mark.parametrize("role", ROLES)
def test_chain_settings(world: World, role: str) -> None:
    client = page_client(world, role)
    page = client.get("/hours/review/chain/", {"bureau": world.rencheng.pk})
    post = client.post(
        "/hours/review/chain/",
        {
            "bureau": world.rencheng.pk,
            "action": "save",
            "use_1": "on",
            "days_1": 3,
            "use_3": "on",
            "days_3": 5,
        }
        | {"days_2": 7, "days_4": 10},
    )
    if role == "anonymous":
        assert (status(page), status(post)) == (LOGIN, LOGIN)
    elif role in {"county_staff", "city_staff"}:
        assert (page.status_code, post.status_code) == (200, 302)
        assert list(
            ReviewStageTemplate.objects.filter(bureau=world.rencheng).values_list("kind", "deadline_days")
        ) == [(1, 3), (3, 5)]
        return
    else:
        assert (page.status_code, post.status_code) == (404, 404)
    assert not ReviewStageTemplate.objects.exists()
