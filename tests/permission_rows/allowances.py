"""Allowances and expense claims: a member sees only their own money (their
page, their claims, their receipts); organisers see and decide everything;
the chair, the griffie, facilitators and experts see none of it (the griffie
gets totals in the report). tests/participants/test_claims.py checks that a
member never opens another member's claim or receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from participants import receipts
from participants.models import CheckIn, ExpenseClaim, PanelMember
from participants.services import claims as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_attendance import confirmed_members
from tests.permission import SLUG, Row, staff_only

PAST = dt.date(2025, 3, 8)
TINY_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _own_member(cast: Cast) -> PanelMember:
    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=PAST, ends_on=PAST + dt.timedelta(days=1)
    )
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    member.refresh_from_db()
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    CheckIn.objects.create(member=member, weekend=weekend, day=PAST)
    return member


def _mine(cast: Cast) -> dict[str, Any]:
    _own_member(cast)
    return SLUG(cast)


def _claim(cast: Cast, status: str = ExpenseClaim.Status.SUBMITTED) -> ExpenseClaim:
    member = _own_member(cast)
    claim = services.claim_submit(
        member=member,
        data=services.ClaimInput(
            kind="other",
            day=PAST,
            amount=Decimal("12.50"),
            kilometres=None,
            description="Parkeren",
            receipt=receipts.receipt_check_bytes(TINY_PNG),
        ),
        actor=None,
    )
    if status != claim.status:
        ExpenseClaim.objects.filter(pk=claim.pk).update(status=status)
    return claim


def _claim_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _claim(cast).pk}


def _needs_info_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _claim(cast, ExpenseClaim.Status.NEEDS_INFO).pk}


def _weekend(cast: Cast) -> dict[str, Any]:
    _own_member(cast)
    return {"slug": cast.assembly.slug, "weekend": 1}


def _year(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "year": 2025}


ORGANISER = staff_only({"organiser"})
ORGANISER_REDIRECT = staff_only({"organiser"}, status=302)
MEMBER = staff_only({"member"})

def _member_without_account(cast: Cast) -> dict[str, Any]:
    from participants.models import Registration
    from tests.participants.test_attendance import confirmed_members

    seated = confirmed_members(cast.assembly, 1)[0]
    Registration.objects.filter(pk=seated.registration_id).update(email="")
    return {"slug": cast.assembly.slug, "member": seated.pk}


ROWS: dict[str, Row] = {
    "participants:my_allowance": Row(MEMBER, kwargs=_mine),
    "participants:my_claim_new": Row(MEMBER, kwargs=_mine),
    # Changing a claim the organisation asked about: the member's own only.
    "participants:my_claim_edit": Row(MEMBER, kwargs=_needs_info_kwargs),
    # Withdrawing: the member's own claim only (another member's answers 404:
    # tests/participants/test_claims.py); its confirmation page on GET.
    "participants:my_claim_withdraw": Row(MEMBER, kwargs=_claim_kwargs),
    "participants:claim_receipt": Row(staff_only({"member", "organiser"}), kwargs=_claim_kwargs),
    "participants:allowances_overview": Row(ORGANISER, kwargs=SLUG),
    "participants:allowances_compute": Row(ORGANISER_REDIRECT, kwargs=_mine, method="post"),
    "participants:allowances_weekend": Row(ORGANISER, kwargs=_weekend),
    "participants:allowances_approve": Row(ORGANISER_REDIRECT, kwargs=_weekend, method="post"),
    "participants:allowance_settings": Row(ORGANISER, kwargs=SLUG),
    "participants:allowance_rules": Row(ORGANISER, kwargs=SLUG),
    "participants:allowance_rule_new": Row(ORGANISER, kwargs=SLUG),
    "participants:allowance_rule_edit": Row(ORGANISER, kwargs=_year),
    "participants:claims_queue": Row(ORGANISER, kwargs=SLUG),
    "participants:member_claim_by_organiser": Row(ORGANISER, kwargs=_member_without_account),
    "participants:claim_detail": Row(ORGANISER, kwargs=_claim_kwargs),
    "participants:claim_approve": Row(ORGANISER_REDIRECT, kwargs=_claim_kwargs, method="post"),
    "participants:claim_reject": Row(
        ORGANISER_REDIRECT,
        kwargs=_claim_kwargs,
        method="post",
        data=lambda c: {"reason": "Geen bon."},
    ),
    "participants:claim_ask": Row(
        ORGANISER_REDIRECT,
        kwargs=_claim_kwargs,
        method="post",
        data=lambda c: {"message": "Welke trein?"},
    ),
}
