"""Roster imports through the services and the (eager) task: good rows credited, bad rows listed with
their reasons, held hours for unregistered IDs attached at registration, re-imports and overlapping
files crediting nobody twice, corrections through reversal entries, cancellation, a worker killed
mid-import, industry channels, hostile and malformed files, and who may import at all."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import translation
from openpyxl import load_workbook

from accounts import identity
from accounts import services as account_services
from accounts.demo import DEMO_ACCOUNTS
from accounts.models import AuditEvent, Notification, User
from filings import importer, messages, reports, selectors, services
from filings.models import (
    CreditStatus,
    ImportSource,
    ImportStatus,
    IssueKind,
    RosterCredit,
    RosterImport,
    RosterIssue,
    TrainingFiling,
)
from filings.tasks import roster_import_task
from hours.models import LedgerCategory, LedgerEntry, SourceType
from tests.fixtures import World

from .helpers import channel_workbook_bytes, hand_made_xlsx, id_number, upload, workbook_bytes, zip_bomb

ZHANG_MIN_ID = next(account.id_number for account in DEMO_ACCOUNTS if account.mobile == "13800000005")
CHEN_JING_ID = next(account.id_number for account in DEMO_ACCOUNTS if account.mobile == "13800000007")


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing on the way out records a failure."""


def run_import(
    capture: Callable,
    actor: User,
    filing: TrainingFiling,
    rows: list[list[object]],
    *,
    correction: bool = False,
    data: bytes | None = None,
) -> RosterImport:
    with capture(execute=True):
        roster_import = services.roster_import_create(
            actor=actor,
            filing_id=filing.pk,
            upload=upload(data or workbook_bytes(rows)),
            is_correction=correction,
        )
    roster_import.refresh_from_db()
    return roster_import


def register(name: str, number: str, mobile: str, world: World) -> User:
    return account_services.user_register(
        registration=account_services.Registration(
            mobile=mobile, password="Study-Hard-2026!", real_name=name, id_number=number, unit=world.school
        )
    )


def ledger_of(person: User) -> list[tuple[Decimal, str, bool]]:
    return [
        (entry.hours, entry.source_id, entry.reverses_id is not None)
        for entry in LedgerEntry.objects.filter(person=person, source_type=SourceType.IMPORT).order_by("id")
    ]


def balance(person: User, year: int) -> Decimal:
    total = LedgerEntry.objects.filter(
        person=person, year=year, category=LedgerCategory.PROFESSIONAL
    ).aggregate(total=Sum("hours"))["total"]
    return Decimal(total or 0)


def counts(roster_import: RosterImport) -> dict[str, int]:
    return {
        "credited": roster_import.credited_count,
        "updated": roster_import.updated_count,
        "revoked": roster_import.revoked_count,
        "unchanged": roster_import.unchanged_count,
        "held": roster_import.held_count,
        "error": roster_import.error_count,
    }


def issue_messages(roster_import: RosterImport, kind: str = IssueKind.ERROR) -> dict[int, str]:
    return dict(
        RosterIssue.objects.filter(roster_import=roster_import, kind=kind).values_list(
            "row_number", "message"
        )
    )


# --- A first import -------------------------------------------------------------------------------


def test_good_rows_are_credited_and_bad_rows_listed_with_reasons(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    unregistered = id_number(301)
    rows = [
        [ZHANG_MIN_ID.lower(), "张 敏", 8, ended_filing.start_date, ended_filing.end_date],  # row 2: credited
        [CHEN_JING_ID, "陈晶", 8],  # row 3: the account's name is 陈静
        [unregistered, "刘洋", "16"],  # row 4: held
        ["370811199103151011", "王五", 8],  # row 5: check digit
        [id_number(302), "赵六", 25],  # row 6: over 3 days x 8
        [
            id_number(303),
            "孙七",
            8,
            ended_filing.end_date + datetime.timedelta(days=1),
        ],  # row 7: after the training
    ]
    roster_import = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)

    assert roster_import.status == ImportStatus.FINISHED
    assert roster_import.total_rows == 6 and roster_import.checkpoint == 6 and roster_import.progress == 100
    assert counts(roster_import) == {
        "credited": 1,
        "updated": 0,
        "revoked": 0,
        "unchanged": 0,
        "held": 1,
        "error": 4,
    }
    year = ended_filing.year
    assert ledger_of(world.professional) == [
        (Decimal("8.0"), f"filing:{ended_filing.pk}:p{world.professional.pk:010d}:r1", False)
    ]
    entry = LedgerEntry.objects.get(person=world.professional)
    assert (entry.year, entry.category, entry.rule_code) == (year, LedgerCategory.PROFESSIONAL, "PRO-2")
    assert entry.memo.startswith(f"培训备案：{ended_filing.title}")
    assert entry.created_by == world.county_staff
    assert issue_messages(roster_import) == {
        3: str(messages.ROW_NAME_MISMATCH),
        5: str(identity.ID_NUMBER_CHECK_DIGIT),
        6: str(messages.ROW_HOURS_OVER_LIMIT) % {"hours": "25", "days": 3, "per_day": "8", "limit": "24"},
        7: str(messages.ROW_DATE_OUTSIDE_FILING)
        % {
            "column": "开始日期",
            "value": (ended_filing.end_date + datetime.timedelta(days=1)).isoformat(),
            "start": ended_filing.start_date.isoformat(),
            "end": ended_filing.end_date.isoformat(),
        },
    }
    assert issue_messages(roster_import, IssueKind.HELD) == {4: str(messages.ROW_HELD)}
    held = RosterCredit.objects.get(status=CreditStatus.HELD)
    assert (held.person, held.hours, held.id_number_masked) == (
        None,
        Decimal("16.0"),
        identity.mask_id_number(unregistered),
    )
    assert not LedgerEntry.objects.filter(
        person__id_number_digest=identity.id_number_digest(CHEN_JING_ID)
    ).exists()
    actions = set(AuditEvent.objects.filter(object_id=str(roster_import.pk)).values_list("action", flat=True))
    assert {
        "filings.roster_import.create",
        "filings.roster_import.start",
        "filings.roster_import.finished",
    } <= actions
    assert Notification.objects.filter(recipient=world.unit_admin, title="培训学时已导入").count() == 1


def test_the_same_file_again_credits_nobody_twice(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    rows = [[ZHANG_MIN_ID, "张敏", 8], [id_number(301), "刘洋", 16]]
    first = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    second = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    assert counts(first)["credited"] == 1 and counts(first)["held"] == 1
    assert counts(second) == {
        "credited": 0,
        "updated": 0,
        "revoked": 0,
        "unchanged": 2,
        "held": 0,
        "error": 0,
    }
    assert len(ledger_of(world.professional)) == 1
    assert balance(world.professional, ended_filing.year) == Decimal(8)
    assert RosterCredit.objects.filter(filing=ended_filing).count() == 2


def test_an_overlapping_file_credits_only_the_new_people(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    other = register("周杰", id_number(401), "13911110001", world)
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    second = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 8], [id_number(401), "周杰", 12]],
    )
    assert counts(second)["unchanged"] == 1 and counts(second)["credited"] == 1
    assert balance(world.professional, ended_filing.year) == Decimal(8)
    assert balance(other, ended_filing.year) == Decimal(12)


def test_different_hours_in_an_ordinary_reimport_are_refused_for_that_row(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    second = run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 16]]
    )
    assert issue_messages(second) == {2: str(messages.ROW_ALREADY_CREDITED_DIFFERENT) % {"hours": "8"}}
    assert balance(world.professional, ended_filing.year) == Decimal(8)


# --- Corrections ----------------------------------------------------------------------------------


def test_a_correction_file_replaces_hours_through_a_reversal(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    correction = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 20]],
        correction=True,
    )
    scope = f"filing:{ended_filing.pk}:p{world.professional.pk:010d}"
    assert ledger_of(world.professional) == [
        (Decimal("8.0"), f"{scope}:r1", False),
        (Decimal("-8.0"), f"{scope}:r1", True),
        (Decimal("20.0"), f"{scope}:r2", False),
    ]
    assert balance(world.professional, ended_filing.year) == Decimal(20)
    assert counts(correction)["updated"] == 1
    assert issue_messages(correction, IssueKind.UPDATED) == {
        2: str(messages.ROW_UPDATED) % {"old": "8", "new": "20"}
    }
    credit = RosterCredit.objects.get(filing=ended_filing, person=world.professional)
    assert (credit.hours, credit.revision, credit.last_import_id) == (Decimal("20.0"), 2, correction.pk)
    # The same correction again changes nothing.
    again = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 20]],
        correction=True,
    )
    assert counts(again)["unchanged"] == 1
    assert len(ledger_of(world.professional)) == 3


def test_the_ledgers_records_of_an_import_name_the_importing_bureau_and_role(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    """The bulk postings' audit records are in the importing bureau's audit view, in the staff
    member's role, as the import's own record is (on the fast COPY path and the correction's reversal)."""
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 20]],
        correction=True,
    )
    records = AuditEvent.objects.filter(action__in=("hours.ledger.credit_bulk", "hours.ledger.reverse_bulk"))
    assert sorted(
        records.values_list("action", "actor_id", "actor_role", "actor_organisation_id", "organisation_path")
    ) == sorted(
        [
            (action, world.county_staff.pk, "county_bureau_staff", world.rencheng.pk, world.rencheng.path)
            for action in (
                "hours.ledger.credit_bulk",
                "hours.ledger.reverse_bulk",
                "hours.ledger.credit_bulk",
            )
        ]
    )


def test_a_correction_with_zero_hours_revokes_and_a_later_one_restores(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    revoke = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 0], [id_number(501), "无此人", 0]],
        correction=True,
    )
    assert counts(revoke)["revoked"] == 1
    assert issue_messages(revoke) == {3: str(messages.ROW_REVOKE_NOTHING)}
    assert balance(world.professional, ended_filing.year) == Decimal(0)
    assert RosterCredit.objects.get(person=world.professional).status == CreditStatus.REVOKED
    restore = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 6]],
        correction=True,
    )
    assert counts(restore)["updated"] == 1
    assert balance(world.professional, ended_filing.year) == Decimal(6)


def test_what_an_import_stores_is_in_the_platform_language_whatever_the_staff_reads(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    """The import run (here eager, inside the English "request") and the registration that attaches held
    hours store memos, report rows and notifications in the platform's language."""
    number = id_number(611)
    with translation.override("en"):
        assert translation.gettext("培训学时已导入") == "Training hours imported"  # the test means something
        roster_import = run_import(
            django_capture_on_commit_callbacks,
            world.county_staff,
            ended_filing,
            [[ZHANG_MIN_ID, "张敏", 8], [number, "吴昊", 8], [id_number(612), "赵六", 25]],
        )
        person = register("吴昊", number, "13911110003", world)
    note = Notification.objects.get(recipient=world.unit_admin, title="培训学时已导入")
    assert note.body == f"培训“{ended_filing.title}”的学员名单已导入：记入 1 人，暂存 1 人，问题行 1 行。"
    assert LedgerEntry.objects.get(person=world.professional).memo.startswith(
        f"培训备案：{ended_filing.title}"
    )
    assert issue_messages(roster_import, IssueKind.HELD) == {
        3: "该身份证号码尚未注册，学时已暂存，本人注册后自动记入。"
    }
    assert issue_messages(roster_import)[4].startswith("学时")
    attached = Notification.objects.get(recipient=person, title="培训学时已记入")
    assert attached.body == "您注册前已导入的 1 项培训学时（共 8 学时）已记入您的专业科目学时。"


# --- Held hours -----------------------------------------------------------------------------------


def test_held_hours_are_attached_when_the_person_registers(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    number = id_number(601)
    run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[number, "吴昊", 16]])
    correction = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[number, "吴昊", 12]],
        correction=True,
    )
    assert issue_messages(correction, IssueKind.UPDATED) == {
        2: str(messages.ROW_UPDATED) % {"old": "16", "new": "12"}
    }
    assert not LedgerEntry.objects.exists()

    # Registering attaches the held hours (accounts.services.user_register calls held_hours_attach).
    person = register("吴昊", number.lower(), "13911110002", world)

    assert ledger_of(person) == [(Decimal("12.0"), f"filing:{ended_filing.pk}:p{person.pk:010d}:r2", False)]
    credit = RosterCredit.objects.get(filing=ended_filing)
    assert (credit.person, credit.status) == (person, CreditStatus.CREDITED)
    assert AuditEvent.objects.filter(action="filings.held_hours.attach", actor=person).count() == 1
    posted = AuditEvent.objects.get(action="hours.ledger.credit_bulk")
    assert (posted.actor_id, posted.actor_role, posted.organisation_path) == (
        world.county_staff.pk,
        "county_bureau_staff",
        world.rencheng.path,
    )
    assert Notification.objects.filter(recipient=person, title="培训学时已记入").count() == 1
    # Idempotent: a second call (or a retried registration hook) credits nothing more.
    assert services.held_hours_attach(user=person) == []
    assert len(ledger_of(person)) == 1
    # And a re-import after registration sees the person as credited already.
    again = run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[number, "吴昊", 12]]
    )
    assert counts(again)["unchanged"] == 1
    assert len(ledger_of(person)) == 1


def test_a_held_credit_whose_person_registered_without_the_hook_is_attached_by_the_next_import(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = id_number(602)
    run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[number, "郑爽", 8]])
    monkeypatch.setattr(services, "held_hours_attach", lambda **kwargs: [])  # as if the hook were missing
    person = register("郑爽", number, "13911110003", world)
    RosterCredit.objects.filter(person=person).update(
        person=None
    )  # whatever registration did, nothing attached
    again = run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[number, "郑爽", 8]]
    )
    assert counts(again)["credited"] == 1
    assert balance(person, ended_filing.year) == Decimal(8)


def test_nothing_held_nothing_attached(world: World, year_rules: int) -> None:
    assert services.held_hours_attach(user=world.professional) == []


# --- Resuming, cancelling -------------------------------------------------------------------------


@pytest.fixture
def many_people(world: World) -> list[tuple[User, str]]:
    people = []
    for sequence in range(5):
        number = id_number(700 + sequence)
        people.append(
            (register(f"学员{'甲乙丙丁戊'[sequence]}", number, f"1391111{sequence:04d}", world), number)
        )
    return people


def test_a_worker_killed_mid_import_is_resumed_and_credits_nothing_twice(
    world: World,
    ended_filing: TrainingFiling,
    many_people: list[tuple[User, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [[number, person.real_name, 8] for person, number in many_people] + [["bad", "坏行", 8]]
    with django_capture_on_commit_callbacks(execute=False):
        roster_import = services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
        )

    def kill(_import: RosterImport, batch: int) -> None:
        raise WorkerKilled

    with pytest.raises(WorkerKilled):
        importer.roster_import_run(import_id=roster_import.pk, hooks=importer.ImportHooks(after_batch=kill))
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.checkpoint, roster_import.credited_count) == (
        ImportStatus.RUNNING,
        2,
        2,
    )
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 2

    # The broker delivers the task again (acks_late); it resumes at the checkpoint.
    assert roster_import_task.apply(kwargs={"import_id": roster_import.pk}).get() == ImportStatus.FINISHED
    roster_import.refresh_from_db()
    assert (roster_import.checkpoint, roster_import.attempts) == (6, 2)
    assert counts(roster_import) == {
        "credited": 5,
        "updated": 0,
        "revoked": 0,
        "unchanged": 0,
        "held": 0,
        "error": 1,
    }
    for person, _number in many_people:
        assert len(ledger_of(person)) == 1
        assert balance(person, ended_filing.year) == Decimal(8)
    assert RosterIssue.objects.filter(roster_import=roster_import).count() == 1
    # A finished import run once more does nothing.
    assert roster_import_task.apply(kwargs={"import_id": roster_import.pk}).get() == ImportStatus.FINISHED
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 5
    assert (
        AuditEvent.objects.filter(
            action="filings.roster_import.resume", object_id=str(roster_import.pk)
        ).count()
        == 1
    )


def test_two_overlapping_runs_write_each_batch_once(
    world: World,
    ended_filing: TrainingFiling,
    many_people: list[tuple[User, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """A task delivered twice while the first run is still going: the checkpoint, read under the import
    row's lock, makes the second run skip what the first wrote."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [[number, person.real_name, 8] for person, number in many_people]
    with django_capture_on_commit_callbacks(execute=False):
        roster_import = services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
        )
    started: list[int] = []

    def second_run_inside_the_first(_import: RosterImport, batch: int) -> None:
        if batch == 1 and not started:
            started.append(1)
            importer.roster_import_run(import_id=roster_import.pk)

    importer.roster_import_run(
        import_id=roster_import.pk, hooks=importer.ImportHooks(after_batch=second_run_inside_the_first)
    )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.FINISHED
    assert counts(roster_import)["credited"] == 5
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 5


def test_cancelling_a_running_import_stops_after_the_batch(
    world: World,
    ended_filing: TrainingFiling,
    many_people: list[tuple[User, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    rows = [[number, person.real_name, 8] for person, number in many_people]
    with django_capture_on_commit_callbacks(execute=False):
        roster_import = services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
        )

    def cancel(_import: RosterImport, batch: int) -> None:
        services.roster_import_cancel(actor=world.county_staff, import_id=roster_import.pk)

    importer.roster_import_run(import_id=roster_import.pk, hooks=importer.ImportHooks(after_batch=cancel))
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.checkpoint, roster_import.credited_count) == (
        ImportStatus.CANCELLED,
        2,
        2,
    )
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 2
    with pytest.raises(ValidationError):
        services.roster_import_cancel(actor=world.county_staff, import_id=roster_import.pk)
    # Importing the file again finishes the job without crediting the first two twice.
    again = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    assert (again.unchanged_count, again.credited_count) == (2, 3)
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 5


def test_cancelling_a_queued_import_means_it_never_runs(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        roster_import = services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=upload(workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    services.roster_import_cancel(actor=world.county_staff, import_id=roster_import.pk)
    for callback in callbacks:
        callback()  # the task arrives after the cancellation
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.CANCELLED
    assert not LedgerEntry.objects.exists()


def test_an_unexpected_error_fails_the_import_and_retry_resumes(
    world: World,
    ended_filing: TrainingFiling,
    many_people: list[tuple[User, str]],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    original = importer._classify
    calls: list[int] = []

    def flaky(*args: object, **kwargs: object) -> importer.BatchResult:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_classify", flaky)
    rows = [[number, person.real_name, 8] for person, number in many_people]
    roster_import = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    assert (roster_import.status, roster_import.checkpoint) == (ImportStatus.FAILED, 2)
    assert roster_import.failure_message == str(messages.IMPORT_FAILED_UNEXPECTEDLY)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_import_retry(actor=world.county_staff, import_id=roster_import.pk)
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.FINISHED
    assert counts(roster_import)["credited"] == 5
    assert LedgerEntry.objects.filter(source_type=SourceType.IMPORT).count() == 5
    with pytest.raises(ValidationError):
        services.roster_import_retry(actor=world.county_staff, import_id=roster_import.pk)


# --- Files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]], headers=["身份证", "名字", "课时"]),
            str(messages.FILE_WRONG_HEADER) % {"columns": "姓名”“学时"},
        ),
        (workbook_bytes([], headers=None), str(messages.FILE_NO_HEADER)),
        (workbook_bytes([]), str(messages.FILE_NO_ROWS)),
        (workbook_bytes([[reports.EXAMPLE_ID_NUMBER, reports.EXAMPLE_NAME, 8]]), str(messages.FILE_NO_ROWS)),
    ],
    ids=["wrong header", "empty file", "header only", "untouched template"],
)
def test_malformed_files_fail_the_import_with_the_reason(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    data: bytes,
    reason: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(data)
        )
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure_message) == (ImportStatus.FAILED, reason)
    assert not RosterCredit.objects.exists() and not LedgerEntry.objects.exists()
    assert AuditEvent.objects.filter(
        action="filings.roster_import.failed", object_id=str(roster_import.pk)
    ).exists()


def test_a_zip_bomb_is_refused_at_upload_and_nothing_is_stored(
    world: World, ended_filing: TrainingFiling, private_storage: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(zip_bomb(256))
        )
    assert caught.value.messages == [str(messages.FILE_INFLATES_TOO_MUCH) % {"limit": 200}]
    assert not RosterImport.objects.exists()


def test_a_file_that_is_not_xlsx_is_refused(world: World, ended_filing: TrainingFiling) -> None:
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=upload(b"%PDF-1.7 not a roster", "名单.xlsx"),
        )
    assert caught.value.messages == [str(messages.FILE_NOT_XLSX)]


def test_the_stored_file_is_checked_again_before_parsing(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    """Defence in depth: if the stored file were swapped after upload, the task refuses it too."""
    with django_capture_on_commit_callbacks(execute=False):
        roster_import = services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=upload(workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    with roster_import.file.storage.open(roster_import.file.name, "wb") as stored:
        stored.write(zip_bomb(256))
    importer.roster_import_run(import_id=roster_import.pk)
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure_message) == (
        ImportStatus.FAILED,
        str(messages.FILE_INFLATES_TOO_MUCH) % {"limit": 200},
    )


# --- Who and when ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["city_staff", "other_county_staff", "unit_admin", "department_reviewer", "professional"]
)
def test_only_the_approving_bureau_imports(world: World, ended_filing: TrainingFiling, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.roster_import_create(
            actor=getattr(world, role),
            filing_id=ended_filing.pk,
            upload=upload(workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    assert not RosterImport.objects.exists()


def test_no_import_before_the_training_ends_or_before_approval(
    world: World, submitted_filing: TrainingFiling, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff, filing_id=submitted_filing.pk, upload=upload(data)
        )
    assert caught.value.messages == [str(messages.IMPORT_FILING_NOT_APPROVED)]
    services.filing_approve(actor=world.county_staff, filing_id=submitted_filing.pk)
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff, filing_id=submitted_filing.pk, upload=upload(data)
        )
    end = submitted_filing.end_date
    assert caught.value.messages == [
        str(messages.IMPORT_TRAINING_NOT_ENDED) % {"end": f"{end.year}年{end.month}月{end.day}日"}
    ]


def test_no_import_without_the_years_rules(world: World, ended_filing: TrainingFiling) -> None:
    from hours.models import YearRuleSet

    YearRuleSet.objects.filter(year=ended_filing.year).delete()
    from django.core.cache import cache

    cache.clear()
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff,
            filing_id=ended_filing.pk,
            upload=upload(workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )
    assert caught.value.messages == [f"{ended_filing.year}年度学时规则尚未发布。"]


def test_one_import_at_a_time_per_training(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    data = workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])
    with django_capture_on_commit_callbacks(execute=False):
        services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(data)
        )
    with pytest.raises(ValidationError) as caught:
        services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(data)
        )
    assert caught.value.messages == [str(messages.IMPORT_ALREADY_ACTIVE)]


# --- Industry channels ----------------------------------------------------------------------------


def test_industry_channel_hours_are_credited_as_professional_hours_tagged_with_their_source(
    world: World, year_rules: int, django_capture_on_commit_callbacks: Callable
) -> None:
    year = year_rules
    rows = [
        [ZHANG_MIN_ID, "张敏", 36, f"{year}-06-30", "继续医学教育Ⅰ类学分项目"],
        [id_number(801), "钱多", 24, None, ""],
        [id_number(802), "李雷", 12, f"{year - 1}-12-31", ""],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = services.channel_import_create(
            actor=world.city_staff,
            source=ImportSource.HEALTH,
            year=year,
            upload=upload(channel_workbook_bytes(rows)),
        )
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.FINISHED
    assert (roster_import.scope, roster_import.bureau) == (f"health:{year}", world.city)
    assert counts(roster_import) == {
        "credited": 1,
        "updated": 0,
        "revoked": 0,
        "unchanged": 0,
        "held": 1,
        "error": 1,
    }
    entry = LedgerEntry.objects.get(person=world.professional)
    assert (entry.hours, entry.year, entry.category, entry.source_type) == (
        Decimal("36.0"),
        year,
        LedgerCategory.PROFESSIONAL,
        SourceType.IMPORT,
    )
    assert entry.source_id == f"health:{year}:p{world.professional.pk:010d}:r1"
    assert entry.memo == f"卫生健康行业学时导入（{year}年度）"
    assert issue_messages(roster_import) == {
        4: str(messages.ROW_DATE_OUTSIDE_YEAR)
        % {"column": "完成日期", "value": f"{year - 1}-12-31", "year": year}
    }
    # Another channel is another scope: the same person can have accounting hours too.
    with django_capture_on_commit_callbacks(execute=True):
        accounting = services.channel_import_create(
            actor=world.city_staff,
            source=ImportSource.ACCOUNTING,
            year=year,
            upload=upload(channel_workbook_bytes([[ZHANG_MIN_ID, "张敏", 24]])),
        )
    accounting.refresh_from_db()
    assert accounting.credited_count == 1
    assert balance(world.professional, year) == Decimal(60)
    assert [credit.source for credit in selectors.credits_of_person(world.professional)] == [
        ImportSource.ACCOUNTING,
        ImportSource.HEALTH,
    ]


@pytest.mark.parametrize("role", ["county_staff", "unit_admin", "professional"])
def test_only_city_bureau_staff_import_industry_channels(world: World, year_rules: int, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.channel_import_create(
            actor=getattr(world, role),
            source=ImportSource.EDUCATION,
            year=year_rules,
            upload=upload(channel_workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )


def test_channel_year_must_not_be_in_the_future(world: World, year_rules: int) -> None:
    with pytest.raises(ValidationError):
        services.channel_import_create(
            actor=world.city_staff,
            source=ImportSource.EDUCATION,
            year=year_rules + 1,
            upload=upload(channel_workbook_bytes([[ZHANG_MIN_ID, "张敏", 8]])),
        )


# --- Spreadsheets handed out ----------------------------------------------------------------------


def test_the_report_lists_bad_and_held_rows_masked_and_neutralised(
    world: World, ended_filing: TrainingFiling, django_capture_on_commit_callbacks: Callable
) -> None:
    held_id = id_number(901)
    rows = [
        ["身份证号码", "姓名", "学时"],
        [held_id, '=HYPERLINK("http://evil.invalid","点我")', 8],  # typed as text, not a formula
        ["@SUM(1+1)*cmd|' /C calc'!A0", "+王五", "-3"],
        [ZHANG_MIN_ID, "张敏", 8],
    ]
    roster_import = run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [], data=hand_made_xlsx(rows)
    )
    workbook = load_workbook(
        io.BytesIO(reports.import_report(roster_import, selectors.issues_of(roster_import)))
    )
    assert workbook.sheetnames == ["导入结果", "问题行", "待注册暂存", "更正记录"]
    values = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in values)
    assert not any(held_id in value or ZHANG_MIN_ID in value for value in values)
    bad = list(workbook["问题行"].iter_rows(values_only=True))
    assert bad[0] == ("行号", "身份证号码", "姓名", "学时", "原因")
    assert bad[1][0] == 3 and bad[1][2] == "'+王五" and bad[1][3] == "'-3"
    assert bad[1][4].startswith(str(identity.ID_NUMBER_LENGTH).rstrip("。"))
    held = list(workbook["待注册暂存"].iter_rows(values_only=True))
    assert held[1][:3] == (2, identity.mask_id_number(held_id), '\'=HYPERLINK("http://evil.invalid","点我")')
    summary = dict(workbook["导入结果"].iter_rows(values_only=True))
    assert (summary["新记入"], summary["待注册暂存"], summary["问题行（未记入）"]) == (1, 1, 1)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_template_has_chinese_headers_an_example_row_and_a_text_id_column(
    ended_filing: TrainingFiling,
) -> None:
    workbook = load_workbook(io.BytesIO(reports.roster_template(filing=ended_filing)))
    sheet = workbook["学员名单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == reports.FILING_HEADERS
    assert rows[1][:2] == (reports.EXAMPLE_ID_NUMBER, reports.EXAMPLE_NAME)
    assert sheet["A3"].number_format == "@"
    assert "填写说明" in workbook.sheetnames
    channel = load_workbook(io.BytesIO(reports.roster_template(source=ImportSource.HEALTH, year=2026)))
    assert next(channel["学员名单"].iter_rows(values_only=True)) == reports.CHANNEL_HEADERS


def test_the_ledger_door_switches_to_bulk_posting_when_the_hours_app_offers_it(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hours import services as hours_services

    calls: list[tuple[str, int]] = []

    def post_bulk(*, credits: list, actor: User | None, on_record: Any) -> int:
        calls.append(("post", len(credits)))
        for line in credits:  # what the real one does in one statement
            hours_services.ledger_post_credit(
                person=User.objects.get(pk=line.person_id),
                year=line.year,
                category=line.category,
                hours=line.hours,
                source_type=line.source_type,
                source_id=line.source_id,
                memo=line.memo,
                actor=actor,
                rule_code=line.rule_code,
            )
        return len(credits)

    def reverse_bulk(*, reversals: list, actor: User | None, reason: str, on_record: Any) -> int:
        calls.append(("reverse", len(reversals)))
        for line in reversals:
            entry = LedgerEntry.objects.get(
                person_id=line.person_id, source_id=line.source_id, reverses__isnull=True
            )
            hours_services.ledger_reverse(entry=entry, actor=None, reason=reason)
        return len(reversals)

    monkeypatch.setattr(hours_services, "ledger_post_credits_bulk", post_bulk, raising=False)
    monkeypatch.setattr(hours_services, "ledger_reverse_credits_bulk", reverse_bulk, raising=False)
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 4]],
        correction=True,
    )
    assert calls == [("post", 1), ("reverse", 1), ("post", 1)]
    assert balance(world.professional, ended_filing.year) == Decimal(4)


def test_without_bulk_functions_the_ledger_door_posts_row_by_row(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hours import services as hours_services

    monkeypatch.delattr(hours_services, "ledger_post_credits_bulk", raising=False)
    monkeypatch.delattr(hours_services, "ledger_reverse_credits_bulk", raising=False)
    run_import(
        django_capture_on_commit_callbacks, world.county_staff, ended_filing, [[ZHANG_MIN_ID, "张敏", 8]]
    )
    run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 6]],
        correction=True,
    )
    assert [hours for hours, _source, _reversal in ledger_of(world.professional)] == [
        Decimal("8.0"),
        Decimal("-8.0"),
        Decimal("6.0"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only (CI, scripts/test)")
def test_on_postgresql_imports_post_with_copy_and_still_credit_nobody_twice(
    world: World,
    ended_filing: TrainingFiling,
    django_capture_on_commit_callbacks: Callable,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ledger's COPY fast path (PRO-2 has no yearly cap) under the import: a re-import credits
    nobody twice and a correction file posts a reversal and the new credit."""
    from hours.services import ledger as hours_ledger

    copied: list[int] = []
    copy_credits = hours_ledger._copy_credits

    def counting_copy(rows: list, hours_text: dict, actor_id: int | None) -> int:
        copied.append(len(rows))
        return copy_credits(rows, hours_text, actor_id)

    monkeypatch.setattr(hours_ledger, "_copy_credits", counting_copy)
    other = register("周杰", id_number(401), "13911110001", world)
    rows = [[ZHANG_MIN_ID, "张敏", 8], [id_number(401), "周杰", 12]]
    first = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    assert copied == [2] and counts(first)["credited"] == 2
    again = run_import(django_capture_on_commit_callbacks, world.county_staff, ended_filing, rows)
    assert counts(again)["unchanged"] == 2 and copied == [2]
    correction = run_import(
        django_capture_on_commit_callbacks,
        world.county_staff,
        ended_filing,
        [[ZHANG_MIN_ID, "张敏", 20]],
        correction=True,
    )
    assert counts(correction)["updated"] == 1 and copied == [2, 1]
    scope = f"filing:{ended_filing.pk}:p{world.professional.pk:010d}"
    assert ledger_of(world.professional) == [
        (Decimal("8.0"), f"{scope}:r1", False),
        (Decimal("-8.0"), f"{scope}:r1", True),
        (Decimal("20.0"), f"{scope}:r2", False),
    ]
    assert ledger_of(other) == [(Decimal("12.0"), f"filing:{ended_filing.pk}:p{other.pk:010d}:r1", False)]
    entry = LedgerEntry.objects.get(person=other)
    assert (entry.rule_code, entry.created_by_id, entry.memo) == (
        "PRO-2",
        world.county_staff.pk,
        importer.credit_memo(first),
    )


class WiderCredit(NamedTuple):
    """The import's credit with one more field: the ledger reads the first eight by position."""

    person_id: int
    year: int
    category: str
    hours: Decimal
    source_type: str
    source_id: str
    memo: str
    rule_code: str
    note: str


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY: PostgreSQL only (CI, scripts/test)")
def test_the_imports_credits_take_the_ledger_copy_path_and_write_what_the_checked_path_writes(
    world: World, year_rules: int
) -> None:
    """The import's credits (``ledger.credit_maker``'s named tuples, checked by the ledger column by column
    with the repeated parts formatted once) give the ledger rows and the audit record that the general
    bulk posting gives, text that COPY must escape included."""
    from django.db import transaction

    from filings import ledger as filings_ledger
    from hours.services import ledger as hours_ledger

    people = [world.professional, world.pending_professional, world.unit_admin]
    make = filings_ledger.credit_maker(year=year_rules, memo="培训备案：甲\t乙\\丙", rule_code="PRO-2")
    other = filings_ledger.credit_maker(year=year_rules, memo="卫健学时导入", rule_code="")
    batches: list[list[object]] = [
        [
            make(people[0].pk, Decimal("8.0"), "filing:1:p1:r1"),
            make(people[1].pk, Decimal("7.5"), "filing:1:p2\nr1"),
        ],
        [
            make(people[0].pk, Decimal("8.0"), "filing:2:p1:r1"),
            other(people[2].pk, Decimal("16.0"), "health:p3:r1"),
            filings_ledger.credit(
                person_id=people[1].pk,
                year=year_rules,
                hours=Decimal("0.5"),
                source_id="filing:2:p2:r1",
                memo="培训",
                rule_code="PRO-2",
            ),
        ],
        [WiderCredit(*make(people[2].pk, Decimal("3.0"), "filing:3:p3\\r1"), note="不写入")],
    ]

    def snapshot() -> tuple[list[Any], list[Any]]:
        entries = list(
            LedgerEntry.objects.order_by("id").values_list(
                "person_id",
                "year",
                "category",
                "hours",
                "rule_code",
                "source_type",
                "source_id",
                "memo",
                "evidence_key",
                "created_by_id",
                "reverses_id",
            )
        )
        audits = list(
            AuditEvent.objects.filter(action="hours.ledger.credit_bulk")
            .order_by("id")
            .values_list("detail", flat=True)
        )
        return entries, audits

    for credits in batches:
        results = []
        for post in (hours_ledger._post_credits_by_copy, hours_ledger._post_credits_checked):
            savepoint = transaction.savepoint()
            written = post(credits, world.county_staff)
            results.append((written, *snapshot()))
            transaction.savepoint_rollback(savepoint)
        assert results[0] == results[1]
        assert results[0][0] == len(credits) and len(results[0][2]) == 1
    assert {entry[7] for entry in results[0][1]} == {"培训备案：甲\t乙\\丙"}
    assert [entry[6] for entry in results[0][1]] == ["filing:3:p3\\r1"]
