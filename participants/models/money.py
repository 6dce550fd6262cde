"""Money for members: day allowances within the year's caps, expense claims
with receipts, bank details, and payment batches for finance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, one_time_submission
from participants.models.selection import PanelMember
from sessions.models import Weekend


class BankAccount(models.Model):
    """Where a member's money goes. A change after a batch was exported waits
    for the member's confirmation by e-mail (``pending_*``)."""

    member = models.OneToOneField(
        PanelMember, on_delete=models.CASCADE, related_name="bank_account"
    )
    iban = models.CharField(_("IBAN"), max_length=34)
    holder_name = models.CharField(_("naam van de rekeninghouder"), max_length=70)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    pending_iban = models.CharField(_("nieuw IBAN (nog niet bevestigd)"), max_length=34, blank=True)
    pending_holder_name = models.CharField(max_length=70, blank=True)
    pending_token_hash = models.CharField(max_length=64, blank=True)
    pending_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bankrekening")
        verbose_name_plural = _("bankrekeningen")

    def __str__(self) -> str:
        return f"{self.member_id}"


class PaymentBatch(models.Model):
    """Approved allowances and expenses for finance: exported once, then locked."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        EXPORTED = "exported", _("Geëxporteerd (vast)")
        PAID = "paid", _("Betaald")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="payment_batches")
    number = models.PositiveIntegerField(_("nummer"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    execution_date = models.DateField(_("uitvoerdatum"), null=True, blank=True)
    message_id = models.CharField(_("berichtkenmerk (SEPA)"), max_length=35, blank=True)
    total = models.DecimalField(_("totaal"), max_digits=12, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    exported_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("geëxporteerd op"), null=True, blank=True)
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)

    class Meta:
        verbose_name = _("betaalbatch")
        verbose_name_plural = _("betaalbatches")
        ordering = ["assembly", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_batch_number")
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id}/{self.number}"


class PaymentItem(models.Model):
    """One transfer to one member in a batch; the bank details as they were at export."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="items")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("bedrag"), max_digits=10, decimal_places=2)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    holder_name = models.CharField(_("rekeninghouder"), max_length=70, blank=True)
    end_to_end_id = models.CharField(_("betalingskenmerk"), max_length=35, blank=True)
    paid_at = models.DateTimeField(_("betaald op"), null=True, blank=True)

    class Meta:
        verbose_name = _("betaling")
        verbose_name_plural = _("betalingen")
        ordering = ["batch", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "member"], name="one_payment_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.member_id}: {self.amount}"


class PaymentState(models.TextChoices):
    """Where an allowance or an approved claim stands on its way to the bank."""

    EARNED = "earned", _("Verdiend")
    APPROVED = "approved", _("Goedgekeurd")
    BATCHED = "batched", _("In een betaalbatch")
    PAID = "paid", _("Betaald")


class DayAllowance(models.Model):
    """The allowance for one attended day, capped by the year's rules. The
    gross amount and the granted amount both stay, so the page can show what
    was capped and why."""

    class Cap(models.TextChoices):
        NONE = "", _("Geen maximum bereikt")
        HOURLY = "hourly", _("Maximum per uur")
        MONTHLY = "monthly", _("Maximum per maand")
        YEARLY = "yearly", _("Maximum per jaar")

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="allowances")
    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("dag"))
    gross = models.DecimalField(_("dagvergoeding"), max_digits=8, decimal_places=2)
    amount = models.DecimalField(_("uit te betalen"), max_digits=8, decimal_places=2)
    capped_by = models.CharField(
        _("beperkt door"), max_length=10, choices=Cap.choices, blank=True, default=""
    )
    # The hours the hourly cap was counted over: fewer than the assembly's
    # hours per day when the member came late or left early. Empty for a fee
    # (no caps) and for rows computed before this was kept.
    hours = models.DecimalField(
        _("uren"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentState.choices, default=PaymentState.EARNED
    )
    approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    payment = models.ForeignKey(
        PaymentItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="allowances"
    )
    created_at = models.DateTimeField(_("berekend op"), auto_now_add=True)

    class Meta:
        verbose_name = _("dagvergoeding")
        verbose_name_plural = _("dagvergoedingen")
        ordering = ["member_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_allowance_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}: {self.amount}"


class ExpenseClaim(models.Model):
    class Kind(models.TextChoices):
        PUBLIC_TRANSPORT = "public_transport", _("Openbaar vervoer")
        CAR = "car", _("Auto (kilometers)")
        CHILDCARE = "childcare", _("Kinderopvang")
        CARE = "care", _("Zorg voor een naaste")
        OVERNIGHT = "overnight", _("Overnachting")
        OTHER = "other", _("Anders")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Ingediend")
        NEEDS_INFO = "needs_info", _("Meer informatie nodig")
        FIRST_APPROVAL = "first_approval", _("Eerste goedkeuring, wacht op tweede")
        APPROVED = "approved", _("Goedgekeurd")
        REJECTED = "rejected", _("Afgewezen")
        BATCHED = "batched", _("In een betaalbatch")
        PAID = "paid", _("Betaald")
        # The member took it back before it was approved (claims.claim_withdraw).
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="claims")
    weekend = models.ForeignKey(
        Weekend, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("dag"))
    kind = models.CharField(_("soort kosten"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    kilometres = models.DecimalField(
        _("kilometers"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    amount = models.DecimalField(_("bedrag"), max_digits=8, decimal_places=2)
    receipt = models.FileField(_("bon of bewijs"), upload_to="receipts/%Y/%m/", blank=True)
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    # The one-time number of the form the claim was sent with: the same form
    # sent twice (a double click, a resent page) makes one claim, not two that
    # would both be paid.
    submission = one_time_submission()
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # The organiser's last message to the member (reason to reject, question).
    message = models.TextField(_("bericht van de organisatie"), blank=True)
    first_approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    payment = models.ForeignKey(
        PaymentItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="claims"
    )
    created_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("onkostendeclaratie")
        verbose_name_plural = _("onkostendeclaraties")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.amount}"


class ClaimEvent(models.Model):
    """Every step of a claim, with who and when: submitted, approved, rejected, asked."""

    claim = models.ForeignKey(ExpenseClaim, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("handeling"), max_length=30)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("bericht"), blank=True)
    created_at = models.DateTimeField(_("op"), auto_now_add=True)

    class Meta:
        verbose_name = _("stap in een declaratie")
        verbose_name_plural = _("stappen in declaraties")
        ordering = ["claim", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.action}"
