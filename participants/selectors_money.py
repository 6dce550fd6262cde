"""Reads about money for members: day allowances, expense claims, totals per
month and year against the caps, and the figures per weekend that the
payments and the report use (no individual amounts there).

Every function runs a fixed number of queries, whatever the number of
members, days or claims.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from assembly.models import AllowanceMode, AllowanceYear, Assembly, User
from participants.allowance_caps import ADULT_AGE, CENT, age_on
from participants.models import (
    CheckIn,
    ClaimEvent,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    PaymentState,
)
from participants.selectors_attendance import weekend_days, weekend_list
from sessions.models import Weekend

ZERO = Decimal("0.00")
APPROVED_OR_LATER = (PaymentState.APPROVED, PaymentState.BATCHED, PaymentState.PAID)
CLAIM_APPROVED_OR_LATER = (
    ExpenseClaim.Status.APPROVED,
    ExpenseClaim.Status.BATCHED,
    ExpenseClaim.Status.PAID,
)
# Claims that wait for an organiser: new ones and those with one approval of two.
CLAIM_OPEN = (ExpenseClaim.Status.SUBMITTED, ExpenseClaim.Status.FIRST_APPROVAL)
# Width of the bars on the member's page (SVG user units).
BAR_WIDTH = 300
ROW_HEIGHT = 46


def _sum(values: list[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _money(value: object) -> Decimal:
    """A database sum as euros and cents (SQLite sums decimals as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def member_for_user(
    *, assembly: Assembly, user: User, alternates_too: bool = False
) -> PanelMember | None:
    """The user's seat in the assembly as a member; with ``alternates_too`` also
    a place on the reserve list (bank details and payments need that, the day
    allowance does not: an alternate who never sat earned nothing)."""
    seats = PanelMember.objects.filter(assembly=assembly, user=user)
    if not alternates_too:
        seats = seats.filter(kind=PanelMember.Kind.MEMBER)
    return seats.select_related("registration", "assembly").order_by("pk").first()


def rules_by_year(years: set[int] | None = None) -> dict[int, AllowanceYear]:
    rows = AllowanceYear.objects.all()
    if years is not None:
        rows = rows.filter(year__in=years)
    return {row.year: row for row in rows}


def allowance_years() -> list[AllowanceYear]:
    return list(AllowanceYear.objects.order_by("-year"))


# ------------------------------------------------------------ member's page


@dataclass(frozen=True)
class Bar:
    """One total against its cap, for the bar on the page."""

    label: str
    total: Decimal
    cap: Decimal
    capped_days: int = 0
    y: int = 0

    @property
    def percent(self) -> int:
        if not self.cap:
            return 0
        return min(100, round(100 * self.total / self.cap))

    @property
    def width(self) -> int:
        return max(0, round(BAR_WIDTH * self.percent / 100))

    @property
    def reached(self) -> bool:
        return bool(self.cap) and self.total >= self.cap

    @property
    def text_y(self) -> int:
        return self.y + 15

    @property
    def bar_y(self) -> int:
        return self.y + 22


@dataclass(frozen=True)
class MemberTotals:
    earned: Decimal
    approved: Decimal
    paid: Decimal
    capped: Decimal  # what was not paid because of a cap
    claims_approved: Decimal
    claims_paid: Decimal


@dataclass(frozen=True)
class DayLine:
    """One day allowance with the figures that explain a cap."""

    row: DayAllowance
    hourly_rate: Decimal | None
    hours: Decimal  # counted for the hourly cap
    planned_hours: Decimal  # the assembly's hours per day
    hourly_limit: Decimal | None
    monthly_cap: Decimal | None
    yearly_cap: Decimal | None


@dataclass
class MemberMoney:
    member: PanelMember
    mode: str
    days: list[DayAllowance]
    lines: list[DayLine]
    claims: list[ExpenseClaim]
    events: dict[int, list[ClaimEvent]]
    totals: MemberTotals
    months: list[Bar]
    years: list[Bar]
    rules: dict[int, AllowanceYear]
    current_rules: AllowanceYear | None
    bar_height: int = 0
    rules_years: list[AllowanceYear] = field(default_factory=list)

    @property
    def is_fee(self) -> bool:
        return self.mode == AllowanceMode.FEE


def _month_label(year: int, month: int) -> str:
    from django.utils import formats

    return formats.date_format(dt.date(year, month, 1), "F Y")


def member_money(*, member: PanelMember, today: dt.date | None = None) -> MemberMoney:
    today = today or timezone.localdate()
    days = list(
        DayAllowance.objects.filter(member=member).select_related("weekend").order_by("day")
    )
    claims = list(
        ExpenseClaim.objects.filter(member=member)
        .select_related("weekend")
        .order_by("-day", "-created_at")
    )
    events: dict[int, list[ClaimEvent]] = defaultdict(list)
    for event in ClaimEvent.objects.filter(claim__member=member).order_by("created_at", "pk"):
        events[event.claim_id].append(event)
    years_seen = {d.day.year for d in days} | {today.year}
    rules = rules_by_year(years_seen)
    per_month: dict[tuple[int, int], list[DayAllowance]] = defaultdict(list)
    per_year: dict[int, list[DayAllowance]] = defaultdict(list)
    for row in days:
        per_month[(row.day.year, row.day.month)].append(row)
        per_year[row.day.year].append(row)
    is_fee = member.assembly.allowance_mode == AllowanceMode.FEE
    months: list[Bar] = []
    years: list[Bar] = []
    if not is_fee:
        y = 0
        for (year, month), rows in sorted(per_month.items()):
            cap = rules[year].monthly_cap if year in rules else ZERO
            months.append(
                Bar(
                    label=_month_label(year, month),
                    total=_sum([r.amount for r in rows]),
                    cap=cap,
                    capped_days=sum(1 for r in rows if r.capped_by),
                    y=y,
                )
            )
            y += ROW_HEIGHT
        for year, rows in sorted(per_year.items()):
            cap = rules[year].yearly_cap if year in rules else ZERO
            years.append(
                Bar(
                    label=str(year),
                    total=_sum([r.amount for r in rows]),
                    cap=cap,
                    capped_days=sum(1 for r in rows if r.capped_by),
                    y=y,
                )
            )
            y += ROW_HEIGHT
    totals = MemberTotals(
        earned=_sum([r.amount for r in days]),
        approved=_sum([r.amount for r in days if r.status in APPROVED_OR_LATER]),
        paid=_sum([r.amount for r in days if r.status == PaymentState.PAID]),
        capped=_sum([r.gross - r.amount for r in days]),
        claims_approved=_sum([c.amount for c in claims if c.status in CLAIM_APPROVED_OR_LATER]),
        claims_paid=_sum([c.amount for c in claims if c.status == ExpenseClaim.Status.PAID]),
    )
    planned = member.assembly.allowance_hours_per_day
    lines = []
    for row in days:
        # Fewer when the member came late or left early (services/allowances).
        hours = row.hours if row.hours is not None else planned
        year_rules = rules.get(row.day.year)
        rate = (
            (
                year_rules.hourly_cap
                if age_on(member.registration.birth_date, row.day) >= ADULT_AGE
                else year_rules.hourly_cap_under_21
            )
            if year_rules
            else None
        )
        lines.append(
            DayLine(
                row=row,
                hourly_rate=rate,
                hours=hours,
                planned_hours=planned,
                hourly_limit=(rate * hours).quantize(CENT, rounding=ROUND_DOWN) if rate else None,
                monthly_cap=year_rules.monthly_cap if year_rules else None,
                yearly_cap=year_rules.yearly_cap if year_rules else None,
            )
        )
    return MemberMoney(
        member=member,
        mode=member.assembly.allowance_mode,
        days=days,
        lines=lines,
        claims=claims,
        events=dict(events),
        totals=totals,
        months=months,
        years=years,
        rules=rules,
        current_rules=rules.get(today.year) or (rules[max(rules)] if rules else None),
        bar_height=ROW_HEIGHT * (len(months) + len(years)),
        rules_years=[rules[y] for y in sorted(rules)],
    )


@dataclass(frozen=True)
class ClaimDay:
    day: dt.date
    weekend: Weekend
    attended: bool


def claim_days(*, member: PanelMember, today: dt.date | None = None) -> list[ClaimDay]:
    """The days of the weekends that have begun, newest first, and whether
    the member was checked in on each."""
    today = today or timezone.localdate()
    attended = set(CheckIn.objects.filter(member=member).values_list("day", flat=True))
    result = []
    for weekend in weekend_list(assembly=member.assembly):
        for day in weekend_days(weekend):
            if day <= today:
                result.append(ClaimDay(day=day, weekend=weekend, attended=day in attended))
    return sorted(result, key=lambda d: d.day, reverse=True)


def member_claim(*, member: PanelMember, pk: int) -> ExpenseClaim | None:
    return ExpenseClaim.objects.filter(member=member, pk=pk).select_related("weekend").first()


# ------------------------------------------------------------ organisers


def claims_for_assembly(*, assembly: Assembly, status: str = "") -> QuerySet[ExpenseClaim]:
    claims = ExpenseClaim.objects.filter(member__assembly=assembly).select_related(
        "member__registration", "weekend", "first_approved_by"
    )
    if status:
        claims = claims.filter(status=status)
    return claims.order_by("created_at", "pk")


def claim_for_assembly(*, assembly: Assembly, pk: int) -> ExpenseClaim | None:
    return (
        ExpenseClaim.objects.filter(member__assembly=assembly, pk=pk)
        .select_related(
            "member__registration",
            "member__assembly",
            "weekend",
            "first_approved_by",
            "approved_by",
        )
        .first()
    )


def claims_with_the_same_receipt(*, claim: ExpenseClaim) -> list[ExpenseClaim]:
    """Other claims in the assembly sent with the very same receipt file (its
    SHA-256): the same bill claimed twice would be paid twice."""
    if not claim.receipt_sha256:
        return []
    return list(
        ExpenseClaim.objects.filter(
            member__assembly_id=claim.member.assembly_id, receipt_sha256=claim.receipt_sha256
        )
        .exclude(pk=claim.pk)
        .select_related("member__registration")
        .order_by("pk")
    )


# Claims alike in these look like the same costs sent twice: paid twice if
# nobody notices. A warning for the organiser, not a refusal: two taxi rides
# of the same price on one day happen. A rejected or withdrawn claim is never
# paid, so it is nobody's twin.
_SAME_COSTS = ("member_id", "day", "kind", "amount")
_NEVER_PAID = (ExpenseClaim.Status.REJECTED, ExpenseClaim.Status.WITHDRAWN)


def _same_costs(**match: Any) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(**match).exclude(status__in=_NEVER_PAID)


def claims_like_this(*, claim: ExpenseClaim) -> list[ExpenseClaim]:
    if claim.status in _NEVER_PAID:
        return []
    alike = _same_costs(**{name: getattr(claim, name) for name in _SAME_COSTS})
    return list(alike.exclude(pk=claim.pk).order_by("pk"))


def claims_for_assembly_with_twins(*, assembly: Assembly, status: str = ""
                                   ) -> list[ExpenseClaim]:
    """The queue, each claim marked ``has_twin`` when another claim looks the same."""
    twins = _same_costs(**{name: OuterRef(name) for name in _SAME_COSTS}).exclude(
        pk=OuterRef("pk")
    )
    has_twin = Case(When(status__in=_NEVER_PAID, then=Value(False)), default=Exists(twins))
    return list(claims_for_assembly(assembly=assembly, status=status).annotate(has_twin=has_twin))


def claim_events(*, claim: ExpenseClaim) -> list[ClaimEvent]:
    return list(claim.events.select_related("actor").order_by("created_at", "pk"))


def claim_status_counts(*, assembly: Assembly) -> dict[str, int]:
    rows = (
        ExpenseClaim.objects.filter(member__assembly=assembly)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def open_claims_count(assembly: Assembly) -> int:
    """Claims waiting for an organiser: new, or approved once of the two needed."""
    return ExpenseClaim.objects.filter(member__assembly=assembly, status__in=CLAIM_OPEN).count()


@dataclass(frozen=True)
class WeekendAllowances:
    weekend: Weekend
    days: int
    earned: int  # days waiting for approval
    approved: int
    batched: int
    paid: int
    capped: int
    gross: Decimal
    amount: Decimal
    attended_days: int  # check-ins: more than ``days`` means a computation is due

    @property
    def to_compute(self) -> int:
        return max(0, self.attended_days - self.days)


def weekend_allowances(*, assembly: Assembly) -> list[WeekendAllowances]:
    rows = (
        DayAllowance.objects.filter(member__assembly=assembly)
        .values("weekend_id")
        .annotate(
            days=Count("pk"),
            earned=Count("pk", filter=Q(status=PaymentState.EARNED)),
            approved=Count("pk", filter=Q(status=PaymentState.APPROVED)),
            batched=Count("pk", filter=Q(status=PaymentState.BATCHED)),
            paid=Count("pk", filter=Q(status=PaymentState.PAID)),
            capped=Count("pk", filter=~Q(capped_by="")),
            gross=Sum("gross"),
            amount=Sum("amount"),
        )
        .order_by()
    )
    by_weekend: dict[int, dict[str, Any]] = {row["weekend_id"]: dict(row) for row in rows}
    attended = dict(
        CheckIn.objects.filter(member__assembly=assembly)
        .values("weekend_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("weekend_id", "n")
    )
    result = []
    for weekend in weekend_list(assembly=assembly):
        row = by_weekend.get(weekend.pk, {})
        result.append(
            WeekendAllowances(
                weekend=weekend,
                days=row.get("days", 0),
                earned=row.get("earned", 0),
                approved=row.get("approved", 0),
                batched=row.get("batched", 0),
                paid=row.get("paid", 0),
                capped=row.get("capped", 0),
                gross=_money(row.get("gross")),
                amount=_money(row.get("amount")),
                attended_days=attended.get(weekend.pk, 0),
            )
        )
    return result


def weekend_allowance_rows(*, weekend: Weekend) -> list[DayAllowance]:
    """The day allowances of one weekend, by member name and day."""
    return list(
        DayAllowance.objects.filter(weekend=weekend)
        .select_related("member__registration")
        .order_by("member__registration__full_name", "member_id", "day")
    )


@dataclass(frozen=True)
class WeekendMoney:
    """Totals of one weekend for the payments and the report: no individual amounts."""

    weekend: Weekend
    allowance_days: int
    allowances: Decimal  # every computed allowance (after the caps)
    allowances_approved: Decimal  # approved, in a batch or paid
    allowances_paid: Decimal
    claims: int  # approved, in a batch or paid
    expenses: Decimal  # the same claims' amounts
    expenses_paid: Decimal

    @property
    def total(self) -> Decimal:
        return self.allowances + self.expenses


def money_totals_per_weekend(assembly: Assembly) -> list[WeekendMoney]:
    allowances: dict[int, dict[str, Any]] = {
        row["weekend_id"]: dict(row)
        for row in DayAllowance.objects.filter(member__assembly=assembly)
        .values("weekend_id")
        .annotate(
            days=Count("pk"),
            total=Sum("amount"),
            approved=Sum("amount", filter=Q(status__in=APPROVED_OR_LATER)),
            paid=Sum("amount", filter=Q(status=PaymentState.PAID)),
        )
        .order_by()
    }
    expenses: dict[int, dict[str, Any]] = {
        row["weekend_id"]: dict(row)
        for row in ExpenseClaim.objects.filter(
            member__assembly=assembly, status__in=CLAIM_APPROVED_OR_LATER
        )
        .values("weekend_id")
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            paid=Sum("amount", filter=Q(status=ExpenseClaim.Status.PAID)),
        )
        .order_by()
    }
    result = []
    for weekend in weekend_list(assembly=assembly):
        a = allowances.get(weekend.pk, {})
        e = expenses.get(weekend.pk, {})
        result.append(
            WeekendMoney(
                weekend=weekend,
                allowance_days=a.get("days", 0),
                allowances=_money(a.get("total")),
                allowances_approved=_money(a.get("approved")),
                allowances_paid=_money(a.get("paid")),
                claims=e.get("n", 0),
                expenses=_money(e.get("total")),
                expenses_paid=_money(e.get("paid")),
            )
        )
    return result
