"""Attendance for the demo assembly: the confirmed members checked in on the
days of the weekends before a given date, with a few absences (some members
away for one day or one weekend, two of them away two weekends in a row, so
the absence flag has something to show), a few late arrivals and early
departures. The same members and weekends always give the same check-ins.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly
from assembly.services import audit_record
from participants.models import CheckIn, PanelMember
from participants.selectors_attendance import weekend_days
from sessions.models import Weekend

# Chances per member: away a whole weekend, away one day of a weekend, late, early.
AWAY_WEEKEND = 0.04
AWAY_DAY = 0.04
LATE = 0.05
EARLY = 0.03
# How many members drop out: away on two weekends in a row.
DROP_OUTS = 2


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@transaction.atomic
def demo_attendance_seed(*, assembly: Assembly, today: dt.date) -> int:
    """Check in the assembly's confirmed members for every day before ``today``
    of its weekends. Does nothing when the assembly has check-ins already.
    Returns the number of check-ins made."""
    if CheckIn.objects.filter(member__assembly=assembly).exists():
        return 0
    members = list(
        PanelMember.objects.filter(
            assembly=assembly, kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.CONFIRMED
        ).order_by("registration_id")
    )
    weekends = [
        w
        for w in Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number")
        if w.starts_on < today
    ]
    if not members or not weekends:
        return 0
    rng = random.Random(f"demo-attendance-{assembly.slug}")
    # Drop-outs: away on the two most recent weekends that are over.
    over = [w for w in weekends if w.ends_on < today]
    drop_outs = set()
    if len(over) >= 2 and len(members) >= 10:
        drop_outs = {m.pk for m in rng.sample(members, DROP_OUTS)}
    away_pair = {w.pk for w in over[-2:]}

    rows: list[CheckIn] = []
    for member in members:
        away_before = False
        for weekend in weekends:
            if member.pk in drop_outs and weekend.pk in away_pair:
                continue
            # Nobody else is away two weekends in a row: only the drop-outs are flagged.
            if not away_before and rng.random() < AWAY_WEEKEND:
                away_before = True
                continue
            away_before = False
            days = [d for d in weekend_days(weekend) if d < today]
            skip = rng.choice(days) if len(days) > 1 and rng.random() < AWAY_DAY else None
            for day in days:
                if day == skip:
                    continue
                late = rng.random() < LATE
                early = rng.random() < EARLY
                rows.append(
                    CheckIn(
                        member=member,
                        weekend=weekend,
                        day=day,
                        arrived_late_at=dt.time(10, rng.choice((15, 30, 45))) if late else None,
                        left_early_at=dt.time(15, rng.choice((0, 30))) if early else None,
                    )
                )
    CheckIn.objects.bulk_create(rows, batch_size=500)
    # auto_now_add stamped the seeding moment; the demo shows a morning arrival.
    for day in sorted({row.day for row in rows}):
        CheckIn.objects.filter(member__assembly=assembly, day=day).update(
            checked_in_at=_at(day, 9, 20)
        )
    audit_record(
        action="attendance.demo_seeded",
        assembly=assembly,
        detail={"check_ins": len(rows), "weekends": [w.pk for w in weekends]},
    )
    return len(rows)
