"""Asking a worker to start work that is already written down in the database.

Every background job here is a row first (an e-mail in the outbox, a lottery
run, an invitation run) and a Celery message second. When the queue (Redis)
is down at that moment, the visitor should neither wait for it nor get an
error page for a change that did commit: the row stays waiting, and the job's
sweep (celery beat, settings.CELERY_BEAT_SCHEDULE) sends it later.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import Task

logger = logging.getLogger(__name__)

# A queued job that no task took for this long lost its message: its sweep
# sends it again (a second task is harmless, every job claims its work).
REQUEUE_AFTER = dt.timedelta(minutes=2)


def queue_or_leave_to_sweep(
    task: Task[Any, Any], *args: Any, what: str, countdown: float | None = None
) -> bool:
    """Queue ``task(*args)`` without publish retries; False if the queue is down.

    Then the job's sweep sends it later; a job without a sweep (a population
    upload) is failed by its caller instead. ``countdown``: seconds before a
    worker runs it (ignored when tasks run in-process, without a broker)."""
    options: dict[str, Any] = {} if countdown is None else {"countdown": countdown}
    try:
        task.apply_async(args, retry=False, **options)
    except Exception:
        logger.warning("%s not queued, the queue is down args=%s", what, args)
        return False
    return True
