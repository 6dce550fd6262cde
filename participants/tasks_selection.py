"""Celery tasks of the lottery (selection runs): they take ids and call
participants.services.selection, which claims the work in the database.

The settings acknowledge a message only after the task (acks_late, reject on
worker lost): when a worker dies in the middle of a run, the broker hands the
message to another worker, whose task finds the run's claim gone stale and
starts it afresh. When the broker redelivers a message while the first worker
is still computing (a long run outlives Redis' visibility timeout), the claim
is fresh: the task comes back later instead of computing the run twice, and
finds it finished, or its worker dead.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from participants.services import selection

# How long a task that found the run busy waits before it looks again.
BUSY_RETRY_SECONDS = 60
# A lottery on a pool of thousands runs far longer than any other task, so its
# tasks have a limit of their own (settings.LOTTERY_TIME_LIMIT), and a copy
# that finds the run busy keeps looking for as long as the run may take.
LOTTERY_TASK_OPTIONS: dict[str, Any] = {
    "soft_time_limit": settings.LOTTERY_TIME_LIMIT,
    "time_limit": settings.LOTTERY_TIME_LIMIT + 300,
    "max_retries": settings.LOTTERY_TIME_LIMIT // BUSY_RETRY_SECONDS + 10,
}


@shared_task(bind=True, **LOTTERY_TASK_OPTIONS)
def selection_run_task(self: Task[Any, Any], run_id: int) -> str:
    outcome = selection.selection_run_execute(run_id=run_id)
    if outcome.retry_later:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome.state


@shared_task
def selection_runs_requeue_task() -> list[int]:
    """Run every few minutes by celery beat: runs whose task never reached the queue."""
    return selection.selection_runs_requeue()
