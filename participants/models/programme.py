"""Members at the weekends: check-in per day, and the subgroup tables."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import User
from participants.models.selection import PanelMember
from sessions.models import Weekend


class CheckIn(models.Model):
    """A member present on one day of a weekend: the basis of the day allowance."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="check_ins")
    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("dag"))
    checked_in_at = models.DateTimeField(_("aangemeld om"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_late_at = models.TimeField(_("later gekomen om"), null=True, blank=True)
    left_early_at = models.TimeField(_("eerder weggegaan om"), null=True, blank=True)
    note = models.CharField(_("opmerking"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("aanwezigheid")
        verbose_name_plural = _("aanwezigheid")
        ordering = ["day", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "day"], name="one_check_in_per_day")
        ]
        indexes = [models.Index(fields=["weekend", "day"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.day}"


class TableRound(models.Model):
    """The subgroup tables of one weekend."""

    weekend = models.OneToOneField(Weekend, on_delete=models.CASCADE, related_name="table_round")
    # What the assignment achieved: the largest deviation of a table's mix
    # from the assembly's, and the pairs who sat together before.
    mix_deviation = models.FloatField(_("grootste afwijking van de mix"), default=0.0)
    repeated_pairs = models.PositiveIntegerField(_("paren die al eerder samen zaten"), default=0)
    seed = models.PositiveIntegerField(_("startgetal"), default=0)
    published_at = models.DateTimeField(_("zichtbaar voor deelnemers sinds"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("tafelindeling")
        verbose_name_plural = _("tafelindelingen")

    def __str__(self) -> str:
        return f"{self.weekend_id}"


class Table(models.Model):
    round = models.ForeignKey(TableRound, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField(_("tafel"))
    facilitator = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gespreksleider"),
    )

    class Meta:
        verbose_name = _("tafel")
        verbose_name_plural = _("tafels")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="unique_table_number")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.number}"


class TableSeat(models.Model):
    round = models.ForeignKey(TableRound, on_delete=models.CASCADE, related_name="seats")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="seats")

    class Meta:
        verbose_name = _("plaats aan tafel")
        verbose_name_plural = _("plaatsen aan tafel")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_table_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.table_id}:{self.member_id}"
