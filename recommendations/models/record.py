"""The chair's record and what government does with the recommendations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, one_time_submission
from recommendations.models.drafting import Recommendation
from sessions.models import Session, Weekend


class MinorityStatement(models.Model):
    """A position of members who did not support a recommendation, attached to it."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="minority_statements"
    )
    text = models.TextField(_("minderheidsstandpunt"))
    supporters = models.PositiveIntegerField(
        _("aantal deelnemers dat het steunt"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    # The form's one-time number: a double click adds the statement once.
    submission = one_time_submission()
    # Removed by the chair (a mistake, the wrong recommendation): the text no
    # longer counts, but the record says publicly that one was removed, when
    # and why, so a position of the minority cannot disappear unseen.
    removed_at = models.DateTimeField(_("verwijderd op"), null=True, blank=True)
    removed_reason = models.TextField(_("reden van verwijderen"), blank=True)
    removed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("minderheidsstandpunt")
        verbose_name_plural = _("minderheidsstandpunten")
        ordering = ["recommendation", "created_at"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.text[:40]}"


class Minutes(models.Model):
    """The minutes of a session (Markdown); public once the chair approves them."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="minutes")
    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="minutes")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="minutes"
    )
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("verslag"), help_text=_("Opmaak met Markdown: **vet**, - lijstjes."))
    written_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("goedgekeurd en gepubliceerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("verslag")
        verbose_name_plural = _("verslagen")
        ordering = ["weekend__number", "session__starts_at", "pk"]
        # One set of minutes per session, also when two requests race past
        # the service's check (a double click on "create").
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(session__isnull=False),
                name="one_minutes_per_session",
            )
        ]

    def __str__(self) -> str:
        return self.title


class GovernmentResponse(models.Model):
    """The government's answer to a recommendation at one moment. Newer rows
    follow the answer over time; the latest is the current state."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("Overgenomen")
        PARTLY = "partly", _("Deels overgenomen")
        REJECTED = "rejected", _("Niet overgenomen")
        UNDER_STUDY = "under_study", _("Wordt onderzocht")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="responses"
    )
    status = models.CharField(_("stand van zaken"), max_length=20, choices=Status.choices)
    text = models.TextField(_("reactie"))
    responded_on = models.DateField(_("datum van de reactie"))
    source_title = models.CharField(_("bron"), max_length=300, blank=True)
    source_url = models.URLField(_("link naar de bron"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)
    # The form it was recorded with: that form sent again (a double click, or
    # the page sent again from the history after a correction) records nothing.
    submission = one_time_submission()
    # Corrected (a typo, the wrong status): the row holds the right answer now,
    # and each correction leaves a public trace, {"at": ISO time, "reason": ...},
    # oldest first. The last correction's form number makes a double click one.
    corrected_at = models.DateTimeField(_("laatst verbeterd op"), null=True, blank=True)
    corrections = models.JSONField(_("verbeteringen"), default=list, blank=True)
    correction_submission = one_time_submission()
    # Withdrawn (entered for the wrong recommendation): it no longer counts,
    # but the tracker says publicly that one was withdrawn, when and why.
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reden van intrekken"), blank=True)
    withdrawn_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reactie van de regering")
        verbose_name_plural = _("reacties van de regering")
        ordering = ["recommendation", "responded_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.recommendation_id}: {self.status}"

    @property
    def changed_at(self) -> dt.datetime:
        """When the row last changed: what a correction form remembers as seen."""
        return self.withdrawn_at or self.corrected_at or self.created_at
