"""The demo's payments: accounts, one paid batch of weekend 1, an open batch;
deterministic and quick, and a rerun changes nothing."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from participants.demo_payments import demo_payments_seed
from participants.iban import is_valid_iban
from participants.models import BankAccount, DayAllowance, PaymentBatch, PaymentState
from participants.selectors_payments import batch_sepa_xml
from participants.sepa import schema_errors
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_payments import approve_allowance, panel_members


def test_the_demo_seeds_accounts_a_paid_and_an_open_batch(cast: Cast) -> None:
    today = timezone.localdate()
    for number, weeks_ago in ((1, 6), (2, 2)):
        start = today - dt.timedelta(weeks=weeks_ago)
        Weekend.objects.filter(assembly=cast.assembly, number=number).update(
            starts_on=start, ends_on=start + dt.timedelta(days=1)
        )
    members = panel_members(cast.assembly, 31)
    for member in members:
        approve_allowance(member, weekend_number=1)
        approve_allowance(member, weekend_number=2)

    started = time.monotonic()
    demo_payments_seed(cast.assembly, today=today, organiser=cast.users["organiser"])
    assert time.monotonic() - started < 2

    accounts = BankAccount.objects.filter(member__assembly=cast.assembly)
    assert accounts.count() == 30  # the 30th member has none yet
    assert all(is_valid_iban(a.iban) for a in accounts)
    paid, open_batch = PaymentBatch.objects.order_by("number")
    assert paid.status == PaymentBatch.Status.PAID and paid.items.count() == 30
    assert paid.exported_at is not None
    assert timezone.localtime(paid.exported_at).date() == today - dt.timedelta(weeks=6, days=-4)
    assert schema_errors(batch_sepa_xml(batch=paid)) == []
    assert open_batch.status == PaymentBatch.Status.OPEN and open_batch.items.count() == 30
    # The member without an account keeps their money approved.
    assert DayAllowance.objects.filter(status=PaymentState.APPROVED).count() == 2

    demo_payments_seed(cast.assembly, today=today, organiser=cast.users["organiser"])
    assert PaymentBatch.objects.count() == 2
    assert BankAccount.objects.count() == 30
