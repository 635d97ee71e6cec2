"""The API: filings (file, paper filing, decisions, resubmit, attachments), imports (upload, status,
cancel, retry, bad rows, report) and industry channels, with the same scoping as the pages."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.demo import DEMO_ACCOUNTS
from filings import clock, importer, messages
from filings.models import FilingStatus, ImportStatus, RosterImport, TrainingFiling
from tests.fixtures import World, client_for

from .conftest import filing_data
from .helpers import XLSX, channel_workbook_bytes, id_number, workbook_bytes

ZHANG_MIN_ID = next(account.id_number for account in DEMO_ACCOUNTS if account.mobile == "13800000005")


def payload(**overrides: object) -> dict[str, object]:
    data = filing_data()
    values: dict[str, object] = {
        "title": data.title,
        "kind": data.kind,
        "organiser": data.organiser,
        "start_date": data.start_date.isoformat(),
        "end_date": data.end_date.isoformat(),
        "training_days": data.training_days,
        "planned_hours": str(data.planned_hours),
        "place": data.place,
        "instructors": data.instructors,
        "expected_participants": data.expected_participants,
    }
    values.update(overrides)
    return values


def test_file_decide_and_read_a_filing(world: World, year_rules: int) -> None:
    unit = client_for(world.unit_admin)
    response = unit.post(
        "/api/filings/", payload(organisation=world.school.pk), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    filing_id = response.json()["id"]
    assert (
        response.json()["status"] == "submitted"
        and response.json()["bureau_name"] == "任城区人力资源和社会保障局"
    )

    bureau = client_for(world.county_staff)
    listed = bureau.get("/api/filings/?status=to_decide").json()
    assert [item["id"] for item in listed["results"]] == [filing_id]
    returned = bureau.post(
        f"/api/filings/{filing_id}/return/", {"reason": ""}, content_type="application/json"
    )
    assert returned.status_code == 400 and returned.json() == {
        "reason": [str(messages.RETURN_REASON_REQUIRED)]
    }
    bureau.post(
        f"/api/filings/{filing_id}/return/", {"reason": "请补充日程"}, content_type="application/json"
    )
    resubmitted = unit.post(
        f"/api/filings/{filing_id}/resubmit/",
        payload(description="日程见附件"),
        content_type="application/json",
    )
    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "submitted"
    attachment = unit.post(
        f"/api/filings/{filing_id}/attachments/", {"files": [SimpleUploadedFile("日程.pdf", b"%PDF-1.4 x")]}
    )
    assert attachment.status_code == 201 and attachment.json()[0]["original_name"] == "日程.pdf"
    assert client_for(world.city_staff).post(f"/api/filings/{filing_id}/approve/", {}).status_code == 403
    approved = bureau.post(
        f"/api/filings/{filing_id}/approve/", {"reason": "同意"}, content_type="application/json"
    )
    assert approved.status_code == 200
    detail = unit.get(f"/api/filings/{filing_id}/").json()
    assert detail["status"] == "approved"
    assert [(d["action"], d["to_status"]) for d in detail["decisions"]] == [
        ("file", "submitted"),
        ("return", "returned"),
        ("resubmit", "submitted"),
        ("approve", "approved"),
    ]
    assert (
        detail["decisions"][1]["reason"] == "请补充日程"
        and detail["attachments"][0]["original_name"] == "日程.pdf"
    )
    assert client_for(world.other_county_staff).get(f"/api/filings/{filing_id}/").status_code == 404
    assert unit.get("/api/filings/?status=approved").json()["count"] == 1


def test_refusals_are_400_with_chinese_messages(world: World, year_rules: int) -> None:
    today = clock.today()
    response = client_for(world.unit_admin).post(
        "/api/filings/",
        payload(
            organisation=world.school.pk,
            start_date=today.isoformat(),
            end_date=today.isoformat(),
            training_days=1,
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不能再备案：培训须在开始前备案" in response.json()["start_date"][0]
    assert (
        client_for(world.unit_admin)
        .post("/api/filings/", payload(), content_type="application/json")
        .status_code
        == 400
    )
    assert (
        client_for(world.unit_admin)
        .post("/api/filings/", payload(organisation=world.company.pk), content_type="application/json")
        .status_code
        == 403
    )
    assert TrainingFiling.objects.count() == 0


def test_withdraw_and_paper_filing(world: World, year_rules: int) -> None:
    unit = client_for(world.unit_admin)
    filing_id = unit.post(
        "/api/filings/", payload(organisation=world.school.pk), content_type="application/json"
    ).json()["id"]
    assert (
        unit.post(
            f"/api/filings/{filing_id}/withdraw/", {"reason": "取消"}, content_type="application/json"
        ).json()["status"]
        == FilingStatus.WITHDRAWN
    )
    today = clock.today()
    paper = client_for(world.county_staff).post(
        "/api/filings/",
        payload(
            organisation=world.school.pk,
            paper_received_on=(today - datetime.timedelta(days=9)).isoformat(),
            start_date=(today - datetime.timedelta(days=2)).isoformat(),
            end_date=(today - datetime.timedelta(days=1)).isoformat(),
            training_days=2,
            planned_hours="16",
        ),
        content_type="application/json",
    )
    assert paper.status_code == 201 and (paper.json()["status"], paper.json()["channel"]) == (
        "approved",
        "paper",
    )


def test_paper_units_through_the_api(world: World) -> None:
    bureau = client_for(world.county_staff)
    found = bureau.get("/api/filings/paper-units/", {"search": "实验"})
    assert found.status_code == 200
    assert {(unit["id"], unit["kind"]) for unit in found.json()["results"]} == {
        (world.other_school.pk, "unit"),
        (world.school.pk, "unit"),
    }  # by name, in the database's collation
    school = next(unit for unit in found.json()["results"] if unit["id"] == world.school.pk)
    assert (school["credit_code"], school["parent_name"]) == (world.school.credit_code, "任城区教育和体育局")
    by_code = bureau.get("/api/filings/paper-units/", {"search": world.school.credit_code.lower()})
    assert [unit["id"] for unit in by_code.json()["results"]] == [world.school.pk]
    everything = {unit["id"] for unit in bureau.get("/api/filings/paper-units/").json()["results"]}
    assert {world.school.pk, world.company.pk, world.education_department.pk} <= everything
    assert world.yanzhou_hospital.pk not in everything and world.rencheng.pk not in everything
    assert client_for(world.unit_admin).get("/api/filings/paper-units/").status_code == 404
    assert client_for(None).get("/api/filings/paper-units/").status_code in (401, 403)


def test_import_through_the_api(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    bureau = client_for(world.county_staff)
    rows = [[ZHANG_MIN_ID, "张敏", 8], [id_number(301), "刘洋", 8], ["x", "坏行", 8]]
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post(
            f"/api/filings/{ended_filing.pk}/imports/",
            {
                "file": SimpleUploadedFile("名单.xlsx", workbook_bytes(rows), content_type=XLSX),
                "is_correction": "false",
            },
        )
    assert response.status_code == 202, response.json()
    import_id = response.json()["id"]
    status = bureau.get(f"/api/filings/imports/{import_id}/").json()
    assert (status["status"], status["credited_count"], status["held_count"], status["error_count"]) == (
        "finished",
        1,
        1,
        1,
    )
    assert bureau.get(f"/api/filings/{ended_filing.pk}/imports/").json()["results"][0]["id"] == import_id
    issues = bureau.get(f"/api/filings/imports/{import_id}/issues/?kind=error").json()["results"]
    assert [(issue["row_number"], issue["message"]) for issue in issues] == [(4, "身份证号码应为18位。")]
    assert bureau.get(f"/api/filings/imports/{import_id}/issues/?kind=nope").status_code == 404
    assert len(bureau.get(f"/api/filings/imports/{import_id}/issues/").json()["results"]) == 2
    report = bureau.get(f"/api/filings/imports/{import_id}/report/")
    assert report.status_code == 200
    assert load_workbook(io.BytesIO(report.content)).sheetnames[0] == "导入结果"
    assert client_for(world.other_county_staff).get(f"/api/filings/imports/{import_id}/").status_code == 404
    assert bureau.post(f"/api/filings/imports/{import_id}/cancel/").status_code == 400  # finished
    bad = bureau.post(
        f"/api/filings/{ended_filing.pk}/imports/",
        {"file": SimpleUploadedFile("名单.xlsx", b"not a workbook")},
    )
    assert bad.status_code == 400 and bad.json() == {"detail": [str(messages.FILE_NOT_XLSX)]}
    assert (
        client_for(world.city_staff)
        .post(
            f"/api/filings/{ended_filing.pk}/imports/",
            {"file": SimpleUploadedFile("名单.xlsx", workbook_bytes(rows))},
        )
        .status_code
        == 403
    )


def test_cancel_and_retry_through_the_api(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: object,
) -> None:
    bureau = client_for(world.county_staff)
    with django_capture_on_commit_callbacks(execute=False):
        queued = bureau.post(
            f"/api/filings/{ended_filing.pk}/imports/",
            {"file": SimpleUploadedFile("名单.xlsx", workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]]))},
        ).json()
    cancelled = bureau.post(f"/api/filings/imports/{queued['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == ImportStatus.CANCELLED
    RosterImport.objects.filter(pk=queued["id"]).update(status=ImportStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        retried = bureau.post(f"/api/filings/imports/{queued['id']}/retry/")
    assert retried.status_code == 202
    assert bureau.get(f"/api/filings/imports/{queued['id']}/").json()["status"] == ImportStatus.FINISHED
    assert importer.BATCH_ROWS == 5000


def test_channel_import_through_the_api(
    world: World, year_rules: int, django_capture_on_commit_callbacks: Callable
) -> None:
    city = client_for(world.city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = city.post(
            "/api/filings/channel-imports/",
            {
                "source": "accounting",
                "year": year_rules,
                "file": SimpleUploadedFile("会计.xlsx", channel_workbook_bytes([[ZHANG_MIN_ID, "张敏", 24]])),
            },
        )
    assert response.status_code == 202, response.json()
    listed = city.get("/api/filings/channel-imports/").json()["results"]
    assert [(item["source"], item["status"], item["credited_count"]) for item in listed] == [
        ("accounting", "finished", 1)
    ]
    assert client_for(world.county_staff).get("/api/filings/channel-imports/").json()["results"] == []
    assert (
        client_for(world.county_staff)
        .post(
            "/api/filings/channel-imports/",
            {"source": "accounting", "year": year_rules, "file": SimpleUploadedFile("会计.xlsx", b"x")},
        )
        .status_code
        == 403
    )


def test_free_text_over_its_limit_is_a_400(world: World, year_rules: int) -> None:
    """A 2,000,000-character description used to be accepted; the API holds it to the limits."""
    client = client_for(world.unit_admin)
    response = client.post(
        "/api/filings/",
        payload(organisation=world.school.pk, instructors="王" * 1001, description="x" * 2_000_000),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "instructors": ["请确保这个字段不能超过 1000 个字符。"],
        "description": ["请确保这个字段不能超过 5000 个字符。"],
    }
    assert TrainingFiling.objects.count() == 0
    response = client.post(
        "/api/filings/",
        payload(organisation=world.school.pk, instructors="王" * 1000, description="训" * 5000),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert (len(response.json()["instructors"]), len(response.json()["description"])) == (1000, 5000)
