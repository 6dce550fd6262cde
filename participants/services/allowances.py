"""Writes for day allowances: compute them from the check-ins within the
year's caps, approve them per weekend, keep the rules of each year, and the
allowance settings of an assembly.

The cap arithmetic is the pure module participants/allowance_caps.py (its
docstring says how capping works). Here its input is read and its output
stored in DayAllowance.

``allowances_compute`` can run any number of times (from the organiser's page
and every night from celery beat) and gives the same result: rows already in a
payment batch or paid never change; they count against the caps first. Every
other row is recomputed: a later check-in adds a day, an undone check-in
removes it, new rules for a year change the amounts. A recomputed row whose
amount changed goes back to "earned", so an organiser approves the new amount.
Approving a weekend and filling a payment batch recompute first, so neither
takes an amount the check-ins and the rules no longer give.

The caps are per person, not per assembly: the Belastingdienst adds up every
volunteer allowance someone gets. Members of different assemblies with the same
account (PanelMember.user) are one person; what that person was granted in the
other assemblies counts against the caps first, as the fixed rows do. So the
assembly that computes first takes the room first; together they never pass a
cap.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import AllowanceMode, AllowanceYear, Assembly, User
from assembly.services import audit_record
from participants import allowance_caps as caps
from participants.models import CheckIn, DayAllowance, PanelMember, PaymentState
from sessions.models import Weekend
from sessions.selectors import programme_day_bounds

logger = logging.getLogger(__name__)

FIXED = (PaymentState.BATCHED, PaymentState.PAID)


class AllowancesRefused(Exception):
    """The allowances cannot be computed or approved; the message says why."""


@dataclass
class ComputeResult:
    created: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    capped: int = 0
    # Years with attended days but no rules: those days get no allowance yet.
    missing_years: list[int] = field(default_factory=list)


def year_rules(*, years: set[int] | None = None) -> dict[int, caps.YearRules]:
    rows = AllowanceYear.objects.all()
    if years is not None:
        rows = rows.filter(year__in=years)
    return {
        row.year: caps.YearRules(
            year=row.year,
            day_allowance=row.day_allowance,
            hourly_cap=row.hourly_cap,
            hourly_cap_under_21=row.hourly_cap_under_21,
            monthly_cap=row.monthly_cap,
            yearly_cap=row.yearly_cap,
        )
        for row in rows
    }


def _fee_results(
    days: list[dt.date], fee: Decimal, years: set[int]
) -> tuple[list[caps.DayResult], set[int]]:
    # A fee is income: no caps; it follows the same days.
    amount = fee.quantize(caps.CENT)
    results = [
        caps.DayResult(day=d, gross=amount, granted=amount, capped_by="", limit=amount, room=amount)
        for d in days
        if d.year in years
    ]
    return results, {d.year for d in days} - years


def _volunteer_results(
    *,
    member: PanelMember,
    days: list[dt.date],
    hours: dict[dt.date, Decimal],
    fixed: list[DayAllowance],
    elsewhere: list[tuple[dt.date, Decimal]],
    rules: dict[int, caps.YearRules],
) -> tuple[list[caps.DayResult], set[int]]:
    missing = {d.year for d in days} - set(rules)
    birth = member.registration.birth_date
    already = caps.AlreadyGranted.of([*((row.day, row.amount) for row in fixed), *elsewhere])
    computable = [
        caps.Day(day=d, age=caps.age_on(birth, d), hours=hours[d])
        for d in days
        if d.year not in missing
    ]
    return caps.cap_days(computable, rules, already), missing


@dataclass(frozen=True)
class _Attended:
    weekend_id: int
    arrived_late_at: dt.time | None
    left_early_at: dt.time | None


def _granted_elsewhere(
    *, assembly: Assembly, members: list[PanelMember]
) -> dict[int, list[tuple[dt.date, Decimal]]]:
    """Per account, the day and amount of each volunteer allowance its person
    has in other assemblies. A fee is income, not a volunteer allowance, so the
    rows of an assembly that pays fees do not count."""
    user_ids = sorted({m.user_id for m in members if m.user_id is not None})
    if not user_ids:
        return {}
    # Two assemblies computing for the same person at once would both read the
    # other's old amounts and could together pass a cap: the lock on the
    # accounts makes them take turns. Always in pk order, so they cannot deadlock.
    list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk").values("pk"))
    rows = (
        DayAllowance.objects.filter(
            member__user_id__in=user_ids,
            member__assembly__allowance_mode=AllowanceMode.VOLUNTEER,
        )
        .exclude(member__assembly=assembly)
        .values_list("member__user_id", "day", "amount")
    )
    granted: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for user_id, day, amount in rows:
        granted[user_id].append((day, amount))
    return granted


def _is_fixed(row: DayAllowance) -> bool:
    # In a batch (or paid): the amount went to finance and stays as it is.
    return row.status in FIXED or row.payment_id is not None


@transaction.atomic
def allowances_compute(
    *, assembly: Assembly, actor: User | None, member_ids: set[int] | None = None
) -> ComputeResult:
    """Bring the day allowances of the assembly in line with the check-ins and
    the rules. Returns what changed."""
    # One computation per assembly at a time: two at once would both read the
    # same totals and could together pass a cap.
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    check_ins: dict[int, dict[dt.date, _Attended]] = defaultdict(dict)
    query = CheckIn.objects.filter(member__assembly=assembly)
    if member_ids is not None:
        query = query.filter(member_id__in=member_ids)
    for member_id, day, weekend_id, late, early in query.values_list(
        "member_id", "day", "weekend_id", "arrived_late_at", "left_early_at"
    ):
        check_ins[member_id][day] = _Attended(weekend_id, late, early)
    rows_query = DayAllowance.objects.select_for_update(of=("self",)).filter(
        member__assembly=assembly
    )
    if member_ids is not None:
        rows_query = rows_query.filter(member_id__in=member_ids)
    rows: dict[int, dict[dt.date, DayAllowance]] = defaultdict(dict)
    for row in rows_query:
        rows[row.member_id][row.day] = row
    members = {
        m.pk: m
        for m in PanelMember.objects.filter(pk__in=set(check_ins) | set(rows)).select_related(
            "registration"
        )
    }
    all_years = {d.year for per in check_ins.values() for d in per}
    rules = year_rules(years=all_years)
    fee_mode = assembly.allowance_mode == AllowanceMode.FEE
    if fee_mode and not assembly.fee_per_day:
        # The settings form never allows this; the admin could.
        raise AllowancesRefused(
            _("Vul eerst het honorarium per dag in bij de instellingen van de vergoeding.")
        )
    elsewhere = (
        {} if fee_mode else _granted_elsewhere(assembly=assembly, members=list(members.values()))
    )
    bounds = {} if fee_mode else programme_day_bounds(assembly=assembly)
    result = ComputeResult()
    missing: set[int] = set()
    to_create: list[DayAllowance] = []
    for member_id in sorted(members):
        member = members[member_id]
        attended = check_ins.get(member_id, {})
        existing = rows.get(member_id, {})
        fixed = [row for row in existing.values() if _is_fixed(row)]
        fixed_days = {row.day for row in fixed}
        open_days = sorted(d for d in attended if d not in fixed_days)
        hours: dict[dt.date, Decimal | None]
        if fee_mode:
            assert assembly.fee_per_day is not None
            results, member_missing = _fee_results(open_days, assembly.fee_per_day, set(rules))
            hours = dict.fromkeys(open_days)
        else:
            counted = {
                day: caps.hours_present(
                    planned=assembly.allowance_hours_per_day,
                    day_start=bounds[day][0] if day in bounds else None,
                    day_end=bounds[day][1] if day in bounds else None,
                    arrived_late_at=attended[day].arrived_late_at,
                    left_early_at=attended[day].left_early_at,
                )
                for day in open_days
            }
            hours = {day: value for day, value in counted.items()}
            results, member_missing = _volunteer_results(
                member=member,
                days=open_days,
                hours=counted,
                fixed=fixed,
                elsewhere=elsewhere.get(member.user_id, []) if member.user_id else [],
                rules=rules,
            )
        missing |= member_missing
        computed = {r.day: r for r in results}
        for day, row in existing.items():
            if _is_fixed(row):
                continue
            if day not in computed:
                # The check-in was undone, or the year lost its rules.
                row.delete()
                result.removed += 1
        for day, outcome in computed.items():
            if outcome.capped_by:
                result.capped += 1
            found = existing.get(day)
            if found is None:
                to_create.append(
                    DayAllowance(
                        member=member,
                        weekend_id=attended[day].weekend_id,
                        day=day,
                        gross=outcome.gross,
                        amount=outcome.granted,
                        capped_by=outcome.capped_by,
                        hours=hours.get(day),
                    )
                )
                result.created += 1
                continue
            row = found
            if (
                row.gross == outcome.gross
                and row.amount == outcome.granted
                and row.capped_by == outcome.capped_by
            ):
                if row.hours != hours.get(day):
                    # Same money (or a row from before hours were kept): the
                    # approval stands, only the explanation is brought up to date.
                    row.hours = hours.get(day)
                    row.save(update_fields=["hours"])
                result.unchanged += 1
                continue
            row.gross = outcome.gross
            row.amount = outcome.granted
            row.capped_by = outcome.capped_by
            row.hours = hours.get(day)
            row.status = PaymentState.EARNED
            row.approved_by = None
            row.approved_at = None
            row.save(
                update_fields=[
                    "gross",
                    "amount",
                    "capped_by",
                    "hours",
                    "status",
                    "approved_by",
                    "approved_at",
                ]
            )
            result.changed += 1
    DayAllowance.objects.bulk_create(to_create, batch_size=500)
    result.missing_years = sorted(missing)
    if result.created or result.changed or result.removed:
        audit_record(
            action="allowances.computed",
            assembly=assembly,
            actor=actor,
            detail={
                "created": result.created,
                "changed": result.changed,
                "removed": result.removed,
                "capped": result.capped,
                "missing_years": result.missing_years,
                "mode": assembly.allowance_mode,
            },
        )
    if result.missing_years:
        logger.warning(
            "allowances: no rules for years=%s assembly=%s", result.missing_years, assembly.pk
        )
    return result


@transaction.atomic
def allowances_approve(
    *, assembly: Assembly, weekend: Weekend, actor: User, today: dt.date | None = None
) -> int:
    """Approve every earned day allowance of the weekend; returns how many.

    The weekend's members are recomputed first, so what gets approved is what
    their check-ins and the rules give now, also when the rules or a check-in
    changed since the last computation. Recomputing reuses the one place that
    knows the caps; a second check beside it could disagree with it."""
    if weekend.assembly_id != assembly.pk:
        raise AllowancesRefused(_("Dit weekend hoort niet bij dit burgerberaad."))
    # Approved money goes into the next payment batch: while the weekend
    # lasts, a late check-in or an early leave could still change it.
    if weekend.ends_on >= (today or timezone.localdate()):
        raise AllowancesRefused(
            _(
                "Weekend %(number)s is nog niet voorbij. Keur de vergoedingen goed na de "
                "laatste dag, als alle aanmeldingen en tijden kloppen."
            )
            % {"number": weekend.number}
        )
    member_ids = set(
        CheckIn.objects.filter(weekend=weekend, member__assembly=assembly).values_list(
            "member_id", flat=True
        )
    ) | set(
        DayAllowance.objects.filter(weekend=weekend, member__assembly=assembly).values_list(
            "member_id", flat=True
        )
    )
    if member_ids:
        allowances_compute(assembly=assembly, actor=actor, member_ids=member_ids)
    now = timezone.now()
    ids = list(
        DayAllowance.objects.select_for_update(of=("self",))
        .filter(member__assembly=assembly, weekend=weekend, status=PaymentState.EARNED)
        .values_list("pk", flat=True)
    )
    count = DayAllowance.objects.filter(pk__in=ids, status=PaymentState.EARNED).update(
        status=PaymentState.APPROVED, approved_by=actor, approved_at=now
    )
    if count:
        audit_record(
            action="allowances.approved",
            assembly=assembly,
            actor=actor,
            target=weekend,
            detail={"weekend": weekend.pk, "days": count},
        )
    return count


def allowances_compute_all() -> dict[int, int]:
    """The nightly run over every assembly that has check-ins; per assembly id
    the number of rows created, changed or removed."""
    done: dict[int, int] = {}
    ids = CheckIn.objects.values_list("member__assembly_id", flat=True).distinct().order_by()
    for assembly in Assembly.objects.filter(pk__in=list(ids)).order_by("pk"):
        try:
            result = allowances_compute(assembly=assembly, actor=None)
        except AllowancesRefused:
            logger.warning("allowances: assembly=%s cannot be computed", assembly.pk)
            continue
        done[assembly.pk] = result.created + result.changed + result.removed
    return done


# ------------------------------------------------------------------ rules


RULE_FIELDS = (
    "day_allowance",
    "hourly_cap",
    "hourly_cap_under_21",
    "monthly_cap",
    "yearly_cap",
    "km_rate",
    "source",
)


@transaction.atomic
def allowance_year_save(
    *, year: int, values: dict[str, object], actor: User, assembly: Assembly | None = None
) -> AllowanceYear:
    """Add the rules of a year, or change them. Amounts already in a batch or
    paid keep the rules they were computed with."""
    row = AllowanceYear.objects.select_for_update().filter(year=year).first()
    created = row is None
    if row is None:
        row = AllowanceYear(year=year)
    for name in RULE_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    if created:
        row.save()
    else:
        row.save(update_fields=[*RULE_FIELDS, "updated_at"])
    audit_record(
        action="allowances.rules_added" if created else "allowances.rules_changed",
        assembly=assembly,
        actor=actor,
        target=row,
        detail={"year": year},
    )
    return row


SETTING_FIELDS = (
    "allowance_mode",
    "fee_per_day",
    "allowance_hours_per_day",
    "second_approval_above",
)


@transaction.atomic
def allowance_settings_update(
    *, assembly: Assembly, values: dict[str, object], actor: User
) -> ComputeResult:
    """Change how the assembly pays its members, then recompute the open
    allowances with the new settings."""
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    changed = [name for name in SETTING_FIELDS if getattr(locked, name) != values[name]]
    for name in changed:
        setattr(locked, name, values[name])
        setattr(assembly, name, values[name])
    if changed:
        locked.save(update_fields=changed)
        audit_record(
            action="allowances.settings_changed",
            assembly=locked,
            actor=actor,
            detail={"fields": changed},
        )
    return allowances_compute(assembly=locked, actor=actor)
