"""The nightly retention task: erase members' and experts' data after the retention period."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from recommendations.services.privacy import retention_erase


@shared_task
def privacy_retention_task() -> int:
    # Each person is erased in their own transaction, so a second run after a
    # crash continues with whoever is left.
    return retention_erase(today=timezone.localdate())
