"""The filing workflow: who files, which bureau it goes to, approval and return with a reason,
resubmission, withdrawal, bureau and paper filings, the "filed before it starts" rule, attachments, and
every move on record (a decision row and an audit event)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts import services as account_services
from accounts.demo import DEMO_PASSWORD
from accounts.models import AuditEvent, Notification, Organisation, Role, User
from accounts.request_context import current_ip
from filings import clock, messages, services
from filings.models import (
    DESCRIPTION_MAX_LENGTH,
    INSTRUCTORS_MAX_LENGTH,
    FilingChannel,
    FilingDecision,
    FilingStatus,
    TrainingFiling,
)
from tests.fixtures import World

from .conftest import filing_data, move_clock


def decisions(filing: TrainingFiling) -> list[tuple[str, str, str, str, str]]:
    return [
        (
            d.action,
            d.from_status,
            d.to_status,
            d.actor_role,
            d.actor_organisation.name if d.actor_organisation else "",
        )
        for d in FilingDecision.objects.filter(filing=filing).select_related("actor_organisation")
    ]


def snapshot(filing: TrainingFiling) -> tuple[object, ...]:
    filing.refresh_from_db()
    return (
        filing.status,
        filing.decided_by_id,
        filing.return_reason,
        FilingDecision.objects.filter(filing=filing).count(),
    )


def date_text(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --- Filing ---------------------------------------------------------------------------------------


def test_a_unit_files_with_its_county_bureau(world: World, year_rules: int) -> None:
    token = current_ip.set("10.1.2.3")
    try:
        filing = services.filing_submit(actor=world.unit_admin, organisation=world.school, data=filing_data())
    finally:
        current_ip.reset(token)
    assert (filing.status, filing.bureau, filing.organisation, filing.channel) == (
        FilingStatus.SUBMITTED,
        world.rencheng,
        world.school,
        FilingChannel.ONLINE,
    )
    assert decisions(filing) == [("file", "", "submitted", Role.UNIT_ADMIN, "任城区实验中学")]
    assert FilingDecision.objects.get(filing=filing).ip_address == "10.1.2.3"
    event = AuditEvent.objects.get(action="filings.filing.file", object_id=str(filing.pk))
    assert (event.actor, event.organisation_path, event.ip_address) == (
        world.unit_admin,
        world.school.path,
        "10.1.2.3",
    )
    assert Notification.objects.filter(recipient=world.county_staff, title="新的培训备案待审核").count() == 1
    assert not Notification.objects.filter(recipient=world.city_staff, title="新的培训备案待审核").exists()


def test_a_department_and_a_unit_without_one_file_with_their_county(world: World, year_rules: int) -> None:
    by_department = services.filing_submit(
        actor=world.department_reviewer, organisation=world.education_department, data=filing_data()
    )
    by_company = services.filing_submit(
        actor=world.other_unit_admin, organisation=world.company, data=filing_data()
    )
    assert by_department.bureau == world.rencheng and by_company.bureau == world.rencheng
    assert decisions(by_department)[0][3:] == (Role.DEPARTMENT_REVIEWER, "任城区教育和体育局")


def test_a_city_level_department_files_with_the_city_bureau(world: World, year_rules: int) -> None:
    health = Organisation.objects.get(name="济宁市卫生健康委员会")
    reviewer = User.objects.create_user("13922220001", DEMO_PASSWORD, real_name="卫健委林科长")
    account_services.role_grant(actor=None, user=reviewer, role=Role.DEPARTMENT_REVIEWER, organisation=health)
    filing = services.filing_submit(actor=reviewer, organisation=health, data=filing_data())
    assert filing.bureau == world.city


def test_a_bureaus_own_training_is_effective_at_once(world: World, year_rules: int) -> None:
    filing = services.filing_submit(actor=world.county_staff, organisation=world.rencheng, data=filing_data())
    assert (filing.status, filing.channel, filing.decided_by) == (
        FilingStatus.APPROVED,
        FilingChannel.BUREAU,
        world.county_staff,
    )
    assert decisions(filing) == [
        ("record", "", "approved", Role.COUNTY_BUREAU_STAFF, "任城区人力资源和社会保障局")
    ]


@pytest.mark.parametrize(
    ("role", "organisation"),
    [
        ("unit_admin", "company"),
        ("other_unit_admin", "school"),
        ("department_reviewer", "school"),
        ("professional", "school"),
        ("county_staff", "city"),
        ("provider_staff", "provider"),
    ],
)
def test_nobody_files_in_another_organisations_name(
    world: World, year_rules: int, role: str, organisation: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.filing_submit(
            actor=getattr(world, role), organisation=getattr(world, organisation), data=filing_data()
        )
    assert not TrainingFiling.objects.exists()


@pytest.mark.parametrize("days_from_today", [0, -1, -30])
def test_a_training_that_has_started_is_refused(world: World, year_rules: int, days_from_today: int) -> None:
    start = clock.today() + datetime.timedelta(days=days_from_today)
    data = filing_data(start_date=start, end_date=start + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as caught:
        services.filing_submit(actor=world.unit_admin, organisation=world.school, data=data)
    assert caught.value.message_dict == {
        "start_date": [
            str(messages.FILING_ALREADY_STARTED)
            % {"start": date_text(start), "bureau": "任城区人力资源和社会保障局"}
        ]
    }
    assert not TrainingFiling.objects.exists()


def test_field_checks(world: World, year_rules: int) -> None:
    today = clock.today()
    with pytest.raises(ValidationError) as caught:
        services.filing_submit(
            actor=world.unit_admin,
            organisation=world.school,
            data=filing_data(
                start_date=today + datetime.timedelta(days=5), end_date=today + datetime.timedelta(days=4)
            ),
        )
    assert caught.value.message_dict == {"end_date": [str(messages.END_BEFORE_START)]}
    with pytest.raises(ValidationError) as caught:
        services.filing_submit(
            actor=world.unit_admin,
            organisation=world.school,
            data=filing_data(training_days=4, planned_hours=Decimal(40)),
        )
    assert caught.value.message_dict == {
        "training_days": [str(messages.DAYS_OUT_OF_RANGE) % {"days": 3}],
        "planned_hours": [
            str(messages.PLANNED_HOURS_OVER_LIMIT) % {"per_day": "8", "days": 4, "limit": "32"}
        ],
    }


# --- Paper filings --------------------------------------------------------------------------------


def test_bureau_staff_type_in_a_paper_filing_received_before_the_training(
    world: World, year_rules: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = clock.today()
    data = filing_data(
        start_date=today - datetime.timedelta(days=3), end_date=today - datetime.timedelta(days=1)
    )
    filing = services.filing_enter_paper(
        actor=world.county_staff,
        organisation=world.school,
        data=data,
        paper_received_on=today - datetime.timedelta(days=10),
    )
    assert (filing.status, filing.channel, filing.organisation, filing.bureau) == (
        FilingStatus.APPROVED,
        FilingChannel.PAPER,
        world.school,
        world.rencheng,
    )
    assert decisions(filing) == [
        ("record", "", "approved", Role.COUNTY_BUREAU_STAFF, "任城区人力资源和社会保障局")
    ]


def test_paper_filing_rules(world: World, year_rules: int) -> None:
    today = clock.today()
    data = filing_data(
        start_date=today - datetime.timedelta(days=3), end_date=today - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as caught:
        services.filing_enter_paper(
            actor=world.county_staff, organisation=world.school, data=data, paper_received_on=today
        )
    assert caught.value.message_dict == {
        "paper_received_on": [
            str(messages.PAPER_RECEIVED_AFTER_START) % {"start": date_text(data.start_date)}
        ]
    }
    with pytest.raises(ValidationError):
        services.filing_enter_paper(
            actor=world.county_staff,
            organisation=world.school,
            data=filing_data(),
            paper_received_on=today + datetime.timedelta(days=1),
        )
    for actor, organisation in [
        (world.other_county_staff, world.school),  # another county's unit
        (world.city_staff, world.school),  # the city does not approve the county's filings
        (world.unit_admin, world.school),  # not bureau staff
        (world.county_staff, world.rencheng),  # a bureau files its own trainings, not on paper
    ]:
        with pytest.raises(PermissionDenied):
            services.filing_enter_paper(
                actor=actor,
                organisation=organisation,
                data=data,
                paper_received_on=today - datetime.timedelta(days=10),
            )
    assert not TrainingFiling.objects.exists()


# --- Decisions ------------------------------------------------------------------------------------


def test_the_county_bureau_approves(world: World, submitted_filing: TrainingFiling) -> None:
    services.filing_approve(actor=world.county_staff, filing_id=submitted_filing.pk, comment="同意备案")
    submitted_filing.refresh_from_db()
    assert (submitted_filing.status, submitted_filing.decided_by) == (
        FilingStatus.APPROVED,
        world.county_staff,
    )
    assert decisions(submitted_filing)[-1] == (
        "approve",
        "submitted",
        "approved",
        Role.COUNTY_BUREAU_STAFF,
        "任城区人力资源和社会保障局",
    )
    assert FilingDecision.objects.filter(filing=submitted_filing).last().reason == "同意备案"  # type: ignore[union-attr]
    assert Notification.objects.filter(recipient=world.unit_admin, title="培训备案已通过").count() == 1
    assert (
        AuditEvent.objects.filter(action="filings.filing.approve", object_id=str(submitted_filing.pk)).count()
        == 1
    )


@pytest.mark.parametrize(
    "role",
    [
        "city_staff",
        "other_county_staff",
        "department_reviewer",
        "unit_admin",
        "other_unit_admin",
        "professional",
    ],
)
def test_only_the_bureau_of_the_same_level_decides(
    world: World, submitted_filing: TrainingFiling, role: str
) -> None:
    before = snapshot(submitted_filing)
    with pytest.raises(PermissionDenied):
        services.filing_approve(actor=getattr(world, role), filing_id=submitted_filing.pk)
    with pytest.raises(PermissionDenied):
        services.filing_return(actor=getattr(world, role), filing_id=submitted_filing.pk, reason="不同意")
    assert snapshot(submitted_filing) == before


def test_return_needs_a_reason_then_the_filer_corrects_and_resubmits(
    world: World, submitted_filing: TrainingFiling
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.filing_return(actor=world.county_staff, filing_id=submitted_filing.pk, reason="  ")
    assert caught.value.message_dict == {"reason": [str(messages.RETURN_REASON_REQUIRED)]}
    services.filing_return(
        actor=world.county_staff, filing_id=submitted_filing.pk, reason="请补充授课教师职称"
    )
    submitted_filing.refresh_from_db()
    assert (submitted_filing.status, submitted_filing.return_reason) == (
        FilingStatus.RETURNED,
        "请补充授课教师职称",
    )
    assert Notification.objects.get(recipient=world.unit_admin, title="培训备案被退回").body.endswith(
        "请补充授课教师职称"
    )

    data = filing_data(instructors="王教授（正高级）\n李老师（高级）")
    with pytest.raises(PermissionDenied):
        services.filing_resubmit(actor=world.other_unit_admin, filing_id=submitted_filing.pk, data=data)
    services.filing_resubmit(actor=world.unit_admin, filing_id=submitted_filing.pk, data=data)
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.SUBMITTED
    assert submitted_filing.instructors == "王教授（正高级）\n李老师（高级）"
    assert [row[:3] for row in decisions(submitted_filing)] == [
        ("file", "", "submitted"),
        ("return", "submitted", "returned"),
        ("resubmit", "returned", "submitted"),
    ]
    assert FilingDecision.objects.filter(filing=submitted_filing).last().reason == "修改了：instructors"  # type: ignore[union-attr]


def test_a_returned_filing_cannot_be_resubmitted_once_the_training_started(
    world: World, submitted_filing: TrainingFiling, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.filing_return(actor=world.county_staff, filing_id=submitted_filing.pk, reason="请补充材料")
    move_clock(monkeypatch, submitted_filing.start_date)
    with pytest.raises(ValidationError) as caught:
        services.filing_resubmit(
            actor=world.unit_admin,
            filing_id=submitted_filing.pk,
            data=filing_data(start_date=submitted_filing.start_date, end_date=submitted_filing.end_date),
        )
    assert "start_date" in caught.value.message_dict
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.RETURNED


def test_withdrawal_and_the_transition_table(world: World, submitted_filing: TrainingFiling) -> None:
    with pytest.raises(PermissionDenied):
        services.filing_withdraw(actor=world.county_staff, filing_id=submitted_filing.pk)
    services.filing_withdraw(actor=world.unit_admin, filing_id=submitted_filing.pk, reason="培训取消")
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.WITHDRAWN
    before = snapshot(submitted_filing)
    with pytest.raises(ValidationError) as caught:
        services.filing_approve(actor=world.county_staff, filing_id=submitted_filing.pk)
    assert caught.value.messages == [
        str(messages.TRANSITION_NOT_ALLOWED) % {"status": "已撤回", "action": "审核通过"}
    ]
    assert snapshot(submitted_filing) == before


def test_an_approved_filing_is_final(world: World, submitted_filing: TrainingFiling) -> None:
    services.filing_approve(actor=world.county_staff, filing_id=submitted_filing.pk)
    for call in (
        lambda: services.filing_approve(actor=world.county_staff, filing_id=submitted_filing.pk),
        lambda: services.filing_return(
            actor=world.county_staff, filing_id=submitted_filing.pk, reason="再看看"
        ),
        lambda: services.filing_withdraw(actor=world.unit_admin, filing_id=submitted_filing.pk),
    ):
        with pytest.raises(ValidationError):
            call()
    submitted_filing.refresh_from_db()
    assert submitted_filing.status == FilingStatus.APPROVED


def test_transition_table_is_complete() -> None:
    assert set(services.TRANSITIONS) == {"", *FilingStatus.values}
    for moves in services.TRANSITIONS.values():
        for action, target in moves.items():
            assert action in services.ACTION_ACTOR and target in FilingStatus.values


# --- Attachments ----------------------------------------------------------------------------------


def pdf(name: str = "培训通知.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.7\n%\xe2\xe3\n1 0 obj<<>>endobj\n", content_type="application/pdf"
    )


def test_attachments_are_typed_by_content(world: World, year_rules: int) -> None:
    filing = services.filing_submit(
        actor=world.unit_admin, organisation=world.school, data=filing_data(), attachments=[pdf()]
    )
    (attachment,) = filing.attachments.all()
    assert attachment.original_name == "培训通知.pdf" and attachment.file.name.endswith(".pdf")
    assert "培训通知" not in attachment.file.name
    with pytest.raises(ValidationError) as caught:
        services.filing_attachment_add(
            actor=world.unit_admin,
            filing_id=filing.pk,
            uploads=[SimpleUploadedFile("日程.pdf", b"MZ\x90\x00 not a pdf")],
        )
    assert caught.value.message_dict == {
        "attachments": [str(messages.ATTACHMENT_TYPE) % {"name": "日程.pdf"}]
    }
    added = services.filing_attachment_add(
        actor=world.county_staff, filing_id=filing.pk, uploads=[pdf("补充.pdf")]
    )
    assert [a.original_name for a in added] == ["补充.pdf"]
    with pytest.raises(ValidationError):
        services.filing_attachment_add(
            actor=world.unit_admin, filing_id=filing.pk, uploads=[pdf() for _ in range(9)]
        )
    with pytest.raises(PermissionDenied):
        services.filing_attachment_add(actor=world.other_county_staff, filing_id=filing.pk, uploads=[pdf()])
    assert filing.attachments.count() == 2
    # The filer and the approving bureau both add material; the record says which one did.
    assert list(
        AuditEvent.objects.filter(action="filings.filing.attachment_add").values_list(
            "actor_id", "actor_role", "actor_organisation_id", "organisation_path"
        )
    ) == [(world.county_staff.pk, "county_bureau_staff", world.rencheng.pk, world.school.path)]


# --- Stored text ----------------------------------------------------------------------------------


def test_notifications_and_reasons_are_stored_in_the_platform_language_whatever_the_actor_reads(
    world: World, year_rules: int
) -> None:
    """Every step below runs as if the actor's pages were in English (the catalogue has English for all
    of these texts); what is stored for others to read stays in the platform's language."""
    with translation.override("en"):
        assert translation.gettext("培训备案已通过") == "Training filing approved"  # the test means something
        filing = services.filing_submit(actor=world.unit_admin, organisation=world.school, data=filing_data())
        services.filing_return(actor=world.county_staff, filing_id=filing.pk, reason="请补充日程")
        services.filing_resubmit(
            actor=world.unit_admin, filing_id=filing.pk, data=filing_data(description="附日程")
        )
        services.filing_approve(actor=world.county_staff, filing_id=filing.pk)
        today = clock.today()
        paper = services.filing_enter_paper(
            actor=world.county_staff,
            organisation=world.school,
            data=filing_data(
                start_date=today - datetime.timedelta(days=3), end_date=today - datetime.timedelta(days=1)
            ),
            paper_received_on=today - datetime.timedelta(days=10),
        )
    title = filing.title
    link = f"/filings/{filing.pk}/"
    to_bureau = Notification.objects.filter(recipient=world.county_staff, link=link).order_by("id")
    assert [(note.title, note.body) for note in to_bureau] == [
        ("新的培训备案待审核", f"任城区实验中学 提交了培训备案“{title}”。"),
        ("培训备案已重新提交", f"任城区实验中学 修改后重新提交了培训备案“{title}”。"),
    ]
    to_unit = Notification.objects.filter(recipient=world.unit_admin, link=link).order_by("id")
    assert [(note.title, note.body) for note in to_unit] == [
        ("培训备案被退回", f"培训备案“{title}”被退回，理由：请补充日程"),
        ("培训备案已通过", f"培训备案“{title}”已由 任城区人力资源和社会保障局 审核通过。"),
    ]
    assert FilingDecision.objects.get(filing=filing, action="resubmit").reason == "修改了：description"
    assert FilingDecision.objects.get(filing=paper).reason.startswith("纸质备案代录，材料收到日期 ")


def test_free_text_is_held_to_its_limits(world: World, year_rules: int) -> None:
    """The columns are TEXT without a limit; the service holds instructors to 1,000 characters and the
    description to 5,000, whoever calls it (the form and the API refuse more before it)."""
    assert (INSTRUCTORS_MAX_LENGTH, DESCRIPTION_MAX_LENGTH) == (1000, 5000)
    with pytest.raises(ValidationError) as caught:
        services.filing_submit(
            actor=world.unit_admin,
            organisation=world.school,
            data=filing_data(instructors="王" * 1001, description="训" * 5001),
        )
    assert caught.value.message_dict == {
        "instructors": [str(messages.TEXT_TOO_LONG) % {"limit": 1000, "length": 1001}],
        "description": [str(messages.TEXT_TOO_LONG) % {"limit": 5000, "length": 5001}],
    }
    assert (
        str(messages.TEXT_TOO_LONG) % {"limit": 1000, "length": 1001}
        == "不能超过 1000 个字（现为 1001 个字）。"
    )
    assert not TrainingFiling.objects.exists()
    filing = services.filing_submit(
        actor=world.unit_admin,
        organisation=world.school,
        data=filing_data(instructors="王" * 1000, description="训" * 5000),
    )
    assert (len(filing.instructors), len(filing.description)) == (1000, 5000)
