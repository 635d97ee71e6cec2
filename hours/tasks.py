"""Celery tasks of hours: thin, take ids, idempotent, call a service."""

from __future__ import annotations

from celery import shared_task

# --- Certificates, exports and reminders (issue 6) ----------------------------------------------------


@shared_task(soft_time_limit=120, time_limit=180)
def certificate_render_task(*, certificate_id: int) -> None:
    from .certificates import certificate_render

    certificate_render(certificate_id=certificate_id)


@shared_task(soft_time_limit=2 * 60 * 60, time_limit=2 * 60 * 60 + 300)
def export_run_task(*, job_id: int) -> None:
    from .reports import export_run

    export_run(job_id=job_id)


@shared_task(soft_time_limit=60 * 60, time_limit=60 * 60 + 300)
def hours_reminders_task(*, dates: list[str] | None = None) -> int:
    """Run daily by Celery beat; sends the reminders whose date is today (once per date)."""
    from .dashboards import reminders_send_due

    return reminders_send_due(month_days=dates)


@shared_task(soft_time_limit=14 * 60, time_limit=15 * 60)
def dashboard_figures_task(*, year: int | None = None) -> int:
    """Run by Celery beat: precomputes the bureaus' dashboard figures into the cache."""
    from .dashboards import dashboard_figures_precompute

    return dashboard_figures_precompute(year=year)


@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def exports_expire_task() -> int:
    """Run daily by Celery beat: deletes export files past their keeping time."""
    from .reports import exports_expire

    return exports_expire()
