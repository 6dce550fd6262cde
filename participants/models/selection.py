"""Stage 2 of the lottery in the site: quotas, selection runs on the engine
(participants/sortition/), the public draw, members and ordered alternates,
replacements of drop-outs, and the purge of the pool once the panel stands.

Respondent ids in the engine are registration ids as text; the frozen pool
of a run holds ids, quota values and a hashed household key, never names or
addresses, so a run record can be published and verified.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, offered_language
from participants.models.pool import Registration


class Quota(models.Model):
    """How many panel members must have ``value`` in ``category``: between min and max.

    ``category`` is one of the registration's quota categories (see
    participants/quota_categories.py) or the key of an attitude question.
    """

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="quotas")
    category = models.CharField(_("categorie"), max_length=60)
    value = models.CharField(_("waarde"), max_length=100)
    min = models.PositiveIntegerField(_("minimaal"))
    max = models.PositiveIntegerField(_("maximaal"))
    position = models.PositiveIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("quotum")
        verbose_name_plural = _("quota")
        ordering = ["assembly", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "category", "value"], name="unique_quota_value"
            ),
            models.CheckConstraint(
                condition=models.Q(min__lte=models.F("max")), name="quota_min_not_above_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}={self.value} [{self.min}, {self.max}]"


class SelectionRun(models.Model):
    """One run of the engine on a frozen pool and quota table: the distribution
    and the ticket table, before anyone knows the public number."""

    class Kind(models.TextChoices):
        PANEL = "panel", _("Loting van de deelnemers")
        REPLACEMENT = "replacement", _("Vervanging")

    class Algorithm(models.TextChoices):
        LEXIMIN = "leximin", _("LEXIMIN (eerlijkste kansen)")
        LEGACY = "legacy", _("Oude methode (alleen om te vergelijken)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="selection_runs")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.PANEL)
    algorithm = models.CharField(
        _("methode"), max_length=20, choices=Algorithm.choices, default=Algorithm.LEXIMIN
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    panel_size = models.PositiveIntegerField(_("aantal deelnemers"))
    alternates = models.PositiveIntegerField(_("aantal reserves"), default=0)
    seed = models.PositiveIntegerField(_("startgetal (seed)"), default=0)
    tickets = models.PositiveIntegerField(_("aantal loten"), default=1000)
    household_rule = models.BooleanField(_("hoogstens één persoon per huishouden"), default=True)
    compare_legacy = models.BooleanField(_("vergelijk met de oude methode"), default=False)
    # The inputs, frozen when the run is made: CSV in the Sortition Foundation
    # formats, so verify_selection and other tools read them as they are.
    quotas_csv = models.TextField(_("quota (CSV)"))
    pool_csv = models.TextField(_("pool (CSV)"))
    input_sha256 = models.CharField(_("controlegetal van de invoer"), max_length=64, blank=True)
    # Replacement runs: the respondent ids that left, and the draw they left.
    dropped = models.JSONField(_("vertrokken"), default=list, blank=True)
    # Progress, written by the task for the progress bar.
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    progress_message = models.CharField(_("voortgang"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("gestart door een taak op"), null=True, blank=True)
    # The first claim: a run taken over after its worker died keeps it, so the
    # time limit counts the whole run and a run killed at the limit is not
    # started again, and again.
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    # The engine's run record without a draw; draws live in SelectionDraw.
    record = models.JSONField(_("verslag van de loting"), null=True, blank=True)
    min_probability = models.FloatField(_("kleinste kans"), null=True, blank=True)
    legacy_summary = models.JSONField(_("oude methode"), null=True, blank=True)
    # {"code": ..., "nl": ..., "en": ...} when the run failed.
    error = models.JSONField(_("foutmelding"), default=dict, blank=True)
    # Committing freezes and publishes the run before the public number is drawn.
    committed_at = models.DateTimeField(_("vastgelegd op"), null=True, blank=True)
    committed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)

    class Meta:
        verbose_name = _("loting")
        verbose_name_plural = _("lotingen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assembly_id}:{self.get_kind_display()} {self.pk}"


class SelectionDraw(models.Model):
    """The public number applied to a committed run: the ticket, the panel and
    the ordered alternates. A second draw is a new row with a reason; the
    earlier one is kept, marked superseded."""

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="draws")
    number = models.BigIntegerField(_("openbaar getal"))
    how_drawn = models.CharField(
        _("hoe is het getal getrokken?"),
        max_length=300,
        blank=True,
        help_text=_(
            "Bijvoorbeeld: drie dobbelstenen, in het openbaar, op 12 januari om 14.00 uur."
        ),
    )
    ticket = models.PositiveIntegerField(_("lot"))
    panel = models.JSONField(_("deelnemers (ids)"), default=list)
    alternates = models.JSONField(_("reserves (ids, op volgorde)"), default=list)
    # The complete record after the draw: what is published and verified.
    record = models.JSONField(_("verslag"))
    reason = models.TextField(_("reden voor een nieuwe trekking"), blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    superseded_at = models.DateTimeField(_("vervangen op"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("getrokken op"), auto_now_add=True)

    class Meta:
        verbose_name = _("trekking")
        verbose_name_plural = _("trekkingen")
        ordering = ["-drawn_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_draw_per_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.number} → {self.ticket}"


class PanelMember(models.Model):
    """A person the lottery picked: a member, or an alternate with a rank."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Deelnemer")
        ALTERNATE = "alternate", _("Reserve")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Reserve, wacht")
        SELECTED = "selected", _("Ingeloot, nog geen antwoord")
        CONFIRMED = "confirmed", _("Doet mee")
        DECLINED = "declined", _("Doet niet mee")
        NO_RESPONSE = "no_response", _("Geen antwoord (telt als nee)")
        WITHDRAWN = "withdrawn", _("Gestopt")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="panel_members")
    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="panel_member"
    )
    draw = models.ForeignKey(SelectionDraw, on_delete=models.PROTECT, related_name="members")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    alternate_rank = models.PositiveIntegerField(_("plaats op de reservelijst"), null=True)
    # The member this person took the seat of (replacements).
    replaces = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="panel_memberships"
    )
    # Claimed by the notification task before it sends, so a retry sends once.
    notify_claimed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(_("bericht verstuurd op"), null=True, blank=True)
    response_deadline = models.DateField(_("antwoord uiterlijk op"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("herinnering verstuurd op"), null=True, blank=True)
    final_reminder_at = models.DateTimeField(
        _("laatste herinnering verstuurd op"), null=True, blank=True
    )
    responded_at = models.DateTimeField(_("antwoord gegeven op"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("gestopt op"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reden van stoppen"), blank=True)
    # Opt-in: the member may be named in the report to the Kamer. Off by default.
    named_publicly = models.BooleanField(_("mag met naam in het rapport"), default=False)
    named_publicly_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("deelnemer of reserve")
        verbose_name_plural = _("deelnemers en reserves")
        ordering = ["assembly", "kind", "alternate_rank", "id"]
        indexes = [models.Index(fields=["assembly", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.assembly_id}:{self.get_kind_display()} {self.registration_id}"

    @property
    def takes_part_on_paper(self) -> bool:
        """Signed up by the secretariat without an e-mail address, so without
        an account: letters, the desk and paper forms instead (see ON_PAPER)."""
        return self.user_id is None and not self.registration.email

    @property
    def may_get_an_email_address(self) -> bool:
        """Takes part on paper and is still in the panel or on the reserve list:
        an address given later turns them into an online member."""
        return self.takes_part_on_paper and self.status in (
            self.Status.SELECTED,
            self.Status.WAITING,
            self.Status.CONFIRMED,
        )

    @property
    def mail_address(self) -> str:
        """Where e-mail to this person goes: their account's address once they
        have one (the login they use), else the one they registered with;
        empty for a member on paper."""
        if self.user is not None and self.user.email:
            return str(self.user.email)
        return str(self.registration.email)

    @property
    def mail_language(self) -> str:
        """The language to write to this person in: their account's once they
        have one (it follows the language switch), else the one they registered in."""
        if self.user is not None:
            return self.user.mail_language
        return offered_language(self.registration.language)

    @property
    def respondent_id(self) -> str:
        """The id the engine and the published record use."""
        return str(self.registration_id)


class Replacement(models.Model):
    """The engine's proposal to fill the seats of members who left, and the
    organiser's decision on it."""

    class Method(models.TextChoices):
        ALTERNATES = "alternates", _("Uit de reservelijst, op volgorde")
        LEXIMIN = "leximin", _("Nieuwe loting uit de rest van de pool")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wordt berekend")
        # A LEXIMIN proposal: the ticket table is published, the public
        # number not yet drawn.
        DRAW = "draw", _("Wacht op het openbare getal")
        PROPOSED = "proposed", _("Voorstel")
        CONFIRMED = "confirmed", _("Bevestigd")
        DISCARDED = "discarded", _("Niet gebruikt")
        IMPOSSIBLE = "impossible", _("Kan niet binnen de quota")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="replacements")
    dropped = models.ManyToManyField(PanelMember, related_name="+")
    method = models.CharField(_("manier"), max_length=20, choices=Method.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # The LEXIMIN run behind a proposal that did not come from the alternates.
    run = models.ForeignKey(
        SelectionRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed = models.JSONField(_("voorgestelde vervangers (ids)"), default=list, blank=True)
    # {"code", "nl", "en"} when the quotas cannot be kept.
    problem = models.JSONField(_("probleem"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gevraagd op"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    # Why a proposal drawn in public was not used: it stands on the public
    # lottery page, next to the draw.
    discard_reason = models.TextField(_("waarom niet gebruikt"), blank=True)

    class Meta:
        verbose_name = _("vervanging")
        verbose_name_plural = _("vervangingen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.assembly_id}:{self.pk} {self.status}"


class PoolPurge(models.Model):
    """The erasure of the pool's personal data once the panel stands. What
    stays: counts per quota value (for the report) and this line."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="pool_purges")
    # {category: {value: number of respondents in the pool}}
    pool_counts = models.JSONField(_("aantallen in de pool"), default=dict)
    registrations_erased = models.PositiveIntegerField(_("aanmeldingen gewist"), default=0)
    residents_erased = models.PositiveIntegerField(_("inwoners gewist"), default=0)
    purged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField(_("gewist op"), auto_now_add=True)

    class Meta:
        verbose_name = _("wissing van de pool")
        verbose_name_plural = _("wissingen van de pool")
        ordering = ["-purged_at"]

    def __str__(self) -> str:
        return f"{self.assembly_id}: {self.purged_at:%Y-%m-%d}"


# The query form of PanelMember.takes_part_on_paper.
ON_PAPER = models.Q(user__isnull=True, registration__email="")
