"""Celery beat schedules shared by the apps' daily jobs (reminders of all kinds)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django_celery_beat.models import CrontabSchedule


def daily_crontab(*, hour: int, minute: int = 0) -> CrontabSchedule:
    """The beat schedule "every day at hour:minute", in the site's time zone."""
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
    )
    return crontab
