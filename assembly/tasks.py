from __future__ import annotations

from celery import shared_task

from assembly.services import role_notify


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def role_notify_task(role_id: int) -> bool:
    return role_notify(role_id=role_id)


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions, and with them any half-finished registration answers."""
    from django.core.management import call_command

    call_command("clearsessions")
