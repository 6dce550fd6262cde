"""Reads for payments: what is ready to pay, batches and their files, a
member's own payments and yearly figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from assembly.models import AllowanceYear, Assembly
from participants.iban import mask_iban
from participants.models import (
    BankAccount,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.sepa import Transfer, credit_transfer_xml, debtor_from_settings

ZERO = Decimal("0")


def bank_account_for(*, member: PanelMember) -> BankAccount | None:
    return BankAccount.objects.filter(member=member).first()


@dataclass(frozen=True)
class Ready:
    """Approved money not yet in a batch."""

    allowances: int
    claims: int
    amount: Decimal
    members: int
    without_account: list[PanelMember]


def ready_to_pay(*, assembly: Assembly) -> Ready:
    from participants.services.payments import usable_account

    allowances = DayAllowance.objects.filter(
        member__assembly=assembly, status=PaymentState.APPROVED, payment=None
    )
    claims = ExpenseClaim.objects.filter(
        member__assembly=assembly, status=ExpenseClaim.Status.APPROVED, payment=None
    )
    member_ids = set(allowances.values_list("member_id", flat=True)) | set(
        claims.values_list("member_id", flat=True)
    )
    # A day capped to 0 euro is nothing to transfer, so no reason to ask for an account.
    to_transfer = set(allowances.filter(amount__gt=0).values_list("member_id", flat=True)) | set(
        claims.values_list("member_id", flat=True)
    )
    accounts = {a.member_id: a for a in BankAccount.objects.filter(member_id__in=to_transfer)}
    without = [
        m
        for m in PanelMember.objects.filter(pk__in=to_transfer)
        .select_related("registration")
        .order_by("registration__full_name", "pk")
        if not usable_account(accounts.get(m.pk))
    ]
    amount = (allowances.aggregate(s=Sum("amount"))["s"] or ZERO) + (
        claims.aggregate(s=Sum("amount"))["s"] or ZERO
    )
    return Ready(
        allowances=allowances.count(),
        claims=claims.count(),
        amount=amount,
        members=len(member_ids),
        without_account=without,
    )


def batches(*, assembly: Assembly) -> QuerySet[PaymentBatch]:
    return (
        PaymentBatch.objects.filter(assembly=assembly)
        .annotate(
            item_count=Count("items", distinct=True),
            paid_count=Count("items", filter=Q(items__paid_at__isnull=False), distinct=True),
        )
        .order_by("-number")
    )


@dataclass(frozen=True)
class ItemRow:
    item: PaymentItem
    name: str
    masked_iban: str
    allowances: int
    claims: int


def batch_rows(*, batch: PaymentBatch) -> list[ItemRow]:
    items = (
        PaymentItem.objects.filter(batch=batch)
        .select_related("member__registration", "member__bank_account")
        .annotate(
            allowance_count=Count("allowances", distinct=True),
            claim_count=Count("claims", distinct=True),
        )
        .order_by("member__registration__full_name", "member_id")
    )
    rows = []
    for item in items:
        iban = item.iban
        if not iban:
            account = getattr(item.member, "bank_account", None)
            iban = account.iban if account is not None else ""
        rows.append(
            ItemRow(
                item=item,
                name=item.member.registration.full_name,
                masked_iban=mask_iban(iban) if iban else "",
                allowances=getattr(item, "allowance_count", 0),
                claims=getattr(item, "claim_count", 0),
            )
        )
    return rows


def batch_transfers(*, batch: PaymentBatch) -> list[Transfer]:
    from participants.services.payments import remittance_text

    remittance = remittance_text(assembly=batch.assembly, batch_number=batch.number)
    return [
        Transfer(
            end_to_end_id=item.end_to_end_id,
            amount=item.amount,
            iban=item.iban,
            name=item.holder_name,
            remittance=remittance,
        )
        for item in PaymentItem.objects.filter(batch=batch).order_by("member_id")
    ]


def batch_erased_count(*, batch: PaymentBatch) -> int:
    """Payments of an exported batch whose bank details were erased since, on
    the member's request: the SEPA file can no longer be made again."""
    return PaymentItem.objects.filter(batch=batch, iban="").count()


def batch_sepa_xml(*, batch: PaymentBatch) -> bytes:
    """The SEPA file of an exported batch, from what was stored at export: the
    same bytes on every download."""
    assert batch.exported_at is not None and batch.execution_date is not None
    return credit_transfer_xml(
        message_id=batch.message_id,
        created_at=timezone.localtime(batch.exported_at),
        execution_date=batch.execution_date,
        debtor=debtor_from_settings(),
        transfers=batch_transfers(batch=batch),
    )


def item_queryset(*, batch: PaymentBatch) -> QuerySet[PaymentItem]:
    return (
        PaymentItem.objects.filter(batch=batch)
        .select_related("batch__assembly", "member__registration")
        .order_by("member_id")
    )


@dataclass(frozen=True)
class MemberPayment:
    batch_number: int
    amount: Decimal
    masked_iban: str
    execution_date: dt.date | None
    paid_at: dt.datetime | None
    status: str


def member_payments(*, member: PanelMember) -> list[MemberPayment]:
    rows = []
    for item in (
        PaymentItem.objects.filter(member=member).select_related("batch").order_by("-batch__number")
    ):
        if item.paid_at is not None:
            status = "paid"
        elif item.batch.status == PaymentBatch.Status.OPEN:
            status = "open"
        else:
            status = "exported"
        rows.append(
            MemberPayment(
                batch_number=item.batch.number,
                amount=item.amount,
                masked_iban=mask_iban(item.iban) if item.iban else "",
                execution_date=item.batch.execution_date,
                paid_at=item.paid_at,
                status=status,
            )
        )
    return rows


# What counts on a statement: granted (approved) or further on its way to the bank.
STATEMENT_ALLOWANCE = (PaymentState.APPROVED, PaymentState.BATCHED, PaymentState.PAID)
STATEMENT_CLAIM = (
    ExpenseClaim.Status.APPROVED,
    ExpenseClaim.Status.BATCHED,
    ExpenseClaim.Status.PAID,
)


@dataclass
class MonthFigures:
    month: int
    days: int = 0
    gross: Decimal = ZERO
    granted: Decimal = ZERO
    capped: Decimal = ZERO
    caps: set[str] = field(default_factory=set)
    expenses: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass(frozen=True)
class YearFigures:
    member: PanelMember
    year: int
    months: list[MonthFigures]
    days: int
    gross: Decimal
    granted: Decimal
    capped: Decimal
    expenses: Decimal
    paid: Decimal
    rules: AllowanceYear | None


def statement_years(*, member: PanelMember) -> list[int]:
    years = {
        d.year
        for d in DayAllowance.objects.filter(
            member=member, status__in=STATEMENT_ALLOWANCE
        ).values_list("day", flat=True)
    } | {
        d.year
        for d in ExpenseClaim.objects.filter(member=member, status__in=STATEMENT_CLAIM).values_list(
            "day", flat=True
        )
    }
    return sorted(years, reverse=True)


def year_figures(*, member: PanelMember, year: int) -> YearFigures:
    """Per month: days with an allowance, gross, granted, what a cap held back,
    expenses reimbursed, and what has been paid out so far."""
    months: dict[int, MonthFigures] = defaultdict(lambda: MonthFigures(month=0))
    for allowance in DayAllowance.objects.filter(
        member=member, day__year=year, status__in=STATEMENT_ALLOWANCE
    ).order_by("day"):
        figures = months[allowance.day.month]
        figures.month = allowance.day.month
        figures.days += 1
        figures.gross += allowance.gross
        figures.granted += allowance.amount
        figures.capped += allowance.gross - allowance.amount
        if allowance.capped_by:
            figures.caps.add(allowance.get_capped_by_display())
        if allowance.status == PaymentState.PAID:
            figures.paid += allowance.amount
    for claim in ExpenseClaim.objects.filter(
        member=member, day__year=year, status__in=STATEMENT_CLAIM
    ).order_by("day"):
        figures = months[claim.day.month]
        figures.month = claim.day.month
        figures.expenses += claim.amount
        if claim.status == ExpenseClaim.Status.PAID:
            figures.paid += claim.amount
    ordered = [months[m] for m in sorted(months)]
    return YearFigures(
        member=member,
        year=year,
        months=ordered,
        days=sum(m.days for m in ordered),
        gross=sum((m.gross for m in ordered), ZERO),
        granted=sum((m.granted for m in ordered), ZERO),
        capped=sum((m.capped for m in ordered), ZERO),
        expenses=sum((m.expenses for m in ordered), ZERO),
        paid=sum((m.paid for m in ordered), ZERO),
        rules=AllowanceYear.objects.filter(year=year).first(),
    )


def statement_members(*, assembly: Assembly, year: int) -> list[tuple[PanelMember, Decimal]]:
    """Members with money granted in `year`, with their allowance total, by name."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for member_id, amount in DayAllowance.objects.filter(
        member__assembly=assembly, day__year=year, status__in=STATEMENT_ALLOWANCE
    ).values_list("member_id", "amount"):
        totals[member_id] += amount
    for member_id in ExpenseClaim.objects.filter(
        member__assembly=assembly, day__year=year, status__in=STATEMENT_CLAIM
    ).values_list("member_id", flat=True):
        totals.setdefault(member_id, ZERO)
    members = PanelMember.objects.filter(pk__in=totals).select_related("registration")
    return sorted(
        ((m, totals[m.pk]) for m in members),
        key=lambda pair: (pair[0].registration.full_name, pair[0].pk),
    )
