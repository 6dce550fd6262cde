from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from assembly.models import Assembly
from sessions.models import Weekend


def weekend_list_for(*, assembly: Assembly) -> QuerySet[Weekend]:
    return Weekend.objects.filter(assembly=assembly).order_by("starts_on")


def weekend_next_for(*, assembly: Assembly, today: dt.date) -> Weekend | None:
    return weekend_list_for(assembly=assembly).filter(ends_on__gte=today).first()
