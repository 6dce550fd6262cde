"""The demo's subgroup tables: made and published for every past weekend with
check-ins and for the next (or current) weekend.

Called from the demo seed after the members and their attendance exist.
Deterministic (a fixed seed per weekend) and idempotent: a weekend that has
tables keeps them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly, User
from participants.models import CheckIn, TableRound
from participants.services.tables import table_round_make, table_round_publish
from sessions.models import Weekend

SEED = 20270200


@transaction.atomic
def demo_tables_seed(
    assembly: Assembly,
    *,
    today: dt.date | None = None,
    actor: User | None = None,
    steps_per_person: int | None = None,
) -> int:
    """Make and publish the tables of the past weekends (those with check-ins)
    and of the next weekend; returns how many weekends got new tables."""
    today = today or timezone.localdate()
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    with_check_ins = set(
        CheckIn.objects.filter(weekend__assembly=assembly).values_list("weekend_id", flat=True)
    )
    chosen = [w for w in weekends if w.ends_on < today and w.pk in with_check_ins]
    upcoming = next((w for w in weekends if w.ends_on >= today), None)
    if upcoming is not None:
        chosen.append(upcoming)
    done = set(TableRound.objects.filter(weekend__in=chosen).values_list("weekend_id", flat=True))
    made = 0
    for weekend in chosen:
        if weekend.pk in done:
            continue
        table_round = table_round_make(
            weekend=weekend,
            actor=actor,
            seed=SEED + weekend.number,
            steps_per_person=steps_per_person,
        )
        table_round_publish(table_round=table_round, actor=actor)
        made += 1
    return made
