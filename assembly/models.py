"""The root of the domain: people who log in, assemblies, and roles in them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from assembly.audit_actions import action_label


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            # Members log in by e-mailed code and never need a password.
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


def one_time_submission() -> models.UUIDField[uuid.UUID | None, uuid.UUID | None]:
    """The one-time number of the form a row was made with (see
    ``assembly.forms.OneTimeForm``). Unique: the same form sent twice (a double
    click, a page sent again) makes one row, not two."""
    return models.UUIDField(null=True, blank=True, unique=True, editable=False)


def offered_language(code: str) -> str:
    """``code`` if the site offers that language, else the default (Dutch)."""
    return code if code in dict(settings.LANGUAGES) else str(settings.LANGUAGE_CODE)


def reads_english() -> bool:
    """Whether the active language (the visitor's, or an e-mail's) is English."""
    return (translation.get_language() or "").startswith("en")


def in_reader_language(dutch: str, english: str) -> str:
    """Text an organiser typed, in the reader's language: the English version
    for English readers where there is one, else the Dutch."""
    return english if english and reads_english() else dutch


def both_languages(say: Callable[[], str]) -> tuple[str, str]:
    """A message the code writes, in Dutch and in English: for a text stored
    now and read later by someone whose language is not known yet (a failed
    job's error, shown to whichever organiser opens the page)."""
    with translation.override("nl"):
        dutch = say()
    with translation.override("en"):
        english = say()
    return dutch, english


ENGLISH_HELP = _("Voor wie de site in het Engels gebruikt. Leeg: de Nederlandse tekst.")


class ShownTitle:
    """For a model with ``title`` and ``title_en``: the title in the reader's language."""

    title: str
    title_en: str

    @property
    def shown_title(self) -> str:
        return in_reader_language(self.title, self.title_en)


def english_field(
    label: Any, *, long: bool = False, max_length: int = 200
) -> models.Field:  # type: ignore[type-arg]
    """The optional English version of an organiser's text (English is the
    site's second language); empty means English readers see the Dutch."""
    if long:
        return models.TextField(label, blank=True, help_text=ENGLISH_HELP)
    return models.CharField(label, max_length=max_length, blank=True, help_text=ENGLISH_HELP)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can log in. The e-mail address is the login."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=200, blank=True)
    # The language e-mails to this person are written in: a member's is the one
    # they registered in.
    language = models.CharField(_("taal"), max_length=8, default="nl")
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("toegang tot het beheer"),
        default=False,
        help_text=_("Mag inloggen in het technische beheer (Django admin)."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def mail_language(self) -> str:
        """The language to write to this person in: one the site offers, else Dutch."""
        return offered_language(self.language)


class Phase(models.TextChoices):
    SETUP = "setup", _("Voorbereiding")
    INVITATION = "invitation", _("Uitnodigen")
    REGISTRATION = "registration", _("Aanmelden")
    SELECTION = "selection", _("Loting")
    DELIBERATION = "deliberation", _("Bijeenkomsten")
    REPORTING = "reporting", _("Rapport")
    CLOSED = "closed", _("Afgesloten")


class AllowanceMode(models.TextChoices):
    VOLUNTEER = "volunteer", _("Vrijwilligersvergoeding (onbelast binnen de maxima)")
    FEE = "fee", _("Honorarium (belast inkomen)")


class Assembly(models.Model):
    """One citizens' assembly: its question, size, period and phase."""

    slug = models.SlugField(_("korte naam (in de link)"), max_length=80, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    name_en = english_field(_("naam in het Engels"))
    question = models.TextField(_("vraag aan het burgerberaad"))
    question_en = english_field(_("vraag in het Engels"), long=True)
    mandate = models.TextField(
        _("opdracht"), blank=True, help_text=_("Wie vraagt het advies, en wat gebeurt ermee?")
    )
    mandate_en = english_field(_("opdracht in het Engels"), long=True)
    commissioned_by = models.CharField(_("opdrachtgever"), max_length=200, blank=True)
    members_target = models.PositiveIntegerField(_("aantal deelnemers"), default=175)
    alternates_target = models.PositiveIntegerField(_("aantal reserves"), default=25)
    min_age = models.PositiveSmallIntegerField(_("minimumleeftijd"), default=16)
    first_weekend = models.DateField(_("eerste weekend"))
    period_end = models.DateField(_("einde"), null=True, blank=True)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.SETUP)
    registration_deadline = models.DateField(_("sluiting van de aanmelding"), null=True, blank=True)
    is_public = models.BooleanField(
        _("openbaar"),
        default=True,
        help_text=_("Toon de pagina over dit burgerberaad aan iedereen."),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    # How members are paid (participants' allowances): a tax-free volunteer
    # allowance within the year's caps, or a fixed fee that is taxable income.
    allowance_mode = models.CharField(
        _("vergoeding"),
        max_length=20,
        choices=AllowanceMode.choices,
        default=AllowanceMode.VOLUNTEER,
    )
    fee_per_day = models.DecimalField(
        _("honorarium per dag (bij honorarium)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    # The hourly cap applies to the hours of a day; most weekend days run 9:30–17:00.
    allowance_hours_per_day = models.DecimalField(
        _("uren per dag voor de vergoeding"), max_digits=4, decimal_places=2, default=7
    )
    # Expense claims above this amount need a second approver (four eyes).
    second_approval_above = models.DecimalField(
        _("tweede goedkeuring nodig boven"), max_digits=8, decimal_places=2, default=250
    )
    # Members' personal data is erased this long after the final report went
    # to the Kamer (recommendations/services/privacy.py, a daily task).
    retention_months = models.PositiveSmallIntegerField(_("bewaartermijn (maanden)"), default=12)
    report_delivered_on = models.DateField(
        _("eindrapport aangeboden op"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("burgerberaad")
        verbose_name_plural = _("burgerberaden")
        ordering = ["-first_weekend", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("about", kwargs={"slug": self.slug})

    # Members and the public read these in their language. The report to the
    # Kamer is Dutch by design and reads the Dutch fields themselves.
    @property
    def shown_name(self) -> str:
        return in_reader_language(self.name, self.name_en)

    @property
    def shown_question(self) -> str:
        return in_reader_language(self.question, self.question_en)

    @property
    def shown_mandate(self) -> str:
        return in_reader_language(self.mandate, self.mandate_en)


class RoleKind(models.TextChoices):
    ORGANISER = "organiser", _("Organisatie")
    CHAIR = "chair", _("Voorzitter")
    FACILITATOR = "facilitator", _("Gespreksleider")
    MEMBER = "member", _("Deelnemer")
    EXPERT = "expert", _("Deskundige")
    GRIFFIE = "griffie", _("Griffie")
    # Volunteers at the entrance desk on a weekend: they check members in and
    # see nothing else (participants/access_attendance.py).
    DESK = "desk", _("Balie")


# Roles that see or change much: they log in with a password plus TOTP.
# The desk (balie) is not one of them: it sees only names on the day's
# check-in list, and volunteers use their own phones, so they log in with a
# code by e-mail, like members.
STAFF_ROLES = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR, RoleKind.GRIFFIE})

# Everyone who takes part in the assembly's work. The desk (balie) is not: it
# checks members in on a weekend and sees nothing else of the assembly.
TAKING_PART = frozenset(RoleKind) - {RoleKind.DESK}

# Members are drawn by lot: their role comes with a "yes" on the panel and
# goes when they stop (participants/services/panel.py), never by hand on the
# roles page, so nobody takes part without having been drawn.
ROLES_GIVEN_BY_HAND = tuple(kind for kind in RoleKind if kind != RoleKind.MEMBER)


class Role(models.Model):
    """A person's role in one assembly. One person can hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("rol"), max_length=20, choices=RoleKind.choices)
    created_at = models.DateTimeField(_("gegeven op"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the "you have a role" e-mail went into the outbox, in the same
    # transaction as the role (assembly.outbox sends it once).
    notified_at = models.DateTimeField(_("bericht verstuurd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("rol")
        verbose_name_plural = _("rollen")
        constraints = [
            models.UniqueConstraint(fields=["user", "assembly", "kind"], name="unique_role")
        ]
        ordering = ["assembly", "kind", "user__email"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.assembly}"

    @property
    def is_staff_role(self) -> bool:
        return self.kind in STAFF_ROLES


class MailboxMessage(models.Model):
    """An e-mail caught by the development mailbox instead of being sent.

    Only used when no SMTP server is configured (the demo and development), so
    that a member's login code can be read in the site.
    """

    to = models.TextField(_("aan"))
    subject = models.CharField(_("onderwerp"), max_length=300)
    body = models.TextField(_("tekst"))
    html_body = models.TextField(_("HTML"), blank=True)
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("bericht in de testpostbus")
        verbose_name_plural = _("berichten in de testpostbus")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class AuditEvent(models.Model):
    """Who did what, when: the log of decisions that must be traceable (draws,
    withdrawals, replacements, purges, approvals). ``target`` and ``detail``
    hold ids, counts and reasons, never names, addresses or answers."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("handeling"), max_length=60)
    target = models.CharField(_("onderwerp"), max_length=120, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("op"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("logregel")
        verbose_name_plural = _("logboek")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"

    @property
    def shown_action(self) -> str:
        """The action in words, in the active language."""
        return action_label(self.action)


class OutboxEmail(models.Model):
    """An e-mail written in the same transaction as the change it reports.

    A registration (or any other write) and its confirmation e-mail commit
    together, so the e-mail cannot be lost when the queue (Redis) or the mail
    server is down: a task sends it right after the commit, and a sweep every
    minute sends whatever is still waiting. Sending claims the row first, so
    it goes out once. The body is erased once the server has it.
    """

    to = models.EmailField(_("aan"))
    subject = models.CharField(_("onderwerp"), max_length=300)
    body = models.TextField(_("tekst"))
    html_body = models.TextField(_("HTML"), blank=True)
    # What the e-mail is about, as ids only: "participants.Registration:12".
    kind = models.CharField(_("soort"), max_length=60)
    ref = models.CharField(_("over"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    failed_at = models.DateTimeField(_("geweigerd op"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("e-mail in de wachtrij")
        verbose_name_plural = _("e-mails in de wachtrij")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_waiting",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


class AllowanceYear(models.Model):
    """The allowance rules of one calendar year. The amounts are data: the
    Belastingdienst sets the volunteer caps each year, and organisers enter
    them here; the code holds none."""

    year = models.PositiveSmallIntegerField(_("jaar"), unique=True)
    day_allowance = models.DecimalField(_("dagvergoeding"), max_digits=8, decimal_places=2)
    hourly_cap = models.DecimalField(
        _("maximum per uur (21 jaar en ouder)"), max_digits=6, decimal_places=2
    )
    hourly_cap_under_21 = models.DecimalField(
        _("maximum per uur (jonger dan 21)"), max_digits=6, decimal_places=2
    )
    monthly_cap = models.DecimalField(_("maximum per maand"), max_digits=8, decimal_places=2)
    yearly_cap = models.DecimalField(_("maximum per jaar"), max_digits=8, decimal_places=2)
    km_rate = models.DecimalField(
        _("vergoeding per kilometer (auto)"), max_digits=5, decimal_places=2
    )
    source = models.CharField(_("bron"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("vergoedingsregels van een jaar")
        verbose_name_plural = _("vergoedingsregels per jaar")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
