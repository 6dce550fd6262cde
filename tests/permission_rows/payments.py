"""Payments: only organisers see batches, files, confirmations and other
members' statements; a member sees their own bank account, payments and
statement; the chair, the griffie, facilitators and experts see no money
(tests/participants/test_payments*.py check the content)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone

from participants.models import BankAccount, PanelMember, PaymentItem
from participants.services import payments as services
from tests.conftest import Cast
from tests.participants.test_payments import (
    approve_allowance,
    exported_batch,
    give_account,
    panel_members,
)
from tests.permission import SLUG, Row, staff_only

TOKEN = "matrix-token"


def _linked_member(cast: Cast) -> PanelMember:
    member = panel_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    return member


def _open_batch(cast: Cast) -> dict[str, Any]:
    member = _linked_member(cast)
    give_account(member)
    approve_allowance(member)
    services.payment_batch_fill(assembly=cast.assembly, actor=None)
    return {"slug": cast.assembly.slug, "number": 1}


def _exported(cast: Cast) -> dict[str, Any]:
    exported_batch(cast.assembly, [_linked_member(cast)])
    return {"slug": cast.assembly.slug, "number": 1}


def _statement(cast: Cast) -> dict[str, Any]:
    member = _linked_member(cast)
    exported_batch(cast.assembly, [member])
    return {"slug": cast.assembly.slug, "member": member.pk, "year": 2027}


def _my_statement(cast: Cast) -> dict[str, Any]:
    exported_batch(cast.assembly, [_linked_member(cast)])
    return {"slug": cast.assembly.slug, "year": 2027}


def _mine(cast: Cast) -> dict[str, Any]:
    _linked_member(cast)
    return SLUG(cast)


def _confirm(cast: Cast) -> dict[str, Any]:
    member = _linked_member(cast)
    account = give_account(member, 1)
    account.pending_iban = BankAccount.objects.get(pk=account.pk).iban[:-2] + "00"
    account.pending_holder_name = "Nieuw"
    account.pending_token_hash = hashlib.sha256(TOKEN.encode()).hexdigest()
    account.pending_requested_at = timezone.now()
    account.save()
    return {"slug": cast.assembly.slug, "token": TOKEN}


def _first_item(cast: Cast) -> dict[str, Any]:
    item = PaymentItem.objects.order_by("pk").first()
    assert item is not None
    return {"item": item.pk, "paid_on": timezone.localdate().isoformat()}


ORGANISER = staff_only({"organiser"})
ORGANISER_REDIRECT = staff_only({"organiser"}, status=302)
MEMBER = staff_only({"member"})

def _member_without_email(cast: Cast) -> dict[str, Any]:
    from participants.models import Registration

    member = panel_members(cast.assembly, 1)[0]
    Registration.objects.filter(pk=member.registration_id).update(email="")
    return {"slug": cast.assembly.slug, "member": member.pk}


ROWS: dict[str, Row] = {
    "participants:payments_overview": Row(ORGANISER, kwargs=SLUG),
    "participants:member_bank_account_by_organiser": Row(
        ORGANISER, kwargs=_member_without_email
    ),
    "participants:payments_batch_fill": Row(ORGANISER_REDIRECT, kwargs=SLUG, method="post"),
    # An empty upload is refused on the form (400) for the organiser.
    "participants:payments_confirmations": Row(
        staff_only({"organiser"}, status=400), kwargs=SLUG, method="post"
    ),
    "participants:payments_statements": Row(ORGANISER, kwargs=SLUG),
    "participants:payments_statement_pdf": Row(ORGANISER, kwargs=_statement),
    "participants:payments_batch": Row(ORGANISER, kwargs=_open_batch),
    "participants:payments_item_remove": Row(
        ORGANISER_REDIRECT, kwargs=_open_batch, method="post", data=_first_item
    ),
    "participants:payments_batch_export": Row(
        ORGANISER_REDIRECT,
        kwargs=_open_batch,
        method="post",
        data=lambda c: {"execution_date": timezone.localdate().isoformat(), "confirm": "on"},
    ),
    "participants:payments_batch_paid": Row(
        ORGANISER_REDIRECT,
        kwargs=_exported,
        method="post",
        data=lambda c: {"paid_on": timezone.localdate().isoformat()},
    ),
    "participants:payments_item_paid": Row(
        ORGANISER_REDIRECT, kwargs=_exported, method="post", data=_first_item
    ),
    "participants:payments_batch_sepa": Row(ORGANISER, kwargs=_exported),
    "participants:payments_batch_csv": Row(ORGANISER, kwargs=_exported),
    "participants:payments_batch_xlsx": Row(ORGANISER, kwargs=_exported),
    # A member's own money: only the member; the chair and every other role see none.
    "participants:my_bank_account": Row(MEMBER, kwargs=_mine),
    "participants:my_bank_account_confirm": Row(MEMBER, kwargs=_confirm),
    "participants:my_payments": Row(MEMBER, kwargs=_mine),
    "participants:my_statement_pdf": Row(MEMBER, kwargs=_my_statement),
}
