"""The programme of an assembly: its weekends (sessions within them follow)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly


class Weekend(models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="weekends")
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=200, blank=True)
    starts_on = models.DateField(_("eerste dag"))
    ends_on = models.DateField(_("laatste dag"))
    venue_name = models.CharField(_("locatie"), max_length=200, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("weekend")
        verbose_name_plural = _("weekenden")
        ordering = ["assembly", "starts_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="unique_weekend_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="weekend_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Weekend %(number)s") % {"number": self.number}
