"""Reads for the subgroup tables: who sits, their quota values, the pairs who
met before, and the tables of a weekend with their balance.

Ids given to the pure algorithm (participants/tables.py) are PanelMember ids
as text. Every read here runs a fixed number of queries, whatever the number
of members or tables.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise

from assembly.models import Assembly, Role, RoleKind, User
from participants import tables as algorithm
from participants.models import CheckIn, PanelMember, Table, TableRound, TableSeat
from participants.selectors_selection import (
    AGE,
    FIXED_CATEGORIES,
    quota_categories,
    quota_list,
    quota_table,
    respondent_features,
)
from sessions.models import Weekend

# A table's count of a category value may be this many persons off its share
# before the page marks it.
DEVIATION_MARK = 1.0


def first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else ""


def table_names(full_names: Sequence[str]) -> list[str]:
    """What the people at one table are called there: the first name, and where
    two share it, the first letter of the surname too ("Priya K.", "Priya B."):
    two identical name cards, or "Priya, Priya" in a list, leave people
    guessing who is who. Never more of the surname: members see each other's
    first names only (two "Henk S." at one table stay alike)."""
    firsts = [first_name(name) for name in full_names]
    shared = Counter(first.casefold() for first in firsts)
    names = []
    for full_name, first in zip(full_names, firsts, strict=True):
        surname = full_name.split()[1:]
        names.append(
            f"{first} {surname[-1][0]}." if shared[first.casefold()] > 1 and surname else first
        )
    return names


# ----------------------------------------------------------------------- inputs


def table_candidates(*, weekend: Weekend) -> tuple[list[PanelMember], bool]:
    """Who sits at a table this weekend, and whether that comes from check-in.

    The confirmed members checked in on any day of the weekend; before anyone
    is checked in (a weekend still to come), all confirmed members.
    """
    confirmed = PanelMember.objects.filter(
        assembly_id=weekend.assembly_id,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.CONFIRMED,
    )
    checked_in = CheckIn.objects.filter(weekend=weekend)
    from_check_in = checked_in.exists()
    if from_check_in:
        confirmed = confirmed.filter(pk__in=checked_in.values("member_id"))
    return list(confirmed.select_related("registration").order_by("pk")), from_check_in


def facilitators(*, assembly: Assembly) -> list[User]:
    """The gespreksleiders of the assembly, in a fixed order."""
    return list(
        User.objects.filter(
            roles__assembly=assembly, roles__kind=RoleKind.FACILITATOR, is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def is_facilitator(*, assembly: Assembly, user_id: int) -> bool:
    return Role.objects.filter(
        assembly=assembly, user_id=user_id, kind=RoleKind.FACILITATOR
    ).exists()


def other_tables_led_by(*, table: Table) -> list[int]:
    """The numbers of the other tables in ``table``'s round with the same gespreksleider."""
    if table.facilitator_id is None:
        return []
    return list(
        Table.objects.filter(round_id=table.round_id, facilitator_id=table.facilitator_id)
        .exclude(pk=table.pk)
        .order_by("number")
        .values_list("number", flat=True)
    )


def previous_pairs(*, weekend: Weekend) -> dict[algorithm.Pair, int]:
    """How often each pair of members sat at one table on earlier weekends."""
    seats = TableSeat.objects.filter(
        round__weekend__assembly_id=weekend.assembly_id,
        round__weekend__starts_on__lt=weekend.starts_on,
    ).values_list("table_id", "member_id")
    by_table: dict[int, list[str]] = defaultdict(list)
    for table_id, member_id in seats:
        by_table[table_id].append(str(member_id))
    return dict(algorithm.pair_counts([list(by_table.values())]))


def category_values(*, assembly: Assembly) -> dict[str, list[str]]:
    """The quota categories with their values; without quotas, the fixed
    categories that need no ranges (all but age)."""
    table = quota_table(quota_list(assembly=assembly))
    if table:
        return table
    return {
        category.key: [value for value, _label in category.values]
        for category in FIXED_CATEGORIES
        if category.key != AGE
    }


def member_features(
    *, assembly: Assembly, members: Sequence[PanelMember], categories: dict[str, list[str]]
) -> dict[str, dict[str, str]]:
    """Each member's value per category, keyed by member id as text (no query
    when the registrations are selected with the members)."""
    return {
        str(member.pk): respondent_features(member.registration, categories, assembly.first_weekend)
        for member in members
    }


# ----------------------------------------------------------------------- the page


@dataclass(frozen=True)
class SeatView:
    member: PanelMember
    name: str
    met_before: int  # table-mates this member sat with on an earlier weekend
    # Seated, but not checked in while others of the weekend are: not there.
    absent: bool = False


@dataclass
class TableView:
    table: Table
    seats: list[SeatView] = field(default_factory=list)
    max_deviation: float = 0.0  # of this table's counts from their shares, in persons
    marked: int = 0  # category values more than DEVIATION_MARK off

    @property
    def size(self) -> int:
        """The people really at the table (those marked absent do not count)."""
        return sum(1 for seat in self.seats if not seat.absent)


@dataclass(frozen=True)
class BalanceEntry:
    count: int
    target: float

    @property
    def deviation(self) -> float:
        return abs(self.count - self.target)

    @property
    def marked(self) -> bool:
        return self.deviation > DEVIATION_MARK

    @property
    def too_many(self) -> bool:
        return self.count > self.target


@dataclass(frozen=True)
class BalanceRow:
    number: int
    size: int
    entries: list[BalanceEntry]


@dataclass(frozen=True)
class CategoryBalance:
    key: str
    label: str | Promise
    values: list[tuple[str, str | Promise, int]]  # value, label, how many present have it
    rows: list[BalanceRow]

    @property
    def marked(self) -> int:
        return sum(1 for row in self.rows for entry in row.entries if entry.marked)


@dataclass(frozen=True)
class RoundView:
    table_round: TableRound
    tables: list[TableView]
    balance: list[CategoryBalance]
    seated: int
    mix_deviation: float
    repeated_pairs: int
    absent: list[SeatView] = field(default_factory=list)

    @property
    def marked(self) -> int:
        return sum(category.marked for category in self.balance)

    @property
    def without_facilitator(self) -> list[int]:
        return [view.table.number for view in self.tables if view.table.facilitator_id is None]

    @property
    def outside_sizes(self) -> list[int]:
        return [
            view.table.number
            for view in self.tables
            if not algorithm.MIN_SIZE <= view.size <= algorithm.MAX_SIZE
        ]


def table_round_for(*, weekend: Weekend) -> TableRound | None:
    return TableRound.objects.filter(weekend=weekend).first()


def round_tables(*, table_round: TableRound) -> list[TableView]:
    """The tables in number order, each with its members (names) in name order."""
    views = {
        table.pk: TableView(table)
        for table in Table.objects.filter(round=table_round)
        .select_related("facilitator")
        .order_by("number")
    }
    seats = TableSeat.objects.filter(round=table_round).select_related("member__registration")
    for seat in seats:
        views[seat.table_id].seats.append(
            SeatView(seat.member, seat.member.registration.full_name, 0)
        )
    for view in views.values():
        view.seats.sort(key=lambda s: (s.name.casefold(), s.member.pk))
    return list(views.values())


def _labels(assembly: Assembly) -> dict[str, tuple[str | Promise, dict[str, str | Promise]]]:
    return {
        category.key: (category.label, dict(category.values))
        for category in quota_categories(assembly=assembly)
    }


def round_view(
    *, table_round: TableRound, assembly: Assembly, checked_in: set[int] | None = None
) -> RoundView:
    """The tables, the balance per category and the repeated pairs of a round.

    ``checked_in``: the member ids checked in this weekend, once check-in has
    started (None before). Tables made before the weekend seat everyone; a
    seated member who did not come is marked absent and left out of the
    balance and the figures, which are those of the people at the tables.
    """
    tables = round_tables(table_round=table_round)

    def here(seat: SeatView) -> bool:
        return checked_in is None or seat.member.pk in checked_in

    members = [seat.member for view in tables for seat in view.seats if here(seat)]
    categories = category_values(assembly=assembly)
    features = member_features(assembly=assembly, members=members, categories=categories)
    ids = [[str(seat.member.pk) for seat in view.seats if here(seat)] for view in tables]
    previous = previous_pairs(weekend=table_round.weekend)
    for view, mates in zip(tables, ids, strict=True):
        view.seats = [
            SeatView(
                seat.member,
                seat.name,
                sum(
                    1
                    for other in mates
                    if other != str(seat.member.pk)
                    and previous.get(algorithm.pair(other, str(seat.member.pk)), 0) > 0
                ),
                absent=not here(seat),
            )
            for seat in view.seats
        ]
    cells = algorithm.balance(ids, features)
    by_key = {(c.table, c.category, c.value): c for c in cells}
    for cell in cells:
        view = tables[cell.table]
        view.max_deviation = max(view.max_deviation, cell.deviation)
        view.marked += cell.deviation > DEVIATION_MARK
    present: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for person in features.values():
        for category, value in person.items():
            present[category][value] += 1
    labels = _labels(assembly)
    balance: list[CategoryBalance] = []
    for category, known in categories.items():
        values = [v for v in known if present[category].get(v)]
        values += sorted(v for v in present[category] if v not in known)
        label, value_labels = labels.get(category, (category, {}))
        rows = []
        for index, view in enumerate(tables):
            entries = []
            for value in values:
                found = by_key.get((index, category, value))
                entries.append(
                    BalanceEntry(found.count, found.target) if found else BalanceEntry(0, 0.0)
                )
            rows.append(BalanceRow(view.table.number, view.size, entries))
        balance.append(
            CategoryBalance(
                key=category,
                label=label,
                values=[
                    (v, value_labels.get(v, v) if v else "—", present[category][v]) for v in values
                ],
                rows=rows,
            )
        )
    return RoundView(
        table_round=table_round,
        tables=tables,
        balance=balance,
        seated=len(members),
        mix_deviation=max((c.deviation for c in cells), default=0.0),
        repeated_pairs=algorithm.repeated_pairs(ids, previous),
        absent=[seat for view in tables for seat in view.seats if seat.absent],
    )


def unseated(*, table_round: TableRound, candidates: Sequence[PanelMember]) -> list[PanelMember]:
    """People who should sit this weekend but have no table (checked in after
    the tables were made); no query beyond the seats."""
    seated = set(TableSeat.objects.filter(round=table_round).values_list("member_id", flat=True))
    return [member for member in candidates if member.pk not in seated]


def weekend_rounds(*, assembly: Assembly) -> list[tuple[Weekend, TableRound | None]]:
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    rounds = {r.weekend_id: r for r in TableRound.objects.filter(weekend__assembly=assembly)}
    return [(weekend, rounds.get(weekend.pk)) for weekend in weekends]


# ----------------------------------------------------------------- members' view


def current_weekend(*, assembly: Assembly, today: dt.date | None = None) -> Weekend | None:
    """The weekend under way or the next one; after the last, the last."""
    today = today or timezone.localdate()
    weekends = Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number")
    upcoming = weekends.filter(ends_on__gte=today).first()
    return upcoming or weekends.last()


@dataclass(frozen=True)
class MyTable:
    number: int
    facilitator: User | None
    first_names: list[str]  # the others at the table


def published_round(*, weekend: Weekend) -> TableRound | None:
    return TableRound.objects.filter(weekend=weekend, published_at__isnull=False).first()


def member_table(*, table_round: TableRound, user: User) -> MyTable | None:
    """The logged-in member's table in a round: number, facilitator, mates' first names."""
    seat = (
        TableSeat.objects.filter(round=table_round, member__user=user)
        .select_related("table__facilitator")
        .first()
    )
    if seat is None:
        return None
    seated = list(
        TableSeat.objects.filter(table_id=seat.table_id)
        .order_by("pk")
        .values_list("pk", "member__registration__full_name")
    )
    # Told apart among everyone at the table, the member too: two Priyas are
    # two Priyas on the cards, whoever reads the list.
    called = table_names([name for _pk, name in seated])
    mates = [name for (pk, _name), name in zip(seated, called, strict=True) if pk != seat.pk]
    return MyTable(
        number=seat.table.number,
        facilitator=seat.table.facilitator,
        first_names=sorted(mates, key=str.casefold),
    )


def facilitator_tables(*, table_round: TableRound, user: User) -> list[MyTable]:
    """The tables a gespreksleider leads in a round, with the members' first names."""
    tables = list(Table.objects.filter(round=table_round, facilitator=user).order_by("number"))
    names: dict[int, list[str]] = defaultdict(list)
    for table_id, name in TableSeat.objects.filter(table__in=tables).values_list(
        "table_id", "member__registration__full_name"
    ):
        names[table_id].append(name)
    return [
        MyTable(table.number, user, sorted(table_names(names[table.pk]), key=str.casefold))
        for table in tables
    ]
