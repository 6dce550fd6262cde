"""The yearly statement per member (PDF): what the member got from the
assembly in one calendar year, month by month, for the tax return or the
benefit office (uitkeringsinstantie)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from assembly.models import AllowanceMode
from assembly.pdf_fonts import a4_canvas, pdf_fonts
from participants.letters import _wrap, address_lines, postal_address
from participants.selectors_payments import YearFigures

_FONT, _BOLD = pdf_fonts()
_WIDTH, _HEIGHT = A4
_LEFT = 20 * mm
_RIGHT = _WIDTH - 20 * mm
# Right edges of the number columns: month | days | gross | granted | held back | expenses
_COLUMNS = (95 * mm, 120 * mm, 145 * mm, 170 * mm, _RIGHT)


def euro(amount: Decimal) -> str:
    return "€ " + formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def _month_name(month: int) -> str:
    return formats.date_format(dt.date(2000, month, 1), "F").capitalize()


class _Page:
    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = _HEIGHT - 25 * mm

    def need(self, height: float) -> None:
        if self.y - height < 20 * mm:
            self.canvas.showPage()
            self.y = _HEIGHT - 25 * mm

    def line(self, text: str, *, font: str = _FONT, size: float = 10, after: float = 0) -> None:
        self.need(size * 1.4)
        self.canvas.setFont(font, size)
        self.canvas.drawString(_LEFT, self.y, text)
        self.y -= size * 1.4 + after

    def paragraph(self, text: str, *, size: float = 10, after: float = 2 * mm) -> None:
        for wrapped in _wrap(text, _FONT, size, _RIGHT - _LEFT):
            self.line(wrapped, size=size)
        self.y -= after

    def row(self, cells: list[str], *, font: str = _FONT) -> None:
        self.need(14)
        self.canvas.setFont(font, 9)
        self.canvas.drawString(_LEFT, self.y, cells[0])
        for right, cell in zip(_COLUMNS, cells[1:], strict=True):
            self.canvas.drawRightString(right, self.y, cell)
        self.y -= 13


def statement_pdf(figures: YearFigures) -> bytes:
    """One A4 statement; the text is real text, so screen readers and search find it."""
    member = figures.member
    registration = member.registration
    assembly = member.assembly
    buffer = io.BytesIO()
    title = _("Jaaroverzicht vergoedingen %(year)s") % {"year": figures.year}
    canvas = a4_canvas(buffer, title=title, author=assembly.shown_name)
    page = _Page(canvas)
    page.line(assembly.shown_name, size=9, after=4 * mm)
    # The member's own address if they gave one after moving (postal_address).
    address = postal_address(registration)
    lines = (
        address_lines(registration.full_name, address)
        if address is not None
        else [registration.full_name]
    )
    for address_line in lines:
        page.line(address_line)
    page.y -= 6 * mm
    page.line(title, font=_BOLD, size=14, after=2 * mm)
    page.paragraph(
        _("Dit overzicht is gemaakt op %(date)s.")
        % {"date": formats.date_format(timezone.localdate(), "j F Y")}
    )
    page.paragraph(
        _(
            "Hier staat wat u in %(year)s van het %(name)s kreeg: de vergoeding voor uw tijd "
            "(vrijwilligersvergoeding) en de onkosten die u terugkreeg."
        )
        % {"year": figures.year, "name": assembly.shown_name}
    )
    page.y -= 2 * mm
    page.row(
        [
            _("Maand"),
            _("Dagen"),
            _("Vergoeding"),
            _("Toegekend"),
            _("Ingehouden"),
            _("Onkosten"),
        ],
        font=_BOLD,
    )
    for month in figures.months:
        page.row(
            [
                _month_name(month.month),
                str(month.days),
                euro(month.gross),
                euro(month.granted),
                euro(month.capped),
                euro(month.expenses),
            ]
        )
        if month.caps:
            page.line(
                "    " + _("Beperkt door: %(caps)s") % {"caps": ", ".join(sorted(month.caps))},
                size=8,
            )
    page.row(
        [
            _("Totaal"),
            str(figures.days),
            euro(figures.gross),
            euro(figures.granted),
            euro(figures.capped),
            euro(figures.expenses),
        ],
        font=_BOLD,
    )
    page.y -= 4 * mm
    page.paragraph(
        _("Vergoeding voor uw tijd in %(year)s: %(amount)s.")
        % {"year": figures.year, "amount": euro(figures.granted)}
    )
    page.paragraph(
        _("Onkosten terugbetaald in %(year)s: %(amount)s.")
        % {"year": figures.year, "amount": euro(figures.expenses)}
    )
    page.paragraph(
        _("Hiervan is al op uw rekening gestort: %(amount)s.") % {"amount": euro(figures.paid)}
    )
    rules = figures.rules
    if rules is not None:
        page.line(
            _("De maxima voor vrijwilligers in %(year)s:") % {"year": figures.year}, font=_BOLD
        )
        page.paragraph(
            _(
                "%(hour)s per uur (21 jaar en ouder), %(hour_young)s per uur (jonger dan 21), "
                "%(month)s per maand en %(year_cap)s per jaar."
            )
            % {
                "hour": euro(rules.hourly_cap),
                "hour_young": euro(rules.hourly_cap_under_21),
                "month": euro(rules.monthly_cap),
                "year_cap": euro(rules.yearly_cap),
            }
        )
    page.line(_("Wat moet u hiermee doen?"), font=_BOLD)
    if assembly.allowance_mode == AllowanceMode.FEE:
        page.paragraph(
            _(
                "U kreeg een honorarium. Dat is inkomen. Geef het op bij de Belastingdienst, "
                "in uw aangifte over %(year)s."
            )
            % {"year": figures.year}
        )
    else:
        page.paragraph(
            _(
                "Binnen deze maxima is de vergoeding geen inkomen. U hoeft haar dan niet op te "
                "geven bij de Belastingdienst. Wij hielden de maxima al bij: wat erboven kwam, "
                "staat bij 'Ingehouden' en kreeg u niet."
            )
        )
    page.paragraph(
        _(
            "Hebt u een uitkering? Geef dit overzicht aan uw uitkeringsinstantie, bijvoorbeeld "
            "het UWV of de gemeente. Zij willen weten wat u kreeg. Onkosten die u terugkreeg, "
            "zijn geen inkomen."
        )
    )
    page.paragraph(
        _(
            "Bewaar dit overzicht bij uw papieren. Hebt u vragen? Neem contact op met het "
            "secretariaat."
        )
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
