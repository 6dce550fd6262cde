"""What the organiser's background jobs (population imports, invitation
draws) share: a job is queued, then running, then finished or failed."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model, Q, QuerySet
from django.utils import timezone


def stale_job_ids(jobs: QuerySet[Model], *, after: dt.timedelta) -> list[int]:
    """Jobs still waiting, or still running, ``after`` their start: their message
    or their worker was lost, and they must not block the organiser for good.

    ``jobs`` has ``status`` ("queued"/"running"), ``created_at`` and ``started_at``.
    """
    cutoff = timezone.now() - after
    stale = jobs.filter(
        Q(status="queued", created_at__lt=cutoff) | Q(status="running", started_at__lt=cutoff)
    )
    return list(stale.values_list("pk", flat=True))
