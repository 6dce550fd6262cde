"""Celery tasks for ballots: they take ids and call a service."""

from __future__ import annotations
