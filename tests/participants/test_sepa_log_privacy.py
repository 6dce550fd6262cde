"""A SEPA file the schema refuses is logged by element and rule, never with the
value libxml2 quotes (an IBAN, a holder's name): logs hold ids."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from participants.iban import example_iban, format_iban
from participants.models import BankAccount
from participants.sepa import Debtor, SepaInvalid, Transfer, credit_transfer_xml
from participants.services import payments as services
from tests.conftest import Cast
from tests.participants.test_payments import approve_allowance, panel_members

DEBTOR = Debtor(name="Stichting Burgerberaad", iban="NL91ABNA0417164300", bic="ABNANL2A")
# Valid to is_valid_iban (it normalises), refused by the schema's IBAN pattern.
SPACED = format_iban(example_iban(7)).lower()


def test_a_schema_refusal_names_the_element_and_rule_not_the_value() -> None:
    good = Transfer(
        end_to_end_id="BB1B1M1",
        amount=Decimal("10.00"),
        iban=example_iban(1),
        name="Jan Jansen",
        remittance="Vergoeding",
    )
    bad = dataclasses.replace(good, end_to_end_id="BB1B1M2", iban=SPACED)
    with pytest.raises(SepaInvalid) as refused:
        credit_transfer_xml(
            message_id="BB1-1",
            created_at=timezone.now(),
            execution_date=dt.date(2027, 3, 1),
            debtor=DEBTOR,
            transfers=[good, bad],
        )
    message = str(refused.value)
    assert SPACED not in message
    assert "IBAN" in message and "pattern" in message


@pytest.mark.django_db
def test_a_refused_export_logs_the_batch_not_the_iban(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    (member,) = panel_members(cast.assembly, 1)
    BankAccount.objects.create(member=member, iban=SPACED, holder_name="Jan Jansen")
    approve_allowance(member)
    batch = services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None

    with (
        caplog.at_level(logging.WARNING, logger="participants.services.payments"),
        pytest.raises(services.PaymentsRefused),
    ):
        services.payment_batch_export(batch=batch, actor=None, execution_date=timezone.localdate())

    [record] = [r for r in caplog.records if "SEPA file refused" in r.getMessage()]
    message = record.getMessage()
    assert f"batch={batch.pk}" in message
    assert SPACED not in message and example_iban(7) not in message
    assert "Jan Jansen" not in message
