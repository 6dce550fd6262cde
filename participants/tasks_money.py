"""Celery tasks for allowances, claims and payments: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from participants.services import allowances


@shared_task
def allowances_compute_all_task() -> dict[int, int]:
    """Run nightly by celery beat (settings.CELERY_BEAT_SCHEDULE): the day
    allowances of every assembly with check-ins, in line with the check-ins
    and the rules. Computing is idempotent, so a second run changes nothing."""
    return allowances.allowances_compute_all()
