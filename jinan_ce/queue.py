"""Queueing Celery tasks without ever losing the work or failing a page when the broker is down.

Every long job is a database row first (an import, a report, a certificate batch) whose task carries
only its id. `enqueue_on_commit` writes the task into the outbox (`accounts.QueuedTask`) in the same
transaction as the job, and publishes it once that commits, with a short retry policy; the outbox row
goes when the broker has the message. If Redis is unreachable the row stays, the page answers as usual
(the job reads "排队中"), and `republish_queued`, run every minute by Celery beat, sends it later.
Every task is idempotent (a finished job does nothing), so the rare message sent twice is harmless.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import Task, current_app
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = _("任务已登记，但后台任务服务暂时不可用，系统将自动重试，无需重复提交。")
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}
#: An outbox row younger than this may still be on its way (its request's on-commit publish).
REPUBLISH_AFTER = datetime.timedelta(seconds=30)
REPUBLISH_BATCH = 200


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Sends the task now; False (and a log line) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (OperationalError, OSError) as error:
        logger.warning("Could not queue %s: %s", task.name, error.__class__.__name__)
        return False
    return True


def enqueue_on_commit(task: Task, **kwargs: Any) -> None:
    """Queues ``task(**kwargs)`` for when the current transaction commits (at once outside one)."""
    from accounts.models import QueuedTask

    queued = QueuedTask.objects.create(task_name=task.name, kwargs=kwargs)

    def send() -> None:
        if publish(task, **kwargs):
            QueuedTask.objects.filter(pk=queued.pk).delete()

    transaction.on_commit(send)


def republish_queued(now: datetime.datetime | None = None) -> int:
    """Publishes the outbox's tasks that were not sent (the broker was down); returns how many went.
    Rows are taken with SKIP LOCKED, so two beats never send the same row twice."""
    from accounts.models import QueuedTask

    cutoff = (now or timezone.now()) - REPUBLISH_AFTER
    sent = 0
    with transaction.atomic():
        rows = list(
            QueuedTask.objects.select_for_update(skip_locked=True)
            .filter(created_at__lte=cutoff)
            .order_by("created_at", "id")[:REPUBLISH_BATCH]
        )
        for row in rows:
            task = current_app.tasks.get(row.task_name)
            if task is None:
                logger.error("Outbox row %s names no known task: %s", row.pk, row.task_name)
                continue
            if publish(task, **row.kwargs):
                row.delete()
                sent += 1
            else:
                QueuedTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                break  # the broker is still down: the next beat tries again
    return sent
