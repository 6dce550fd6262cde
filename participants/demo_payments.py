"""Demo payments: bank accounts for the demo panel, one batch of the first
weekend exported and paid a few days after it, and an open batch with what
was approved since.

Runs after the allowances demo (which approves allowances); with nothing
approved it only adds bank accounts. A rerun changes nothing once a batch
exists. Everything is derived from the panel's order, not from chance.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly, User
from participants.iban import example_iban, holder_for_bank
from participants.models import (
    BankAccount,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.services import payments as services
from sessions.models import Weekend

# Every so many members has not given a bank account yet, so the organiser's
# page shows who is left out of a batch and why.
WITHOUT_ACCOUNT_EVERY = 30
# A separate range of made-up account numbers for the demo.
ACCOUNT_OFFSET = 500_000


def _seed_accounts(assembly: Assembly) -> None:
    members = list(
        PanelMember.objects.filter(assembly=assembly).select_related("registration").order_by("pk")
    )
    have = set(
        BankAccount.objects.filter(member__assembly=assembly).values_list("member_id", flat=True)
    )
    BankAccount.objects.bulk_create(
        BankAccount(
            member=member,
            iban=example_iban(ACCOUNT_OFFSET + position),
            holder_name=holder_for_bank(member.registration.full_name),
        )
        for position, member in enumerate(members)
        if member.pk not in have
        and (member.user_id is not None or (position + 1) % WITHOUT_ACCOUNT_EVERY != 0)
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def demo_payments_seed(assembly: Assembly, *, today: dt.date, organiser: User) -> None:
    _seed_accounts(assembly)
    if PaymentBatch.objects.filter(assembly=assembly).exists():
        return
    first = Weekend.objects.filter(assembly=assembly, number=1).first()
    if first is None or first.ends_on >= today:
        return
    approved = DayAllowance.objects.filter(
        member__assembly=assembly, status=PaymentState.APPROVED, payment=None
    )
    if approved.filter(weekend=first).exists():
        try:
            batch = services.payment_batch_fill(
                assembly=assembly, actor=organiser, weekend=first
            ).batch
        except services.PaymentsRefused:
            batch = None
        if batch is not None:
            batch = services.payment_batch_export(
                batch=batch, actor=organiser, execution_date=today
            )
            services.payment_batch_mark_paid(batch=batch, actor=organiser, paid_on=today)
            # As it happened: exported three days after the weekend, paid two days later.
            exported = min(first.ends_on + dt.timedelta(days=3), today)
            paid = min(exported + dt.timedelta(days=2), today)
            PaymentBatch.objects.filter(pk=batch.pk).update(
                exported_at=_at(exported, 10),
                execution_date=paid,
                paid_at=_at(paid, 12),
                message_id=f"BB{assembly.pk}-{batch.number}-{exported:%Y%m%d}100000",
            )
            PaymentItem.objects.filter(batch=batch).update(paid_at=_at(paid, 12))
    claims = ExpenseClaim.objects.filter(
        member__assembly=assembly, status=ExpenseClaim.Status.APPROVED, payment=None
    )
    if approved.exists() or claims.exists():
        try:
            services.payment_batch_fill(assembly=assembly, actor=organiser)
        except services.PaymentsRefused:
            return
