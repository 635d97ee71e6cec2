"""On PostgreSQL with the real Celery worker that scripts/test starts (skipped otherwise): a queued
import is run by the worker to the end, and an import whose worker process was killed (SIGKILL) in the
middle of a batch, after its first batch committed, is finished by the task delivered again to the
real worker, crediting nobody twice."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

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


# The first worker: a separate process running the import as the task does; it writes batch 0 and
# commits it, then, in the middle of every later batch (its ledger credits written, not committed),
# says so in the marker file and waits to be killed.
FIRST_WORKER = """
import sys, threading, time
from pathlib import Path
import django
django.setup()
from filings import importer, ledger

import_id, marker = int(sys.argv[1]), Path(sys.argv[2])
state = threading.local()
write_batch, post_credits = importer._write_batch, ledger.post_credits

def write(batch, context):
    state.number = batch.number
    return write_batch(batch, context)

def post(credits, *, actor, on_record):
    post_credits(credits, actor=actor, on_record=on_record)
    if state.number >= 1:
        marker.write_text(str(state.number))
        time.sleep(600)

importer._write_batch, ledger.post_credits = write, post
importer.roster_import_run(import_id=import_id)
"""


def start_first_worker(import_id: int, marker: Path) -> subprocess.Popen[bytes]:
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + str(connection.settings_dict["NAME"])
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", FIRST_WORKER, str(import_id), str(marker)],
        env={**os.environ, "DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "0"},
        cwd=Path(__file__).resolve().parents[2],
    )


def test_a_worker_killed_mid_import_is_finished_by_the_redelivered_task(
    world: World, ended_filing: TrainingFiling, stored_files: None, tmp_path: Path
) -> None:
    """A worker process is SIGKILLed in the middle of a batch (its writes uncommitted) after an earlier
    batch committed; the task delivered again to the real worker finishes the import, crediting nobody
    twice and nobody from the killed batch's lost writes."""
    total = 2 * importer.BATCH_ROWS + 1000  # three batches
    numbers = many_ids(total)
    registered = numbers[::10]
    people = register_in_bulk(registered, world)
    names = {number: f"学员{index}" for index, number in enumerate(registered)}
    rows = [[number, names.get(number, "暂存者"), 8] for number in numbers]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "_queue", lambda roster_import: None)  # the first worker takes it
        roster_import = services.roster_import_create(
            actor=world.county_staff, filing_id=ended_filing.pk, upload=upload(workbook_bytes(rows))
        )

    marker = tmp_path / "in-batch"
    worker = start_first_worker(roster_import.pk, marker)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not (marker.exists() and 0 in RosterImport.objects.get(pk=roster_import.pk).done_batches):
            assert worker.poll() is None, "the first worker ended before it could be killed"
            assert time.monotonic() < deadline, "the first worker never reached a second batch"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL

    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.checkpoint, roster_import.done_batches) == (
        ImportStatus.RUNNING,
        importer.BATCH_ROWS,
        [0],
    )
    # What the killed batch wrote died with its transaction.
    assert LedgerEntry.objects.filter(person__in=people).count() == roster_import.credited_count == 500
    assert RosterCredit.objects.filter(filing=ended_filing).count() == importer.BATCH_ROWS

    # The broker delivers the task again (acks_late, reject_on_worker_lost): the real worker finishes it.
    roster_import_task.delay(import_id=roster_import.pk)
    done = wait_until_done(roster_import.pk)
    assert done.status == ImportStatus.FINISHED, done.failure_message
    assert (done.checkpoint, done.attempts) == (total, 2)
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
