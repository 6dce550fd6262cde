"""Writes for the subgroup tables: make (or remake) a weekend's tables, move a
member, change a table's facilitator, publish to members.

The assignment itself is the pure algorithm in participants/tables.py; here
its input is read, its output stored in TableRound/Table/TableSeat, and the
round's figures (largest mix deviation, repeated pairs) kept up to date
after every change. Every write is atomic and leaves an audit line with ids
and counts only.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import User
from assembly.services import audit_record
from participants import selectors_tables as selectors
from participants import tables as algorithm
from participants.models import Table, TableRound, TableSeat
from sessions.models import Weekend

# How long the search runs per person (see participants.tables.assign_tables):
# about a second for 175 members.
STEPS_PER_PERSON = 400
SEED_LIMIT = 2**31 - 1


class TablesRefused(Exception):
    """The change cannot be made; the message says why, for the organiser."""


def _facilitator_order(weekend: Weekend, table_count: int, people: list[User]) -> list[User | None]:
    """One facilitator per table, round-robin. The start moves on each weekend,
    so with more facilitators than tables everyone gets a turn; with fewer,
    the last tables have none (the page shows which)."""
    if not people:
        return [None] * table_count
    start = ((weekend.number - 1) * table_count) % len(people)
    return [
        people[(start + index) % len(people)] if index < len(people) else None
        for index in range(table_count)
    ]


def _score(table_round: TableRound) -> None:
    """Recompute the round's largest mix deviation and repeated pairs from its seats."""
    weekend = table_round.weekend
    seats = list(
        TableSeat.objects.filter(round=table_round)
        .select_related("member__registration", "table")
        .order_by("table__number", "member_id")
    )
    by_table: dict[int, list[str]] = {}
    for seat in seats:
        by_table.setdefault(seat.table.number, []).append(str(seat.member_id))
    tables = list(by_table.values())
    categories = selectors.category_values(assembly=weekend.assembly)
    features = selectors.member_features(
        assembly=weekend.assembly, members=[s.member for s in seats], categories=categories
    )
    table_round.mix_deviation = algorithm.mix_deviation(tables, features)
    table_round.repeated_pairs = algorithm.repeated_pairs(
        tables, selectors.previous_pairs(weekend=weekend)
    )
    table_round.save(update_fields=["mix_deviation", "repeated_pairs", "updated_at"])


@transaction.atomic
def table_round_make(
    *,
    weekend: Weekend,
    actor: User | None,
    seed: int | None = None,
    steps_per_person: int | None = None,
) -> TableRound:
    """Assign the people of the weekend to tables; replaces an earlier round
    of the same weekend (and its publication)."""
    Weekend.objects.select_for_update().filter(pk=weekend.pk).first()
    assembly = weekend.assembly
    members, from_check_in = selectors.table_candidates(weekend=weekend)
    if not members:
        raise TablesRefused(
            _(
                "Er zijn geen deelnemers om in te delen. "
                "Alleen deelnemers die meedoen krijgen een tafel."
            )
        )
    seed = secrets.randbelow(SEED_LIMIT) if seed is None else seed % SEED_LIMIT
    categories = selectors.category_values(assembly=assembly)
    features = selectors.member_features(assembly=assembly, members=members, categories=categories)
    people = [algorithm.Person(str(m.pk), features[str(m.pk)]) for m in members]
    previous = selectors.previous_pairs(weekend=weekend)
    result = algorithm.assign_tables(
        people,
        previous=previous,
        seed=seed,
        steps_per_person=STEPS_PER_PERSON if steps_per_person is None else steps_per_person,
    )
    replaced = TableRound.objects.filter(weekend=weekend).delete()[0] > 0
    table_round = TableRound.objects.create(
        weekend=weekend,
        seed=seed,
        mix_deviation=result.mix_deviation,
        repeated_pairs=result.repeated_pairs,
        created_by=actor,
    )
    leaders = _facilitator_order(
        weekend, len(result.tables), selectors.facilitators(assembly=assembly)
    )
    tables = Table.objects.bulk_create(
        Table(round=table_round, number=index + 1, facilitator=leaders[index])
        for index in range(len(result.tables))
    )
    TableSeat.objects.bulk_create(
        TableSeat(round=table_round, table=table, member_id=int(pid))
        for table, ids in zip(tables, result.tables, strict=True)
        for pid in ids
    )
    audit_record(
        action="tables.made",
        assembly=assembly,
        actor=actor,
        target=table_round,
        detail={
            "weekend": weekend.pk,
            "seed": seed,
            "tables": len(tables),
            "seated": len(members),
            "from_check_in": from_check_in,
            "mix_deviation": round(result.mix_deviation, 3),
            "repeated_pairs": result.repeated_pairs,
            "replaced": replaced,
        },
    )
    return table_round


def _locked(table_round: TableRound) -> TableRound:
    return (
        TableRound.objects.select_for_update()
        .select_related("weekend__assembly")
        .get(pk=table_round.pk)
    )


@transaction.atomic
def table_seat_move(
    *, table_round: TableRound, member_id: int, table_number: int, actor: User | None
) -> TableRound:
    """Move one member to another table of the round; the figures follow."""
    table_round = _locked(table_round)
    seat = (
        TableSeat.objects.filter(round=table_round, member_id=member_id)
        .select_related("table")
        .first()
    )
    if seat is None:
        raise TablesRefused(_("Deze persoon zit in dit weekend niet aan een tafel."))
    target = Table.objects.filter(round=table_round, number=table_number).first()
    if target is None:
        raise TablesRefused(_("Deze tafel bestaat niet."))
    if target.pk == seat.table_id:
        raise TablesRefused(
            _("Deze persoon zit al aan tafel %(number)s.") % {"number": target.number}
        )
    source = seat.table
    seat.table = target
    seat.save(update_fields=["table"])
    _score(table_round)
    audit_record(
        action="tables.moved",
        assembly=table_round.weekend.assembly,
        actor=actor,
        target=table_round,
        detail={
            "member": member_id,
            "from_table": source.number,
            "to_table": target.number,
            "mix_deviation": round(table_round.mix_deviation, 3),
            "repeated_pairs": table_round.repeated_pairs,
        },
    )
    return table_round


@transaction.atomic
def table_facilitator_set(
    *,
    table_round: TableRound,
    table_number: int,
    facilitator_id: int | None,
    actor: User | None,
) -> Table:
    """Give a table another gespreksleider (or none)."""
    table_round = _locked(table_round)
    assembly = table_round.weekend.assembly
    table = Table.objects.filter(round=table_round, number=table_number).first()
    if table is None:
        raise TablesRefused(_("Deze tafel bestaat niet."))
    if facilitator_id is not None and not selectors.is_facilitator(
        assembly=assembly, user_id=facilitator_id
    ):
        raise TablesRefused(_("Deze persoon is geen gespreksleider in dit burgerberaad."))
    table.facilitator_id = facilitator_id
    table.save(update_fields=["facilitator"])
    TableRound.objects.filter(pk=table_round.pk).update(updated_at=timezone.now())
    audit_record(
        action="tables.facilitator_set",
        assembly=assembly,
        actor=actor,
        target=table,
        detail={"table": table.number, "facilitator": facilitator_id},
    )
    return table


@transaction.atomic
def table_round_publish(*, table_round: TableRound, actor: User | None) -> TableRound:
    """Members and gespreksleiders see their table from now on."""
    table_round = _locked(table_round)
    if table_round.published_at is not None:
        raise TablesRefused(_("Deze tafelindeling is al zichtbaar voor de deelnemers."))
    table_round.published_at = timezone.now()
    table_round.save(update_fields=["published_at", "updated_at"])
    audit_record(
        action="tables.published",
        assembly=table_round.weekend.assembly,
        actor=actor,
        target=table_round,
        detail={"weekend": table_round.weekend_id},
    )
    return table_round
