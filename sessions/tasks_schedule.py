"""Celery tasks of the programme: schedule.

They take ids and call sessions.services.schedule and .weekends, which claim
each e-mail (a unique ProgrammeReminder row, and for a weekend's new dates or
venue the WeekendChange itself), so a task run twice sends each e-mail once.
"""

from __future__ import annotations

from celery import shared_task

from sessions.services import schedule, weekends


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


@shared_task
def weekend_change_notify_task(change_id: int) -> int:
    """Queued with a countdown when a published weekend's dates or venue change."""
    return weekends.weekend_change_notify(change_id=change_id)


@shared_task
def weekend_changes_due_task() -> int:
    """Run every minute by celery beat: the changes whose task never reached the queue."""
    return weekends.weekend_changes_notify_due()
