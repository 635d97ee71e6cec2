"""The hours API for every role: rules, own claims (create, preview, submit, withdraw, evidence), the
ledger and the year summary. Outside the caller's scope is a 404 and changes nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from hours import services
from hours.models import Claim, ClaimEvidence, ClaimStatus
from tests.fixtures import World

from .helpers import EXE_BYTES, PDF_BYTES, PNG_BYTES, D, approve, evidence_file, file_claim
from .test_pages import ROLES, SEES_SUBMITTED_CLAIM


def api(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(getattr(world, role))
    return client


def as_person(person: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


@pytest.fixture
def submitted(world: World, open_year: int) -> Claim:
    return file_claim(world.professional, open_year, "PUB-2", {"grade": "B", "certificate_number": "WY-1"})


@pytest.mark.parametrize("role", ROLES)
def test_rules(world: World, open_year: int, role: str) -> None:
    response = api(world, role).get("/api/hours/rules/", {"year": 2024})
    if role == "anonymous":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    data = response.json()
    assert data["year"] == 2024
    assert data["figures"]["foreign_language_exam_hours"] == {"A": "30", "B": "20", "C": "10"}
    codes = [rule["code"] for rule in data["rules"]]
    assert codes == [
        "PUB-1",
        "PUB-2",
        "PUB-3",
        "PUB-4",
        "PRO-1",
        "PRO-3",
        "PRO-4",
        "PRO-5",
        "PRO-6",
        "PRO-7",
        "PRO-8",
        "R1",
    ]
    pub_2 = data["rules"][1]
    assert pub_2["quote"].startswith("参加全国职称外语考试成绩合格的")
    assert pub_2["fields"][0]["choices"] == [
        {"value": "A", "label": "A级"},
        {"value": "B", "label": "B级"},
        {"value": "C", "label": "C级"},
    ]
    assert data["not_claimable"][0]["code"] == "PRO-2"
    assert open_year in data["open_years"] and 2024 not in data["open_years"]
    assert api(world, role).get("/api/hours/rules/", {"year": 1999}).status_code == 404


def test_claim_lifecycle(world: World, open_year: int, private_storage) -> None:
    client = as_person(world.professional)
    response = client.post(
        "/api/hours/claims/",
        {"year": open_year, "rule_code": "PUB-3", "fields": {"modules": 3, "certificate_number": "JSJ-1"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    claim_id = response.json()["id"]
    assert response.json()["status"] == "draft" and response.json()["status_display"] == "草稿"
    response = client.patch(
        f"/api/hours/claims/{claim_id}/",
        {"fields": {"modules": 4, "certificate_number": "JSJ-1"}},
        format="json",
    )
    assert response.json()["fields"] == {"modules": 4, "certificate_number": "JSJ-1"}
    response = client.post(f"/api/hours/claims/{claim_id}/submit/")
    assert response.status_code == 400
    assert response.json() == {"evidence": ["请先上传证明材料（考试合格证书），再提交审核。"]}
    response = client.post(
        f"/api/hours/claims/{claim_id}/evidence/",
        {"file": evidence_file("证书.png", PNG_BYTES)},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    evidence_id = response.json()["id"]
    file_response = client.get(response.json()["url"])
    assert file_response.status_code == 200 and file_response["Content-Type"] == "image/png"
    response = client.post(
        f"/api/hours/claims/{claim_id}/evidence/",
        {"file": evidence_file("x.pdf", EXE_BYTES)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {
        "evidence": ["“x.pdf”不是PDF、JPG或PNG文件。证明材料只能上传PDF、JPG或PNG格式的文件。"]
    }
    response = client.post(f"/api/hours/claims/{claim_id}/submit/")
    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["status_display"], data["preview_hours"], data["unit_name"]) == (
        "submitted",
        "审核中",
        "20.0",
        "任城区实验中学",
    )
    assert [item["id"] for item in data["evidence"]] == [evidence_id]
    listing = client.get("/api/hours/claims/").json()
    assert [item["id"] for item in listing["results"]] == [claim_id]
    response = client.post(f"/api/hours/claims/{claim_id}/withdraw/")
    assert response.json()["status"] == "withdrawn"
    response = client.post(f"/api/hours/claims/{claim_id}/withdraw/")
    assert response.status_code == 400
    assert response.json() == {"detail": [str(services.CLAIM_NOT_WITHDRAWABLE)]}


def test_create_refusals(world: World, open_year: int) -> None:
    client = as_person(world.professional)
    response = client.post(
        "/api/hours/claims/", {"year": open_year, "rule_code": "PRO-2", "fields": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "rule_code": ["培训进修类学时由组织、派出或同意的行业主管部门、用人单位统一备案并导入，个人无需申报"]
    }
    response = client.post(
        "/api/hours/claims/",
        {"year": open_year, "rule_code": "PUB-1", "fields": {"from_month": 13}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "from_month": ["开始月份须在1至12之间"],
        "to_month": ["请填写结束月份"],
        "document_number": ["请填写援派文件文号"],
    }
    response = api(world, "unit_admin").post(
        "/api/hours/claims/",
        {"year": open_year, "rule_code": "PUB-2", "fields": {"grade": "A", "certificate_number": "1"}},
        format="json",
    )
    assert response.status_code == 403
    assert Claim.objects.count() == 0


def test_preview(world: World, open_year: int) -> None:
    client = as_person(world.professional)
    response = client.post(
        "/api/hours/claims/preview/",
        {
            "year": open_year,
            "rule_code": "PRO-5",
            "fields": {"activity": "exam_marking", "days": 2, "hours": "20", "invitation_number": "Y"},
        },
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "hours": "16.0",
        "claimed": "20.0",
        "capped": True,
        "refused": False,
        "refusal": "",
        "reasons": ["受邀专家活动每天不超过8学时，2天最多认定16学时（申报20学时）"],
        "reduced_public_required": None,
        "reduced_professional_required": None,
    }
    response = client.post(
        "/api/hours/claims/preview/",
        {"year": open_year, "rule_code": "R1", "fields": {"reason": "sick_leave", "months_on_post": 4}},
        format="json",
    )
    assert (response.json()["reduced_public_required"], response.json()["reduced_professional_required"]) == (
        "10.0",
        "20.0",
    )
    assert api(world, "county_staff").post("/api/hours/claims/preview/", {}, format="json").status_code == 404
    assert Claim.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_claim_detail_and_evidence_scope(world: World, submitted: Claim, role: str) -> None:
    evidence = submitted.evidence.get()
    client = api(world, role)
    detail = client.get(f"/api/hours/claims/{submitted.pk}/")
    file_response = client.get(f"/api/hours/claims/{submitted.pk}/evidence/{evidence.pk}/")
    if role == "anonymous":
        assert (detail.status_code, file_response.status_code) == (403, 403)
    elif role in SEES_SUBMITTED_CLAIM:
        assert detail.status_code == 200 and detail.json()["person_name"] == "张敏"
        assert file_response.status_code == 200
        assert b"".join(file_response.streaming_content).startswith(PDF_BYTES)
    else:
        assert (detail.status_code, file_response.status_code) == (404, 404)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "professional"])
def test_others_cannot_act_on_a_claim(world: World, open_year: int, role: str) -> None:
    claim = services.claim_save(
        actor=world.professional,
        rule_code="PUB-2",
        year=open_year,
        fields={"grade": "A", "certificate_number": "1"},
        uploads=[evidence_file()],
    )
    client = api(world, role)
    expected = 403 if role == "anonymous" else 404
    assert (
        client.patch(f"/api/hours/claims/{claim.pk}/", {"fields": {"grade": "C"}}, format="json").status_code
        == expected
    )
    assert client.post(f"/api/hours/claims/{claim.pk}/submit/").status_code == expected
    assert client.post(f"/api/hours/claims/{claim.pk}/withdraw/").status_code == expected
    response = client.post(
        f"/api/hours/claims/{claim.pk}/evidence/", {"file": evidence_file()}, format="multipart"
    )
    assert response.status_code == expected
    claim.refresh_from_db()
    assert (claim.status, claim.fields["grade"]) == (ClaimStatus.DRAFT, "A")
    assert ClaimEvidence.objects.count() == 1
    if role != "anonymous":
        assert client.get("/api/hours/claims/").json()["results"] == []


def test_ledger_and_summary(world: World, open_year: int) -> None:
    person = world.professional
    approve(
        file_claim(person, open_year, "PUB-1", {"from_month": 1, "to_month": 6, "document_number": "援1"}),
        world.county_staff,
    )
    approve(
        file_claim(person, open_year, "PRO-1", {"from_month": 1, "to_month": 6, "document_number": "援1"}),
        world.county_staff,
    )
    client = as_person(person)
    entries = client.get("/api/hours/ledger/", {"year": open_year}).json()["results"]
    assert [
        (e["category"], e["hours"], e["rule_code"], e["source_type"], e["source_display"]) for e in entries
    ] == [
        ("public_conversion", "15.0", "PUB-1", "claim", "学时申报"),
        ("professional", "30.0", "PRO-1", "claim", "学时申报"),
    ]
    assert client.get("/api/hours/ledger/", {"year": 2024}).json()["results"] == []
    summary = client.get("/api/hours/summary/", {"year": open_year}).json()
    assert summary == {
        "year": open_year,
        "public_required": "30.0",
        "professional_required": "60.0",
        "months_on_post": None,
        "compulsory": "0.0",
        "elective": "0.0",
        "conversion": "15.0",
        "public": "15.0",
        "professional": "30.0",
        "missing_public": "15.0",
        "missing_professional": "30.0",
        "premium_course_completed": False,
        "is_compliant": False,
    }
    # Nobody else's ledger is reachable: staff see an empty ledger and no summary.
    assert api(world, "county_staff").get("/api/hours/ledger/", {"year": open_year}).json()["results"] == []
    assert api(world, "county_staff").get("/api/hours/summary/").status_code == 404
    assert api(world, "anonymous").get("/api/hours/ledger/").status_code == 403
    assert D(summary["conversion"]) == D(15)


def test_schema_lists_the_hours_endpoints(world: World) -> None:
    schema = as_person(world.professional).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/hours/rules/",
        "/api/hours/claims/",
        "/api/hours/claims/preview/",
        "/api/hours/claims/{id}/",
        "/api/hours/claims/{id}/submit/",
        "/api/hours/claims/{id}/withdraw/",
        "/api/hours/claims/{id}/evidence/",
        "/api/hours/claims/{id}/evidence/{evidence_pk}/",
        "/api/hours/ledger/",
        "/api/hours/summary/",
    ):
        assert path in schema["paths"], path
