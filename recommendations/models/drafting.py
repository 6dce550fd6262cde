"""Recommendations as the tables draft them, every version kept, and what the
plenary does with them: feedback and amendments."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, one_time_submission
from participants.models import Table
from sessions.models import Session, Weekend


class Recommendation(models.Model):
    """One recommendation, from a table's draft to the plenary's final text."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        SUBMITTED = "submitted", _("Ingediend bij de plenaire vergadering")
        AMENDED = "amended", _("Aangepast door amendementen")
        FINAL = "final", _("Definitieve tekst")
        BALLOTED = "balloted", _("In stemming")
        ADOPTED = "adopted", _("Aangenomen")
        NOT_ADOPTED = "not_adopted", _("Niet aangenomen")
        WITHDRAWN = "withdrawn", _("Ingetrokken")
        MERGED = "merged", _("Samengevoegd met een andere aanbeveling")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="recommendations")
    # The number people cite ("aanbeveling 12"); unique within an assembly.
    number = models.PositiveIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=200)
    text = models.TextField(_("tekst"))
    rationale = models.TextField(_("toelichting"), blank=True)
    topic = models.CharField(_("thema"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # The table that drafted it (a table belongs to one weekend's round).
    table = models.ForeignKey(
        Table,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("tafel"),
    )
    weekend = models.ForeignKey(
        Weekend,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("weekend"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("samengevoegd in"),
    )
    # Order on the chair's plenary walk-through.
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    submitted_at = models.DateTimeField(_("ingediend op"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("definitief op"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reden van intrekken"), blank=True)
    # The draft form's one-time number: a double click drafts one recommendation.
    submission = one_time_submission()

    class Meta:
        verbose_name = _("aanbeveling")
        verbose_name_plural = _("aanbevelingen")
        ordering = ["assembly", "position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="one_recommendation_number")
        ]
        indexes = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "recommendations:detail",
            kwargs={"slug": self.assembly.slug, "number": self.number},
        )


class RecommendationVersion(models.Model):
    """Every change to a recommendation's text is a new version; none is overwritten."""

    class Reason(models.TextChoices):
        DRAFTED = "drafted", _("Eerste versie")
        EDITED = "edited", _("Aangepast")
        AMENDED = "amended", _("Amendement aangenomen")
        MERGED = "merged", _("Samengevoegd")
        FINALISED = "finalised", _("Definitief gemaakt")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("versie"))
    title = models.CharField(_("titel"), max_length=200)
    text = models.TextField(_("tekst"))
    rationale = models.TextField(_("toelichting"), blank=True)
    reason = models.CharField(_("soort wijziging"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("opmerking"), max_length=300, blank=True)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("versie van een aanbeveling")
        verbose_name_plural = _("versies van aanbevelingen")
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"], name="one_recommendation_version_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} v{self.number}"


class PlenaryFeedback(models.Model):
    """What the plenary said about a draft, as the chair records it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="feedback"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("terugkoppeling"))
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    # The form's one-time number: a double click records the feedback once.
    submission = one_time_submission()

    class Meta:
        verbose_name = _("terugkoppeling van de plenaire vergadering")
        verbose_name_plural = _("terugkoppelingen van de plenaire vergadering")
        ordering = ["recommendation", "created_at"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.text[:40]}"


class Amendment(models.Model):
    """A proposed change to a submitted recommendation, accepted or rejected by the plenary."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Voorgesteld")
        ACCEPTED = "accepted", _("Aangenomen")
        REJECTED = "rejected", _("Verworpen")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    # Proposed by a table or by one member (then proposed_by is their account).
    table = models.ForeignKey(
        Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="amendments"
    )
    proposed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_text = models.TextField(_("voorgestelde tekst"))
    rationale = models.TextField(_("toelichting"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    # The count where the plenary voted on it (a show of hands may have none).
    votes_for = models.PositiveIntegerField(_("stemmen voor"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("stemmen tegen"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("onthoudingen"), null=True, blank=True)
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    created_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)
    # The form's one-time number: a double click proposes one amendment.
    submission = one_time_submission()

    class Meta:
        verbose_name = _("amendement")
        verbose_name_plural = _("amendementen")
        ordering = ["recommendation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "number"], name="one_amendment_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} A{self.number}"
