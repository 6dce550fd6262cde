"""Stage 1 of the lottery and the invitations it produces.

The draw picks households reproducibly from a recorded seed. A run then turns a
draw's invitations into print-ready letters or sends them by e-mail. Runs are
split into chunks (a batch of letters, a slice of e-mails); each chunk is a
Celery task that can run twice, or be cut off by a killed worker and run again,
without producing a batch twice or sending anyone a second e-mail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import random
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor
from typing import Protocol

import qrcode
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from assembly.models import Assembly, User
from participants.codes import code_display, code_generate
from participants.models import (
    Invitation,
    InvitationDraw,
    InvitationRun,
    LetterBatch,
    Resident,
)
from sessions.models import Weekend

logger = logging.getLogger(__name__)

LETTER_BATCH_SIZE = 500
EMAIL_CHUNK_SIZE = 250
# E-mails claimed in one transaction and sent side by side, one SMTP connection each.
EMAIL_BATCH_SIZE = 10
# How often an e-mail chunk adds its count to the run's progress.
PROGRESS_EVERY = 50
REGISTER_PATH = "/aanmelden/"

# Statuses after which an invitee gets no more e-mail from us.
_NO_MORE_MAIL = (
    Invitation.Status.BOUNCED,
    Invitation.Status.REGISTERED,
    Invitation.Status.DECLINED,
)


class InvitationDrawRefused(Exception):
    """The draw cannot be made as asked; the message says why, for the organiser."""


class InvitationRunRefused(Exception):
    """A run cannot be started now; the message says why, for the organiser."""


# --------------------------------------------------------------------------- draw


@dataclass(frozen=True)
class _Household:
    key: str
    municipality: str
    # (person_ref, resident id), sorted by person_ref.
    residents: tuple[tuple[str, int], ...]


def _birth_date_cutoff(assembly: Assembly) -> dt.date:
    """The latest birth date of someone who is old enough on the first weekend."""
    day = assembly.first_weekend
    try:
        return day.replace(year=day.year - assembly.min_age)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - assembly.min_age, day=28)


def _eligible_households(assembly: Assembly) -> list[_Household]:
    """Households of which nobody has been invited yet, in canonical order (by key)."""
    invited = set(
        Invitation.objects.filter(assembly=assembly, resident__isnull=False).values_list(
            "resident__household_key", flat=True
        )
    )
    rows = Resident.objects.filter(
        assembly=assembly, birth_date__lte=_birth_date_cutoff(assembly)
    ).values_list("household_key", "person_ref", "pk", "municipality")
    members: dict[str, list[tuple[str, int]]] = {}
    municipalities: dict[str, set[str]] = {}
    for key, person_ref, pk, municipality in rows.iterator(chunk_size=10_000):
        if key in invited:
            continue
        members.setdefault(key, []).append((person_ref, pk))
        municipalities.setdefault(key, set()).add(municipality)
    return [
        _Household(key=key, municipality=min(municipalities[key]), residents=tuple(sorted(people)))
        for key, people in sorted(members.items())
    ]


def _input_sha256(households: Sequence[_Household]) -> str:
    digest = hashlib.sha256()
    for household in households:
        refs = ",".join(ref for ref, _pk in household.residents)
        digest.update(f"{household.key}\t{household.municipality}\t{refs}\n".encode())
    return digest.hexdigest()


def apportion(sizes: dict[str, int], count: int) -> dict[str, int]:
    """Largest-remainder (Hamilton) apportionment of `count` over groups of `sizes`.

    Ties in the remainder go to the group whose name sorts first, so the result
    depends on nothing but the input.
    """
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    quotas = {name: Fraction(count * size, total) for name, size in sizes.items()}
    seats = {name: floor(quota) for name, quota in quotas.items()}
    left = count - sum(seats.values())
    by_remainder = sorted(sizes, key=lambda name: (-(quotas[name] - seats[name]), name))
    for name in by_remainder[:left]:
        seats[name] += 1
    return seats


def _choose(
    households: list[_Household], count: int, seed: str, stratify_by: str
) -> list[tuple[_Household, int]]:
    """The chosen households and, for each, the chosen resident's id."""
    rng = random.Random(seed)
    if stratify_by == InvitationDraw.Stratification.MUNICIPALITY:
        groups: dict[str, list[_Household]] = {}
        for household in households:
            groups.setdefault(household.municipality, []).append(household)
        seats = apportion({name: len(group) for name, group in groups.items()}, count)
        chosen: list[_Household] = []
        for name in sorted(groups):
            chosen.extend(rng.sample(groups[name], seats[name]))
    else:
        chosen = rng.sample(households, count)
    chosen.sort(key=lambda household: household.key)
    return [(h, h.residents[rng.randrange(len(h.residents))][1]) for h in chosen]


def _fresh_codes(count: int) -> list[str]:
    """`count` codes unique among themselves and not yet used by any invitation."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        candidates = {code_generate() for _ in range(wanted)} - codes
        taken: set[str] = set()
        pending = list(candidates)
        for start in range(0, len(pending), 5_000):
            taken.update(
                Invitation.objects.filter(code__in=pending[start : start + 5_000]).values_list(
                    "code", flat=True
                )
            )
        codes |= candidates - taken
    return list(codes)


def check_invitation_draw(*, assembly: Assembly, count: int, eligible: int) -> None:
    if count < 1:
        raise InvitationDrawRefused(_("Vraag om minstens één uitnodiging."))
    if count > eligible:
        raise InvitationDrawRefused(
            _(
                "U vraagt %(requested)s uitnodigingen. Er zijn maar %(available)s huishoudens "
                "die nog geen uitnodiging hebben. Vraag om minder uitnodigingen, of lees eerst "
                "meer inwoners in."
            )
            % {"requested": count, "available": eligible}
        )


@transaction.atomic
def invitation_draw(
    *,
    assembly: Assembly,
    count: int,
    seed: str,
    stratify_by: str = "",
    created_by: User | None = None,
) -> InvitationDraw:
    """Draw `count` households, one resident each, and give each an invitation code.

    Reproducible: the same residents and the same seed give the same households
    and the same residents. The input hash records which residents it drew from.
    """
    # Two draws at once could both pick a household; the lock makes them take turns.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    households = _eligible_households(assembly)
    check_invitation_draw(assembly=assembly, count=count, eligible=len(households))
    chosen = _choose(households, count, seed, stratify_by)
    draw = InvitationDraw.objects.create(
        assembly=assembly,
        seed=seed,
        requested=count,
        stratify_by=stratify_by,
        eligible_households=len(households),
        eligible_residents=sum(len(h.residents) for h in households),
        input_sha256=_input_sha256(households),
        created_by=created_by,
    )
    for attempt in range(5):
        codes = _fresh_codes(len(chosen))
        rows = [
            Invitation(assembly=assembly, draw=draw, resident_id=resident_id, code=code)
            for (_household, resident_id), code in zip(chosen, codes, strict=True)
        ]
        try:
            with transaction.atomic():
                Invitation.objects.bulk_create(rows, batch_size=2_000)
            break
        except IntegrityError:
            # Another draw took one of these codes in the meantime: draw new codes.
            logger.warning("invitation code collision draw=%s attempt=%s", draw.pk, attempt)
    else:
        raise IntegrityError("could not find unused invitation codes")
    logger.info(
        "invitation draw id=%s assembly=%s count=%s households=%s",
        draw.pk, assembly.pk, count, len(households),
    )
    return draw


# ---------------------------------------------------------------------------- runs


def _email_targets(draw: InvitationDraw) -> QuerySet[Invitation]:
    return Invitation.objects.filter(draw=draw, resident__isnull=False).exclude(resident__email="")


def _letter_count(draw: InvitationDraw) -> int:
    return Invitation.objects.filter(draw=draw).count()


def letter_batch_count(run: InvitationRun) -> int:
    return ceil(_letter_count(run.draw) / LETTER_BATCH_SIZE)


def email_chunk_count(run: InvitationRun) -> int:
    return ceil(Invitation.objects.filter(draw=run.draw).count() / EMAIL_CHUNK_SIZE)


def invitation_run_start(
    *, draw: InvitationDraw, kind: str, created_by: User | None = None
) -> InvitationRun:
    """Start making letters or sending e-mails for a draw; the work runs in Celery."""
    with transaction.atomic():
        InvitationDraw.objects.select_for_update().filter(pk=draw.pk).first()
        active = InvitationRun.objects.filter(
            draw=draw,
            kind=kind,
            status__in=[InvitationRun.Status.QUEUED, InvitationRun.Status.RUNNING],
        )
        if active.exists():
            raise InvitationRunRefused(
                _("Deze ronde loopt al voor deze trekking. Wacht tot ze klaar is.")
            )
        if kind == InvitationRun.Kind.LETTERS:
            total = _letter_count(draw)
        elif kind == InvitationRun.Kind.EMAILS:
            total = _email_targets(draw).count()
        else:
            raise InvitationRunRefused(_("Deze soort ronde bestaat niet."))
        run = InvitationRun.objects.create(
            assembly=draw.assembly, draw=draw, kind=kind, total=total, created_by=created_by
        )
        if kind == InvitationRun.Kind.EMAILS:
            from participants.services.reminders import reminder_schedule_ensure

            reminder_schedule_ensure(assembly=draw.assembly)
        from participants.tasks import invitation_run_task

        run_id = run.pk
        transaction.on_commit(lambda: invitation_run_task.delay(run_id))
    logger.info("invitation run queued id=%s kind=%s draw=%s", run.pk, kind, draw.pk)
    return run


def invitation_run_dispatch(*, run_id: int) -> int:
    """Mark the run as running and queue its chunks. Returns how many were queued.

    Safe to run again (a redelivered message): the chunks themselves are
    idempotent, so queueing one twice does its work once.
    """
    InvitationRun.objects.filter(pk=run_id, status=InvitationRun.Status.QUEUED).update(
        status=InvitationRun.Status.RUNNING
    )
    run = InvitationRun.objects.select_related("draw").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING:
        return 0
    from participants.tasks import invitation_email_chunk_task, letter_batch_task

    if run.kind == InvitationRun.Kind.LETTERS:
        chunks = letter_batch_count(run)
        for number in range(chunks):
            letter_batch_task.delay(run_id, number)
    else:
        chunks = email_chunk_count(run)
        for number in range(chunks):
            invitation_email_chunk_task.delay(run_id, number)
    if chunks == 0:
        invitation_run_finish_if_complete(run_id=run_id)
    logger.info("invitation run dispatched id=%s chunks=%s", run_id, chunks)
    return chunks


def _chunk_ids(draw_id: int, number: int, size: int) -> list[int]:
    ids = Invitation.objects.filter(draw_id=draw_id).order_by("pk").values_list("pk", flat=True)
    return list(ids[number * size : (number + 1) * size])


def invitation_run_finish_if_complete(*, run_id: int) -> bool:
    """Close the run once every chunk's work is done. Returns True if this call closed it."""
    run = InvitationRun.objects.select_related("draw").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING:
        return False
    if run.kind == InvitationRun.Kind.LETTERS:
        if run.batches.count() < letter_batch_count(run):
            return False
    elif _unsent(run.draw).exists():
        return False
    closed = InvitationRun.objects.filter(pk=run_id, status=InvitationRun.Status.RUNNING).update(
        status=InvitationRun.Status.DONE, done=F("total"), finished_at=timezone.now()
    )
    if closed == 1:
        logger.info("invitation run done id=%s", run_id)
    return closed == 1


def invitation_run_fail(*, run_id: int, error: str) -> None:
    InvitationRun.objects.filter(
        pk=run_id, status__in=[InvitationRun.Status.QUEUED, InvitationRun.Status.RUNNING]
    ).update(status=InvitationRun.Status.FAILED, error=error, finished_at=timezone.now())
    logger.error("invitation run failed id=%s error=%s", run_id, error)


# ---------------------------------------------------------------------- the letter


@dataclass(frozen=True)
class LetterText:
    """What every invitee reads, in the letter and in the e-mail."""

    title: str
    intro: str
    what: list[str]
    question_label: str
    question: str
    dates_label: str
    dates: list[str]
    allowance: str
    signup: list[str]
    code_label: str
    deadline: str
    after: str
    contact: str
    closing: str
    signature: str


def _date(day: dt.date) -> str:
    return formats.date_format(day, "l j F Y")


def _weekend_line(weekend: Weekend) -> str:
    place = f", {weekend.city}" if weekend.city else ""
    if weekend.starts_on == weekend.ends_on:
        return f"{_date(weekend.starts_on)}{place}"
    return f"{_date(weekend.starts_on)} – {_date(weekend.ends_on)}{place}"


def contact_address() -> str:
    configured = getattr(settings, "INVITATION_CONTACT_EMAIL", "")
    if isinstance(configured, str) and configured:
        return configured
    return str(settings.DEFAULT_FROM_EMAIL).rsplit("<", 1)[-1].rstrip(">").strip()


def letter_text(assembly: Assembly) -> LetterText:
    """The letter in Dutch at B1 level (or the active language): short sentences, common words."""
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    site = settings.SITE_URL
    deadline = (
        _("Meld u aan vóór het einde van %(date)s.") % {"date": _date(
            assembly.registration_deadline)}
        if assembly.registration_deadline
        else _("Meld u zo snel mogelijk aan.")
    )
    return LetterText(
        title=_("Uitnodiging: doe mee met het %(name)s") % {"name": assembly.name},
        intro=_(
            "Wij nodigen u uit voor het %(name)s. Uw adres is gekozen door loting. "
            "Zo krijgt iedereen in Nederland dezelfde kans."
        ) % {"name": assembly.name},
        what=[
            _(
                "Wat is een burgerberaad? Een groep gewone mensen praat samen over een "
                "belangrijke vraag. Deskundigen vertellen wat zij weten. Daarna geeft de "
                "groep samen een advies aan de politiek."
            ),
            _("U hoeft nergens verstand van te hebben. Uw mening en uw ervaring tellen."),
        ],
        question_label=_("De vraag aan het burgerberaad is:"),
        question=assembly.question,
        dates_label=(
            _("Het burgerberaad komt in deze weekenden bij elkaar:")
            if weekends
            else _("De data van de weekenden krijgt u later.")
        ),
        dates=[_weekend_line(weekend) for weekend in weekends],
        allowance=_(
            "U krijgt een vergoeding voor uw tijd. Ook uw reiskosten krijgt u terug."
        ),
        signup=[
            _("Wilt u meedoen? Meld u aan op %(url)s.") % {"url": site + REGISTER_PATH},
            _("Vul daar uw persoonlijke code in. Of scan de QR-code met de camera van uw "
              "telefoon."),
        ],
        code_label=_("Uw persoonlijke code:"),
        deadline=deadline,
        after=_(
            "Na de aanmelding loten wij de deelnemers uit alle aanmeldingen. Zo lijkt de "
            "groep op heel Nederland. U hoort daarna of u bent gekozen."
        ),
        contact=_("Hebt u vragen? Mail naar %(email)s. Of kijk op %(url)s.")
        % {"email": contact_address(), "url": site + assembly.get_absolute_url()},
        closing=_("Met vriendelijke groet,"),
        signature=_("Het secretariaat van het %(name)s") % {"name": assembly.name},
    )


def registration_url(code: str) -> str:
    return f"{settings.SITE_URL}{REGISTER_PATH}?code={code}"


def resident_full_name(resident: Resident) -> str:
    return " ".join(
        part for part in (resident.given_names, resident.name_prefix, resident.surname) if part
    )


def resident_address_lines(resident: Resident) -> list[str]:
    number = f"{resident.house_number}{resident.house_letter}"
    if resident.house_number_addition:
        number = f"{number}-{resident.house_number_addition}"
    postcode = f"{resident.postcode[:4]} {resident.postcode[4:]}".strip()
    return [
        resident_full_name(resident),
        f"{resident.street} {number}",
        f"{postcode}  {resident.city.upper()}",
    ]


def _qr_matrix(data: str) -> list[list[bool]]:
    # A fixed mask skips the search over all eight masks (a tenth of the time);
    # every mask gives a valid code that phones read.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def _qr_operators(matrix: list[list[bool]], x: float, y: float, size: float) -> str:
    """PDF operators that fill the dark modules, one rectangle per horizontal run."""
    count = len(matrix)
    module = size / count
    ops = ["q 0 g"]
    for row_index, row in enumerate(matrix):
        top = y + (count - 1 - row_index) * module
        column = 0
        while column < count:
            if not row[column]:
                column += 1
                continue
            start = column
            while column < count and row[column]:
                column += 1
            ops.append(
                f"{x + start * module:.2f} {top:.2f} {(column - start) * module:.2f} "
                f"{module:.2f} re"
            )
    ops.append("f Q")
    return "\n".join(ops)


_FONT = "Helvetica"
_BOLD = "Helvetica-Bold"
_PAGE_WIDTH, _PAGE_HEIGHT = A4
_LEFT = 25 * mm
_RIGHT = _PAGE_WIDTH - 20 * mm
# The address window of a Dutch/European window envelope (DIN 5008 form B, the
# usual 'venster links'): 20 mm from the left, 45 mm from the top, 85 × 45 mm.
# The address starts a little inside it, so it stays visible when the letter shifts.
_ADDRESS_X = 25 * mm
_ADDRESS_TOP = _PAGE_HEIGHT - 55 * mm
_QR_SIZE = 32 * mm


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if stringWidth(candidate, font, size) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


class _Writer:
    """Writes lines from the top of the page down."""

    def __init__(self, canvas: Canvas, top: float) -> None:
        self.canvas = canvas
        self.y = top

    def paragraph(self, text: str, *, font: str = _FONT, size: float = 10.5,
                  after: float = 2.5 * mm, indent: float = 0) -> None:
        leading = size * 1.3
        for line in _wrap(text, font, size, _RIGHT - _LEFT - indent):
            self.canvas.setFont(font, size)
            self.canvas.drawString(_LEFT + indent, self.y, line)
            self.y -= leading
        self.y -= after


@dataclass(frozen=True)
class _Layout:
    """Where the page-specific parts go, found while drawing the static part."""

    salutation_y: float
    code_y: float
    qr_y: float


def _draw_static(canvas: Canvas, text: LetterText) -> _Layout:
    """The part that is the same for every invitee: drawn once per PDF, reused per page."""
    canvas.setFont(_FONT, 7)
    canvas.drawString(_ADDRESS_X, _PAGE_HEIGHT - 50 * mm, text.signature)
    writer = _Writer(canvas, _PAGE_HEIGHT - 95 * mm)
    writer.paragraph(text.title, font=_BOLD, size=13, after=3 * mm)
    salutation_y = writer.y
    writer.y -= 10.5 * 1.3 + 2.5 * mm
    writer.paragraph(text.intro)
    for line in text.what:
        writer.paragraph(line)
    writer.paragraph(text.question_label, after=1 * mm)
    writer.paragraph(text.question, font=_BOLD, indent=5 * mm)
    writer.paragraph(text.dates_label, after=1 * mm)
    for line in text.dates:
        writer.paragraph(f"• {line}", size=10, after=0.5 * mm, indent=5 * mm)
    writer.y -= 2 * mm
    writer.paragraph(text.allowance)
    signup_top = writer.y
    width_for_text = _RIGHT - _LEFT - _QR_SIZE - 8 * mm
    for line in text.signup:
        for wrapped in _wrap(line, _FONT, 10.5, width_for_text):
            canvas.setFont(_FONT, 10.5)
            canvas.drawString(_LEFT, writer.y, wrapped)
            writer.y -= 10.5 * 1.3
        writer.y -= 2.5 * mm
    canvas.setFont(_FONT, 10.5)
    canvas.drawString(_LEFT, writer.y, text.code_label)
    code_y = writer.y - 7.5 * mm
    writer.y -= 15 * mm
    writer.paragraph(text.deadline, font=_BOLD)
    writer.paragraph(text.after)
    writer.paragraph(text.contact)
    writer.paragraph(text.closing, after=1 * mm)
    writer.paragraph(text.signature)
    return _Layout(
        salutation_y=salutation_y, code_y=code_y, qr_y=signup_top - _QR_SIZE + 4 * mm
    )


def letters_pdf(invitations: Iterable[Invitation], text: LetterText) -> tuple[bytes, int]:
    """One A4 PDF with a letter per invitation (one page each). Returns (pdf, letters)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(text.title)
    canvas.setAuthor(text.signature)
    canvas.beginForm("letter")
    layout = _draw_static(canvas, text)
    canvas.endForm()
    pages = 0
    for invitation in invitations:
        resident = invitation.resident
        if resident is None:
            continue
        canvas.doForm("letter")
        y = _ADDRESS_TOP
        for line in resident_address_lines(resident):
            canvas.setFont(_FONT, 10)
            canvas.drawString(_ADDRESS_X, y, line)
            y -= 12
        canvas.setFont(_FONT, 10.5)
        canvas.drawString(
            _LEFT, layout.salutation_y,
            _("Beste %(name)s,") % {"name": resident_full_name(resident)},
        )
        canvas.setFont("Courier-Bold", 16)
        canvas.drawString(_LEFT, layout.code_y, code_display(invitation.code))
        canvas.addLiteral(
            _qr_operators(
                _qr_matrix(registration_url(invitation.code)),
                _RIGHT - _QR_SIZE, layout.qr_y, _QR_SIZE,
            )
        )
        canvas.showPage()
        pages += 1
    canvas.save()
    return buffer.getvalue(), pages


def letter_batch_produce(*, run_id: int, number: int) -> bool:
    """Make batch `number` of a letters run. Returns False if it exists already.

    The batch row, the invitations' status and the run's progress are written in
    one transaction, after the PDF is made; the unique (run, number) makes a
    second producer of the same batch give up.
    """
    run = InvitationRun.objects.select_related("draw", "assembly").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING or run.kind != InvitationRun.Kind.LETTERS:
        return False
    if LetterBatch.objects.filter(run=run, number=number).exists():
        return False
    ids = _chunk_ids(run.draw_id, number, LETTER_BATCH_SIZE)
    invitations = (
        Invitation.objects.filter(pk__in=ids).select_related("resident").order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):
        pdf, letters = letters_pdf(invitations, letter_text(run.assembly))
    batch = LetterBatch(run=run, number=number, letters=letters)
    batch.pdf.save(f"uitnodigingen-{run.pk}-{number + 1:04d}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            batch.save()
            now = timezone.now()
            Invitation.objects.filter(pk__in=ids, letter_produced_at=None).update(
                letter_produced_at=now
            )
            Invitation.objects.filter(pk__in=ids, status=Invitation.Status.DRAWN).update(
                status=Invitation.Status.LETTER_PRODUCED
            )
            InvitationRun.objects.filter(pk=run.pk).update(done=F("done") + len(ids))
    except IntegrityError:
        batch.pdf.delete(save=False)
        return False
    logger.info("letter batch produced run=%s number=%s letters=%s", run.pk, number, letters)
    invitation_run_finish_if_complete(run_id=run.pk)
    return True


# --------------------------------------------------------------------------- e-mail


def invitation_email(invitation: Invitation, text: LetterText) -> EmailMultiAlternatives:
    resident = invitation.resident
    assert resident is not None
    context = {
        "text": text,
        "name": resident_full_name(resident),
        "code": code_display(invitation.code),
        "url": registration_url(invitation.code),
    }
    subject = render_to_string("participants/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject,
        render_to_string("participants/email/invitation.txt", context),
        None,
        [resident.email],
    )
    message.attach_alternative(
        render_to_string("participants/email/invitation.html", context), "text/html"
    )
    return message


class MailSender(Protocol):
    """Sends messages in two steps, so the database can record them in between."""

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        """Everything up to the point where the server takes each message.

        Returns, per message, None (ready to hand over) or why it cannot go.
        """

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        """Hand over the prepared messages at `indices` (for SMTP: the final dot)."""

    def close(self) -> None: ...


class _BackendSender:
    """Any Django mail backend (the development mailbox, the test outbox): sends in prepare()."""

    def __init__(self) -> None:
        self.connection = get_connection()
        self.connection.open()

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        errors: list[Exception | None] = []
        for message in messages:
            message.connection = self.connection
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                errors.append(error)
            else:
                errors.append(None)
        return errors

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        return [None for _index in indices]

    def close(self) -> None:
        self.connection.close()


_EOL = re.compile(rb"(?:\r\n|\n|\r(?!\n))")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _address(sender: str) -> str:
    return sender.rsplit("<", 1)[-1].rstrip(">").strip()


class SmtpSender:
    """SMTP over a few connections at once, stopping each message just before its final dot.

    A server takes a message only when it reads the final dot of DATA.
    Recording the e-mails as sent in between makes the only window for a crash
    the moment between the commit and writing three bytes: a worker killed
    before the commit never delivered them (so they are sent again), one killed
    after it did (so they are not). Each message of a batch has its own
    connection, and every step goes out on all of them before the replies are
    read, so the server works on the whole batch at once.
    """

    def __init__(self, connections: int = 10) -> None:
        self.size = connections
        self.pool: list[smtplib.SMTP | None] = [None] * connections

    def _open(self) -> smtplib.SMTP:
        timeout = settings.EMAIL_TIMEOUT or 30
        smtp: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            smtp = smtplib.SMTP_SSL(
                settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
        if settings.EMAIL_HOST_USER:
            smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        smtp.ehlo_or_helo_if_needed()
        if smtp.sock is not None:
            # The final dot is a small write right after the message: without
            # this, Nagle's algorithm holds it back until the server's delayed ACK.
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return smtp

    def _connection(self, index: int) -> smtplib.SMTP:
        smtp = self.pool[index]
        if smtp is None:
            smtp = self.pool[index] = self._open()
        return smtp

    def _drop(self, index: int) -> None:
        smtp = self.pool[index]
        self.pool[index] = None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                logger.debug("closing an SMTP connection failed")

    def _step(
        self, live: list[int], errors: list[Exception | None],
        command: Callable[[smtplib.SMTP, int], None],
        check: Callable[[int, int, bytes], Exception | None],
    ) -> None:
        """Send one command on every live connection, then read every reply."""
        sent: list[int] = []
        for index in live:
            if errors[index] is not None:
                continue
            try:
                command(self._connection(index), index)
                sent.append(index)
            except OSError as error:
                errors[index] = error
                self._drop(index)
        for index in sent:
            smtp = self.pool[index]
            assert smtp is not None
            try:
                code, reply = smtp.getreply()
            except OSError as error:
                errors[index] = error
                self._drop(index)
                continue
            errors[index] = check(index, code, reply)
            if errors[index] is not None:
                try:
                    smtp.rset()
                except OSError:
                    self._drop(index)

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        if len(messages) > self.size:
            raise ValueError("more messages than connections")
        errors: list[Exception | None] = [None] * len(messages)
        live = list(range(len(messages)))
        senders = [_address(m.from_email or settings.DEFAULT_FROM_EMAIL) for m in messages]
        recipients = [m.recipients() for m in messages]

        def mail(smtp: smtplib.SMTP, index: int) -> None:
            smtp.putcmd("mail", f"FROM:<{senders[index]}>")

        def mail_ok(index: int, code: int, reply: bytes) -> Exception | None:
            return None if code == 250 else smtplib.SMTPSenderRefused(code, reply, senders[index])

        self._step(live, errors, mail, mail_ok)
        for position in range(max((len(r) for r in recipients), default=0)):
            with_recipient = [i for i in live if position < len(recipients[i])]

            def rcpt(smtp: smtplib.SMTP, index: int, position: int = position) -> None:
                smtp.putcmd("rcpt", f"TO:<{recipients[index][position]}>")

            def rcpt_ok(index: int, code: int, reply: bytes, position: int = position
                        ) -> Exception | None:
                if code in (250, 251):
                    return None
                return smtplib.SMTPRecipientsRefused(
                    {recipients[index][position]: (code, reply)}
                )

            self._step(with_recipient, errors, rcpt, rcpt_ok)

        def data(smtp: smtplib.SMTP, index: int) -> None:
            smtp.putcmd("data")

        def data_ok(index: int, code: int, reply: bytes) -> Exception | None:
            return None if code == 354 else smtplib.SMTPDataError(code, reply)

        self._step(live, errors, data, data_ok)
        for index in live:
            if errors[index] is not None:
                continue
            raw = messages[index].message().as_bytes()
            payload = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", raw))
            if not payload.endswith(b"\r\n"):
                payload += b"\r\n"
            try:
                self._connection(index).send(payload)
            except OSError as error:
                errors[index] = error
                self._drop(index)
        return errors

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        errors: list[Exception | None] = [None] * len(indices)
        written: list[int] = []
        for position, index in enumerate(indices):
            smtp = self.pool[index]
            try:
                assert smtp is not None
                smtp.send(b".\r\n")
                written.append(position)
            except (OSError, AssertionError) as error:
                errors[position] = OSError(str(error))
                self._drop(index)
        for position in written:
            index = indices[position]
            smtp = self.pool[index]
            assert smtp is not None
            try:
                code, reply = smtp.getreply()
            except OSError as error:
                errors[position] = error
                self._drop(index)
                continue
            if code != 250:
                errors[position] = smtplib.SMTPDataError(code, reply)
        return errors

    def close(self) -> None:
        for index, smtp in enumerate(self.pool):
            if smtp is None:
                continue
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._drop(index)
            self.pool[index] = None


def mail_sender() -> MailSender:
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpSender(connections=EMAIL_BATCH_SIZE)
    return _BackendSender()


def _bounced(error: Exception) -> bool:
    """The server refused the address for good: that invitee cannot get e-mail from us."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _reply in error.recipients.values())
    return False


def _emailed_status() -> Case:
    return Case(
        When(
            status__in=[Invitation.Status.DRAWN, Invitation.Status.LETTER_PRODUCED],
            then=Value(Invitation.Status.EMAILED),
        ),
        default=F("status"),
    )


def _release(ids: Sequence[int]) -> None:
    """Undo a claim: the e-mail did not reach the server, so a retry may send it."""
    Invitation.objects.filter(pk__in=ids).update(
        email_claimed_at=None,
        emailed_at=None,
        status=Case(
            When(letter_produced_at__isnull=False, then=Value(Invitation.Status.LETTER_PRODUCED)),
            default=Value(Invitation.Status.DRAWN),
        ),
    )


def invitation_emails_send_once(
    *, messages: Mapping[int, EmailMessage], sender: MailSender
) -> int:
    """Send invitation e-mails (invitation id → message), each unless it was sent already.

    Returns how many this call sent. The claim (email_claimed_at, emailed_at,
    status) is taken under a row lock on invitations nobody has claimed; the
    commit happens when the server has each whole message except its final
    dot. A second sender skips the locked rows and finds the committed ones
    claimed. Raises the first temporary error after the rest went out, so
    the task is retried for those.
    """
    try:
        with transaction.atomic():
            ids = list(
                Invitation.objects.filter(pk__in=list(messages), email_claimed_at=None,
                                          emailed_at=None)
                .exclude(status__in=_NO_MORE_MAIL)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                return 0
            now = timezone.now()
            Invitation.objects.filter(pk__in=ids).update(
                email_claimed_at=now, emailed_at=now, status=_emailed_status()
            )
            errors = sender.prepare([messages[pk] for pk in ids])
            bounced = [pk for pk, e in zip(ids, errors, strict=True) if e and _bounced(e)]
            failed = [pk for pk, e in zip(ids, errors, strict=True) if e and not _bounced(e)]
            if bounced:
                Invitation.objects.filter(pk__in=bounced).update(
                    emailed_at=None, status=Invitation.Status.BOUNCED
                )
                logger.warning("invitation e-mails refused invitations=%s", bounced)
            if failed:
                _release(failed)
    except BaseException:
        # Messages may be half-way on their connections: start afresh.
        sender.close()
        raise
    ready = [index for index, error in enumerate(errors) if error is None]
    outcomes = sender.finish(ready)
    refused = [ids[ready[n]] for n, e in enumerate(outcomes)
               if isinstance(e, smtplib.SMTPResponseException)]
    unconfirmed = [ids[ready[n]] for n, e in enumerate(outcomes)
                   if e is not None and not isinstance(e, smtplib.SMTPResponseException)]
    if refused:
        # The server answered that it refused these: not delivered, so a retry may send them.
        _release(refused)
    if unconfirmed:
        # The connection broke after the dot was written: the server may have
        # these. Sending them again could mean a second e-mail; we do not.
        logger.warning("invitation e-mails unconfirmed invitations=%s", unconfirmed)
    temporary = [e for e in errors if e is not None and not _bounced(e)] + [
        e for e in outcomes if isinstance(e, smtplib.SMTPResponseException)
    ]
    if temporary:
        # The others went out and are recorded; a retry of the task sends these.
        raise temporary[0]
    return len(ready) - len(refused)


def _unsent(draw: InvitationDraw) -> QuerySet[Invitation]:
    return _email_targets(draw).filter(emailed_at=None).exclude(status__in=_NO_MORE_MAIL)


def invitation_email_chunk_send(
    *, run_id: int, number: int, sender_factory: Callable[[], MailSender] = mail_sender
) -> int:
    """Send the e-mails of chunk `number` of a run. Returns how many this call sent."""
    run = InvitationRun.objects.select_related("draw", "assembly").get(pk=run_id)
    if run.status != InvitationRun.Status.RUNNING or run.kind != InvitationRun.Kind.EMAILS:
        return 0
    ids = _chunk_ids(run.draw_id, number, EMAIL_CHUNK_SIZE)
    pending = list(
        _unsent(run.draw).filter(pk__in=ids).select_related("resident").order_by("pk")
    )
    sent = 0
    unflushed = 0
    if pending:
        sender = sender_factory()
        try:
            with translation.override(settings.LANGUAGE_CODE):
                text = letter_text(run.assembly)
                for start in range(0, len(pending), EMAIL_BATCH_SIZE):
                    batch = pending[start : start + EMAIL_BATCH_SIZE]
                    messages = {invitation.pk: invitation_email(invitation, text)
                                for invitation in batch}
                    count = invitation_emails_send_once(messages=messages, sender=sender)
                    sent += count
                    unflushed += count
                    if unflushed >= PROGRESS_EVERY:
                        InvitationRun.objects.filter(pk=run_id).update(done=F("done") + unflushed)
                        unflushed = 0
        finally:
            if unflushed:
                InvitationRun.objects.filter(pk=run_id).update(done=F("done") + unflushed)
            sender.close()
    logger.info("invitation e-mail chunk run=%s number=%s sent=%s", run_id, number, sent)
    invitation_run_finish_if_complete(run_id=run_id)
    return sent


# --------------------------------------------------------------------------- reads


def invitation_status_counts(*, assembly: Assembly) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the order of the path."""
    counts = dict(
        Invitation.objects.filter(assembly=assembly)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in
            Invitation.Status.choices]


def invitation_email_known_count(*, assembly: Assembly) -> int:
    return (
        Invitation.objects.filter(assembly=assembly, resident__isnull=False)
        .exclude(resident__email="")
        .count()
    )


def invitation_export_rows(*, assembly: Assembly, draw: InvitationDraw | None = None
                           ) -> Iterator[list[str]]:
    """Rows for the print house's mail-merge: a header, then one row per invitation."""
    yield [
        "uitnodiging", "trekking", "code", "code_leesbaar", "naam", "adres", "postcode",
        "woonplaats", "gemeente", "link", "status",
    ]
    invitations = Invitation.objects.filter(
        assembly=assembly, resident__isnull=False
    ).select_related("resident").order_by("draw_id", "pk")
    if draw is not None:
        invitations = invitations.filter(draw=draw)
    for invitation in invitations.iterator(chunk_size=2_000):
        resident = invitation.resident
        assert resident is not None
        lines = resident_address_lines(resident)
        yield [
            _cell(value)
            for value in (
                str(invitation.pk), str(invitation.draw_id), invitation.code,
                code_display(invitation.code), lines[0], lines[1],
                f"{resident.postcode[:4]} {resident.postcode[4:]}", resident.city,
                resident.municipality, registration_url(invitation.code), invitation.status,
            )
        ]


def _cell(value: str) -> str:
    """A spreadsheet would run a cell that starts with = + - @ as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
