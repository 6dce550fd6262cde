"""The programme of an assembly: weekends with their venue, sessions (agenda
items), experts with their perspective, and briefing materials with their
versions and release. Attendance and subgroup tables concern members, so they
live in participants (which may import this app, not the other way round)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import (
    Assembly,
    ShownTitle,
    User,
    english_field,
    in_reader_language,
    one_time_submission,
)


class Weekend(ShownTitle, models.Model):
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="weekends")
    number = models.PositiveSmallIntegerField(_("nummer"))
    title = models.CharField(_("titel"), max_length=200, blank=True)
    title_en = english_field(_("titel in het Engels"))
    starts_on = models.DateField(_("eerste dag"))
    ends_on = models.DateField(_("laatste dag"))
    venue_name = models.CharField(_("locatie"), max_length=200, blank=True)
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    venue_address = models.CharField(_("adres"), max_length=300, blank=True)
    route = models.TextField(
        _("route"), blank=True, help_text=_("Met het openbaar vervoer en de auto.")
    )
    route_en = english_field(_("route in het Engels"), long=True)
    accessibility = models.TextField(
        _("toegankelijkheid"),
        blank=True,
        help_text=_("Rolstoel, lift, prikkelarme ruimte, ringleiding."),
    )
    accessibility_en = english_field(_("toegankelijkheid in het Engels"), long=True)
    hotel = models.TextField(_("hotel"), blank=True)
    hotel_en = english_field(_("hotel in het Engels"), long=True)
    # Once published, members see the programme and changes are sent to them.
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    # SEQUENCE of the weekend's all-day event in the calendar files (RFC 5545,
    # 3.8.7.4): raised when the dates or the venue change, so a calendar that
    # imported an earlier file takes the new version instead of keeping the old.
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

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

    # The venue's name and address are proper names: they have no English.
    @property
    def shown_route(self) -> str:
        return in_reader_language(self.route, self.route_en)

    @property
    def shown_accessibility(self) -> str:
        return in_reader_language(self.accessibility, self.accessibility_en)

    @property
    def shown_hotel(self) -> str:
        return in_reader_language(self.hotel, self.hotel_en)


class Perspective(models.Model):
    """A point of view experts bring (public health and care, safety and
    enforcement, lived experience, ...); configurable per assembly."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="perspectives")
    name = models.CharField(_("naam"), max_length=100)
    name_en = english_field(_("naam in het Engels"), max_length=100)
    description = models.CharField(_("uitleg"), max_length=300, blank=True)
    description_en = english_field(_("uitleg in het Engels"), max_length=300)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("perspectief")
        verbose_name_plural = _("perspectieven")
        ordering = ["assembly", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "name"], name="unique_perspective_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_name(self) -> str:
        return in_reader_language(self.name, self.name_en)

    @property
    def shown_description(self) -> str:
        return in_reader_language(self.description, self.description_en)


class Expert(models.Model):
    """Someone who briefs the assembly. Name, organisation, role, perspective
    and the declaration of interests are public; contact details are not."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="experts")
    # The account the expert logs in with (role "expert"), when they have one.
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="expert_profiles"
    )
    name = models.CharField(_("naam"), max_length=200)
    organisation = models.CharField(_("organisatie"), max_length=200, blank=True)
    role_title = models.CharField(_("functie"), max_length=200, blank=True)
    perspective = models.ForeignKey(
        Perspective,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("perspectief"),
    )
    interests = models.TextField(
        _("verklaring van belangen"),
        blank=True,
        help_text=_("Betaalde en onbetaalde functies, opdrachtgevers, financiering. Openbaar."),
    )
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("deskundige")
        verbose_name_plural = _("deskundigen")
        ordering = ["assembly", "name"]

    def __str__(self) -> str:
        return self.name


class Session(ShownTitle, models.Model):
    """One item on a weekend's programme."""

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenair")
        BRIEFING = "briefing", _("Uitleg door deskundigen")
        QUESTIONS = "questions", _("Vragen aan deskundigen")
        TABLES = "tables", _("Tafelgesprek")
        VOTE = "vote", _("Stemming")
        BREAK = "break", _("Pauze")

    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("titel"), max_length=200)
    title_en = english_field(_("titel in het Engels"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField(_("begint om"))
    ends_at = models.DateTimeField(_("eindigt om"))
    room = models.CharField(_("zaal"), max_length=100, blank=True)
    topic = models.CharField(
        _("onderwerp"),
        max_length=100,
        blank=True,
        help_text=_("Voor de balans tussen perspectieven."),
    )
    description = models.TextField(_("uitleg"), blank=True)
    description_en = english_field(_("uitleg in het Engels"), long=True)
    experts = models.ManyToManyField(
        Expert, blank=True, related_name="sessions", verbose_name=_("deskundigen")
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    # SEQUENCE of the session's event in the calendar files (RFC 5545, 3.8.7.4):
    # raised by every change a calendar shows (sessions.services.schedule).
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    # Set when a session of a published programme is cancelled: it stays, shown
    # as cancelled and sent to calendars with STATUS:CANCELLED, so a calendar
    # that imported it drops it (a deleted event would stay in such calendars).
    cancelled_at = models.DateTimeField(_("vervalt sinds"), null=True, blank=True, editable=False)
    # The add form sent twice (a retry on a slow connection) makes one session,
    # and members get one e-mail about it, not one per copy.
    submission = one_time_submission()

    class Meta:
        verbose_name = _("onderdeel")
        verbose_name_plural = _("onderdelen")
        ordering = ["weekend", "starts_at", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_description(self) -> str:
        return in_reader_language(self.description, self.description_en)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Material(ShownTitle, models.Model):
    """A briefing document, link or video, with a short B1 summary.

    Draft → released to members (at ``release_at``, by a scheduled task) →
    public (after the weekend, unless members-only with a reason). Released
    material is never changed in place: a new version is kept beside the old.
    """

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document (PDF)")
        LINK = "link", _("Link")
        VIDEO = "video", _("Video")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        RELEASED = "released", _("Voor deelnemers")
        PUBLIC = "public", _("Openbaar")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="materials")
    weekend = models.ForeignKey(
        Weekend, on_delete=models.SET_NULL, null=True, blank=True, related_name="materials"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="materials"
    )
    expert = models.ForeignKey(
        Expert, on_delete=models.SET_NULL, null=True, blank=True, related_name="materials"
    )
    title = models.CharField(_("titel"), max_length=200)
    title_en = english_field(_("titel in het Engels"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("korte uitleg in eenvoudige taal"))
    summary_en = english_field(_("korte uitleg in het Engels"), long=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    release_at = models.DateTimeField(_("vrijgeven op"), null=True, blank=True)
    released_at = models.DateTimeField(_("vrijgegeven op"), null=True, blank=True)
    made_public_at = models.DateTimeField(_("openbaar gemaakt op"), null=True, blank=True)
    members_only_reason = models.TextField(
        _("alleen voor deelnemers, omdat"),
        blank=True,
        help_text=_("Leeg: na het weekend wordt het stuk openbaar."),
    )
    # Set by the task that tells members about released material, so they hear it once.
    release_notified_at = models.DateTimeField(null=True, blank=True)
    # A new version of released material: members hear of it once this moment has
    # come (versions added meanwhile join the same e-mail), at most once a day.
    update_notice_due_at = models.DateTimeField(null=True, blank=True)
    update_notified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    # The same form sent twice (a retry on a slow connection) makes one
    # material, not two drafts (see assembly.forms.OneTimeForm).
    submission = one_time_submission()

    class Meta:
        verbose_name = _("stuk")
        verbose_name_plural = _("stukken")
        ordering = ["assembly", "weekend__starts_on", "title"]
        indexes = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def shown_summary(self) -> str:
        return in_reader_language(self.summary, self.summary_en)


class MaterialVersion(models.Model):
    """One version of a material: a checked PDF, or a link."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versie"))
    file = models.FileField(_("bestand"), upload_to="materials/%Y/%m/", blank=True)
    url = models.URLField(_("link"), blank=True)
    sha256 = models.CharField(_("controlegetal (SHA-256)"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("grootte (bytes)"), default=0)
    note = models.CharField(_("wat is er veranderd?"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("versie")
        verbose_name_plural = _("versies")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="unique_material_version")
        ]

    def __str__(self) -> str:
        return f"{self.material_id} v{self.number}"


class ProgrammeReminder(models.Model):
    """One reminder sent to one person about one weekend or session; the unique
    row makes a second send impossible."""

    class Kind(models.TextChoices):
        WEEKEND = "weekend", _("Herinnering voor het weekend")
        EXPERT_SLOT = "expert_slot", _("Herinnering voor de deskundige")
        CHANGE = "change", _("Wijziging in het programma")
        PUBLISHED = "published", _("Het programma is klaar")
        WEEKEND_CHANGE = "weekend_change", _("Wijziging van de data of de locatie")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    # Days before the weekend (reminders), a change number (changes and
    # weekend changes) or "published" (the notice that the programme is ready).
    key = models.CharField(_("sleutel"), max_length=40)
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("herinnering over het programma")
        verbose_name_plural = _("herinneringen over het programma")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "weekend", "kind", "key"], name="one_programme_reminder_each"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.weekend_id} {self.kind} {self.key}"


class WeekendChange(models.Model):
    """A change to the dates or the venue of a published weekend, that members
    and the weekend's experts hear about in one e-mail.

    ``before`` is the weekend as members last heard about it, ``after`` as it
    is now (the fields of sessions.services.schedule.WEEKEND_NOTICE_FIELDS).
    Edits saved while the e-mail is still waiting join the waiting row, so an
    organiser who corrects a typo just after saving sends one e-mail, not two.
    The task that sends it claims the row by setting ``notified_at``.
    """

    weekend = models.ForeignKey(Weekend, on_delete=models.CASCADE, related_name="+")
    before = models.JSONField(_("eerst"), default=dict)
    after = models.JSONField(_("nu"), default=dict)
    created_at = models.DateTimeField(_("gewijzigd op"), auto_now_add=True)
    send_after = models.DateTimeField(_("versturen na"))
    notified_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("wijziging van de data of de locatie")
        verbose_name_plural = _("wijzigingen van de data of de locatie")
        constraints = [
            # Later edits join the waiting change instead of starting a second e-mail.
            models.UniqueConstraint(
                fields=["weekend"],
                condition=models.Q(notified_at__isnull=True),
                name="one_waiting_weekend_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekend_id} {self.created_at:%Y-%m-%d %H:%M}"


class CalendarLink(models.Model):
    """The generation of one person's private calendar link for one assembly.

    The link carries a signed (user, assembly, generation); a new link raises
    the generation, so every older link stops working at once. No row: the
    first link (generation 0), which was handed out before this model existed.
    A person can hold several roles in an assembly, so this is not on Role.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveIntegerField(_("versie"), default=0)
    renewed_at = models.DateTimeField(_("vernieuwd op"), auto_now=True)

    class Meta:
        verbose_name = _("persoonlijke agenda-link")
        verbose_name_plural = _("persoonlijke agenda-links")
        constraints = [
            models.UniqueConstraint(fields=["user", "assembly"], name="one_calendar_link_each")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.assembly_id} {self.generation}"
