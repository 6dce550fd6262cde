"""Celery tasks of the programme: materials.

``materials_due_task`` runs every minute from celery beat
(settings.CELERY_BEAT_SCHEDULE): it releases planned material, makes material
public after its weekend and tells members about what was released. Each step
claims its rows, so two runs at once, or a run beside a release by hand, do
the work once.
"""

from __future__ import annotations

from celery import shared_task

from sessions.services import materials


@shared_task
def materials_due_task() -> dict[str, int]:
    return materials.materials_process_due()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def materials_notify_task(assembly_id: int) -> int:
    return materials.materials_notify(assembly_id=assembly_id)
