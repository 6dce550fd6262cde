"""The caps of the Dutch volunteer allowance (vrijwilligersvergoeding), as
pure arithmetic: no Django, only ``Decimal``.

The law: a volunteer allowance is tax-free only while all three caps of the
year hold at once: an amount per hour (one for people of 21 and older, a
lower one for people under 21), an amount per calendar month and an amount
per calendar year. Above any cap the *whole* allowance becomes taxable income
and is deducted from a benefit (uitkering, bijstand). One euro too many
therefore costs a member far more than that euro.

How this system caps, so that no member ever crosses a cap:

1. Every attended day earns the day allowance of its year (``gross``).
2. The day pays at most the hourly cap (by the member's age *on that day*)
   times the hours of that day: the assembly's hours per day, or fewer for a
   member who came late or left early (``hours_present``). The limit is
   rounded down to the cent.
3. The days are taken in date order. A day pays at most what is left of the
   monthly cap of its calendar month, and at most what is left of the yearly
   cap of its calendar year. What was granted earlier (also amounts already
   paid, which never change) is counted first.
4. The system pays up to the cap and never more: the rest of that day is not
   paid ("afgetopt"). A day can be capped to zero; it still shows, with why.
   ``capped_by`` names the cap that set the final amount; with more than one
   cap in play, the last (tightest) one.

So in any calendar month the sum is at most the monthly cap, in any year at
most the yearly cap, and per day at most the hourly cap times the hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

# Re-exported: selectors_money and services/allowances use it from here.
from participants.ages import age_on as age_on

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The age from which the higher hourly cap applies.
ADULT_AGE = 21

NO_CAP = ""
HOURLY = "hourly"
MONTHLY = "monthly"
YEARLY = "yearly"


class MissingRules(Exception):
    """A day falls in a year for which no rules were entered."""

    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year


@dataclass(frozen=True)
class YearRules:
    year: int
    day_allowance: Decimal
    hourly_cap: Decimal
    hourly_cap_under_21: Decimal
    monthly_cap: Decimal
    yearly_cap: Decimal

    def hourly_for(self, age: int) -> Decimal:
        return self.hourly_cap if age >= ADULT_AGE else self.hourly_cap_under_21


@dataclass(frozen=True)
class Day:
    """One attended day: the member's age on it and the hours it counts for."""

    day: dt.date
    age: int
    hours: Decimal


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def hours_present(
    *,
    planned: Decimal,
    day_start: dt.time | None,
    day_end: dt.time | None,
    arrived_late_at: dt.time | None = None,
    left_early_at: dt.time | None = None,
) -> Decimal:
    """The hours a day counts for: the planned hours, times the share of the
    day's programme (first start to last end) the member was there.

    The hourly cap is per hour of volunteer work: a member who came at one
    o'clock of a 9:30–17:00 day was not there seven hours, and paying for seven
    could cross the cap and cost them their tax freedom. A share, not a
    subtraction, because the planned hours leave out the breaks. Without a
    programme for the day nothing is known to take off. Rounded down."""
    if day_start is None or day_end is None or day_end <= day_start:
        return planned
    start, end = _minutes(day_start), _minutes(day_end)
    came = min(end, max(start, _minutes(arrived_late_at))) if arrived_late_at else start
    left = max(start, min(end, _minutes(left_early_at))) if left_early_at else end
    there = max(0, left - came)
    if there == end - start:
        return planned
    return (planned * there / (end - start)).quantize(CENT, rounding=ROUND_DOWN)


@dataclass
class AlreadyGranted:
    """What was granted before, outside the days being computed (paid or
    batched amounts): counted against the caps first."""

    per_month: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    per_year: dict[int, Decimal] = field(default_factory=dict)

    def add(self, day: dt.date, amount: Decimal) -> None:
        key = (day.year, day.month)
        self.per_month[key] = self.per_month.get(key, ZERO) + amount
        self.per_year[day.year] = self.per_year.get(day.year, ZERO) + amount

    def month(self, day: dt.date) -> Decimal:
        return self.per_month.get((day.year, day.month), ZERO)

    def year(self, day: dt.date) -> Decimal:
        return self.per_year.get(day.year, ZERO)

    @classmethod
    def of(cls, amounts: Iterable[tuple[dt.date, Decimal]]) -> AlreadyGranted:
        granted = cls()
        for day, amount in amounts:
            granted.add(day, amount)
        return granted


@dataclass(frozen=True)
class DayResult:
    day: dt.date
    gross: Decimal
    granted: Decimal
    capped_by: str  # NO_CAP, HOURLY, MONTHLY or YEARLY
    # The limit that applied, for the explanation: the day's hourly limit
    # (rate × hours), or the monthly or yearly cap.
    limit: Decimal
    # What was left under that limit before this day.
    room: Decimal

    @property
    def capped(self) -> Decimal:
        return self.gross - self.granted


def hourly_limit(rules: YearRules, age: int, hours: Decimal) -> Decimal:
    """The most a day may pay under the hourly cap, rounded down to the cent."""
    return (rules.hourly_for(age) * hours).quantize(CENT, rounding=ROUND_DOWN)


def cap_days(
    days: Sequence[Day],
    rules: Mapping[int, YearRules],
    already: AlreadyGranted | None = None,
) -> list[DayResult]:
    """The granted amount of each day, in date order. Raises MissingRules when
    a day's year has no rules. ``already`` is not changed."""
    granted = AlreadyGranted(
        per_month=dict(already.per_month) if already else {},
        per_year=dict(already.per_year) if already else {},
    )
    results = []
    for item in sorted(days, key=lambda d: d.day):
        year_rules = rules.get(item.day.year)
        if year_rules is None:
            raise MissingRules(item.day.year)
        gross = year_rules.day_allowance.quantize(CENT)
        amount, capped_by, limit, room = gross, NO_CAP, gross, gross
        per_hour = hourly_limit(year_rules, item.age, item.hours)
        if amount > per_hour:
            amount, capped_by, limit, room = per_hour, HOURLY, per_hour, per_hour
        month_room = max(ZERO, year_rules.monthly_cap - granted.month(item.day))
        if amount > month_room:
            amount, capped_by, limit, room = (
                month_room,
                MONTHLY,
                year_rules.monthly_cap,
                month_room,
            )
        year_room = max(ZERO, year_rules.yearly_cap - granted.year(item.day))
        if amount > year_room:
            amount, capped_by, limit, room = year_room, YEARLY, year_rules.yearly_cap, year_room
        amount = amount.quantize(CENT, rounding=ROUND_DOWN)
        granted.add(item.day, amount)
        results.append(
            DayResult(
                day=item.day,
                gross=gross,
                granted=amount,
                capped_by=capped_by,
                limit=limit.quantize(CENT),
                room=room.quantize(CENT),
            )
        )
    return results
