"""The SEPA credit transfer file: valid against the pain.001.001.03 schema,
sums and counts right, only SEPA characters, and refused when it cannot be."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from participants.iban import example_iban
from participants.sepa import (
    NAMESPACE,
    SCHEMA_PATH,
    Debtor,
    SepaInvalid,
    Transfer,
    credit_transfer_xml,
    schema_errors,
)

DEBTOR = Debtor(name="Stichting Bürgerberaad", iban="NL91ABNA0417164300", bic="ABNANL2A")
NS = {"p": NAMESPACE}


def _transfers(*amounts: str) -> list[Transfer]:
    return [
        Transfer(
            end_to_end_id=f"BB1B1M{n}",
            amount=Decimal(amount),
            iban=example_iban(n),
            name=f"Deelnemer {n}",
            remittance="Burgerberaad drugsbeleid batch 1",
        )
        for n, amount in enumerate(amounts, start=1)
    ]


def _xml(transfers: list[Transfer], debtor: Debtor = DEBTOR) -> bytes:
    return credit_transfer_xml(
        message_id="BB1-1-20270601120000",
        created_at=dt.datetime(2027, 6, 1, 12, 0, 0, 123),
        execution_date=dt.date(2027, 6, 3),
        debtor=debtor,
        transfers=transfers,
    )


def test_the_file_is_valid_against_the_official_schema() -> None:
    xml = _xml(_transfers("40.00", "12.35", "0.01"))
    # Validate here with the schema file itself, not only through the module's helper.
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    assert schema.validate(etree.fromstring(xml)), schema.error_log
    assert schema_errors(xml) == []


def test_counts_and_control_sums_add_up() -> None:
    tree = etree.fromstring(_xml(_transfers("40.00", "12.35", "0.01", "1000")))
    amounts = [Decimal(a) for a in tree.xpath("//p:InstdAmt/text()", namespaces=NS)]
    assert amounts == [Decimal("40.00"), Decimal("12.35"), Decimal("0.01"), Decimal("1000.00")]
    assert tree.xpath("//p:InstdAmt/@Ccy", namespaces=NS) == ["EUR"] * 4
    for path in ("//p:GrpHdr/p:CtrlSum", "//p:PmtInf/p:CtrlSum"):
        assert tree.xpath(f"{path}/text()", namespaces=NS) == ["1052.36"]
    assert tree.xpath("//p:GrpHdr/p:NbOfTxs/text()", namespaces=NS) == ["4"]
    assert tree.xpath("//p:PmtInf/p:NbOfTxs/text()", namespaces=NS) == ["4"]
    assert tree.xpath("//p:ReqdExctnDt/text()", namespaces=NS) == ["2027-06-03"]
    assert tree.xpath("//p:CreDtTm/text()", namespaces=NS) == ["2027-06-01T12:00:00"]


def test_names_are_written_in_the_sepa_character_set() -> None:
    transfers = [
        Transfer("BB1B1M1", Decimal("1.00"), example_iban(1), "Çelik", "Burgerberaad é batch 1")
    ]
    tree = etree.fromstring(_xml(transfers))
    assert tree.xpath("//p:Dbtr/p:Nm/text()", namespaces=NS) == ["Stichting Burgerberaad"]
    assert tree.xpath("//p:Cdtr/p:Nm/text()", namespaces=NS) == ["Celik"]
    assert tree.xpath("//p:Ustrd/text()", namespaces=NS) == ["Burgerberaad e batch 1"]


def test_the_same_input_gives_the_same_bytes() -> None:
    assert _xml(_transfers("1.00", "2.00")) == _xml(_transfers("1.00", "2.00"))


@pytest.mark.parametrize(
    ("transfer", "reason"),
    [
        (Transfer("E1", Decimal("-1.00"), example_iban(1), "A", "x"), "above 0"),
        (Transfer("E1", Decimal("0"), example_iban(1), "A", "x"), "above 0"),
        (Transfer("E1", Decimal("1.005"), example_iban(1), "A", "x"), "two decimals"),
        (Transfer("E1", Decimal("1.00"), "NL00ABNA0000000001", "A", "x"), "IBAN"),
        (Transfer("E1", Decimal("1.00"), example_iban(1), "Анна", "x"), "SEPA set"),
        (Transfer("E" * 36, Decimal("1.00"), example_iban(1), "A", "x"), "1 to 35"),
    ],
)
def test_it_refuses_what_a_bank_would_refuse(transfer: Transfer, reason: str) -> None:
    with pytest.raises(SepaInvalid, match=reason):
        _xml([transfer])


def test_it_refuses_a_repeated_end_to_end_id_and_an_empty_file() -> None:
    twice = _transfers("1.00") * 2
    with pytest.raises(SepaInvalid, match="used twice"):
        _xml(twice)
    with pytest.raises(SepaInvalid, match="no transfers"):
        _xml([])


def test_it_refuses_an_invalid_debtor_iban() -> None:
    with pytest.raises(SepaInvalid, match="SEPA_DEBTOR_IBAN"):
        _xml(_transfers("1.00"), Debtor("X", "NL00", ""))


def test_without_a_bic_the_debtor_agent_is_not_provided_and_still_valid() -> None:
    xml = _xml(_transfers("1.00"), Debtor("X", "NL91ABNA0417164300", ""))
    assert b"NOTPROVIDED" in xml and schema_errors(xml) == []


def test_the_schema_catches_a_broken_document() -> None:
    xml = _xml(_transfers("1.00")).replace(b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>XXX</PmtMtd>")
    assert schema_errors(xml)
