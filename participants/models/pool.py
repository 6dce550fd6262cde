"""The pool: the population extract, the invitation draw, invitations and
reminders, and registrations."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly, User, in_reader_language, reads_english
from participants.codes import code_display
from sessions.models import Weekend


class ShownError:
    """For a job whose failure is stored in both languages (``error`` in Dutch,
    ``error_en``; see assembly.models.both_languages): the failure in the
    reader's language. Rows from before ``error_en`` show their one text."""

    error: str
    error_en: str

    @property
    def shown_error(self) -> str:
        return in_reader_language(self.error, self.error_en)


class PopulationImport(ShownError, models.Model):
    """One extract of the population register (BRP), imported for an assembly."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        IMPORTED = "imported", _("Ingelezen")
        REJECTED = "rejected", _("Geweigerd")
        FAILED = "failed", _("Mislukt")
        # The organiser took a wrong extract back before anyone was invited:
        # its residents are deleted, the row stays as the record of it.
        UNDONE = "undone", _("Ongedaan gemaakt")

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="population_imports"
    )
    file_name = models.CharField(_("bestand"), max_length=255)
    file_sha256 = models.CharField(_("controlegetal (SHA-256)"), max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("ingelezen op"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    skip_invalid = models.BooleanField(_("foute regels overslaan"), default=False)
    rows_total = models.PositiveIntegerField(_("regels"), default=0)
    rows_imported = models.PositiveIntegerField(_("ingelezen"), default=0)
    rows_skipped = models.PositiveIntegerField(_("overgeslagen (fout)"), default=0)
    rows_underage = models.PositiveIntegerField(_("te jong"), default=0)
    # Each problem: {"row": int, "column": str, "code": str, "nl": str, "en": str}.
    problems = models.JSONField(_("problemen"), default=list, blank=True)
    # A large upload waits here for the Celery task that reads it; the file is
    # deleted as soon as the import has finished or failed (it holds BRP data).
    upload = models.FileField(_("bestand"), upload_to="population/%Y/%m/", blank=True)
    # Percentage, for the progress bar while a queued import runs.
    progress = models.PositiveSmallIntegerField(_("voortgang"), default=100)
    error = models.TextField(_("foutmelding"), blank=True)
    error_en = models.TextField(_("foutmelding in het Engels"), blank=True)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("uittreksel BRP")
        verbose_name_plural = _("uittreksels BRP")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d})"


class Resident(models.Model):
    """A person in the population extract: a candidate for an invitation letter."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="residents")
    population_import = models.ForeignKey(
        PopulationImport, on_delete=models.CASCADE, related_name="residents"
    )
    person_ref = models.CharField(_("persoonsnummer"), max_length=40)
    given_names = models.CharField(_("voornamen"), max_length=200)
    name_prefix = models.CharField(_("voorvoegsel"), max_length=20, blank=True)
    surname = models.CharField(_("geslachtsnaam"), max_length=200)
    street = models.CharField(_("straat"), max_length=200)
    house_number = models.PositiveIntegerField(_("huisnummer"))
    house_letter = models.CharField(_("huisletter"), max_length=1, blank=True)
    house_number_addition = models.CharField(_("toevoeging"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6)
    city = models.CharField(_("woonplaats"), max_length=100)
    municipality = models.CharField(_("gemeente"), max_length=100)
    birth_date = models.DateField(_("geboortedatum"))
    email = models.EmailField(_("e-mailadres"), blank=True)
    # One household = one normalised address: postcode + number + letter +
    # addition, without case, spaces or hyphens.
    household_key = models.CharField(_("huishouden"), max_length=40)

    class Meta:
        verbose_name = _("inwoner")
        verbose_name_plural = _("inwoners")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "person_ref"], name="unique_resident_per_assembly"
            )
        ]
        indexes = [models.Index(fields=["assembly", "household_key"])]

    def __str__(self) -> str:
        return self.person_ref

    @property
    def full_name(self) -> str:
        """"Jan de Vries": given names, prefix and surname as the letter prints them."""
        return " ".join(part for part in (self.given_names, self.name_prefix, self.surname) if part)


class InvitationDraw(ShownError, models.Model):
    """Stage 1 of the lottery: which households get a letter, reproducible from the seed.

    The organiser's page queues the draw for Celery (status queued → running →
    done or failed); the management command draws at once (status done).
    """

    class Stratification(models.TextChoices):
        NONE = "", _("Geen: heel Nederland samen")
        MUNICIPALITY = "municipality", _("Naar rato per gemeente")
        PROVINCE = "province", _("Naar rato per provincie")

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="invitation_draws"
    )
    seed = models.CharField(_("startgetal (seed)"), max_length=64)
    requested = models.PositiveIntegerField(_("aantal uitnodigingen"))
    stratify_by = models.CharField(
        _("verdeling"), max_length=20, choices=Stratification.choices, blank=True, default=""
    )
    eligible_households = models.PositiveIntegerField(_("huishoudens om uit te kiezen"), default=0)
    eligible_residents = models.PositiveIntegerField(_("inwoners om uit te kiezen"), default=0)
    input_sha256 = models.CharField(_("controlegetal van de invoer"), max_length=64, blank=True)
    # What the draw chose from, so that it can be made again from its seed after
    # later extracts and draws: the residents up to this id, born on or before
    # this day, without the households invited up to this invitation id (0: none).
    residents_up_to = models.PositiveBigIntegerField(_("inwoners tot en met nummer"), null=True)
    born_on_or_before = models.DateField(_("geboren op of voor"), null=True)
    invitations_up_to = models.PositiveBigIntegerField(
        _("eerdere uitnodigingen tot en met nummer"), null=True
    )
    # Set by the code that writes the invitations with code_generate()
    # (participants/codes.py), not by default: a draw that an older worker
    # wrote, or one from before the check character, stays False, and its
    # codes keep counting as guesses (participants/selectors_registration.py).
    codes_have_check_character = models.BooleanField(
        _("codes met controleteken"), default=False, editable=False
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("getrokken op"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DONE
    )
    # Percentage, for the progress bar while a queued draw runs.
    progress = models.PositiveSmallIntegerField(_("voortgang"), default=100)
    error = models.TextField(_("foutmelding"), blank=True)
    error_en = models.TextField(_("foutmelding in het Engels"), blank=True)
    started_at = models.DateTimeField(_("begonnen op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("trekking van uitnodigingen")
        verbose_name_plural = _("trekkingen van uitnodigingen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assembly} – {self.requested} ({self.seed})"


class Invitation(models.Model):
    class Status(models.TextChoices):
        DRAWN = "drawn", _("Getrokken")
        LETTER_PRODUCED = "letter", _("Brief gemaakt")
        EMAILED = "emailed", _("E-mail verstuurd")
        BOUNCED = "bounced", _("E-mail kwam terug")
        REGISTERED = "registered", _("Aangemeld")
        DECLINED = "declined", _("Doet niet mee")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    draw = models.ForeignKey(InvitationDraw, on_delete=models.CASCADE, related_name="invitations")
    # Null once the resident's data is purged; the invitation's status stays for the counts.
    resident = models.OneToOneField(
        Resident, on_delete=models.SET_NULL, null=True, related_name="invitation"
    )
    code = models.CharField(_("persoonlijke code"), max_length=20, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAWN
    )
    letter_produced_at = models.DateTimeField(_("brief gemaakt op"), null=True, blank=True)
    # Set when a task claims the e-mail, so the e-mail goes out once.
    email_claimed_at = models.DateTimeField(_("e-mail geclaimd op"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mail verstuurd op"), null=True, blank=True)
    # False from the claim until the mail server has answered the final dot.
    # A worker killed in between leaves it false: that e-mail may or may not
    # have arrived; it is not sent again, and the organiser sees it counted
    # as uncertain (as InvitationReminder.delivered).
    email_delivered = models.BooleanField(
        _("e-mail aangenomen door de mailserver"), default=True
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        indexes = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return f"{self.assembly_id}:{self.pk}"

    @property
    def shown_code(self) -> str:
        """The code as the letter prints it (``ABCD-EFGH-JKL``)."""
        return code_display(self.code)


class InvitationReminder(models.Model):
    """One reminder to one invitee; the unique row makes a second send impossible.

    The row is the claim, written before the e-mail goes out; ``delivered``
    turns true once the mail server has accepted it. A worker killed in
    between leaves it false: that one reminder may or may not have arrived.
    It is not sent again (nobody gets two), and the organiser sees it counted
    as uncertain.

    ``due_on`` is the day the reminder was planned for: the deadline it
    announced minus ``days_before``. Unique per invitation, so that a moved
    deadline gets reminders of its own, and nobody gets two on one day."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("dagen voor de sluiting"))
    due_on = models.DateField(_("gepland op"))
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)
    delivered = models.BooleanField(_("aangenomen door de mailserver"), default=True)

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "due_on"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} −{self.days_before}"


class InvitationRun(ShownError, models.Model):
    """A long job over a draw's invitations (letters or e-mails), with its progress."""

    class Kind(models.TextChoices):
        LETTERS = "letters", _("Brieven maken")
        EMAILS = "emails", _("E-mails versturen")

    class Status(models.TextChoices):
        QUEUED = "queued", _("In de wachtrij")
        RUNNING = "running", _("Bezig")
        DONE = "done", _("Klaar")
        FAILED = "failed", _("Mislukt")

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="+")
    draw = models.ForeignKey(InvitationDraw, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("totaal"), default=0)
    done = models.PositiveIntegerField(_("klaar"), default=0)
    error = models.TextField(_("foutmelding"), blank=True)
    error_en = models.TextField(_("foutmelding in het Engels"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("verzendronde")
        verbose_name_plural = _("verzendrondes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done}/{self.total}"


class LetterBatch(models.Model):
    """A print-ready PDF of invitation letters for the print house."""

    run = models.ForeignKey(InvitationRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField(_("nummer"))
    pdf = models.FileField(_("PDF"), upload_to="letters/%Y/%m/")
    letters = models.PositiveIntegerField(_("brieven"))
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("stapel brieven")
        verbose_name_plural = _("stapels brieven")
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="unique_batch_number")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}-{self.number}"


class AttitudeQuestion(models.Model):
    """An assembly's own question about opinions (special-category data under the AVG)."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="attitude_questions"
    )
    key = models.SlugField(_("korte naam"), max_length=40)
    text = models.CharField(_("vraag"), max_length=300)
    choices = models.TextField(_("antwoorden"), help_text=_("Eén antwoord per regel."))
    # English is the site's second language. The stored answer is always the
    # Dutch one, so quotas and counts do not depend on the language used.
    text_en = models.CharField(
        _("vraag in het Engels"),
        max_length=300,
        blank=True,
        help_text=_("Voor wie de site in het Engels gebruikt. Leeg: de Nederlandse vraag."),
    )
    choices_en = models.TextField(
        _("antwoorden in het Engels"),
        blank=True,
        help_text=_(
            "Eén antwoord per regel, in dezelfde volgorde als de Nederlandse."
            " Leeg: de Nederlandse antwoorden."
        ),
    )
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("vraag over uw mening")
        verbose_name_plural = _("vragen over uw mening")
        ordering = ["assembly", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "key"], name="unique_attitude_key")
        ]

    def __str__(self) -> str:
        return self.text

    def choice_list(self) -> list[str]:
        return answer_lines(self.choices)

    def shown_text(self) -> str:
        """The question in the visitor's language (Dutch where no English is given)."""
        return self.text_en if self.text_en and reads_english() else self.text

    def shown_choices(self) -> list[tuple[str, str]]:
        """(stored answer, label) per answer: the stored answer is the Dutch one;
        the label is English for English visitors when every answer has one."""
        values = self.choice_list()
        labels = answer_lines(self.choices_en)
        if not reads_english() or len(labels) != len(values):
            labels = values
        return list(zip(values, labels, strict=True))

    def shown_answer(self, stored: str) -> str:
        return dict(self.shown_choices()).get(stored, stored)


def answer_lines(text: str) -> list[str]:
    """One answer per non-empty line, trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Gender(models.TextChoices):
    WOMAN = "vrouw", _("Vrouw")
    MAN = "man", _("Man")
    OTHER = "anders", _("Anders")


class Education(models.TextChoices):
    LOW = "laag", _("Basisschool, vmbo, mbo 1")
    MIDDLE = "midden", _("Havo, vwo, mbo 2 tot en met 4")
    HIGH = "hoog", _("Hbo of universiteit")


class Province(models.TextChoices):
    GRONINGEN = "Groningen", "Groningen"
    FRIESLAND = "Friesland", "Fryslân"
    DRENTHE = "Drenthe", "Drenthe"
    OVERIJSSEL = "Overijssel", "Overijssel"
    FLEVOLAND = "Flevoland", "Flevoland"
    GELDERLAND = "Gelderland", "Gelderland"
    UTRECHT = "Utrecht", "Utrecht"
    NOORD_HOLLAND = "Noord-Holland", "Noord-Holland"
    ZUID_HOLLAND = "Zuid-Holland", "Zuid-Holland"
    ZEELAND = "Zeeland", "Zeeland"
    NOORD_BRABANT = "Noord-Brabant", "Noord-Brabant"
    LIMBURG = "Limburg", "Limburg"


class Urbanisation(models.TextChoices):
    VERY_STRONG = "zeer sterk", _("Grote stad, heel druk")
    STRONG = "sterk", _("Stad")
    MODERATE = "matig", _("Kleine stad")
    LOW = "weinig", _("Dorp")
    NONE = "niet", _("Platteland, buitengebied")


class MigrationBackground(models.TextChoices):
    NONE = "geen", _("Nee, ik en mijn ouders zijn in Nederland geboren")
    EUROPEAN = "europees", _("Ja, in een ander land in Europa")
    NON_EUROPEAN = "buiten-europees", _("Ja, in een land buiten Europa")


# Erased rows keep their place (counts, ids) but no way to reach the person.
ERASED_EMAIL_PREFIX = "gewist-"
# A member's own postal address on Registration, in the order of an envelope.
ADDRESS_FIELDS = (
    "street", "house_number", "house_letter", "house_number_addition", "postcode", "city",
)


class Registration(models.Model):
    """A citizen's sign-up, reached with the personal code from the letter."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aangemeld")
        WITHDRAWN = "withdrawn", _("Afgemeld")

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="registration"
    )
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    consent_at = models.DateTimeField(_("toestemming gegeven op"))
    consent_version = models.CharField(_("versie van de uitleg"), max_length=20)
    full_name = models.CharField(_("naam"), max_length=200)
    # Empty for someone the secretariat signed up by phone who has no e-mail
    # address (participants.views.registration_desk): news then comes by post.
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    # The postal address a member gave on their own page (participants
    # .views.details) after moving; empty until then. Letters go here rather than to the
    # extract's address (participants.letters.postal_address), which stays as
    # the BRP gave it: the invitation draw is replayed from the extract.
    street = models.CharField(_("straat"), max_length=200, blank=True)
    house_number = models.PositiveIntegerField(_("huisnummer"), null=True, blank=True)
    house_letter = models.CharField(_("huisletter"), max_length=1, blank=True)
    house_number_addition = models.CharField(_("toevoeging"), max_length=10, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    city = models.CharField(_("woonplaats"), max_length=100, blank=True)
    birth_date = models.DateField(_("geboortedatum"))
    gender = models.CharField(_("geslacht"), max_length=20, choices=Gender.choices)
    education = models.CharField(_("opleiding"), max_length=20, choices=Education.choices)
    province = models.CharField(_("provincie"), max_length=20, choices=Province.choices)
    urbanisation = models.CharField(_("woonomgeving"), max_length=20, choices=Urbanisation.choices)
    migration_background = models.CharField(
        _("migratieachtergrond"), max_length=20, choices=MigrationBackground.choices
    )
    attitude_answers = models.JSONField(_("antwoorden over uw mening"), default=dict)
    available_weekends = models.ManyToManyField(
        Weekend, blank=True, related_name="+", verbose_name=_("kan op deze weekenden")
    )
    needs_mobility = models.BooleanField(_("hulp bij bewegen of rolstoel"), default=False)
    needs_childcare = models.BooleanField(_("opvang voor kinderen"), default=False)
    needs_language_help = models.BooleanField(_("hulp met taal"), default=False)
    # The language the person registered in: later e-mails (the lottery's
    # outcome) are written in it.
    language = models.CharField(_("taal"), max_length=8, default="nl")
    diet = models.CharField(_("eten"), max_length=200, blank=True)
    needs_other = models.TextField(_("iets anders"), blank=True)
    created_at = models.DateTimeField(_("aangemeld op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    withdrawn_at = models.DateTimeField(_("afgemeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        indexes = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return f"{self.assembly_id}:{self.pk}"
