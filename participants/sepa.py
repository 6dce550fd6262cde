"""SEPA credit transfer files (ISO 20022 pain.001.001.03) for finance.

Built with lxml and checked against the official XML schema in
participants/data/pain.001.001.03.xsd (ISO 20022 message archive, as shipped
unchanged in the sepaxml 2.7.0 wheel on PyPI). The file is a pure function
of what was stored at export (message id, export time, items), so
downloading an exported batch again gives the same bytes. sepaxml itself
was not used: it draws a random message id and payment-information id and
stamps the current time on every call, so a second download would differ.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from lxml import etree  # type: ignore[import-untyped]

from participants.iban import SEPA_CHARACTERS, holder_for_bank, is_valid_iban, sepa_text

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "pain.001.001.03.xsd"
CENT = Decimal("0.01")
# The largest amount the schema's ActiveOrHistoricCurrencyAndAmount allows (18 digits, 5 after
# the point), and far above anything an allowance batch could reach.
MAX_AMOUNT = Decimal("999999999.99")


class SepaInvalid(Exception):
    """The transfers cannot make a valid file; the message says which and why."""


@dataclass(frozen=True)
class Debtor:
    """The organisation that pays."""

    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    end_to_end_id: str
    amount: Decimal
    iban: str
    name: str
    remittance: str


def debtor_from_settings() -> Debtor:
    return Debtor(
        name=str(getattr(settings, "SEPA_DEBTOR_NAME", "Stichting Burgerberaad")),
        iban=str(getattr(settings, "SEPA_DEBTOR_IBAN", "NL91ABNA0417164300")),
        bic=str(getattr(settings, "SEPA_DEBTOR_BIC", "ABNANL2A")),
    )


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# The start of libxml2's message: the element, and the facet that failed.
_SCHEMA_ERROR = re.compile(
    r"Element '(?:\{[^}]*\})?(?P<element>[^']+)'(?:: \[facet '(?P<facet>\w+)'\])?"
)


def schema_errors(xml: bytes) -> list[str]:
    """What the pain.001.001.03 schema finds wrong in `xml` (empty when valid).

    By line, element and rule, never by value: libxml2 quotes the value (an
    IBAN, a name), and the message ends up in the log (payment_batch_export)."""
    checker = schema()
    if checker.validate(etree.fromstring(xml)):
        return []
    found = []
    for error in checker.error_log:
        match = _SCHEMA_ERROR.match(error.message)
        element = match["element"] if match else "?"
        facet = f" ({match['facet']})" if match and match["facet"] else ""
        found.append(f"line {error.line}: {element}: {error.type_name}{facet}")
    return found


def _amount(value: Decimal) -> str:
    return f"{value.quantize(CENT):.2f}"


def check_transfers(debtor: Debtor, transfers: Sequence[Transfer]) -> None:
    """Refuse what the schema would accept but a bank would not."""
    if not transfers:
        raise SepaInvalid("There are no transfers in the batch.")
    if not is_valid_iban(debtor.iban):
        raise SepaInvalid("SEPA_DEBTOR_IBAN is not a valid IBAN.")
    seen: set[str] = set()
    for transfer in transfers:
        where = f"transfer {transfer.end_to_end_id}"
        if transfer.end_to_end_id in seen:
            raise SepaInvalid(f"{where}: the end-to-end id is used twice.")
        seen.add(transfer.end_to_end_id)
        if not 0 < len(transfer.end_to_end_id) <= 35:
            raise SepaInvalid(f"{where}: the end-to-end id must have 1 to 35 characters.")
        if transfer.amount <= 0 or transfer.amount > MAX_AMOUNT:
            raise SepaInvalid(f"{where}: the amount must be above 0.")
        if transfer.amount != transfer.amount.quantize(CENT):
            raise SepaInvalid(f"{where}: the amount has more than two decimals.")
        if not is_valid_iban(transfer.iban):
            raise SepaInvalid(f"{where}: the IBAN is not valid.")
        for text in (
            holder_for_bank(transfer.name),
            sepa_text(transfer.remittance),
            transfer.end_to_end_id,
        ):
            if not SEPA_CHARACTERS.fullmatch(text):
                raise SepaInvalid(f"{where}: a text has characters outside the SEPA set.")


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    if text is not None:
        element.text = text
    return element


def credit_transfer_xml(
    *,
    message_id: str,
    created_at: dt.datetime,
    execution_date: dt.date,
    debtor: Debtor,
    transfers: Sequence[Transfer],
) -> bytes:
    """One pain.001.001.03 document with one payment information block; checked
    against the schema before it is returned (SepaInvalid if it fails)."""
    check_transfers(debtor, transfers)
    total = sum((t.amount for t in transfers), Decimal("0"))
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", created_at.replace(microsecond=0, tzinfo=None).isoformat())
    _sub(header, "NbOfTxs", str(len(transfers)))
    _sub(header, "CtrlSum", _amount(total))
    _sub(_sub(header, "InitgPty"), "Nm", holder_for_bank(debtor.name))
    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", message_id)
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "BtchBookg", "true")
    _sub(info, "NbOfTxs", str(len(transfers)))
    _sub(info, "CtrlSum", _amount(total))
    _sub(_sub(_sub(info, "PmtTpInf"), "SvcLvl"), "Cd", "SEPA")
    _sub(info, "ReqdExctnDt", execution_date.isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", holder_for_bank(debtor.name))
    _sub(_sub(_sub(info, "DbtrAcct"), "Id"), "IBAN", debtor.iban)
    institution = _sub(_sub(info, "DbtrAgt"), "FinInstnId")
    if debtor.bic:
        _sub(institution, "BIC", debtor.bic)
    else:
        _sub(_sub(institution, "Othr"), "Id", "NOTPROVIDED")
    _sub(info, "ChrgBr", "SLEV")
    for transfer in transfers:
        transaction = _sub(info, "CdtTrfTxInf")
        _sub(_sub(transaction, "PmtId"), "EndToEndId", transfer.end_to_end_id)
        _sub(_sub(transaction, "Amt"), "InstdAmt", _amount(transfer.amount)).set("Ccy", "EUR")
        _sub(_sub(transaction, "Cdtr"), "Nm", holder_for_bank(transfer.name))
        _sub(_sub(_sub(transaction, "CdtrAcct"), "Id"), "IBAN", transfer.iban)
        _sub(_sub(transaction, "RmtInf"), "Ustrd", sepa_text(transfer.remittance)[:140])
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    errors = schema_errors(xml)
    if errors:
        raise SepaInvalid("; ".join(errors))
    return xml
