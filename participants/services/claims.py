"""Writes for expense claims (onkostendeclaraties): a member files a claim for
a day they attended, an organiser approves it, rejects it with a reason or
asks for more; the member can then change it and send it again. Until it is
approved the member can also withdraw it; after that only the secretariat
can undo it.

Four eyes: a claim above the assembly's ``second_approval_above`` needs two
approvals by two different organisers; the first sets FIRST_APPROVAL. Nobody
approves their own claim. Every step is a ClaimEvent (who, when, message) and
an audit line (ids only), and the member gets an e-mail on each decision,
written in the same transaction (assembly.outbox).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from assembly.models import AllowanceYear, User
from assembly.outbox import outbox_queue
from assembly.selectors import submitted_before
from assembly.services import audit_record
from participants.models import CheckIn, ClaimEvent, ExpenseClaim, PanelMember
from participants.receipts import CheckedReceipt

logger = logging.getLogger(__name__)

Kind = ExpenseClaim.Kind
Status = ExpenseClaim.Status

CENT = Decimal("0.01")
# A sane upper bound for one claim: a hotel night with childcare fits; a typo
# (35000 for 35,00) does not.
MAX_AMOUNT = Decimal("2500.00")
MAX_KILOMETRES = Decimal("1500")
RECEIPT_REQUIRED = frozenset(
    {Kind.PUBLIC_TRANSPORT, Kind.CHILDCARE, Kind.CARE, Kind.OVERNIGHT, Kind.OTHER}
)
DESCRIPTION_REQUIRED = frozenset({Kind.OTHER})
EMAIL_KIND = "claims.decision"

# ClaimEvent actions.
SUBMITTED = "submitted"
RESUBMITTED = "resubmitted"
FIRST_APPROVED = "first_approved"
APPROVED = "approved"
REJECTED = "rejected"
ASKED = "asked"
WITHDRAWN = "withdrawn"

DECIDABLE = (Status.SUBMITTED, Status.FIRST_APPROVAL)
# Not yet approved (one approval of the two needed is not an approval): the
# member may still take it back. Approved, in a batch or paid: money is on its
# way, so only the secretariat undoes it.
WITHDRAWABLE = (Status.SUBMITTED, Status.NEEDS_INFO, Status.FIRST_APPROVAL)


class ClaimRefused(Exception):
    """The claim or the decision cannot be made. ``field`` names the form
    field the message belongs to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ClaimInput:
    kind: str
    day: dt.date
    amount: Decimal | None
    kilometres: Decimal | None
    description: str
    receipt: CheckedReceipt | None
    # The form's one-time number; None from code that is not a form.
    submission: uuid.UUID | None = None


def check_amount(amount: Decimal | None, *, field: str = "amount") -> Decimal:
    """A positive amount in euros with at most two decimals, below the upper bound."""
    if amount is None:
        raise ClaimRefused(_("Vul het bedrag in."), field)
    if not amount.is_finite():
        raise ClaimRefused(_("Vul een bedrag in euro's in, bijvoorbeeld 12,50."), field)
    if amount <= 0:
        raise ClaimRefused(_("Het bedrag moet meer dan 0 euro zijn."), field)
    if amount != amount.quantize(CENT):
        raise ClaimRefused(
            _("Gebruik hoogstens twee cijfers achter de komma, bijvoorbeeld 12,50."), field
        )
    if amount > MAX_AMOUNT:
        raise ClaimRefused(
            _("Het bedrag is te hoog: hoogstens %(max)s euro per declaratie.")
            % {"max": formats.number_format(MAX_AMOUNT, 2)},
            field,
        )
    return amount


def km_rate(day: dt.date) -> Decimal | None:
    return AllowanceYear.objects.filter(year=day.year).values_list("km_rate", flat=True).first()


def car_amount(kilometres: Decimal, rate: Decimal) -> Decimal:
    return (kilometres * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def check_claim(*, member: PanelMember, data: ClaimInput, has_receipt: bool) -> tuple[int, Decimal]:
    """The weekend id and the amount of a valid claim; raises ClaimRefused otherwise."""
    if data.kind not in Kind.values:
        raise ClaimRefused(_("Kies wat voor kosten het zijn."), "kind")
    weekend_id = (
        CheckIn.objects.filter(member=member, day=data.day).values_list("weekend_id", flat=True)
    ).first()
    if weekend_id is None:
        raise ClaimRefused(
            _(
                "Op deze dag was u niet aangemeld bij het burgerberaad. U kunt alleen kosten "
                "declareren voor een dag waarop u er was. Klopt dit niet? Vraag het aan de "
                "organisatie."
            ),
            "day",
        )
    if data.kind == Kind.CAR:
        km = data.kilometres
        if km is None:
            raise ClaimRefused(_("Vul het aantal kilometers in."), "kilometres")
        if km <= 0 or not km.is_finite():
            raise ClaimRefused(_("Het aantal kilometers moet meer dan 0 zijn."), "kilometres")
        if km != km.quantize(Decimal("0.1")):
            raise ClaimRefused(
                _("Gebruik hoogstens één cijfer achter de komma, bijvoorbeeld 42,5."), "kilometres"
            )
        if km > MAX_KILOMETRES:
            raise ClaimRefused(
                _("Dat zijn te veel kilometers: hoogstens %(max)s.") % {"max": MAX_KILOMETRES},
                "kilometres",
            )
        rate = km_rate(data.day)
        if rate is None:
            raise ClaimRefused(
                _(
                    "Voor %(year)s staat er nog geen bedrag per kilometer in het systeem. "
                    "Vraag het aan de organisatie."
                )
                % {"year": data.day.year},
                "kilometres",
            )
        amount = check_amount(car_amount(km, rate), field="kilometres")
    else:
        amount = check_amount(data.amount)
    if data.kind in RECEIPT_REQUIRED and not has_receipt:
        raise ClaimRefused(
            _("Voeg een foto of PDF van de bon of het bewijs toe. Voor deze kosten is dat nodig."),
            "receipt",
        )
    if data.kind in DESCRIPTION_REQUIRED and not data.description.strip():
        raise ClaimRefused(_("Schrijf kort waarvoor de kosten zijn."), "description")
    return weekend_id, amount


def _store_receipt(claim: ExpenseClaim, receipt: CheckedReceipt) -> None:
    # A random name: the member's file name may hold their name or more.
    name = f"{uuid.uuid4().hex}.{receipt.extension}"
    claim.receipt.save(name, ContentFile(receipt.data), save=False)
    claim.receipt_sha256 = receipt.sha256


def _event(claim: ExpenseClaim, action: str, actor: User | None, message: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, action=action, actor=actor, message=message)
    audit_record(
        action=f"claims.{action}",
        assembly=claim.member.assembly,
        actor=actor,
        target=claim,
        detail={"claim": claim.pk, "member": claim.member_id, "status": claim.status},
    )
    logger.info("claim %s claim=%s", action, claim.pk)


@transaction.atomic
def claim_submit(*, member: PanelMember, data: ClaimInput, actor: User | None) -> ExpenseClaim:
    """Store a new claim. The same form sent twice gives back the first claim."""
    earlier = submitted_before(ExpenseClaim.objects.filter(member=member), data.submission)
    if earlier is not None:
        return earlier
    weekend_id, amount = check_claim(member=member, data=data, has_receipt=data.receipt is not None)
    claim = ExpenseClaim(
        member=member,
        weekend_id=weekend_id,
        day=data.day,
        kind=data.kind,
        description=data.description.strip(),
        kilometres=data.kilometres if data.kind == Kind.CAR else None,
        amount=amount,
        status=Status.SUBMITTED,
        submission=data.submission,
    )
    if data.receipt is not None:
        _store_receipt(claim, data.receipt)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other request
        # stored it first (the unique submission number), so this one is void.
        if claim.receipt.name:
            claim.receipt.storage.delete(claim.receipt.name)
        return ExpenseClaim.objects.get(submission=data.submission, member=member)
    _event(claim, SUBMITTED, actor)
    return claim


def _locked(claim: ExpenseClaim) -> ExpenseClaim:
    return (
        ExpenseClaim.objects.select_for_update(of=("self",))
        .select_related("member__assembly", "member__registration", "member__user")
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_resubmit(*, claim: ExpenseClaim, data: ClaimInput, actor: User) -> ExpenseClaim:
    """The member changes a claim the organisation asked about, and sends it again."""
    claim = _locked(claim)
    if claim.status != Status.NEEDS_INFO:
        raise ClaimRefused(_("Deze declaratie kunt u niet meer wijzigen."))
    has_receipt = data.receipt is not None or bool(claim.receipt)
    weekend_id, amount = check_claim(member=claim.member, data=data, has_receipt=has_receipt)
    claim.weekend_id = weekend_id
    claim.day = data.day
    claim.kind = data.kind
    claim.description = data.description.strip()
    claim.kilometres = data.kilometres if data.kind == Kind.CAR else None
    claim.amount = amount
    claim.status = Status.SUBMITTED
    claim.first_approved_by = None
    fields = [
        "weekend",
        "day",
        "kind",
        "description",
        "kilometres",
        "amount",
        "status",
        "first_approved_by",
        "updated_at",
    ]
    if data.receipt is not None:
        old = claim.receipt.name
        _store_receipt(claim, data.receipt)
        fields += ["receipt", "receipt_sha256"]
        if old:
            # The old receipt goes only after the commit: a rollback keeps it.
            storage = claim.receipt.storage
            transaction.on_commit(lambda: storage.delete(old))
    claim.save(update_fields=fields)
    _event(claim, RESUBMITTED, actor)
    return claim


@transaction.atomic
def claim_withdraw(*, claim: ExpenseClaim, actor: User) -> ExpenseClaim:
    """The member takes back their own claim while it waits for a decision.
    It stays, marked withdrawn, with its steps; the organisers no longer see
    it as waiting, and a new claim for the same costs is not taken for a twin."""
    claim = _locked(claim)
    if claim.member.user_id != actor.pk:
        raise ClaimRefused(_("Alleen de deelnemer zelf kan een declaratie intrekken."))
    if claim.status not in WITHDRAWABLE:
        raise ClaimRefused(
            _(
                "Deze declaratie kunt u niet meer intrekken (status: %(status)s). "
                "Klopt er iets niet? Neem dan contact op met het secretariaat."
            )
            % {"status": claim.get_status_display()}
        )
    claim.status = Status.WITHDRAWN
    claim.first_approved_by = None
    claim.save(update_fields=["status", "first_approved_by", "updated_at"])
    _event(claim, WITHDRAWN, actor)
    return claim


def needs_second_approval(claim: ExpenseClaim) -> bool:
    return claim.amount > claim.member.assembly.second_approval_above


def _check_decider(claim: ExpenseClaim, actor: User) -> None:
    if claim.status not in DECIDABLE:
        raise ClaimRefused(
            _("Over deze declaratie is al besloten (status: %(status)s).")
            % {"status": claim.get_status_display()}
        )
    if claim.member.user_id == actor.pk:
        raise ClaimRefused(_("U kunt niet beslissen over uw eigen declaratie."))
    if claim.events.filter(action__in=[SUBMITTED, RESUBMITTED], actor=actor).exclude(
        actor_id=claim.member.user_id
    ).exists():
        # Typed in for a member without an account: four eyes, as for one's own.
        raise ClaimRefused(
            _("U hebt deze declaratie zelf ingevuld. Een andere organisator beslist erover.")
        )


@transaction.atomic
def claim_approve(*, claim: ExpenseClaim, actor: User) -> ExpenseClaim:
    claim = _locked(claim)
    _check_decider(claim, actor)
    if needs_second_approval(claim) and claim.status == Status.SUBMITTED:
        claim.status = Status.FIRST_APPROVAL
        claim.first_approved_by = actor
        claim.save(update_fields=["status", "first_approved_by", "updated_at"])
        _event(claim, FIRST_APPROVED, actor)
        return claim
    if claim.status == Status.FIRST_APPROVAL and claim.first_approved_by_id == actor.pk:
        raise ClaimRefused(
            _(
                "U hebt deze declaratie al goedgekeurd. Een andere organisator moet de tweede "
                "goedkeuring geven."
            )
        )
    claim.status = Status.APPROVED
    claim.approved_by = actor
    claim.approved_at = timezone.now()
    claim.message = ""
    claim.save(update_fields=["status", "approved_by", "approved_at", "message", "updated_at"])
    _event(claim, APPROVED, actor)
    _tell_member(claim, APPROVED)
    return claim


def _check_message(message: str, field: str) -> str:
    message = message.strip()
    if not message:
        raise ClaimRefused(_("Schrijf een korte uitleg voor de deelnemer."), field)
    return message


@transaction.atomic
def claim_reject(*, claim: ExpenseClaim, actor: User, reason: str) -> ExpenseClaim:
    reason = _check_message(reason, "reason")
    claim = _locked(claim)
    if claim.status == Status.NEEDS_INFO and claim.member.user_id != actor.pk:
        # A member who never answers: the organiser may still close the claim.
        pass
    else:
        _check_decider(claim, actor)
    claim.status = Status.REJECTED
    claim.message = reason
    claim.save(update_fields=["status", "message", "updated_at"])
    _event(claim, REJECTED, actor, reason)
    _tell_member(claim, REJECTED)
    return claim


@transaction.atomic
def claim_ask(*, claim: ExpenseClaim, actor: User, message: str) -> ExpenseClaim:
    message = _check_message(message, "message")
    claim = _locked(claim)
    _check_decider(claim, actor)
    claim.status = Status.NEEDS_INFO
    claim.message = message
    claim.first_approved_by = None
    claim.save(update_fields=["status", "message", "first_approved_by", "updated_at"])
    _event(claim, ASKED, actor, message)
    _tell_member(claim, ASKED)
    return claim


def _tell_member(claim: ExpenseClaim, action: str) -> None:
    member = claim.member
    address = member.mail_address
    if not address:
        return
    assembly = member.assembly
    with translation.override(member.mail_language):
        context = {
            "assembly": assembly,
            "action": action,
            "kind": claim.get_kind_display(),
            "day": formats.date_format(claim.day, "j F Y"),
            "amount": formats.number_format(claim.amount, 2),
            "message": claim.message,
            "url": settings.SITE_URL
            + reverse("participants:my_allowance", kwargs={"slug": assembly.slug}),
        }
        subject = render_to_string(
            "participants/allowances/email_claim_subject.txt", context
        ).strip()
        body = render_to_string("participants/allowances/email_claim.txt", context)
    outbox_queue(
        to=address,
        subject=subject,
        body=body,
        kind=EMAIL_KIND,
        ref=f"{ExpenseClaim._meta.label}:{claim.pk}",
    )
