"""Writes for members' bank details.

A member enters an IBAN and the account holder's name once. Until a batch
with a payment to them has been exported, they may change it freely. After
that a change waits: the new details go to ``pending_*`` and an e-mail with a
one-time link asks the member to confirm. Until then the old account is
used, so someone who got hold of a member's login cannot quietly redirect
the money. Only the SHA-256 of the link's token is stored.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import User
from assembly.outbox import outbox_queue
from assembly.services import audit_record
from participants.iban import check_holder_name, check_iban, mask_iban
from participants.models import BankAccount, PanelMember, PaymentBatch, PaymentItem

logger = logging.getLogger(__name__)

# How long the confirmation link in the e-mail works.
CONFIRM_VALID_FOR = dt.timedelta(days=7)


class BankAccountOutcome(enum.Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    PENDING = "pending"


class BankAccountRefused(Exception):
    """The confirmation cannot be done; the message says why, for the member."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bank_account_needs_confirmation(*, member: PanelMember) -> bool:
    """True once money went out to the member's account in an exported batch."""
    return PaymentItem.objects.filter(
        member=member,
        batch__status__in=[PaymentBatch.Status.EXPORTED, PaymentBatch.Status.PAID],
    ).exists()


def _send_confirmation(member: PanelMember, account: BankAccount, token: str) -> None:
    url = settings.SITE_URL + reverse(
        "participants:my_bank_account_confirm",
        kwargs={"slug": member.assembly.slug, "token": token},
    )
    context = {
        "assembly": member.assembly,
        "name": member.registration.full_name,
        "new_iban": mask_iban(account.pending_iban),
        "url": url,
        "days": CONFIRM_VALID_FOR.days,
    }
    outbox_queue(
        to=member.mail_address,
        subject=render_to_string(
            "participants/email/bank_account_confirm_subject.txt", context
        ).strip(),
        body=render_to_string("participants/email/bank_account_confirm.txt", context),
        kind="bank_account_confirm",
        ref=f"bank_account:{account.pk}",
    )


@transaction.atomic
def bank_account_save(
    *, member: PanelMember, iban: str, holder_name: str, actor: User | None
) -> BankAccountOutcome:
    """Store the member's bank details, or park a change for confirmation by e-mail."""
    iban = check_iban(iban)
    holder_name = check_holder_name(holder_name)
    PanelMember.objects.select_for_update().filter(pk=member.pk).first()
    account = BankAccount.objects.filter(member=member).first()
    if account is None:
        account = BankAccount.objects.create(member=member, iban=iban, holder_name=holder_name)
        audit_record(
            action="bank_account.saved", assembly=member.assembly, actor=actor, target=account
        )
        return BankAccountOutcome.SAVED
    if account.iban == iban and account.holder_name == holder_name:
        if account.pending_token_hash:
            # Typing the current details again withdraws a change that waits.
            _clear_pending(account)
            account.save(
                update_fields=[
                    "pending_iban",
                    "pending_holder_name",
                    "pending_token_hash",
                    "pending_requested_at",
                    "updated_at",
                ]
            )
        return BankAccountOutcome.UNCHANGED
    if not bank_account_needs_confirmation(member=member):
        account.iban = iban
        account.holder_name = holder_name
        _clear_pending(account)
        account.save(
            update_fields=[
                "iban",
                "holder_name",
                "pending_iban",
                "pending_holder_name",
                "pending_token_hash",
                "pending_requested_at",
                "updated_at",
            ]
        )
        audit_record(
            action="bank_account.changed", assembly=member.assembly, actor=actor, target=account
        )
        return BankAccountOutcome.SAVED
    token = secrets.token_urlsafe(32)
    account.pending_iban = iban
    account.pending_holder_name = holder_name
    account.pending_token_hash = _token_hash(token)
    account.pending_requested_at = timezone.now()
    account.save(
        update_fields=[
            "pending_iban",
            "pending_holder_name",
            "pending_token_hash",
            "pending_requested_at",
            "updated_at",
        ]
    )
    _send_confirmation(member, account, token)
    audit_record(
        action="bank_account.change_requested",
        assembly=member.assembly,
        actor=actor,
        target=account,
    )
    logger.info("bank account change waits for confirmation account=%s", account.pk)
    return BankAccountOutcome.PENDING


@transaction.atomic
def bank_account_save_for_member_without_account(
    *, member: PanelMember, iban: str, holder_name: str, actor: User
) -> BankAccountOutcome:
    """The organiser types the bank details a member without an account gave on
    paper or at the desk (signed up by phone, no e-mail address).

    Members with an account enter their own. Once money went to the account,
    a change would need the member's confirmation by e-mail, which this
    member cannot give: it is refused here rather than done unchecked."""
    member = PanelMember.objects.select_for_update().select_related("registration").get(
        pk=member.pk
    )
    # Any status: a member who stopped may still have money waiting.
    if not member.takes_part_on_paper:
        raise BankAccountRefused(
            _("Deze deelnemer heeft een account en vult het rekeningnummer zelf in.")
        )
    account = BankAccount.objects.filter(member=member).first()
    changes = account is not None and (
        account.iban != check_iban(iban) or account.holder_name != check_holder_name(holder_name)
    )
    if changes and bank_account_needs_confirmation(member=member):
        raise BankAccountRefused(
            _(
                "Er is al geld naar de bekende rekening overgemaakt. Een ander "
                "rekeningnummer kan hier dan niet meer: de deelnemer kan het niet per e-mail "
                "bevestigen. Het geld gaat naar de bekende rekening. Heeft de deelnemer nu "
                "een e-mailadres? Voeg het toe op de lijst met deelnemers. Dan kan de "
                "deelnemer het rekeningnummer zelf veranderen en bevestigen."
            )
        )
    return bank_account_save(member=member, iban=iban, holder_name=holder_name, actor=actor)


def _clear_pending(account: BankAccount) -> None:
    account.pending_iban = ""
    account.pending_holder_name = ""
    account.pending_token_hash = ""
    account.pending_requested_at = None


def check_bank_account_token(*, account: BankAccount, token: str) -> None:
    """Refuse a link that is wrong, used or too old."""
    if not account.pending_token_hash or not hmac.compare_digest(
        account.pending_token_hash, _token_hash(token)
    ):
        raise BankAccountRefused(
            _("Deze link werkt niet (meer). Misschien hebt u de wijziging al bevestigd.")
        )
    requested = account.pending_requested_at
    if requested is None or timezone.now() - requested > CONFIRM_VALID_FOR:
        raise BankAccountRefused(
            _("Deze link is verlopen. Vul het nieuwe rekeningnummer opnieuw in.")
        )


@transaction.atomic
def bank_account_confirm(*, member: PanelMember, token: str, actor: User | None) -> BankAccount:
    """Make the parked change the member's account."""
    account = BankAccount.objects.select_for_update().get(member=member)
    check_bank_account_token(account=account, token=token)
    account.iban = account.pending_iban
    account.holder_name = account.pending_holder_name
    _clear_pending(account)
    account.save(
        update_fields=[
            "iban",
            "holder_name",
            "pending_iban",
            "pending_holder_name",
            "pending_token_hash",
            "pending_requested_at",
            "updated_at",
        ]
    )
    audit_record(
        action="bank_account.change_confirmed",
        assembly=member.assembly,
        actor=actor,
        target=account,
    )
    return account
