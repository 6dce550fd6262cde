"""Celery tasks for the reports: they take ids and call a service."""

from __future__ import annotations
