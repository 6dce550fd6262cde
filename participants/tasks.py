"""Celery tasks of the participants app: they take ids and call a service.

Each task can run twice (a redelivered message after a worker died, a second
worker) without doing its work twice: the services claim the work in the
database.
"""

from __future__ import annotations

import smtplib
from typing import Any

from celery import Task, shared_task

from participants.models import InvitationRun
from participants.services import invitations, population, reminders

# Connection trouble is worth a retry; the claims make the retry safe.
_RETRY: dict[str, Any] = {
    "autoretry_for": (OSError, smtplib.SMTPException),
    "retry_backoff": True,
    "retry_backoff_max": 120,
    "max_retries": 8,
}


def _fail_run_on_last_retry(
    task: Task[Any, Any], run_id: int, kind: str, error: BaseException
) -> None:
    retryable = isinstance(error, _RETRY["autoretry_for"])
    if not retryable or task.request.retries >= (task.max_retries or 0):
        # Only the class name: the message may hold e-mail addresses.
        invitations.invitation_run_fail(
            run_id=run_id,
            say=invitations.invitation_run_failure(
                kind=kind, error=error, attempts=task.request.retries + 1
            ),
            cause=type(error).__name__,
        )


@shared_task
def invitation_draw_task(draw_id: int) -> bool:
    """The organiser's draw; a second delivery finds it claimed and does nothing."""
    return invitations.invitation_draw_execute(draw_id=draw_id)


@shared_task
def population_import_task(import_id: int) -> bool:
    """An extract uploaded on the organiser's page; a second delivery does nothing."""
    return population.population_import_execute(import_id=import_id)


@shared_task
def population_imports_stale_task() -> list[int]:
    """Fail the imports whose worker died (their files hold names and addresses)."""
    return population.population_imports_fail_stale()


@shared_task
def invitations_requeue_task() -> tuple[list[int], list[int]]:
    """Run every few minutes by celery beat: draws and runs whose task never reached the queue."""
    return invitations.invitations_requeue()


@shared_task
def invitation_run_task(run_id: int) -> int:
    return invitations.invitation_run_dispatch(run_id=run_id)


@shared_task(bind=True, **_RETRY)
def letter_batch_task(self: Task[Any, Any], run_id: int, number: int) -> bool:
    try:
        return invitations.letter_batch_produce(run_id=run_id, number=number)
    except Exception as error:
        _fail_run_on_last_retry(self, run_id, InvitationRun.Kind.LETTERS, error)
        raise


@shared_task(bind=True, **_RETRY)
def invitation_email_chunk_task(self: Task[Any, Any], run_id: int, number: int) -> int:
    try:
        return invitations.invitation_email_chunk_send(run_id=run_id, number=number)
    except Exception as error:
        _fail_run_on_last_retry(self, run_id, InvitationRun.Kind.EMAILS, error)
        raise


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def reminders_send_task(assembly_id: int, days_before: list[int] | None = None) -> int:
    """Run daily by celery beat (one PeriodicTask per assembly, see services.reminders)."""
    return reminders.reminders_send_due(assembly_id=assembly_id, days_before=days_before)


# The lottery's tasks live beside their capability; importing them here lets
# Celery's autodiscovery (which looks for ``participants.tasks``) find them.
from participants import tasks_attendance, tasks_money, tasks_panel, tasks_selection  # noqa: E402

__all__ = ["tasks_attendance", "tasks_money", "tasks_panel", "tasks_selection"]
