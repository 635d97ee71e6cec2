"""Celery tasks of the platform's plumbing: thin, call a function."""

from __future__ import annotations

from celery import shared_task


@shared_task(soft_time_limit=50, time_limit=60)
def republish_queued_task() -> int:
    """Run every minute by Celery beat: sends the outbox's tasks the broker missed (jinan_ce.queue)."""
    from jinan_ce.queue import republish_queued

    return republish_queued()
