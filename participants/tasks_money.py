"""Celery tasks for allowances, claims and payments: they take ids and call a service."""

from __future__ import annotations
