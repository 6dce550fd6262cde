"""Celery tasks of the programme, beside their capability; importing them here
lets Celery's autodiscovery (which looks for ``sessions.tasks``) find them."""

from sessions import tasks_materials, tasks_schedule

__all__ = ["tasks_materials", "tasks_schedule"]
