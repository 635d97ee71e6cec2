"""The compliance report (.xlsx): every figure equals the ledger (``year_summary``) person by person,
the summaries per county, department and unit, small reports at once and large ones as a job with
progress, formula injection neutralised, and who may export what."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.demo import DEMO_PASSWORD, make_id_number
from accounts.models import AuditEvent, Organisation, Role, User
from hours import reports, selectors, services
from hours.models import PREMIUM_COURSE_RULE_CODE, ExportJob, ExportStatus, LedgerCategory, SourceType
from tests.fixtures import World, client_for

from .helpers import file_and_approve, reduction, research

_serial = 0


def make_professional(name: str, unit: Organisation) -> User:
    global _serial
    _serial += 1
    person = User.objects.create_user(f"1370000{_serial:04d}", DEMO_PASSWORD, real_name=name, unit=unit)
    account_services._set_id_number(
        person, make_id_number("370811", datetime.date(1991, 1, 1), 100 + _serial)
    )
    person.save()
    account_services.role_grant(actor=None, user=person, role=Role.PROFESSIONAL, organisation=None)
    return person


def credit(
    person: User,
    year: int,
    category: str,
    hours: str,
    source: str,
    source_type: str = SourceType.IMPORT,
    rule_code: str = "",
) -> None:
    services.ledger_post_credit(
        person=person,
        year=year,
        category=category,
        hours=Decimal(hours),
        source_type=source_type,
        source_id=source,
        memo=source,
        actor=None,
        rule_code=rule_code,
    )


@pytest.fixture
def population(world: World, open_year: int) -> dict[str, User]:
    """Six people with different situations across two counties, a department and units without one."""
    year = open_year
    complete = world.professional  # 实验中学 (任城区教育和体育局)
    credit(complete, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c1", SourceType.COURSE)
    credit(complete, year, LedgerCategory.PUBLIC_ELECTIVE, "10", "e1", SourceType.COURSE)
    credit(complete, year, LedgerCategory.PROFESSIONAL, "60", "p1")
    public_only = make_professional("李公需", world.other_school)
    credit(public_only, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c2", SourceType.COURSE)
    credit(public_only, year, LedgerCategory.PUBLIC_ELECTIVE, "10", "e2", SourceType.COURSE)
    credit(public_only, year, LedgerCategory.PROFESSIONAL, "59.5", "p2")
    reduced = make_professional("王产假", world.company)  # no department
    file_and_approve(reduced, world.county_staff, year, "R1", reduction("maternity", 4))
    credit(reduced, year, LedgerCategory.PUBLIC_COMPULSORY, "10", "c3", SourceType.COURSE)
    file_and_approve(reduced, world.county_staff, year, "PRO-4", research(year, "论文一"))
    file_and_approve(reduced, world.county_staff, year, "PRO-4", research(year, "论文二"))
    premium = make_professional("赵精品", world.yanzhou_hospital)  # 兖州区
    credit(premium, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c4", SourceType.COURSE)
    credit(premium, year, LedgerCategory.PUBLIC_CONVERSION, "10", "x4", SourceType.ADJUSTMENT)
    credit(
        premium,
        year,
        LedgerCategory.PROFESSIONAL,
        "12",
        "premium-1",
        SourceType.PROGRAMME,
        PREMIUM_COURSE_RULE_CODE,
    )
    nothing = make_professional('=HYPERLINK("x")', world.yanzhou_hospital)
    reversed_person = make_professional("钱冲销", world.school)
    credit(reversed_person, year, LedgerCategory.PUBLIC_COMPULSORY, "20", "c6", SourceType.COURSE)
    credit(reversed_person, year, LedgerCategory.PUBLIC_ELECTIVE, "10", "e6", SourceType.COURSE)
    credit(reversed_person, year, LedgerCategory.PROFESSIONAL, "60", "p6")
    from hours.models import LedgerEntry

    services.ledger_reverse(
        entry=LedgerEntry.objects.get(source_id="p6"), actor=world.county_staff, reason="导入有误"
    )
    other_year = 2024 if year != 2024 else 2025  # another year: not in the report
    credit(reversed_person, other_year, LedgerCategory.PROFESSIONAL, "60", "other-year")
    return {
        "complete": complete,
        "public_only": public_only,
        "reduced": reduced,
        "premium": premium,
        "nothing": nothing,
        "reversed": reversed_person,
        "pending": world.pending_professional,
    }


def sheet_rows(content: bytes, title: str) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_every_figure_equals_the_ledger(world: World, population: dict[str, User], open_year: int) -> None:
    content = reports.compliance_report_now(actor=world.city_staff, organisation=world.city, year=open_year)
    rows = sheet_rows(content, "人员明细")
    assert rows[0] == [str(label) for label in reports.DETAIL_HEADER]
    by_masked = {row[1]: row for row in rows[1:]}
    assert len(by_masked) == len(rows) - 1 == len(population)
    for person in population.values():
        person.refresh_from_db()
        summary = selectors.year_summary(person, open_year)
        row = by_masked[person.id_number_masked]
        expected = [
            summary.public_required,
            summary.professional_required,
            summary.compulsory,
            summary.elective,
            summary.conversion,
            summary.public,
            summary.professional,
            summary.total,
            "是" if summary.is_compliant else "否",
        ]
        assert [
            Decimal(str(value)) if isinstance(value, (int, float)) else value for value in row[5:]
        ] == expected, person.real_name
    assert by_masked[population["complete"].id_number_masked][13] == "是"
    assert by_masked[population["public_only"].id_number_masked][13] == "否"
    reduced = by_masked[population["reduced"].id_number_masked]
    assert reduced[5:7] == [10, 20] and reduced[13] == "是"  # 4 months on post: 10 + 20
    assert by_masked[population["premium"].id_number_masked][13] == "是"  # premium course, 12 hours
    assert by_masked[population["reversed"].id_number_masked][11] == 0  # credit reversed
    assert by_masked[population["reversed"].id_number_masked][13] == "否"
    # where each person belongs
    complete = by_masked[population["complete"].id_number_masked]
    assert complete[2:5] == ["任城区实验中学", "任城区教育和体育局", "任城区人力资源和社会保障局"]
    assert by_masked[population["reduced"].id_number_masked][3] is None  # no department: empty cell
    # formula injection is shown, never evaluated
    assert by_masked[population["nothing"].id_number_masked][0] == '\'=HYPERLINK("x")'


def test_summaries_per_county_department_and_unit(
    world: World, population: dict[str, User], open_year: int
) -> None:
    content = reports.compliance_report_now(actor=world.city_staff, organisation=world.city, year=open_year)
    counties = {row[0]: row[1:] for row in sheet_rows(content, "按县（市、区）汇总")[1:]}
    assert counties["任城区人力资源和社会保障局"] == [5, 2, 3, 40.0]
    assert counties["兖州区人力资源和社会保障局"] == [2, 1, 1, 50.0]
    assert counties["合计"] == [7, 3, 4, 42.9]
    departments = {row[0]: row[1:] for row in sheet_rows(content, "按主管部门汇总")[1:]}
    assert departments["任城区教育和体育局"] == [3, 1, 2, 33.3]
    assert departments["兖州区卫生健康局"] == [2, 1, 1, 50.0]
    assert departments["（无主管部门）"] == [2, 1, 1, 50.0]
    units = {row[0]: row[1:] for row in sheet_rows(content, "按单位汇总")[1:]}
    assert units["任城区实验中学"] == [2, 1, 1, 50.0]
    assert units["济宁鲁科智能科技有限公司"] == [2, 1, 1, 50.0]
    assert AuditEvent.objects.filter(action="hours.report.compliance", actor=world.city_staff).count() == 1


def test_the_fast_detail_rows_equal_the_report_rows(
    world: World, population: dict[str, User], open_year: int
) -> None:
    """``detail_rows`` (what the workbook gets, no per-row objects) and ``report_rows`` +
    ``detail_values`` (what the pages use) give the same cells and the same tallies."""
    fast = reports.Summaries()
    cells = list(reports.detail_rows(world.city.path, open_year, fast))
    slow = reports.Summaries()
    expected = []
    for row in reports.report_rows(world.city.path, open_year):
        slow.add(row)
        expected.append(reports.detail_values(row))
    assert cells == expected and len(cells) == len(population)
    for key in ("counties", "departments", "units"):
        assert getattr(fast, key) == getattr(slow, key), key
    assert fast.overall == slow.overall


def test_report_is_scoped_to_the_organisation(
    world: World, population: dict[str, User], open_year: int
) -> None:
    content = reports.compliance_report_now(actor=world.unit_admin, organisation=world.school, year=open_year)
    names = sorted(row[0] for row in sheet_rows(content, "人员明细")[1:])
    assert names == sorted([population["complete"].real_name, population["reversed"].real_name])


def test_small_report_downloads_at_once(world: World, population: dict[str, User], open_year: int) -> None:
    response = client_for(world.county_staff).post(
        reverse("hours_reports"), {"year": open_year, "organisation": world.rencheng.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(sheet_rows(response.content, "人员明细")) == 1 + 5
    assert not ExportJob.objects.exists()


def test_large_report_runs_as_a_job_with_progress(
    world: World,
    population: dict[str, User],
    open_year: int,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    client = client_for(world.city_staff)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("hours_reports"), {"year": open_year, "organisation": world.city.pk})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export_detail", args=[job.pk])
    assert len(callbacks) == 1 and job.status == ExportStatus.PENDING
    reports.export_run(job_id=job.pk)  # what the queued task does
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (ExportStatus.DONE, 7, 7, 100)
    page = client.get(reverse("export_detail", args=[job.pk])).content.decode()
    assert 'data-testid="export-download"' in page
    download = client.get(reverse("export_download", args=[job.pk]))
    assert download.streaming  # read from storage in chunks, never whole into memory
    assert download["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(reports.report_file_name(world.city, open_year))}"
    )
    assert len(sheet_rows(b"".join(download.streaming_content), "人员明细")) == 8
    # the job is the requester's alone, and running it again does nothing
    assert client_for(world.county_staff).get(reverse("export_detail", args=[job.pk])).status_code == 404
    assert client_for(world.county_staff).get(reverse("export_download", args=[job.pk])).status_code == 404
    reports.export_run(job_id=job.pk)
    assert ExportJob.objects.get().finished_at == job.finished_at
    # the requester is told
    assert world.city_staff.notifications.filter(title="导出文件已生成").exists()


def test_report_api(world: World, population: dict[str, User], open_year: int, monkeypatch: Any) -> None:
    client = client_for(world.county_staff)
    response = client.post(
        reverse("api_hours_compliance_report"),
        {"year": open_year, "organisation_id": world.rencheng.pk},
        content_type="application/json",
    )
    assert response.status_code == 200 and len(sheet_rows(response.content, "人员明细")) == 6
    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    queued = client.post(
        reverse("api_hours_compliance_report"),
        {"year": open_year, "organisation_id": world.rencheng.pk},
        content_type="application/json",
    )
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert client.get(reverse("api_hours_export", args=[queued.json()["id"]])).status_code == 200
    assert (
        client_for(world.city_staff).get(reverse("api_hours_export", args=[queued.json()["id"]])).status_code
        == 404
    )


REPORT_MATRIX = [
    # (actor, organisation attribute, allowed)
    ("professional", "school", False),
    ("provider_staff", "city", False),
    ("unit_admin", "school", True),
    ("unit_admin", "other_school", False),
    ("other_unit_admin", "school", False),
    ("department_reviewer", "education_department", True),
    ("department_reviewer", "rencheng", False),
    ("county_staff", "rencheng", True),
    ("county_staff", "education_department", True),
    ("county_staff", "yanzhou", False),
    ("other_county_staff", "rencheng", False),
    ("city_staff", "city", True),
    ("city_staff", "yanzhou", True),
]


@pytest.mark.parametrize(("role", "where", "allowed"), REPORT_MATRIX)
def test_report_authorization_matrix(
    world: World, population: dict[str, User], open_year: int, role: str, where: str, allowed: bool
) -> None:
    client = client_for(getattr(world, role))
    organisation = getattr(world, where)
    events = AuditEvent.objects.filter(action="hours.report.compliance").count()
    page = client.get(reverse("hours_reports"))
    response = client.post(reverse("hours_reports"), {"year": open_year, "organisation": organisation.pk})
    api = client.post(
        reverse("api_hours_compliance_report"),
        {"year": open_year, "organisation_id": organisation.pk},
        content_type="application/json",
    )
    if allowed:
        assert page.status_code == 200
        assert response.status_code == 200 and api.status_code == 200
        assert AuditEvent.objects.filter(action="hours.report.compliance").count() == events + 2
    else:
        assert response.status_code == 404 and api.status_code == 404
        assert AuditEvent.objects.filter(action="hours.report.compliance").count() == events
        assert not ExportJob.objects.exists()


def test_anonymous_cannot_export(world: World, open_year: int) -> None:
    client = client_for(None)
    assert client.get(reverse("hours_reports")).status_code == 302
    assert (
        client.post(reverse("hours_reports"), {"year": open_year, "organisation": world.city.pk}).status_code
        == 302
    )
    assert client.post(reverse("api_hours_compliance_report"), {}).status_code in (401, 403)
    assert not AuditEvent.objects.filter(action="hours.report.compliance").exists()


def test_a_revoked_role_takes_its_exports_with_it(
    world: World, population: dict[str, User], open_year: int, monkeypatch: Any
) -> None:
    """The file of a job is the requester's only while they still govern its organisation: after the
    role is revoked the page, the progress, the download and the API answer 404, and a job still queued
    then is cancelled (audited) instead of written."""
    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    finished = reports.compliance_report_start(
        actor=world.county_staff, organisation=world.rencheng, year=open_year
    )
    reports.export_run(job_id=finished.pk)
    queued = reports.compliance_report_start(
        actor=world.county_staff, organisation=world.rencheng, year=open_year
    )
    client = client_for(world.county_staff)
    assert client.get(reverse("export_download", args=[finished.pk])).status_code == 200
    assert [job["id"] for job in client.get(reverse("api_hours_exports")).json()["results"]] == [
        queued.pk,
        finished.pk,
    ]

    assignment = world.county_staff.role_assignments.get(role=Role.COUNTY_BUREAU_STAFF, is_active=True)
    account_services.role_revoke(actor=world.platform_admin, assignment_id=assignment.pk)
    client = client_for(world.county_staff)
    for name in ("export_detail", "export_progress", "export_download", "api_hours_export"):
        assert client.get(reverse(name, args=[finished.pk])).status_code == 404, name
    assert client.get(reverse("api_hours_export_download", args=[finished.pk])).status_code == 404
    assert client.get(reverse("api_hours_exports")).json()["results"] == []

    reports.export_run(job_id=queued.pk)  # what the queued task does
    queued.refresh_from_db()
    assert (queued.status, queued.error, queued.file.name) == (
        ExportStatus.FAILED,
        "申请人已不再管辖该范围，本次导出已取消。",
        "",
    )
    event = AuditEvent.objects.get(action="hours.export.cancel")
    assert (event.actor_id, event.object_id, event.organisation_path, event.result) == (
        world.county_staff.pk,
        str(queued.pk),
        world.rencheng.path,
        "failure",
    )


def test_exports_of_another_kind_need_that_kind_of_role(
    world: World, population: dict[str, User], open_year: int, monkeypatch: Any
) -> None:
    """A department reviewer may ask for reports but not for certificate ZIPs: a ZIP job in their name
    (asked for while they also held a unit-admin role) is gone with that role, their report stays."""
    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    reviewer = world.department_reviewer
    extra = account_services.role_grant(
        actor=world.platform_admin, user=reviewer, role=Role.UNIT_ADMIN, organisation=world.school
    )
    from hours import certificates

    batch = certificates.certificate_batch_start(
        actor=reviewer, organisation=world.school, year=open_year, base_url="http://testserver/"
    )
    report = reports.compliance_report_start(
        actor=reviewer, organisation=world.education_department, year=open_year
    )
    account_services.role_revoke(actor=world.platform_admin, assignment_id=extra.pk)
    listed = client_for(reviewer).get(reverse("api_hours_exports")).json()["results"]
    assert [job["id"] for job in listed] == [report.pk]
    reports.export_run(job_id=batch.pk)
    reports.export_run(job_id=report.pk)
    assert ExportJob.objects.get(pk=batch.pk).status == ExportStatus.FAILED
    assert ExportJob.objects.get(pk=report.pk).status == ExportStatus.DONE


def test_a_job_asked_for_while_the_broker_is_down_is_sent_once_it_is_back(
    world: World,
    population: dict[str, User],
    open_year: int,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The page answers as usual and the job waits in the outbox; Celery beat's republish sends it once
    the broker is back (and not before the request's own try had its chance), then forgets it."""
    from kombu.exceptions import OperationalError

    from accounts.models import QueuedTask
    from hours.tasks import export_run_task
    from jinan_ce import queue

    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    sent: list[dict[str, Any]] = []

    def broker_up(**options: Any) -> None:
        sent.append(options["kwargs"])

    def broker_down(**options: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    client = client_for(world.city_staff)
    ask = {"year": open_year, "organisation": world.city.pk}
    monkeypatch.setattr(export_run_task, "apply_async", broker_up)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("hours_reports"), ask).status_code == 302
    first = ExportJob.objects.get()
    assert sent == [{"job_id": first.pk}] and not QueuedTask.objects.exists()

    monkeypatch.setattr(export_run_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hours_reports"), ask)
    job = ExportJob.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("export_detail", args=[job.pk])
    assert job.status == ExportStatus.PENDING
    assert list(QueuedTask.objects.values_list("task_name", "kwargs", "attempts")) == [
        ("hours.tasks.export_run_task", {"job_id": job.pk}, 0)
    ]
    assert queue.republish_queued() == 0  # too young: the request's own publish may be on its way
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert queue.republish_queued(now=later) == 0  # still down: kept, and counted
    assert QueuedTask.objects.get().attempts == 1

    monkeypatch.setattr(export_run_task, "apply_async", broker_up)
    assert queue.republish_queued(now=later) == 1
    assert sent == [{"job_id": first.pk}, {"job_id": job.pk}]
    assert not QueuedTask.objects.exists()
    assert queue.republish_queued(now=later) == 0


def test_an_export_file_is_deleted_after_its_keeping_time_and_the_job_reads_expired(
    world: World,
    population: dict[str, User],
    open_year: int,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The notification promises the file for 7 days; after that the daily task deletes it (it holds
    personal data), the page says so, and downloads answer 404. A newer job is left alone."""
    monkeypatch.setattr(reports, "SMALL_REPORT_PEOPLE", 1)
    old = reports.compliance_report_start(actor=world.city_staff, organisation=world.city, year=open_year)
    reports.export_run(job_id=old.pk)
    new = reports.compliance_report_start(actor=world.city_staff, organisation=world.city, year=open_year)
    reports.export_run(job_id=new.pk)
    old.refresh_from_db()
    stored = old.file.name
    assert old.file.storage.exists(stored)
    notice = world.city_staff.notifications.filter(title="导出文件已生成").first()
    assert notice is not None and "请在7天内下载" in notice.body

    eight_days_on = old.finished_at + datetime.timedelta(days=reports.EXPORT_KEEP_DAYS, hours=1)
    ExportJob.objects.filter(pk=new.pk).update(finished_at=eight_days_on - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True) as deletions:
        assert reports.exports_expire(now=eight_days_on) == 1
    assert len(deletions) == 1  # the file goes once the expiry is committed
    old.refresh_from_db()
    assert (old.status, old.file.name) == (ExportStatus.EXPIRED, "")
    assert not old.file.storage.exists(stored)
    assert ExportJob.objects.get(pk=new.pk).status == ExportStatus.DONE
    event = AuditEvent.objects.get(action="hours.export.expire")
    assert (event.actor_id, event.object_id, event.organisation_path) == (None, str(old.pk), world.city.path)

    client = client_for(world.city_staff)
    page = client.get(reverse("export_detail", args=[old.pk])).content.decode()
    assert "文件已超过7天的保存期限并已删除；如仍需要，请重新申请。" in page
    assert 'data-testid="export-download"' not in page and "hx-trigger" not in page
    assert client.get(reverse("export_download", args=[old.pk])).status_code == 404
    assert client.get(reverse("api_hours_export_download", args=[old.pk])).status_code == 404
    assert client.get(reverse("api_hours_export", args=[old.pk])).json()["status"] == "expired"
    assert reports.exports_expire(now=eight_days_on) == 0  # once


def test_beat_schedule_expires_exports_daily(settings: Any) -> None:
    from hours.tasks import exports_expire_task

    entry = settings.CELERY_BEAT_SCHEDULE["hours-exports-expire"]
    assert entry["task"] == exports_expire_task.name == "hours.tasks.exports_expire_task"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})
