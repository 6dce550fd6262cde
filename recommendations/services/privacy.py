"""Erasure under the AVG: on a person's request, and for all members once the
retention period after the final report has ended.

Erasing anonymises rather than deletes where a row carries a count that the
report or the bookkeeping needs: a member stays a member (attendance,
allowances, the composition of the panel by quota category), a registration
keeps its quota answers but loses everything that points to the person —
name, contact details, free text, the exact birth date (replaced by a date
that gives the same age on the first weekend, so age bands stay right), the
address in the extract. What they voted was never linked to them.

An expert loses contact details and the link to the account; name,
organisation, role and declaration of interests stay only for an expert who
is part of the public record, and anyone else's expert profile goes
altogether (sessions.services.experts.expert_erase says why).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session as WebSession
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from assembly.models import Assembly, Role, User
from assembly.outbox import ERASED_DOMAIN, mail_forget
from assembly.services import audit_record
from participants.models import (
    ERASED_EMAIL_PREFIX,
    BankAccount,
    CheckIn,
    ClaimEvent,
    ExpenseClaim,
    Invitation,
    PanelMember,
    PaymentItem,
    Registration,
    Resident,
)
from participants.services.erasure import registration_erase
from recommendations.privacy import (
    DataSubject,
    members_past_retention,
    people_with_personal_data,
    subject_email_addresses,
    subject_identity_values,
    without_identity,
)
from sessions.services.experts import expert_erase

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErasureCounts:
    people: int = 0
    receipts: int = 0
    bank_accounts: int = 0
    emails: int = 0
    # Material on an expert's name that was never released, deleted.
    materials: int = 0
    # An expert on the public record: name, organisation, role and declaration stay.
    expert_kept: bool = False


def _erase_user(user: User, assembly: Assembly) -> None:
    """Close the account if this assembly was all it was for; otherwise only drop the role."""
    Role.objects.filter(user=user, assembly=assembly).delete()
    if Role.objects.filter(user=user).exists() or user.is_superuser:
        return
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for web_session in WebSession.objects.filter(expire_date__gt=timezone.now()):
        if web_session.get_decoded().get("_auth_user_id") == str(user.pk):
            web_session.delete()
    user.email = f"{ERASED_EMAIL_PREFIX}{user.pk}@{ERASED_DOMAIN}"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "is_active", "password"])


def _erase_money(member: PanelMember) -> tuple[int, int, list[FieldFile]]:
    """Bank details go; amounts stay for the books, without account or free text."""
    files = []
    receipts = 0
    for claim in ExpenseClaim.objects.filter(member=member).exclude(receipt=""):
        files.append(claim.receipt)
        receipts += 1
    ExpenseClaim.objects.filter(member=member).update(
        receipt="", receipt_sha256="", description="", message=""
    )
    ClaimEvent.objects.filter(claim__member=member).update(message="")
    accounts, _ = BankAccount.objects.filter(member=member).delete()
    PaymentItem.objects.filter(member=member).update(iban="", holder_name="")
    return receipts, accounts, files


@transaction.atomic
def subject_erase(*, subject: DataSubject, actor: User | None, reason: str) -> ErasureCounts:
    """Erase one person's personal data in this assembly, in one transaction.

    Someone still in the lottery pool and never drawn also leaves it, as on a
    withdrawal but without its e-mail (participants.services.erasure); a
    member or an alternate stays on the panel, without name or contact.
    """
    assembly = subject.assembly
    addresses = subject_email_addresses(subject)
    # The reason stays in the audit log, which is never erased: whatever in it
    # names this person (the organiser may have typed the name) goes.
    identity = subject_identity_values(subject)
    # The assembly, then the registration, then the seat: the order of a
    # withdrawal, a run start and the pool purge (participants), so that an
    # erasure and a withdrawal of the same person at the same moment wait for
    # each other instead of deadlocking. Rows read again under the lock: a
    # withdrawal that got there first has changed them.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    registration = (
        Registration.objects.select_for_update().filter(pk=subject.registration.pk).first()
        if subject.registration is not None
        else None
    )
    member = (
        PanelMember.objects.select_for_update().filter(pk=subject.member.pk).first()
        if subject.member is not None
        else None
    )
    receipts = accounts = 0
    files: list[FieldFile] = []
    if member is not None:
        receipts, accounts, files = _erase_money(member)
        # Present that day stays (the allowance's basis); the desk's note may be about health.
        CheckIn.objects.filter(member=member).update(note="")
        member.withdrawn_reason = ""
        member.named_publicly = False
        member.user = None
        member.save(update_fields=["withdrawn_reason", "named_publicly", "user"])
    if registration is not None:
        registration_erase(registration, assembly.first_weekend)
    if subject.resident is not None:
        Invitation.objects.filter(resident=subject.resident).update(resident=None)
        Resident.objects.filter(pk=subject.resident.pk).delete()
    # After the seat, as nothing else locks an expert before a registration.
    erased_expert = expert_erase(expert=subject.expert) if subject.expert is not None else None
    if subject.user is not None:
        _erase_user(subject.user, assembly)
    emails = 0
    if addresses:
        emails += mail_forget(addresses=addresses)

    def delete_files() -> None:
        for receipt in files:
            receipt.delete(save=False)

    transaction.on_commit(delete_files)
    detail: dict[str, object] = {
        "reason": without_identity(reason, identity)[:200],
        "receipts": receipts,
        "bank_accounts": accounts,
    }
    if erased_expert is not None:
        detail["expert"] = erased_expert.expert
        detail["expert_kept"] = erased_expert.kept
        detail["materials"] = list(erased_expert.materials)
    audit_record(
        action="privacy.erased",
        assembly=assembly,
        actor=actor,
        target=subject.audit_target,
        detail=detail,
    )
    logger.info("privacy: erased %s in assembly %s", subject.reference, assembly.pk)
    return ErasureCounts(
        people=1,
        receipts=receipts,
        bank_accounts=accounts,
        emails=emails,
        materials=len(erased_expert.materials) if erased_expert else 0,
        expert_kept=erased_expert.kept if erased_expert else False,
    )


@dataclass(frozen=True)
class RetentionPlan:
    assembly: Assembly
    ended_on: dt.date
    people: int


def retention_plan(*, today: dt.date) -> list[RetentionPlan]:
    """The dry run: whose data the retention task would erase today. Changes nothing."""
    return [
        RetentionPlan(assembly, ended, len(people_with_personal_data(assembly=assembly)))
        for assembly, ended in members_past_retention(today=today)
    ]


def retention_erase(*, today: dt.date, actor: User | None = None) -> int:
    """Erase the personal data of every assembly past its retention period:
    members, alternates, registrations, the extract and the experts (the same
    rule as on request: only an expert on the public record keeps their
    public facts, without contact details or account).
    Each person in their own transaction, so a failure loses no progress and
    a second run continues where the first stopped."""
    erased = 0
    for assembly, ended in members_past_retention(today=today):
        for subject in people_with_personal_data(assembly=assembly):
            subject_erase(subject=subject, actor=actor, reason=f"retention ended {ended}")
            erased += 1
        # What stays after everyone is erased: the residents of the extract
        # that were linked to nobody (the pool purge normally took them).
        Invitation.objects.filter(resident__assembly=assembly).update(resident=None)
        Resident.objects.filter(assembly=assembly).delete()
    return erased
