"""The invitation letter: its text, and print-ready PDFs for the print house."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import qrcode
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from assembly.models import Assembly
from assembly.pdf_fonts import a4_canvas, pdf_fonts
from participants.codes import code_display
from participants.models import (
    Invitation,
    Registration,
    Resident,
)
from participants.population import postcode_display
from sessions.models import Weekend

# The registration page (participants:register_start), printed in letters and QR codes.
REGISTER_PATH = "/aanmelden/"


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
    decline: str
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


def contact_phone() -> str:
    configured = getattr(settings, "INVITATION_CONTACT_PHONE", "")
    return configured if isinstance(configured, str) else ""


def contact_sentence(about_url: str = "") -> str:
    """"Who do I ask?" for a letter: by phone too where the secretariat has a
    number, because a letter also reaches people who do not use e-mail."""
    values = {"email": contact_address(), "phone": contact_phone(), "url": about_url}
    if values["phone"] and about_url:
        return _("Hebt u vragen? Bel %(phone)s of mail naar %(email)s. Of kijk op %(url)s.") % (
            values
        )
    if values["phone"]:
        return _("Hebt u vragen? Bel %(phone)s of mail naar %(email)s.") % values
    if about_url:
        return _("Hebt u vragen? Mail naar %(email)s. Of kijk op %(url)s.") % values
    return _("Hebt u vragen? Mail naar %(email)s.") % values


def letter_text(assembly: Assembly) -> LetterText:
    """The letter in Dutch at B1 level (or the active language): short sentences, common words.

    The assembly's own name and question follow the active language too, so the
    letters and e-mails, written with Dutch active, say them in Dutch."""
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    site = settings.SITE_URL
    deadline = (
        _("Meld u aan vóór het einde van %(date)s.")
        % {"date": _date(assembly.registration_deadline)}
        if assembly.registration_deadline
        else _("Meld u zo snel mogelijk aan.")
    )
    return LetterText(
        title=_("Uitnodiging: doe mee met het %(name)s") % {"name": assembly.shown_name},
        intro=_(
            "Wij nodigen u uit voor het %(name)s. Uw adres is gekozen door loting. "
            "Zo krijgt iedereen in Nederland dezelfde kans."
        )
        % {"name": assembly.shown_name},
        what=[
            _(
                "Wat is een burgerberaad? Een groep gewone mensen praat samen over een "
                "belangrijke vraag. Deskundigen vertellen wat zij weten. Daarna geeft de "
                "groep samen een advies aan de politiek."
            ),
            _("U hoeft nergens verstand van te hebben. Uw mening en uw ervaring tellen."),
        ],
        question_label=_("De vraag aan het burgerberaad is:"),
        question=assembly.shown_question,
        dates_label=(
            _("Het burgerberaad komt in deze weekenden bij elkaar:")
            if weekends
            else _("De data van de weekenden krijgt u later.")
        ),
        dates=[_weekend_line(weekend) for weekend in weekends],
        allowance=_("U krijgt een vergoeding voor uw tijd. Ook uw reiskosten krijgt u terug."),
        signup=[
            _("Wilt u meedoen? Meld u aan op %(url)s.") % {"url": site + REGISTER_PATH},
            _(
                "Vul daar uw persoonlijke code in. Of scan de QR-code met de camera van uw "
                "telefoon."
            ),
        ],
        code_label=_("Uw persoonlijke code:"),
        # As the e-mails say it: the QR code opens the page with the code filled in.
        decline=_(
            "Wilt u niet meedoen? Ga dan naar de website of scan de QR-code, en kies "
            "‘Ik doe niet mee’. Dan krijgt u geen herinneringen meer."
        ),
        deadline=deadline,
        after=_(
            "Na de aanmelding loten wij de deelnemers uit alle aanmeldingen. Zo lijkt de "
            "groep op heel Nederland. U hoort daarna of u bent gekozen."
        ),
        contact=contact_sentence(site + assembly.get_absolute_url()),
        closing=_("Met vriendelijke groet,"),
        signature=_("Het secretariaat van het %(name)s") % {"name": assembly.shown_name},
    )


def registration_url(code: str) -> str:
    return f"{settings.SITE_URL}{REGISTER_PATH}?code={code}"


def resident_full_name(resident: Resident) -> str:
    return resident.full_name


def invitee_context(invitation: Invitation) -> dict[str, str]:
    """What every message to an invitee needs: the person, address, code and sign-up link."""
    resident = invitation.resident
    assert resident is not None, "a purged invitation gets no mail"
    return {
        "name": resident_full_name(resident),
        "code": code_display(invitation.code),
        "url": registration_url(invitation.code),
        "email": resident.email,
    }


class PostalAddress(Protocol):
    """An address as the extract (Resident) and a member's own page
    (Registration) both keep it: the postcode normalised, `1234AB`."""

    @property
    def street(self) -> str: ...
    @property
    def house_number(self) -> int | None: ...
    @property
    def house_letter(self) -> str: ...
    @property
    def house_number_addition(self) -> str: ...
    @property
    def postcode(self) -> str: ...
    @property
    def city(self) -> str: ...


def address_lines(name: str, address: PostalAddress) -> list[str]:
    """The lines on an envelope: name, street and number, postcode and town."""
    number = f"{address.house_number}{address.house_letter}"
    if address.house_number_addition:
        number = f"{number}-{address.house_number_addition}"
    postcode = postcode_display(address.postcode)
    return [name, f"{address.street} {number}", f"{postcode}  {address.city.upper()}"]


def resident_address_lines(resident: Resident) -> list[str]:
    return address_lines(resident_full_name(resident), resident)


def postal_address(registration: Registration) -> PostalAddress | None:
    """Where letters to this person go: the address they gave on their own
    page after moving, else the extract's; None once neither is kept."""
    if registration.postcode:
        return registration
    return registration.invitation.resident if registration.invitation_id else None


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


_FONT, _BOLD = pdf_fonts()
_PAGE_WIDTH, _PAGE_HEIGHT = A4
_LEFT = 25 * mm
_RIGHT = _PAGE_WIDTH - 20 * mm
# The address window of a Dutch/European window envelope (DIN 5008 form B, the
# usual 'venster links'): 20 mm from the left, 45 mm from the top, 85 × 45 mm.
# The address starts a little inside it, so it stays visible when the letter shifts.
_ADDRESS_X = 25 * mm
_ADDRESS_TOP = _PAGE_HEIGHT - 55 * mm
_QR_SIZE = 32 * mm
# The window is 85 mm wide from 20 mm; the address keeps 5 mm from both its edges.
_ADDRESS_WIDTH = 75 * mm
_ADDRESS_SIZE = 10.0
_ADDRESS_MIN_SIZE = 8.0


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            *whole, line = _break_word(word, font, size, width)
            lines.extend(whole)
        lines.append(line)
    return lines


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """A word wider than the line (a personal link, above all) in pieces that
    fit: printers leave the edge of the paper blank, so what runs past the
    margin is lost. A piece ends after a "/" where one is near, so a link is
    read and typed in its own parts."""
    pieces: list[str] = []
    while stringWidth(word, font, size) > width:
        fits = 1
        while fits < len(word) and stringWidth(word[: fits + 1], font, size) <= width:
            fits += 1
        slash = word.rfind("/", 0, fits)
        cut = slash + 1 if slash >= fits // 2 else fits
        pieces.append(word[:cut])
        word = word[cut:]
    pieces.append(word)
    return pieces


def _initials(given_names: str) -> str:
    """'Jan-Willem Maria' → 'J.W.M.', as on Dutch envelopes."""
    return "".join(f"{part[0]}." for part in given_names.replace("-", " ").split())


def address_block(resident: Resident) -> list[tuple[str, float]]:
    """The lines in the envelope window, each with its font size.

    Nothing may fall outside the window: the post office does not deliver a
    letter whose address it cannot read. A name that is too long is written
    with initials (J.C.M. van der Berg); a line that is still too long gets a
    smaller letter, and at the smallest size it goes on over two lines.
    """
    lines = resident_address_lines(resident)
    if stringWidth(lines[0], _FONT, _ADDRESS_SIZE) > _ADDRESS_WIDTH:
        lines[0] = " ".join(
            part
            for part in (_initials(resident.given_names), resident.name_prefix, resident.surname)
            if part
        )
    block: list[tuple[str, float]] = []
    for line in lines:
        size = _ADDRESS_SIZE
        while size > _ADDRESS_MIN_SIZE and stringWidth(line, _FONT, size) > _ADDRESS_WIDTH:
            size -= 0.5
        block.extend((part, size) for part in _wrap(line, _FONT, size, _ADDRESS_WIDTH))
    return block


def salutation_line(resident: Resident, size: float) -> tuple[str, float]:
    """"Beste …," with its font size, always within the margins: the whole name
    as in the register; if that does not fit even in a smaller letter, the
    first given name; then initials, as on the envelope; and for a name too
    long even then, no name at all rather than text off the page."""
    rest = [part for part in (resident.name_prefix, resident.surname) if part]
    given = resident.given_names.split()
    names = [
        resident_full_name(resident),
        " ".join(given[:1] + rest),
        " ".join([_initials(resident.given_names), *rest] if given else rest),
    ]
    for name in names:
        line = _("Beste %(name)s,") % {"name": name}
        fitted = size
        while fitted > _ADDRESS_MIN_SIZE and stringWidth(line, _FONT, fitted) > _RIGHT - _LEFT:
            fitted -= 0.5
        if stringWidth(line, _FONT, fitted) <= _RIGHT - _LEFT:
            return line, fitted
    return _("Beste bewoner,"), size


@dataclass(frozen=True)
class _Fit:
    """The body's letter size and the space after a paragraph."""

    size: float
    gap: float


# Tried in order, the first one whose letter ends above _BOTTOM wins: a long
# question or seven weekends with long place names take more lines, and the
# print house prints one sheet per invitee. Tighter spacing first, a smaller
# letter only after that (the readers include people who read with difficulty).
_FITS = (
    _Fit(size=10.5, gap=2.5 * mm),
    _Fit(size=10.5, gap=1.5 * mm),
    _Fit(size=10.0, gap=1.5 * mm),
    _Fit(size=10.0, gap=1.2 * mm),
    _Fit(size=9.5, gap=1.5 * mm),
    _Fit(size=9.0, gap=1.0 * mm),
)
# Printers leave the outer 5 mm or so blank; the last line keeps clear of it.
_BOTTOM = 15 * mm


class _Writer:
    """Writes lines from the top of the page down; with ``draw`` False it only
    measures, to find the size at which the letter fits on its page."""

    def __init__(self, canvas: Canvas, top: float, *, fit: _Fit, draw: bool = True) -> None:
        self.canvas = canvas
        self.y = top
        self.fit = fit
        self.draw = draw

    def line(self, text: str, x: float, *, font: str = _FONT, size: float) -> None:
        if self.draw:
            self.canvas.setFont(font, size)
            self.canvas.drawString(x, self.y, text)

    def paragraph(
        self,
        text: str,
        *,
        font: str = _FONT,
        size: float | None = None,
        after: float | None = None,
        indent: float = 0,
    ) -> None:
        size = size or self.fit.size
        leading = size * 1.3
        for line in _wrap(text, font, size, _RIGHT - _LEFT - indent):
            self.line(line, _LEFT + indent, font=font, size=size)
            self.y -= leading
        self.y -= self.fit.gap if after is None else after


@dataclass(frozen=True)
class _Layout:
    """Where the page-specific parts go, found while drawing the static part."""

    salutation_y: float
    salutation_size: float
    code_y: float
    qr_y: float
    bottom: float


def _draw_static(canvas: Canvas, text: LetterText, *, fit: _Fit, draw: bool = True) -> _Layout:
    """The part that is the same for every invitee: drawn once per PDF, reused per page."""
    writer = _Writer(canvas, _PAGE_HEIGHT - 50 * mm, fit=fit, draw=draw)
    writer.line(text.signature, _ADDRESS_X, size=7)
    writer.y = _PAGE_HEIGHT - 95 * mm
    title_size = fit.size + 2.5
    # A title on one line saves a line; it may shrink to 1 point above the body.
    while title_size > fit.size + 1 and stringWidth(text.title, _BOLD, title_size) > _RIGHT - _LEFT:
        title_size -= 0.5
    writer.paragraph(text.title, font=_BOLD, size=title_size, after=3 * mm)
    salutation_y = writer.y
    writer.y -= fit.size * 1.3 + fit.gap
    writer.paragraph(text.intro)
    for line in text.what:
        writer.paragraph(line)
    writer.paragraph(text.question_label, after=1 * mm)
    writer.paragraph(text.question, font=_BOLD, indent=5 * mm)
    writer.paragraph(text.dates_label, after=1 * mm)
    for line in text.dates:
        writer.paragraph(f"• {line}", size=fit.size - 0.5, after=0.5 * mm, indent=5 * mm)
    writer.y -= 2 * mm
    writer.paragraph(text.allowance)
    signup_top = writer.y
    width_for_text = _RIGHT - _LEFT - _QR_SIZE - 8 * mm
    for line in text.signup:
        for wrapped in _wrap(line, _FONT, fit.size, width_for_text):
            writer.line(wrapped, _LEFT, size=fit.size)
            writer.y -= fit.size * 1.3
        writer.y -= fit.gap
    writer.line(text.code_label, _LEFT, size=fit.size)
    code_y = writer.y - 7.5 * mm
    qr_y = signup_top - _QR_SIZE + 4 * mm
    # Below the code, and below the QR code too: the text after it is full width.
    writer.y = min(writer.y - 13 * mm, qr_y - 2 * mm - fit.size)
    writer.paragraph(text.decline)
    writer.paragraph(text.deadline, font=_BOLD)
    writer.paragraph(text.after)
    writer.paragraph(text.contact)
    writer.paragraph(text.closing, after=1 * mm)
    writer.paragraph(text.signature, after=0)
    return _Layout(
        salutation_y=salutation_y,
        salutation_size=fit.size,
        code_y=code_y,
        qr_y=qr_y,
        # writer.y is one leading below the last line's baseline.
        bottom=writer.y + fit.size * 1.3,
    )


def _fit(canvas: Canvas, text: LetterText) -> _Fit | None:
    """The first layout in which the letter fits its page; None if none does."""
    for fit in _FITS:
        if _draw_static(canvas, text, fit=fit, draw=False).bottom >= _BOTTOM:
            return fit
    return None


def letter_fits(text: LetterText) -> bool:
    """Whether the letter fits one page, at the smallest letter at the latest.
    A letter that does not would print its last lines (the deadline, the
    contact address) in the printer's blank edge, or not at all."""
    return _fit(Canvas(io.BytesIO(), pagesize=A4), text) is not None


def letters_pdf(invitations: Iterable[Invitation], text: LetterText) -> tuple[bytes, int]:
    """One A4 PDF with a letter per invitation (one page each). Returns (pdf, letters)."""
    buffer = io.BytesIO()
    canvas = a4_canvas(buffer, title=text.title, author=text.signature)
    canvas.beginForm("letter")
    layout = _draw_static(canvas, text, fit=_fit(canvas, text) or _FITS[-1])
    canvas.endForm()
    pages = 0
    for invitation in invitations:
        resident = invitation.resident
        if resident is None:
            continue
        canvas.doForm("letter")
        y = _ADDRESS_TOP
        for line, size in address_block(resident):
            canvas.setFont(_FONT, size)
            canvas.drawString(_ADDRESS_X, y, line)
            y -= size * 1.2
        salutation, size = salutation_line(resident, layout.salutation_size)
        canvas.setFont(_FONT, size)
        canvas.drawString(_LEFT, layout.salutation_y, salutation)
        canvas.setFont("Courier-Bold", 16)
        canvas.drawString(_LEFT, layout.code_y, code_display(invitation.code))
        canvas.addLiteral(
            _qr_operators(
                _qr_matrix(registration_url(invitation.code)),
                _RIGHT - _QR_SIZE,
                layout.qr_y,
                _QR_SIZE,
            )
        )
        canvas.showPage()
        pages += 1
    canvas.save()
    return buffer.getvalue(), pages
