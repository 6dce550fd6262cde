"""What the secretariat writes for the griffie after each weekend; the
figures in the progress report come from the data, the words from here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import User
from sessions.models import Weekend


class ProgressReport(models.Model):
    weekend = models.OneToOneField(
        Weekend, on_delete=models.CASCADE, related_name="progress_report"
    )
    summary = models.TextField(_("wat er gebeurde"), blank=True)
    next_steps = models.TextField(_("volgende stappen"), blank=True)
    written_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    published_at = models.DateTimeField(_("gedeeld met de griffie op"), null=True, blank=True)

    class Meta:
        verbose_name = _("voortgangsrapport")
        verbose_name_plural = _("voortgangsrapporten")
        ordering = ["weekend__number"]

    def __str__(self) -> str:
        return f"{self.weekend}"
