"""Queueing Celery tasks without ever losing the work or hanging a page when the broker is down.

Every long job is a database row first (an import, a report, a certificate batch) with status
"queued"; the task only carries its id. `enqueue_on_commit` publishes after the transaction commits,
with a short retry policy. If Redis is unreachable the row simply stays queued: the page says so in
plain Chinese, and `requeue_stale` (run by Celery beat, or by hand) publishes it again later.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = _("任务已登记，但后台任务服务暂时不可用，系统将自动重试，无需重复提交。")
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1.0}


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Sends the task now; False (and a log line) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except (OperationalError, OSError) as error:
        logger.warning("Could not queue %s: %s", task.name, error.__class__.__name__)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
