"""Celery tasks for the panel after the draw: reminders and replacements.

They take ids and call participants.services.panel, which claims the work in
the database, so a task run twice does its work once.
"""

from __future__ import annotations

import smtplib
from typing import Any

from celery import Task, shared_task

from participants.services import panel
from participants.tasks_selection import BUSY_RETRY_SECONDS, LOTTERY_TASK_OPTIONS


@shared_task(autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def panel_reminders_task(assembly_id: int) -> int:
    """Run daily by celery beat (one PeriodicTask per assembly, see services.panel)."""
    result = panel.panel_reminders_send_due(assembly_id=assembly_id)
    return result.reminded + result.final + result.no_response


@shared_task(bind=True, **LOTTERY_TASK_OPTIONS)
def replacement_compute_task(self: Task[Any, Any], replacement_id: int) -> str:
    outcome = panel.replacement_compute(replacement_id=replacement_id)
    if outcome.retry_later:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome.state


@shared_task
def replacement_runs_requeue_task() -> list[int]:
    """Run every few minutes by celery beat: replacements whose task never reached the queue."""
    return panel.replacement_runs_requeue()
