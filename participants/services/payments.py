"""Writes for payment batches: fill, take out, export (locks), mark paid.

Approved day allowances and expense claims go into the assembly's open batch,
one payment per member. Exporting stores the bank details as they are at that
moment and fixes the batch: from then on only "paid" can change. Every write
locks the assembly's row first, so two organisers who press the button at the
same moment make one batch, and an allowance never lands in two.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, User
from assembly.services import audit_record
from participants.iban import check_holder_name, holder_for_bank, is_valid_iban
from participants.models import (
    BankAccount,
    ClaimEvent,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.sepa import SepaInvalid, debtor_from_settings
from participants.services.allowances import AllowancesRefused, allowances_compute
from sessions.models import Weekend

logger = logging.getLogger(__name__)

# Steps in a claim's history (participants.models.ClaimEvent.action).
CLAIM_BATCHED = "batched"
CLAIM_UNBATCHED = "unbatched"
CLAIM_PAID = "paid"


class PaymentsRefused(Exception):
    """The change cannot be made; the message says why, for the organiser."""


class ConfirmationsRefused(Exception):
    """A confirmation file has problems; nothing was marked paid."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass
class BatchFill:
    batch: PaymentBatch | None
    members: int = 0
    allowances: int = 0
    claims: int = 0
    amount: Decimal = Decimal("0")
    # Members with approved money but no valid bank account: left out, listed.
    left_out: list[PanelMember] = field(default_factory=list)


@dataclass(frozen=True)
class Confirmation:
    """One row of a confirmation file; ``row`` counts the header as row 1."""

    row: int
    end_to_end_id: str
    paid_on: str


def _lock_assembly(assembly_id: int) -> None:
    Assembly.objects.select_for_update().filter(pk=assembly_id).first()


def _locked_batch(batch: PaymentBatch) -> PaymentBatch:
    # The assembly first, as every other write here: locking the batch with its
    # assembly joined in would take the batch row before the assembly row, and
    # deadlock with a fill or a confirmation file that holds the assembly.
    _lock_assembly(batch.assembly_id)
    return (
        PaymentBatch.objects.select_for_update(of=("self",))
        .select_related("assembly")
        .get(pk=batch.pk)
    )


def _paid_at(day: dt.date) -> dt.datetime:
    # Midday keeps the date the same in every time zone the site shows.
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def end_to_end_id(*, assembly: Assembly, batch_number: int, member_id: int) -> str:
    """Unique per transfer: at most one payment per member in a batch."""
    return f"BB{assembly.pk}B{batch_number}M{member_id}"


def remittance_text(*, assembly: Assembly, batch_number: int) -> str:
    # A slug may hold "_", which is outside the SEPA character set.
    return f"Burgerberaad {assembly.slug.replace('_', '-')} batch {batch_number}"


def usable_account(account: BankAccount | None) -> bool:
    if account is None or not is_valid_iban(account.iban):
        return False
    try:
        check_holder_name(account.holder_name)
    except Exception:
        return False
    return True


def _refresh_total(batch: PaymentBatch) -> None:
    batch.total = batch.items.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    batch.save(update_fields=["total"])


def _recompute_approved(*, assembly: Assembly, actor: User | None, weekend: Weekend | None) -> None:
    """Bring the approved allowances about to be batched in line with the
    check-ins and the rules.

    An approval can be out of date: a check-in removed in the admin, rules
    changed, a cap reached in another assembly. Once batched, an amount is
    fixed, so this is the last moment to correct it. Recomputing reuses the one
    place that knows the caps and leaves the rows right rather than skipped: a
    day without a check-in is removed, a changed amount goes back to "earned"
    and waits for a new approval."""
    rows = DayAllowance.objects.filter(
        member__assembly=assembly, status=PaymentState.APPROVED, payment=None
    )
    if weekend is not None:
        rows = rows.filter(weekend=weekend)
    member_ids = set(rows.values_list("member_id", flat=True))
    if not member_ids:
        return
    try:
        allowances_compute(assembly=assembly, actor=actor, member_ids=member_ids)
    except AllowancesRefused as refused:
        raise PaymentsRefused(str(refused)) from refused


def _member_name(member: PanelMember) -> str:
    """For a refusal that names the member; an erased one has no name left."""
    return member.registration.full_name or _("Een deelnemer van wie de gegevens gewist zijn")


def _nothing_to_pay() -> PaymentsRefused:
    return PaymentsRefused(
        _("Er is niets om te betalen. Alleen goedgekeurde vergoedingen en declaraties gaan mee.")
    )


@transaction.atomic
def payment_batch_fill(
    *, assembly: Assembly, actor: User | None, weekend: Weekend | None = None
) -> BatchFill:
    """Put every approved allowance and claim not yet in a batch (of one weekend,
    when given) into the open batch, made when there is none. Members without a
    usable bank account are left out; their money stays approved for later.
    The allowances are recomputed first (see ``_recompute_approved``)."""
    _lock_assembly(assembly.pk)
    _recompute_approved(assembly=assembly, actor=actor, weekend=weekend)
    allowance_rows = DayAllowance.objects.select_for_update(of=("self",)).filter(
        member__assembly=assembly, status=PaymentState.APPROVED, payment=None
    )
    claim_rows = ExpenseClaim.objects.select_for_update(of=("self",)).filter(
        member__assembly=assembly, status=ExpenseClaim.Status.APPROVED, payment=None
    )
    if weekend is not None:
        allowance_rows = allowance_rows.filter(weekend=weekend)
        claim_rows = claim_rows.filter(weekend=weekend)
    allowances = list(allowance_rows.order_by("pk"))
    claims = list(claim_rows.order_by("pk"))
    if not allowances and not claims:
        raise _nothing_to_pay()
    per_member: dict[int, tuple[list[DayAllowance], list[ExpenseClaim]]] = defaultdict(
        lambda: ([], [])
    )
    for allowance in allowances:
        per_member[allowance.member_id][0].append(allowance)
    for claim in claims:
        per_member[claim.member_id][1].append(claim)
    members = {
        m.pk: m
        for m in PanelMember.objects.filter(pk__in=per_member)
        .select_related("registration")
        .order_by("pk")
    }
    accounts = {a.member_id: a for a in BankAccount.objects.filter(member_id__in=per_member)}
    result = BatchFill(batch=None)
    payable: dict[int, Decimal] = {}
    for member_id in sorted(per_member):
        own_allowances, own_claims = per_member[member_id]
        amount = sum((a.amount for a in own_allowances), Decimal("0")) + sum(
            (c.amount for c in own_claims), Decimal("0")
        )
        if amount <= 0:
            # Only days capped to 0 euro: nothing to transfer, and no reason to
            # tell the organiser the member's bank account is missing.
            continue
        if not usable_account(accounts.get(member_id)):
            result.left_out.append(members[member_id])
            continue
        payable[member_id] = amount
    if not payable and not result.left_out:
        raise _nothing_to_pay()
    if not payable:
        raise PaymentsRefused(
            _(
                "Geen van de deelnemers met goedgekeurd geld heeft een geldige bankrekening "
                "ingevuld. Er is geen betaalbatch gemaakt."
            )
        )
    batch = (
        PaymentBatch.objects.select_for_update()
        .filter(assembly=assembly, status=PaymentBatch.Status.OPEN)
        .order_by("number")
        .first()
    )
    if batch is None:
        last = PaymentBatch.objects.filter(assembly=assembly).aggregate(n=Max("number"))["n"]
        batch = PaymentBatch.objects.create(
            assembly=assembly, number=(last or 0) + 1, created_by=actor
        )
    existing = {item.member_id: item for item in batch.items.all()}
    for member_id, amount in payable.items():
        item = existing.get(member_id)
        if item is None:
            account = accounts[member_id]
            item = PaymentItem.objects.create(
                batch=batch,
                member_id=member_id,
                amount=amount,
                iban=account.iban,
                holder_name=holder_for_bank(account.holder_name),
                end_to_end_id=end_to_end_id(
                    assembly=assembly, batch_number=batch.number, member_id=member_id
                ),
            )
        else:
            item.amount += amount
            item.save(update_fields=["amount"])
        own_allowances, own_claims = per_member[member_id]
        DayAllowance.objects.filter(pk__in=[a.pk for a in own_allowances]).update(
            status=PaymentState.BATCHED, payment=item
        )
        ExpenseClaim.objects.filter(pk__in=[c.pk for c in own_claims]).update(
            status=ExpenseClaim.Status.BATCHED, payment=item, updated_at=timezone.now()
        )
        _claim_events(own_claims, CLAIM_BATCHED, actor)
        result.members += 1
        result.allowances += len(own_allowances)
        result.claims += len(own_claims)
        result.amount += amount
    _refresh_total(batch)
    result.batch = batch
    audit_record(
        action="payments.batch_filled",
        assembly=assembly,
        actor=actor,
        target=batch,
        detail={
            "members": result.members,
            "allowances": result.allowances,
            "claims": result.claims,
            "left_out": [m.pk for m in result.left_out],
        },
    )
    return result


@transaction.atomic
def payment_item_remove(*, item: PaymentItem, actor: User | None) -> None:
    """Take a member's payment out of an open batch; their money is approved again."""
    batch = _locked_batch(item.batch)
    if batch.status != PaymentBatch.Status.OPEN:
        raise PaymentsRefused(
            _("Deze batch is geëxporteerd en ligt vast. U kunt niets meer wijzigen.")
        )
    locked = PaymentItem.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        return  # a second click: the first one took it out already
    item = locked
    DayAllowance.objects.filter(payment=item).update(status=PaymentState.APPROVED, payment=None)
    _claim_events(ExpenseClaim.objects.filter(payment=item), CLAIM_UNBATCHED, actor)
    ExpenseClaim.objects.filter(payment=item).update(
        status=ExpenseClaim.Status.APPROVED, payment=None, updated_at=timezone.now()
    )
    member_id = item.member_id
    item.delete()
    _refresh_total(batch)
    audit_record(
        action="payments.item_removed",
        assembly=batch.assembly,
        actor=actor,
        target=batch,
        detail={"member": member_id},
    )


def check_execution_date(*, execution_date: dt.date, today: dt.date) -> None:
    if execution_date < today:
        raise PaymentsRefused(_("De uitvoerdatum ligt in het verleden. Kies vandaag of later."))
    if execution_date > today + dt.timedelta(days=365):
        raise PaymentsRefused(_("De uitvoerdatum ligt meer dan een jaar vooruit."))


@transaction.atomic
def payment_batch_export(
    *, batch: PaymentBatch, actor: User | None, execution_date: dt.date
) -> PaymentBatch:
    """Fix the batch: store each member's bank details as they are now, give it
    a message id, check the SEPA file against the schema. After this the batch
    cannot change; a second export is refused (the files stay downloadable)."""
    from participants.selectors_payments import batch_sepa_xml

    batch = _locked_batch(batch)
    if batch.status != PaymentBatch.Status.OPEN:
        raise PaymentsRefused(_("Deze batch is al geëxporteerd."))
    check_execution_date(execution_date=execution_date, today=timezone.localdate())
    if not is_valid_iban(debtor_from_settings().iban):
        raise PaymentsRefused(
            _(
                "Het rekeningnummer van de organisatie (SEPA_DEBTOR_IBAN) klopt niet. Vraag de "
                "technisch beheerder het te verbeteren. Er is niets geëxporteerd."
            )
        )
    items = list(
        PaymentItem.objects.select_for_update(of=("self",))
        .filter(batch=batch)
        .select_related("member__registration")
        .order_by("member_id")
    )
    if not items:
        raise PaymentsRefused(_("Deze batch is leeg. Er valt niets te exporteren."))
    accounts = {
        a.member_id: a
        for a in BankAccount.objects.filter(member_id__in=[i.member_id for i in items])
    }
    for item in items:
        account = accounts.get(item.member_id)
        if not usable_account(account):
            raise PaymentsRefused(
                _(
                    "%(name)s heeft geen geldige bankrekening meer. Haal deze betaling uit de "
                    "batch en exporteer opnieuw."
                )
                % {"name": _member_name(item.member)}
            )
        assert account is not None
        if item.amount <= 0:
            raise PaymentsRefused(
                _("De betaling aan %(name)s is niet hoger dan 0 euro. Haal haar uit de batch.")
                % {"name": _member_name(item.member)}
            )
        item.iban = account.iban
        item.holder_name = holder_for_bank(account.holder_name)
        item.save(update_fields=["iban", "holder_name"])
    now = timezone.now()
    batch.status = PaymentBatch.Status.EXPORTED
    batch.execution_date = execution_date
    batch.exported_at = now.replace(microsecond=0)
    batch.exported_by = actor
    batch.message_id = f"BB{batch.assembly_id}-{batch.number}-{now:%Y%m%d%H%M%S}"
    batch.total = sum((item.amount for item in items), Decimal("0"))
    batch.save(
        update_fields=[
            "status",
            "execution_date",
            "exported_at",
            "exported_by",
            "message_id",
            "total",
        ]
    )
    try:
        batch_sepa_xml(batch=batch)
    except SepaInvalid as error:
        logger.warning("payments: SEPA file refused batch=%s: %s", batch.pk, error)
        raise PaymentsRefused(
            _("Het SEPA-bestand klopt niet met de regels van de bank. Er is niets geëxporteerd.")
        ) from error
    audit_record(
        action="payments.batch_exported",
        assembly=batch.assembly,
        actor=actor,
        target=batch,
        detail={"items": len(items), "total": str(batch.total)},
    )
    return batch


def _claim_events(claims: Iterable[ExpenseClaim], action: str, actor: User | None) -> None:
    """A step in each claim's history, as the claims pages show it."""
    ClaimEvent.objects.bulk_create(
        ClaimEvent(claim_id=claim.pk, action=action, actor=actor) for claim in claims
    )


def _settle(items: Sequence[PaymentItem], paid_on: dt.date, actor: User | None) -> int:
    """Mark the items and their allowances and claims paid; returns how many items changed."""
    ids = [item.pk for item in items if item.paid_at is None]
    if not ids:
        return 0
    PaymentItem.objects.filter(pk__in=ids).update(paid_at=_paid_at(paid_on))
    DayAllowance.objects.filter(payment_id__in=ids).update(status=PaymentState.PAID)
    _claim_events(ExpenseClaim.objects.filter(payment_id__in=ids), CLAIM_PAID, actor)
    ExpenseClaim.objects.filter(payment_id__in=ids).update(
        status=ExpenseClaim.Status.PAID, updated_at=timezone.now()
    )
    return len(ids)


def _close_when_all_paid(batch: PaymentBatch) -> None:
    if not batch.items.filter(paid_at=None).exists():
        batch.status = PaymentBatch.Status.PAID
        batch.paid_at = timezone.now()
        batch.save(update_fields=["status", "paid_at"])


def _paid_before_export(batch: PaymentBatch, paid_on: dt.date) -> bool:
    return batch.exported_at is not None and paid_on < timezone.localtime(batch.exported_at).date()


def check_paid_on(*, batch: PaymentBatch, paid_on: dt.date) -> None:
    if batch.status == PaymentBatch.Status.OPEN:
        raise PaymentsRefused(
            _("Deze batch is nog niet geëxporteerd. Exporteer hem eerst en betaal hem bij de bank.")
        )
    if paid_on > timezone.localdate():
        raise PaymentsRefused(_("De betaaldatum ligt in de toekomst."))
    if _paid_before_export(batch, paid_on):
        raise PaymentsRefused(_("De betaaldatum ligt vóór de export van de batch."))


@transaction.atomic
def payment_batch_mark_paid(*, batch: PaymentBatch, actor: User | None, paid_on: dt.date) -> int:
    """Finance confirms the whole batch was paid; returns how many payments changed."""
    batch = _locked_batch(batch)
    check_paid_on(batch=batch, paid_on=paid_on)
    items = list(PaymentItem.objects.select_for_update().filter(batch=batch))
    changed = _settle(items, paid_on, actor)
    _close_when_all_paid(batch)
    audit_record(
        action="payments.batch_paid",
        assembly=batch.assembly,
        actor=actor,
        target=batch,
        detail={"items": changed},
    )
    return changed


@transaction.atomic
def payment_item_mark_paid(*, item: PaymentItem, actor: User | None, paid_on: dt.date) -> bool:
    """Finance confirms one payment; returns False when it was already marked paid."""
    batch = _locked_batch(item.batch)
    check_paid_on(batch=batch, paid_on=paid_on)
    item = PaymentItem.objects.select_for_update().get(pk=item.pk)
    changed = _settle([item], paid_on, actor) == 1
    _close_when_all_paid(batch)
    audit_record(
        action="payments.item_paid",
        assembly=batch.assembly,
        actor=actor,
        target=item,
        detail={"changed": changed},
    )
    return changed


def parse_paid_on(raw: str) -> dt.date | None:
    """A date as finance writes it: 2026-11-30, 30-11-2026 or 30/11/2026, also
    with a time after it (Excel's "2026-11-30 00:00:00", ISO's "2026-11-30T00:00:00")."""
    text = raw.strip()
    for separator in (" ", "T"):
        text = text.split(separator, 1)[0]
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def check_confirmations(
    *, assembly: Assembly, rows: Iterable[Confirmation]
) -> tuple[list[tuple[PaymentItem, dt.date]], list[str]]:
    """The payments a confirmation file marks paid, and its problems, each naming its row."""
    rows = list(rows)
    items = {
        item.end_to_end_id: item
        for item in PaymentItem.objects.filter(
            batch__assembly=assembly, end_to_end_id__in=[r.end_to_end_id for r in rows]
        ).select_related("batch")
    }
    found: list[tuple[PaymentItem, dt.date]] = []
    problems: list[str] = []
    today = timezone.localdate()
    for row in rows:
        item = items.get(row.end_to_end_id)
        if not row.end_to_end_id:
            problems.append(_("Rij %(row)s: het betalingskenmerk ontbreekt.") % {"row": row.row})
            continue
        if item is None:
            problems.append(
                _("Rij %(row)s: betalingskenmerk %(id)s bestaat niet in dit burgerberaad.")
                % {"row": row.row, "id": row.end_to_end_id}
            )
            continue
        paid_on = parse_paid_on(row.paid_on)
        if paid_on is None:
            problems.append(
                _(
                    "Rij %(row)s: '%(value)s' is geen datum. Schrijf de datum als "
                    "2026-11-30 of 30-11-2026."
                )
                % {"row": row.row, "value": row.paid_on}
            )
            continue
        if item.batch.status == PaymentBatch.Status.OPEN:
            problems.append(
                _("Rij %(row)s: batch %(number)s is nog niet geëxporteerd.")
                % {"row": row.row, "number": item.batch.number}
            )
            continue
        if paid_on > today:
            problems.append(
                _("Rij %(row)s: de betaaldatum ligt in de toekomst.") % {"row": row.row}
            )
            continue
        if _paid_before_export(item.batch, paid_on):
            problems.append(
                _("Rij %(row)s: de betaaldatum ligt vóór de export van batch %(number)s.")
                % {"row": row.row, "number": item.batch.number}
            )
            continue
        found.append((item, paid_on))
    return found, problems


@transaction.atomic
def payment_confirmations_import(
    *, assembly: Assembly, actor: User | None, rows: Sequence[Confirmation]
) -> int:
    """Mark the payments in a confirmation file paid: all of them, or none when a
    row has a problem. Rows already paid are skipped. Returns how many changed."""
    _lock_assembly(assembly.pk)
    if not rows:
        raise ConfirmationsRefused([_("Er staan geen betalingen in het bestand.")])
    found, problems = check_confirmations(assembly=assembly, rows=rows)
    if problems:
        raise ConfirmationsRefused(problems)
    changed = 0
    batches: dict[int, PaymentBatch] = {}
    for item, paid_on in found:
        locked = PaymentItem.objects.select_for_update().get(pk=item.pk)
        changed += _settle([locked], paid_on, actor)
        batches[item.batch_id] = item.batch
    for batch in batches.values():
        _close_when_all_paid(_locked_batch(batch))
    audit_record(
        action="payments.confirmations_imported",
        assembly=assembly,
        actor=actor,
        detail={"rows": len(rows), "changed": changed, "batches": sorted(batches)},
    )
    return changed
