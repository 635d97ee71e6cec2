"""Celery tasks: thin, take ids, call a service. The import task is safe to run again at any time: a
finished import does nothing, an interrupted one continues from its checkpoint (acks_late and
reject_on_worker_lost are set globally, so a killed worker's task is delivered again)."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import translation

from . import importer, messages

logger = logging.getLogger(__name__)

SOFT_TIME_LIMIT = 10 * 60
TIME_LIMIT = 12 * 60


@shared_task(
    name="filings.roster_import",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def roster_import_task(*, import_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        return _run_import(import_id)


def _run_import(import_id: int) -> str:
    try:
        return importer.roster_import_run(import_id=import_id).status
    except SoftTimeLimitExceeded:
        logger.warning("roster import %s hit the soft time limit", import_id)
        return importer.roster_import_fail(import_id=import_id, message=str(messages.IMPORT_TIMED_OUT)).status
    except OperationalError:
        raise  # the database went away: retried, and the retry resumes from the checkpoint
    except Exception:
        logger.exception("roster import %s failed", import_id)
        return importer.roster_import_fail(
            import_id=import_id, message=str(messages.IMPORT_FAILED_UNEXPECTEDLY)
        ).status
