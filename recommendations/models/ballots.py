"""Ballots and votes. The assembly's voting rule is fixed before the first
ballot opens. A secret electronic vote is stored without any link to the
member: the member's mark (who voted) and the vote (what was chosen) are two
tables with nothing in common but the ballot. A closed ballot's result is a
row with a hash over its counts; a correction is a new row, never an edit."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, one_time_submission
from participants.models import PanelMember
from recommendations.models.drafting import Recommendation
from sessions.models import Session


class Threshold(models.TextChoices):
    # Definitions (recommendations/counting.py): "majority" needs more than
    # half of the base; "two_thirds" and "three_quarters" need at least that
    # share, so exactly 75 % adopts under the 75 % rule.
    MAJORITY = "majority", _("Gewone meerderheid (meer dan de helft)")
    TWO_THIRDS = "two_thirds", _("Twee derde (ten minste 2/3)")
    THREE_QUARTERS = "three_quarters", _("75 procent (ten minste 3/4)")


class VotingRule(models.Model):
    """The assembly's rule for adopting a recommendation; locked when the first ballot opens."""

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="voting_rule")
    threshold = models.CharField(
        _("benodigde steun"),
        max_length=20,
        choices=Threshold.choices,
        default=Threshold.THREE_QUARTERS,
    )
    abstentions_count = models.BooleanField(
        _("onthoudingen tellen mee"),
        default=False,
        help_text=_(
            "Aan: de steun wordt berekend over voor + tegen + onthouding. "
            "Uit: alleen over voor + tegen."
        ),
    )
    locked_at = models.DateTimeField(_("vastgezet op"), null=True, blank=True)
    updated_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("stemregel")
        verbose_name_plural = _("stemregels")

    def __str__(self) -> str:
        return f"{self.assembly_id}: {self.threshold}"


class Ballot(models.Model):
    class Kind(models.TextChoices):
        # For / against / abstain on one recommendation.
        RECOMMENDATION = "recommendation", _("Voor of tegen een aanbeveling")
        # A ranking of options (policy models), counted by instant-runoff.
        RANKED = "ranked", _("Voorkeursstemming tussen opties")

    class Method(models.TextChoices):
        PAPER = "paper", _("Op papier, geteld door de voorzitter")
        ELECTRONIC = "electronic", _("Geheim, op de eigen telefoon")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Klaargezet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Gesloten")
        CANCELLED = "cancelled", _("Geannuleerd")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="ballots")
    number = models.PositiveIntegerField(_("nummer"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    method = models.CharField(_("manier van stemmen"), max_length=20, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREPARED
    )
    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ballots",
    )
    title = models.CharField(_("titel"), max_length=200)
    question = models.TextField(_("vraag"), blank=True)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rule as it stood when the ballot opened; shown on the ballot.
    threshold = models.CharField(
        _("benodigde steun"), max_length=20, choices=Threshold.choices, blank=True
    )
    abstentions_count = models.BooleanField(_("onthoudingen tellen mee"), default=False)
    opened_at = models.DateTimeField(_("geopend op"), null=True, blank=True)
    opened_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closes_at = models.DateTimeField(_("sluit om"), null=True, blank=True)
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    # The one-time number of the form that prepared a ranked ballot: the same
    # form sent twice (a double click) prepares one ballot, not two that the
    # chair might both open.
    submission = one_time_submission()

    class Meta:
        verbose_name = _("stemming")
        verbose_name_plural = _("stemmingen")
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_ballot_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class BallotOption(models.Model):
    """One option of a ranked ballot (e.g. a drug-policy model)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("volgorde"))
    label = models.CharField(_("optie"), max_length=200)
    description = models.TextField(_("uitleg"), blank=True)

    class Meta:
        verbose_name = _("optie")
        verbose_name_plural = _("opties")
        ordering = ["ballot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "position"], name="one_option_position")
        ]

    def __str__(self) -> str:
        return self.label


class VoterMark(models.Model):
    """That a member voted on a ballot (once). Holds nothing of what they chose."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="+")
    voted_at = models.DateTimeField(_("gestemd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("stemaantekening")
        verbose_name_plural = _("stemaantekeningen")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="one_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}/{self.member_id}"


class ElectronicVote(models.Model):
    """A secret vote. A random key and no time stamp, and when the ballot
    closes its votes are stored again in a random order (services.ballots.
    _shuffle_votes): neither the order of rows nor a clock ties it to a
    VoterMark. The member keeps a receipt code;
    only its hash is stored, so the member can find their vote and nobody
    else can tell whose it is."""

    class Choice(models.TextChoices):
        FOR = "for", _("Voor")
        AGAINST = "against", _("Tegen")
        ABSTAIN = "abstain", _("Onthouding")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(_("keuze"), max_length=10, choices=Choice.choices, blank=True)
    # Ranked ballots: option positions in order of preference (may be partial).
    ranking = models.JSONField(_("volgorde van voorkeur"), default=list, blank=True)
    receipt_hash = models.CharField(_("controlecode (hash)"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("geheime stem")
        verbose_name_plural = _("geheime stemmen")

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.receipt_hash[:8]}"


class PaperCount(models.Model):
    """The chair's count of a paper ballot; valid once a second person confirms it."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="paper_counts")
    votes_for = models.PositiveIntegerField(_("stemmen voor"), default=0)
    votes_against = models.PositiveIntegerField(_("stemmen tegen"), default=0)
    votes_abstain = models.PositiveIntegerField(_("onthoudingen"), default=0)
    # Ranked paper ballots: [{"ranking": [option positions…], "count": n}, …].
    rankings = models.JSONField(_("voorkeuren"), default=list, blank=True)
    invalid = models.PositiveIntegerField(_("ongeldig"), default=0)
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    entered_at = models.DateTimeField(_("ingevoerd op"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("afgekeurd op"), null=True, blank=True)
    # Set on a correction of a result already fixed; shown with the new result.
    reason = models.TextField(_("reden van de correctie"), blank=True)

    class Meta:
        verbose_name = _("papieren telling")
        verbose_name_plural = _("papieren tellingen")
        ordering = ["ballot", "entered_at"]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.votes_for}/{self.votes_against}/{self.votes_abstain}"


class BallotResult(models.Model):
    """The fixed result of a closed ballot. A correction is a new row that
    supersedes the old one, with a reason; rows are never changed."""

    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="results")
    votes_for = models.PositiveIntegerField(_("stemmen voor"), default=0)
    votes_against = models.PositiveIntegerField(_("stemmen tegen"), default=0)
    votes_abstain = models.PositiveIntegerField(_("onthoudingen"), default=0)
    invalid = models.PositiveIntegerField(_("ongeldig"), default=0)
    # Ranked ballots: every instant-runoff round and the winner's position.
    rounds = models.JSONField(_("rondes"), default=list, blank=True)
    winner_position = models.PositiveSmallIntegerField(null=True, blank=True)
    adopted = models.BooleanField(_("aangenomen"), null=True)
    threshold = models.CharField(_("benodigde steun"), max_length=20, choices=Threshold.choices)
    abstentions_count = models.BooleanField(_("onthoudingen tellen mee"), default=False)
    # SHA-256 over the canonical JSON of the counts, shown on the public page.
    counts_hash = models.CharField(_("controlegetal"), max_length=64)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    reason = models.TextField(_("reden van de correctie"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("uitslag")
        verbose_name_plural = _("uitslagen")
        ordering = ["ballot", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.counts_hash[:8]}"
