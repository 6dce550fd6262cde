from __future__ import annotations

from celery import shared_task

from assembly.outbox import outbox_send, outbox_sweep


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions, and with them any half-finished registration answers."""
    from django.core.management import call_command

    call_command("clearsessions")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def outbox_send_task(email_id: int) -> int:
    return outbox_send(ids=[email_id])


@shared_task
def outbox_sweep_task() -> int:
    """Run every minute by celery beat: sends e-mails whose task never ran."""
    return outbox_sweep()
