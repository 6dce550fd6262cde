"""Celery tasks of the recommendations app; each capability keeps its tasks
beside it, imported here so Celery's autodiscovery finds them."""

from recommendations import tasks_ballots, tasks_privacy, tasks_report

__all__ = ["tasks_ballots", "tasks_privacy", "tasks_report"]
