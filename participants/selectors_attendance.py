"""Reads about attendance: who is expected, who was checked in on which day,
the counts per weekend and day, and the members absent two weekends in a row.

"Expected" at a weekend means the members who took part on its first day:
they had said yes by then (a replacement who joined after weekend 2 is not
expected at weekends 1 and 2) and had not stopped (a member who stopped after
weekend 3 still counts, present or absent, for weekends 1 to 3); plus anyone
checked in on that day or weekend: their day counts for the allowance and
the report.

Every function here runs a fixed number of queries, whatever the number of
members, weekends or check-ins.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from assembly.models import Assembly, AuditEvent
from assembly.numbers import whole_number
from participants.models import CheckIn, PanelMember
from sessions.models import Weekend

# The audit action that marks a member as flagged for absence; the daily task
# writes it once per member, which is what makes the e-mail go out once.
ABSENCE_FLAGGED = "attendance.absence_flagged"


def expected_members(*, assembly: Assembly) -> QuerySet[PanelMember]:
    """The members who take part now, by name."""
    return (
        PanelMember.objects.filter(
            assembly=assembly,
            kind=PanelMember.Kind.MEMBER,
            status=PanelMember.Status.CONFIRMED,
        )
        .select_related("registration")
        .order_by("registration__full_name", "pk")
    )


def member_code(member_id: int) -> str:
    """The short code beside a member's QR code; the check-in search finds it."""
    return f"{member_id:04d}"


def weekend_days(weekend: Weekend) -> list[dt.date]:
    count = (weekend.ends_on - weekend.starts_on).days + 1
    return [weekend.starts_on + dt.timedelta(days=n) for n in range(count)]


def weekend_for_day(*, assembly_id: int, day: dt.date) -> Weekend | None:
    return (
        Weekend.objects.filter(assembly_id=assembly_id, starts_on__lte=day, ends_on__gte=day)
        .order_by("starts_on", "number")
        .first()
    )


def weekend_list(*, assembly: Assembly) -> list[Weekend]:
    return list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))


# ------------------------------------------------------------ one day's list


@dataclass(frozen=True)
class CheckInRow:
    member: PanelMember
    check_in: CheckIn | None

    @property
    def code(self) -> str:
        return member_code(self.member.pk)


@dataclass(frozen=True)
class DayList:
    rows: list[CheckInRow]  # the members that match the search
    present: int  # everyone checked in on the day, whatever the search
    expected: int


_NOT_A_LETTER = re.compile(r"[\W_]+")


def _folded_words(text: str) -> list[str]:
    """The words of ``text`` without accents, case or punctuation: "Çelik"
    becomes "celik", "Vries, de" becomes ["vries", "de"], "van 't Hof"
    becomes ["van", "t", "hof"]."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return [word for word in _NOT_A_LETTER.split(plain) if word]


def _search(members: QuerySet[PanelMember], query: str) -> list[PanelMember]:
    """The members whose name holds every word of ``query``, in any order
    and with or without accents ("de vries", "Vries, de", "jan vri",
    "celik" for Çelik), or whose code is ``query``. In Python, not in the
    database: the list is the panel (about 175 people) and a database
    without an accent-free comparison would miss "Çelik" for "celik"."""
    query = " ".join(query.split())
    if not query:
        return list(members)
    words = _folded_words(query)
    number = whole_number(query)
    found = []
    for member in members:
        name = " ".join(_folded_words(member.registration.full_name))
        if (number is not None and member.pk == number) or (
            words and all(word in name for word in words)
        ):
            found.append(member)
    return found


def check_in_day_list(*, assembly: Assembly, day: dt.date, query: str = "") -> DayList:
    """The check-in list of one day: expected members matching ``query`` (a
    part of the name, or the code beside the QR code), each with their
    check-in of that day, and the counts for the whole day.

    The list is of today's members (who can be checked in); the count
    "X van Y" counts the members on the weekend's first day, as the weekend
    page and the chart do, so that a past day says the same everywhere."""
    check_ins = {c.member_id: c for c in CheckIn.objects.filter(member__assembly=assembly, day=day)}
    weekend = weekend_for_day(assembly_id=assembly.pk, day=day)
    if weekend is not None:
        expected_ids = _members_on_first_days(assembly, [weekend])[weekend.pk]
    else:
        expected_ids = set(expected_members(assembly=assembly).values_list("pk", flat=True))
    members = _search(expected_members(assembly=assembly), query)
    rows = [CheckInRow(member=m, check_in=check_ins.get(m.pk)) for m in members]
    return DayList(
        rows=rows,
        present=len(check_ins),
        expected=len(expected_ids | set(check_ins)),
    )


# ------------------------------------------------------ allowances and report


def attended_days(*, assembly: Assembly) -> dict[int, list[dt.date]]:
    """Per member id, the days they were checked in, in order: the days that
    count for the day allowance."""
    days: dict[int, list[dt.date]] = defaultdict(list)
    rows = (
        CheckIn.objects.filter(member__assembly=assembly)
        .order_by("member_id", "day")
        .values_list("member_id", "day")
    )
    for member_id, day in rows:
        days[member_id].append(day)
    return dict(days)


@dataclass(frozen=True)
class DayAttendance:
    day: dt.date
    present: int
    expected: int


@dataclass(frozen=True)
class WeekendAttendance:
    weekend: Weekend
    days: list[DayAttendance]
    present: int  # members checked in on at least one day of the weekend
    expected: int
    is_past: bool  # the last day has passed
    recorded: bool  # anyone was checked in at all

    @property
    def percent(self) -> int:
        return round(100 * self.present / self.expected) if self.expected else 0


def _check_in_triples(assembly: Assembly) -> list[tuple[int, int, dt.date]]:
    return list(
        CheckIn.objects.filter(member__assembly=assembly).values_list(
            "member_id", "weekend_id", "day"
        )
    )


def _members_on_days(assembly: Assembly, days: dict[int, dt.date]) -> dict[int, set[int]]:
    """Per key of ``days``, the members who took part on that day (see the
    module's docstring). No answer date (members made before it was kept)
    counts as from the start."""
    rows = (
        PanelMember.objects.filter(assembly=assembly, kind=PanelMember.Kind.MEMBER)
        .filter(
            Q(status=PanelMember.Status.CONFIRMED)
            # Stopped after saying yes: a member for the weekends in between.
            | Q(status=PanelMember.Status.WITHDRAWN, responded_at__isnull=False)
        )
        .values_list("pk", "responded_at", "withdrawn_at")
    )
    taking_part: dict[int, set[int]] = {key: set() for key in days}
    for member_id, responded_at, withdrawn_at in rows:
        joined = timezone.localdate(responded_at) if responded_at else None
        left = timezone.localdate(withdrawn_at) if withdrawn_at else None
        for key, day in days.items():
            if joined is not None and joined > day:
                continue
            if left is not None and left <= day:
                continue
            taking_part[key].add(member_id)
    return taking_part


def _members_on_first_days(assembly: Assembly, weekends: list[Weekend]) -> dict[int, set[int]]:
    """Per weekend id, the members who took part on its first day."""
    return _members_on_days(assembly, {weekend.pk: weekend.starts_on for weekend in weekends})


def members_taking_part_on(*, assembly: Assembly, day: dt.date) -> set[int]:
    """The ids of the members who took part on ``day``, by the same rule as
    "expected" (a progress report counts the members at the end of its weekend)."""
    return _members_on_days(assembly, {0: day})[0]


def attendance_per_weekend(
    *, assembly: Assembly, today: dt.date | None = None
) -> list[WeekendAttendance]:
    """Per weekend, in order: present and expected per day and over the weekend."""
    today = today or timezone.localdate()
    weekends = weekend_list(assembly=assembly)
    members_on = _members_on_first_days(assembly, weekends)
    by_weekend: dict[int, set[int]] = defaultdict(set)
    by_day: dict[dt.date, set[int]] = defaultdict(set)
    for member_id, weekend_id, day in _check_in_triples(assembly):
        by_weekend[weekend_id].add(member_id)
        by_day[day].add(member_id)
    result = []
    for weekend in weekends:
        present = by_weekend.get(weekend.pk, set())
        confirmed = members_on[weekend.pk]
        days = [
            DayAttendance(
                day=day,
                present=len(by_day.get(day, set())),
                expected=len(confirmed | by_day.get(day, set())),
            )
            for day in weekend_days(weekend)
        ]
        result.append(
            WeekendAttendance(
                weekend=weekend,
                days=days,
                present=len(present),
                expected=len(confirmed | present),
                is_past=weekend.ends_on < today,
                recorded=bool(present),
            )
        )
    return result


def weekend_absentees(*, assembly: Assembly, weekend: Weekend) -> list[PanelMember]:
    """The members who took part on the weekend's first day but were checked
    in on no day of it, by name."""
    present = CheckIn.objects.filter(weekend=weekend).values("member_id")
    taking_part = _members_on_first_days(assembly, [weekend])[weekend.pk]
    return list(
        PanelMember.objects.filter(pk__in=taking_part)
        .exclude(pk__in=present)
        .select_related("registration")
        .order_by("registration__full_name", "pk")
    )


# ------------------------------------------------------------- absence flag


@dataclass(frozen=True)
class FlaggedMember:
    member: PanelMember
    first: Weekend
    second: Weekend


def _joined(member: PanelMember) -> dt.date | None:
    # A replacement joins half-way: weekends before their "yes" are not absences.
    return timezone.localdate(member.responded_at) if member.responded_at else None


def _absent_pairs(
    weekends: list[Weekend], present: dict[int, set[int]], today: dt.date
) -> list[tuple[Weekend, Weekend]]:
    # Weekends next to each other in the programme, both over, and both with
    # attendance taken: a weekend nobody was checked in on says nothing about
    # who came (the check-in was not used), so it cannot start a drop-out.
    pairs = []
    for first, second in itertools.pairwise(weekends):
        if second.ends_on < today and present.get(first.pk) and present.get(second.pk):
            pairs.append((first, second))
    return pairs


def absence_flagged(*, assembly: Assembly, today: dt.date | None = None) -> list[FlaggedMember]:
    """Members who take part now and were absent on two weekends in a row
    (the latest such pair for each), by name."""
    today = today or timezone.localdate()
    weekends = weekend_list(assembly=assembly)
    present: dict[int, set[int]] = defaultdict(set)
    for member_id, weekend_id, _day in _check_in_triples(assembly):
        present[weekend_id].add(member_id)
    pairs = _absent_pairs(weekends, present, today)
    if not pairs:
        return []
    flagged = []
    for member in expected_members(assembly=assembly):
        joined = _joined(member)
        for first, second in reversed(pairs):
            if joined is not None and first.starts_on < joined:
                continue
            if member.pk not in present[first.pk] and member.pk not in present[second.pk]:
                flagged.append(FlaggedMember(member=member, first=first, second=second))
                break
    return flagged


def flagged_member_ids(*, member_ids: Iterable[int]) -> set[int]:
    """Which of these members the organisers have already been told about."""
    labels = {f"{PanelMember._meta.label}:{pk}": pk for pk in member_ids}
    done = AuditEvent.objects.filter(action=ABSENCE_FLAGGED, target__in=list(labels)).values_list(
        "target", flat=True
    )
    return {labels[label] for label in done}
