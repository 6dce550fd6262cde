"""Celery tasks of the programme: schedule.

They take ids and call sessions.services.schedule, which claims each reminder
with a unique row, so a task run twice sends each e-mail once.
"""

from __future__ import annotations

from celery import shared_task

from sessions.services import schedule


@shared_task
def programme_reminders_task(
    assembly_id: int,
    days_before: list[int] | None = None,
    expert_days_before: int | None = None,
) -> int:
    """Run daily by celery beat (one PeriodicTask per assembly, see services.schedule)."""
    result = schedule.programme_reminders_send_due(
        assembly_id=assembly_id, days_before=days_before, expert_days_before=expert_days_before
    )
    return result.members + result.experts
