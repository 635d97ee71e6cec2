"""On PostgreSQL with the real Celery worker that scripts/test starts (skipped otherwise): a queued
import is run by the worker to the end, and an import whose worker died after its first committed
batch is finished by the task delivered again, crediting nobody twice."""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count

from accounts import identity
from accounts.models import User
from filings import importer, services
from filings.models import ImportStatus, RosterCredit, RosterImport, TrainingFiling
from filings.tasks import roster_import_task
from hours.models import LedgerEntry, SourceType
from tests.fixtures import World

from .helpers import id_number, upload, workbook_bytes

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]
WAIT_SECONDS = 120


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing on the way out records a failure."""


def wait_until_done(import_id: int) -> RosterImport:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        roster_import = RosterImport.objects.get(pk=import_id)
        if roster_import.is_done:
            return roster_import
        time.sleep(0.2)
    raise AssertionError(f"the worker did not finish import {import_id} within {WAIT_SECONDS} s")


@pytest.fixture
def stored_files() -> Iterator[None]:
    """The worker reads the configured private storage; remove what the test put there."""
    before = set(RosterImport.objects.values_list("file", flat=True))
    yield
    for name in RosterImport.objects.exclude(file__in=before).values_list("file", flat=True):
        default_storage.delete(name)


def many_ids(count: int) -> list[str]:
    return [
        id_number(100 + i % 900, birth=datetime.date(1970, 1, 1) + datetime.timedelta(days=i // 900))
        for i in range(count)
    ]


def register_in_bulk(numbers: list[str], world: World) -> list[User]:
    password = make_password(None)
    users = [
        User(
            mobile=f"150{index:08d}",
            real_name=f"学员{index}",
            id_number_encrypted=identity.encrypt_id_number(number),
            id_number_digest=identity.id_number_digest(number),
            id_number_masked=identity.mask_id_number(number),
            unit=world.school,
            password=password,
        )
        for index, number in enumerate(numbers)
    ]
    return User.objects.bulk_create(users, batch_size=1000)


def test_on_postgresql() -> None:
    assert connection.vendor == "postgresql"


def test_the_worker_runs_a_queued_import_to_the_end(
    world: World, ended_filing: TrainingFiling, stored_files: None
) -> None:
    numbers = many_ids(30)
    people = register_in_bulk(numbers[:10], world)
    rows = [[number, f"学员{index}" if index < 10 else "暂存者", 8] for index, number in enumerate(numbers)]
    rows.append(["37081119910315101X", "坏行", 8])
    roster_import = services.roster_import_create(
        actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
    )
    done = wait_until_done(roster_import.pk)
    assert done.status == ImportStatus.FINISHED, done.failure_message
    assert (done.credited_count, done.held_count, done.error_count, done.checkpoint) == (10, 20, 1, 31)
    assert LedgerEntry.objects.filter(person__in=people, source_type=SourceType.IMPORT).count() == 10


def test_a_worker_killed_mid_import_is_finished_by_the_redelivered_task(
    world: World, ended_filing: TrainingFiling, stored_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = 2 * importer.BATCH_ROWS + 1000  # three batches
    numbers = many_ids(total)
    registered = numbers[::10]
    people = register_in_bulk(registered, world)
    names = {number: f"学员{index}" for index, number in enumerate(registered)}
    rows = [[number, names.get(number, "暂存者"), 8] for number in numbers]
    monkeypatch.setattr(services, "_queue", lambda roster_import: None)  # this process is the first worker
    roster_import = services.roster_import_create(
        actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
    )
    monkeypatch.undo()

    # The process dies once the first batch has committed: every later batch dies on its way in.
    write_batch = importer._write_batch

    def dies_after_the_first_batch(batch: importer.Batch, context: importer.WriteContext) -> bool:
        if batch.number >= 1:
            raise WorkerKilled
        return write_batch(batch, context)

    monkeypatch.setattr(importer, "_write_batch", dies_after_the_first_batch)
    with pytest.raises(WorkerKilled):
        importer.roster_import_run(import_id=roster_import.pk)
    monkeypatch.undo()
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.checkpoint, roster_import.done_batches) == (
        ImportStatus.RUNNING,
        importer.BATCH_ROWS,
        [0],
    )
    assert LedgerEntry.objects.filter(person__in=people).count() == roster_import.credited_count == 500

    # The broker delivers the task again (acks_late, reject_on_worker_lost): the real worker finishes it.
    roster_import_task.delay(import_id=roster_import.pk)
    done = wait_until_done(roster_import.pk)
    assert done.status == ImportStatus.FINISHED, done.failure_message
    assert done.checkpoint == total
    assert (done.credited_count, done.held_count, done.error_count) == (
        len(registered),
        total - len(registered),
        0,
    )
    entries = LedgerEntry.objects.filter(person__in=people, source_type=SourceType.IMPORT)
    assert entries.count() == len(registered)
    assert not entries.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert sum(entry.hours for entry in entries) == Decimal(8) * len(registered)
    assert RosterCredit.objects.filter(filing=ended_filing).count() == total
