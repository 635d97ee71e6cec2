"""The pages: who sees what (outside is a 404 and changes nothing), the forms, the upload that leads to
the import page, the HTMX progress block that polls while the import runs and stops when it is done,
downloads, and the professional's own imported hours."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.demo import DEMO_ACCOUNTS
from accounts.models import AuditEvent
from filings import clock, importer, messages, services
from filings.models import FilingStatus, ImportStatus, RosterImport, TrainingFiling
from tests.fixtures import World, client_for

from .conftest import filing_data
from .helpers import XLSX, channel_workbook_bytes, id_number, workbook_bytes

ZHANG_MIN_ID = next(account.id_number for account in DEMO_ACCOUNTS if account.mobile == "13800000005")
ROLES = [
    "anonymous",
    "professional",
    "unit_admin",
    "other_unit_admin",
    "department_reviewer",
    "county_staff",
    "other_county_staff",
    "city_staff",
    "provider_staff",
    "platform_admin",
]


def actor(world: World, role: str):  # type: ignore[no-untyped-def]
    return None if role == "anonymous" else getattr(world, role)


# Who sees a filing of 任城区实验中学 (filed by its unit admin, approved by 任城区).
SEES_SCHOOL_FILING = {"unit_admin", "department_reviewer", "county_staff", "city_staff", "platform_admin"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_filing_and_its_pages(world: World, ended_filing: TrainingFiling, role: str) -> None:
    client = client_for(actor(world, role))
    for url in (
        f"/filings/{ended_filing.pk}/",
        f"/filings/{ended_filing.pk}/credits/",
        f"/filings/{ended_filing.pk}/template.xlsx",
        f"/api/filings/{ended_filing.pk}/",
    ):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code in (302, 401, 403), url
        elif role in SEES_SCHOOL_FILING:
            assert response.status_code == 200, (url, role)
        else:
            assert response.status_code == 404, (url, role)


ALLOWED_DECISIONS = {
    ("county_staff", "approve"),
    ("county_staff", "return"),
    ("platform_admin", "approve"),
    ("platform_admin", "return"),
    ("unit_admin", "withdraw"),
}


@pytest.mark.parametrize("role", ROLES)
def test_refused_decisions_change_nothing(world: World, submitted_filing: TrainingFiling, role: str) -> None:
    client = client_for(actor(world, role))
    for decision in ("approve", "return", "withdraw"):
        if (role, decision) in ALLOWED_DECISIONS:
            continue
        response = client.post(f"/filings/{submitted_filing.pk}/decide/{decision}/", {"reason": "理由"})
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404, (role, decision)
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.SUBMITTED
    assert submitted_filing.decisions.count() == 1


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_filing_list_queries_do_not_grow_with_the_rows(
    world: World, submitted_filing: TrainingFiling
) -> None:
    client = client_for(world.county_staff)
    client.get("/filings/")  # the session's first request does its own bookkeeping
    one = queries_for(client, "/filings/")
    for number in range(4):
        services.filing_submit(
            actor=world.unit_admin, organisation=world.school, data=filing_data(title=f"培训{number}")
        )
    client.get("/filings/")  # the submissions notified the bureau: its unread count is counted afresh once
    assert queries_for(client, "/filings/") == one


def test_filing_list_by_status_and_pending_count(world: World, submitted_filing: TrainingFiling) -> None:
    client = client_for(world.county_staff)
    response = client.get("/filings/?status=to_decide")
    page = response.content.decode()
    assert response.status_code == 200
    assert submitted_filing.title in page and "待我审核" in page
    # The platform's shared status badge (the same colour for "submitted" as a claim's).
    label = submitted_filing.get_status_display()
    badge = f'<span class="badge badge-status badge-status-submitted" data-status="submitted">{label}</span>'
    assert badge in page
    assert submitted_filing.title not in client.get("/filings/?status=approved").content.decode()
    assert submitted_filing.title in client.get("/filings/?q=信息技术").content.decode()
    assert client_for(world.professional).get("/filings/").status_code == 404
    assert "培训备案" in client.get("/dashboard/").content.decode()  # the navigation entry
    assert "行业学时导入" in client_for(world.city_staff).get("/dashboard/").content.decode()
    assert "行业学时导入" not in client.get("/dashboard/").content.decode()


def test_filing_form_files_a_training(world: World, year_rules: int) -> None:
    client = client_for(world.unit_admin)
    assert client.get("/filings/new/").status_code == 200
    start = clock.today() + datetime.timedelta(days=7)
    response = client.post(
        "/filings/new/",
        {
            "organisation": str(world.school.pk),
            "title": "班主任工作专题讲座",
            "kind": "seminar",
            "organiser": "任城区实验中学",
            "start_date": start.isoformat(),
            "end_date": start.isoformat(),
            "training_days": "1",
            "planned_hours": "6",
            "place": "学校报告厅",
            "instructors": "张老师",
            "expected_participants": "80",
            "description": "",
            "attachments": [SimpleUploadedFile("通知.pdf", b"%PDF-1.4 x")],
        },
    )
    filing = TrainingFiling.objects.get(title="班主任工作专题讲座")
    assert response.status_code == 302 and response["Location"] == f"/filings/{filing.pk}/"
    assert filing.status == FilingStatus.SUBMITTED and filing.attachments.count() == 1
    attachment = filing.attachments.get()
    download = client.get(f"/filings/{filing.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert (
        client_for(world.other_county_staff)
        .get(f"/filings/{filing.pk}/attachments/{attachment.pk}/")
        .status_code
        == 404
    )


def test_filing_form_shows_the_started_training_refusal(world: World, year_rules: int) -> None:
    client = client_for(world.unit_admin)
    today = clock.today()
    response = client.post(
        "/filings/new/",
        {
            "organisation": str(world.school.pk),
            "title": "已开始的培训",
            "kind": "seminar",
            "organiser": "任城区实验中学",
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "training_days": "1",
            "planned_hours": "6",
            "place": "学校报告厅",
            "expected_participants": "80",
        },
    )
    assert response.status_code == 200
    assert "不能再备案：培训须在开始前备案" in response.content.decode()
    assert not TrainingFiling.objects.exists()


def paper_form(organisation: str, **overrides: str) -> dict[str, str]:
    today = clock.today()
    return {
        "organisation": organisation,
        "unit_query": "实验",
        "paper_received_on": (today - datetime.timedelta(days=20)).isoformat(),
        "title": "纸质备案的培训",
        "kind": "full_time",
        "organiser": "任城区实验中学",
        "start_date": (today - datetime.timedelta(days=5)).isoformat(),
        "end_date": (today - datetime.timedelta(days=4)).isoformat(),
        "training_days": "2",
        "planned_hours": "16",
        "place": "学校",
        "expected_participants": "30",
        **overrides,
    }


def test_filing_form_holds_free_text_to_its_limits(world: World, year_rules: int) -> None:
    client = client_for(world.county_staff)
    response = client.post(
        "/filings/new/",
        paper_form(f"paper:{world.school.pk}", instructors="王" * 1001, description="训" * 5001),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "instructors": ["确保该变量包含不超过 1000 字符 (目前字符数 1001)。"],
        "description": ["确保该变量包含不超过 5000 字符 (目前字符数 5001)。"],
    }
    assert not TrainingFiling.objects.filter(title="纸质备案的培训").exists()


def test_bureau_staff_enter_a_paper_filing_from_the_form(world: World, year_rules: int) -> None:
    """The units are not listed in the page (a bureau may have thousands): staff search for one by name
    or credit code (HTMX) and pick it from the results, which join the form's radio group."""
    client = client_for(world.county_staff)
    page = client.get("/filings/new/").content.decode()
    assert "代录纸质备案" in page and 'hx-get="/filings/new/paper-units/"' in page
    assert f'name="organisation" id="organisation-own-1" value="{world.rencheng.pk}"' in page
    assert f"paper:{world.school.pk}" not in page
    found = client.get("/filings/new/paper-units/", {"unit_query": "实验中学"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200
    assert f'name="organisation" value="paper:{world.school.pk}"' in found.content.decode()
    assert world.school.credit_code in found.content.decode()
    response = client.post("/filings/new/", paper_form(f"paper:{world.school.pk}"))
    filing = TrainingFiling.objects.get(title="纸质备案的培训")
    assert response.status_code == 302
    assert (filing.status, filing.organisation, filing.channel) == (
        FilingStatus.APPROVED,
        world.school,
        "paper",
    )


def test_the_paper_unit_search_by_name_or_credit_code_stays_in_the_bureaus_scope(world: World) -> None:
    client = client_for(world.county_staff)

    def found(query: str) -> str:
        response = client.get("/filings/new/paper-units/", {"unit_query": query})
        assert response.status_code == 200
        return response.content.decode()

    by_code = found(world.school.credit_code.lower())
    assert f"paper:{world.school.pk}" in by_code and world.school.name in by_code
    assert f"paper:{world.school.pk}" in found(world.school.credit_code[:10])
    # Another county's hospital and the bureau itself are outside this bureau's paper filings.
    other = found(world.yanzhou_hospital.name)
    assert f"paper:{world.yanzhou_hospital.pk}" not in other and "本局备案范围内没有" in other
    assert f"paper:{world.rencheng.pk}" not in found(world.rencheng.name)
    assert "输入单位名称的一部分" in found("  ")
    assert (
        f"paper:{world.yanzhou_hospital.pk}"
        in client_for(world.other_county_staff)
        .get("/filings/new/paper-units/", {"unit_query": world.yanzhou_hospital.name})
        .content.decode()
    )
    # The city bureau types in the city-level units' paper filings, not the counties'.
    city = client_for(world.city_staff).get("/filings/new/paper-units/", {"unit_query": world.school.name})
    assert city.status_code == 200 and f"paper:{world.school.pk}" not in city.content.decode()
    for role in ("unit_admin", "professional", "department_reviewer"):
        assert (
            client_for(getattr(world, role)).get("/filings/new/paper-units/?unit_query=实验").status_code
            == 404
        )
    assert Client().get("/filings/new/paper-units/?unit_query=实验").status_code == 302


def test_a_paper_filing_for_a_unit_outside_the_bureau_is_a_form_error(world: World, year_rules: int) -> None:
    client = client_for(world.county_staff)
    for value in (f"paper:{world.yanzhou_hospital.pk}", "paper:x", str(world.school.pk), ""):
        response = client.post("/filings/new/", paper_form(value))
        assert response.status_code == 200
        body = response.content.decode()
        assert "请在“代录纸质备案”中查找并选择单位。" in body or "请选择备案单位。" in body
    assert not TrainingFiling.objects.exists()
    # A refusal of the service comes back with the picked unit still checked and the search kept.
    response = client.post(
        "/filings/new/", paper_form(f"paper:{world.school.pk}", paper_received_on=clock.today().isoformat())
    )
    body = response.content.decode()
    assert response.status_code == 200 and not TrainingFiling.objects.exists()
    assert f'value="paper:{world.school.pk}" checked' in body and 'value="实验"' in body


def test_the_paper_unit_picker_with_thousands_of_units(world: World) -> None:
    from accounts.demo import make_credit_code
    from accounts.models import Organisation, OrganisationKind

    units = [
        Organisation(
            name=f"任城区第{n}幼儿园",
            kind=OrganisationKind.UNIT,
            parent=world.rencheng,
            path=f"{world.rencheng.path}{900000 + n}/",
            depth=world.rencheng.depth + 1,
            bureau=world.rencheng,
            credit_code=make_credit_code(500000 + n),
        )
        for n in range(3000)
    ]
    Organisation.objects.bulk_create(units, batch_size=500)
    client = client_for(world.county_staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/filings/new/")
    assert page.status_code == 200 and "幼儿园" not in page.content.decode()
    assert len(queries.captured_queries) < 25
    many = client.get("/filings/new/paper-units/", {"unit_query": "幼儿园"}).content.decode()
    assert many.count('name="organisation"') == 20 and "只显示前 20 个" in many
    one = client.get("/filings/new/paper-units/", {"unit_query": "第2999幼儿园"}).content.decode()
    assert one.count('name="organisation"') == 1 and "只显示前" not in one
    code = make_credit_code(502999)
    assert "第2999幼儿园" in client.get("/filings/new/paper-units/", {"unit_query": code}).content.decode()


def test_decisions_and_resubmission_through_the_pages(world: World, submitted_filing: TrainingFiling) -> None:
    bureau = client_for(world.county_staff)
    page = bureau.get(f"/filings/{submitted_filing.pk}/").content.decode()
    assert "审核通过" in page and "退回" in page
    response = bureau.post(f"/filings/{submitted_filing.pk}/decide/return/", {"reason": ""})
    assert response.status_code == 302
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.SUBMITTED
    bureau.post(f"/filings/{submitted_filing.pk}/decide/return/", {"reason": "请补充日程安排"})
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.RETURNED

    unit = client_for(world.unit_admin)
    assert "请补充日程安排" in unit.get(f"/filings/{submitted_filing.pk}/").content.decode()
    assert unit.get(f"/filings/{submitted_filing.pk}/edit/").status_code == 200
    assert client_for(world.county_staff).get(f"/filings/{submitted_filing.pk}/edit/").status_code == 404
    data = filing_data()
    response = unit.post(
        f"/filings/{submitted_filing.pk}/edit/",
        {
            "title": data.title,
            "kind": data.kind,
            "organiser": data.organiser,
            "start_date": data.start_date.isoformat(),
            "end_date": data.end_date.isoformat(),
            "training_days": str(data.training_days),
            "planned_hours": "20",
            "place": data.place,
            "instructors": data.instructors,
            "expected_participants": "60",
            "description": "附日程安排",
        },
    )
    assert response.status_code == 302
    submitted_filing.refresh_from_db()
    assert (submitted_filing.status, str(submitted_filing.planned_hours)) == (FilingStatus.SUBMITTED, "20.0")
    bureau.post(f"/filings/{submitted_filing.pk}/decide/approve/", {"comment": ""})
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.APPROVED
    response = unit.post(
        f"/filings/{submitted_filing.pk}/attachments/",
        {"attachments": [SimpleUploadedFile("签到表.pdf", b"%PDF-1.4")]},
    )
    assert response.status_code == 302 and submitted_filing.attachments.count() == 1
    unit.get(f"/filings/{submitted_filing.pk}/")  # shows (and so clears) the upload's message
    # Nothing chosen: said so, nothing recorded.
    audited = AuditEvent.objects.filter(action="filings.filing.attachment_add").count()
    response = unit.post(f"/filings/{submitted_filing.pk}/attachments/", {}, follow=True)
    assert "请选择要上传的附件。" in response.content.decode()
    assert "附件已上传" not in response.content.decode()
    assert submitted_filing.attachments.count() == 1
    assert AuditEvent.objects.filter(action="filings.filing.attachment_add").count() == audited


def test_withdraw_through_the_page(world: World, submitted_filing: TrainingFiling) -> None:
    response = client_for(world.unit_admin).post(
        f"/filings/{submitted_filing.pk}/decide/withdraw/", {"reason": "取消"}
    )
    assert response.status_code == 302
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.WITHDRAWN


def test_upload_progress_and_result_pages(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    client = client_for(world.county_staff)
    detail = client.get(f"/filings/{ended_filing.pk}/").content.decode()
    assert "上传并导入" in detail and "下载名单模板" in detail
    template = client.get(f"/filings/{ended_filing.pk}/template.xlsx")
    assert template["Content-Type"] == XLSX
    assert (
        next(load_workbook(io.BytesIO(template.content))["学员名单"].iter_rows(values_only=True))[0]
        == "身份证号码"
    )

    rows = [[ZHANG_MIN_ID, "张敏", 8], [id_number(301), "刘洋", 8], ["12345", "坏行", 8]]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/filings/{ended_filing.pk}/imports/",
            {"file": SimpleUploadedFile("名单.xlsx", workbook_bytes(rows), content_type=XLSX)},
        )
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/imports/{roster_import.pk}/"

    # While queued, the block polls itself every second; the cancel button is there.
    queued = client.get(f"/filings/imports/{roster_import.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in queued and "取消导入" in queued and "js/filings.js" in queued
    partial = client.get(
        f"/filings/imports/{roster_import.pk}/progress/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.startswith('<section id="import-status"') and "every 1s" in partial

    for callback in callbacks:
        callback()
    done = client.get(
        f"/filings/imports/{roster_import.pk}/progress/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert 'data-status="finished"' in done and 'data-progress="100"' in done
    assert "坏行" in done and "身份证号码应为18位。" in done
    held = client.get(f"/filings/imports/{roster_import.pk}/?kind=held").content.decode()
    assert "刘洋" in held and str(messages.ROW_HELD) in held
    report = client.get(f"/filings/imports/{roster_import.pk}/report.xlsx")
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    credits = client.get(f"/filings/{ended_filing.pk}/credits/").content.decode()
    assert "张敏" in credits and "刘洋" in credits
    # The filing unit sees the result too; another county does not.
    assert client_for(world.unit_admin).get(f"/filings/imports/{roster_import.pk}/").status_code == 200
    assert (
        client_for(world.other_county_staff).get(f"/filings/imports/{roster_import.pk}/").status_code == 404
    )
    assert (
        client_for(world.other_county_staff)
        .get(f"/filings/imports/{roster_import.pk}/report.xlsx")
        .status_code
        == 404
    )
    # The professional sees the hours on their own page.
    mine = client_for(world.professional).get("/filings/mine/").content.decode()
    assert ended_filing.title in mine and 'data-hours="8.0"' in mine


def test_upload_refusals_are_messages(world: World, ended_filing: TrainingFiling) -> None:
    client = client_for(world.county_staff)
    response = client.post(
        f"/filings/{ended_filing.pk}/imports/",
        {"file": SimpleUploadedFile("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)},
        follow=True,
    )
    assert str(messages.FILE_OLD_XLS) in response.content.decode()
    assert not RosterImport.objects.exists()
    assert client_for(world.city_staff).post(f"/filings/{ended_filing.pk}/imports/", {}).status_code == 404
    assert client.post(f"/filings/{ended_filing.pk}/imports/", {}, follow=True).status_code == 200


def test_cancel_and_retry_through_the_pages(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = client_for(world.county_staff)
    with django_capture_on_commit_callbacks(execute=False):
        roster_import = services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=SimpleUploadedFile("名单.xlsx", workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    assert (
        client_for(world.unit_admin).post(f"/filings/imports/{roster_import.pk}/cancel/").status_code == 404
    )
    assert client.post(f"/filings/imports/{roster_import.pk}/cancel/").status_code == 302
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.CANCELLED
    assert client.post(f"/filings/imports/{roster_import.pk}/retry/").status_code == 302  # refused: a message

    monkeypatch.setattr(
        importer, "_classify", lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        failing = services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=SimpleUploadedFile("名单.xlsx", workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    failing.refresh_from_db()
    assert failing.status == ImportStatus.FAILED
    page = client.get(f"/filings/imports/{failing.pk}/").content.decode()
    assert "重新运行" in page and str(messages.IMPORT_FAILED_UNEXPECTEDLY) in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/filings/imports/{failing.pk}/retry/").status_code == 302
    failing.refresh_from_db()
    assert failing.status == ImportStatus.FINISHED


def test_channel_imports_page(
    world: World, year_rules: int, django_capture_on_commit_callbacks: Callable
) -> None:
    client = client_for(world.city_staff)
    assert client.get("/filings/channels/").status_code == 200
    template = client.get("/filings/channels/template.xlsx?source=accounting&year=2026")
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    assert client.get("/filings/channels/template.xlsx?source=nope").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/filings/channels/",
            {
                "source": "education",
                "year": str(year_rules),
                "file": SimpleUploadedFile("教育.xlsx", channel_workbook_bytes([[ZHANG_MIN_ID, "张敏", 30]])),
            },
        )
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/imports/{roster_import.pk}/"
    roster_import.refresh_from_db()
    assert roster_import.credited_count == 1
    assert "教育行业" in client.get("/filings/channels/").content.decode()
    for role in ("county_staff", "unit_admin", "professional"):
        assert client_for(getattr(world, role)).get("/filings/channels/").status_code == 404
        assert (
            client_for(getattr(world, role)).get(f"/filings/imports/{roster_import.pk}/").status_code == 404
        )
    mine = client_for(world.professional).get("/filings/mine/").content.decode()
    assert "教育行业" in mine


def test_my_credits_is_empty_for_someone_without_imports(world: World) -> None:
    page = client_for(world.pending_professional).get("/filings/mine/").content.decode()
    assert "暂无导入的培训学时" in page
