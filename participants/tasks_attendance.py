"""Celery tasks of attendance."""

from __future__ import annotations

import smtplib

from celery import shared_task

from participants.services import attendance


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def attendance_absence_flags_task() -> int:
    """Run daily by celery beat (settings.CELERY_BEAT_SCHEDULE) over all
    assemblies. The audit line per member makes a second run send nothing."""
    return attendance.absence_flags_send_all()
