"""Helpers shared by the schedule tests: sessions at given local times."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from assembly.models import Assembly
from sessions.models import Session, Weekend

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=AMS)


def make_session(
    weekend: Weekend,
    start: tuple[int, int],
    end: tuple[int, int],
    *,
    day: int = 0,
    title: str = "Onderdeel",
    room: str = "Zaal 1",
    kind: str = Session.Kind.PLENARY,
    **extra: Any,
) -> Session:
    date = weekend.starts_on + dt.timedelta(days=day)
    return Session.objects.create(
        weekend=weekend,
        title=title,
        kind=kind,
        room=room,
        starts_at=at(date, *start),
        ends_at=at(date, *end),
        **extra,
    )


def weekend(assembly: Assembly, number: int) -> Weekend:
    return Weekend.objects.get(assembly=assembly, number=number)
