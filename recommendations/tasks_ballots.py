"""Celery tasks for ballots: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from recommendations.services import ballots


@shared_task
def ballots_close_due_task() -> int:
    """Run every minute by celery beat: close the open ballots whose closing
    time has passed. Closing locks the ballot and checks it is still open, so
    a second run (or the chair closing by hand at the same moment) closes it once."""
    return ballots.ballots_close_due()
