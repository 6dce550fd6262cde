"""Printable table lists and name cards for a weekend (ReportLab).

Table lists: one A4 page per table (number, gespreksleider, members), to put
on the table or hand to the gespreksleider. Name cards: one A4 page per
member, folded along the middle into a tent card; the first name large on
both halves (the upper half upside down, so it reads from both sides of the
table), the table number below it. Plain black on white, big type: they
print well on any office printer. DejaVu Sans, when the system has it, prints
every Latin letter (Ş, ł, ć): the built-in Helvetica stops at Latin-1 and puts
a black square in a name like Şükrü.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from assembly.pdf_fonts import a4_canvas, pdf_fonts

_FONT, _BOLD = pdf_fonts()
_WIDTH, _HEIGHT = A4
_MARGIN = 20 * mm


@dataclass(frozen=True)
class TableSheet:
    number: int
    facilitator: str  # "" when the table has none
    names: list[str]


@dataclass(frozen=True)
class NameCard:
    first_name: str
    table: int


def _fit(text: str, font: str, largest: float, width: float) -> float:
    """The largest font size up to ``largest`` at which ``text`` fits ``width``."""
    measured = stringWidth(text, font, largest)
    if measured <= width:
        return largest
    return max(12.0, largest * width / measured)


def table_lists_pdf(*, title: str, weekend: str, tables: Sequence[TableSheet]) -> bytes:
    """One page per table: title, weekend, table number, gespreksleider, names."""
    buffer = io.BytesIO()
    canvas = a4_canvas(
        buffer, title=_("Tafellijsten – %(weekend)s") % {"weekend": weekend}, author=title
    )
    for sheet in tables:
        y = _HEIGHT - _MARGIN
        canvas.setFont(_FONT, 11)
        canvas.drawString(_MARGIN, y, f"{title} – {weekend}")
        y -= 22 * mm
        canvas.setFont(_BOLD, 40)
        canvas.drawString(_MARGIN, y, _("Tafel %(number)s") % {"number": sheet.number})
        y -= 14 * mm
        leader = sheet.facilitator or _("nog niemand")
        line = _("Gespreksleider: %(name)s") % {"name": leader}
        canvas.setFont(_FONT, _fit(line, _FONT, 16, _WIDTH - 2 * _MARGIN))
        canvas.drawString(_MARGIN, y, line)
        y -= 8 * mm
        canvas.setLineWidth(0.8)
        canvas.line(_MARGIN, y, _WIDTH - _MARGIN, y)
        y -= 12 * mm
        size = 18 if len(sheet.names) <= 12 else 13
        for number, name in enumerate(sheet.names, start=1):
            text = f"{number}.  {name}"
            # A long double-barrelled name gets smaller type, not cut off at the edge.
            canvas.setFont(_FONT, _fit(text, _FONT, size, _WIDTH - 2 * _MARGIN))
            canvas.drawString(_MARGIN, y, text)
            y -= size * 1.6
            if y < _MARGIN:
                canvas.showPage()
                y = _HEIGHT - _MARGIN
        canvas.setFont(_FONT, 10)
        canvas.drawString(
            _MARGIN,
            _MARGIN / 2,
            ngettext("%(count)s persoon", "%(count)s personen", len(sheet.names))
            % {"count": len(sheet.names)},
        )
        canvas.showPage()
    if not tables:
        canvas.setFont(_FONT, 14)
        canvas.drawString(_MARGIN, _HEIGHT - _MARGIN, _("Er zijn nog geen tafels."))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _card_half(canvas: Canvas, card: NameCard, assembly: str) -> None:
    """One half of the tent card, drawn in the lower half of the page (0..H/2)."""
    half = _HEIGHT / 2
    width = _WIDTH - 2 * _MARGIN
    size = _fit(card.first_name, _BOLD, 110, width)
    canvas.setFont(_BOLD, size)
    canvas.drawCentredString(_WIDTH / 2, half * 0.48, card.first_name)
    canvas.setFont(_FONT, 22)
    canvas.drawCentredString(
        _WIDTH / 2, half * 0.22, _("Tafel %(number)s") % {"number": card.table}
    )
    canvas.setFont(_FONT, 10)
    canvas.drawCentredString(_WIDTH / 2, 12 * mm, assembly)


def name_cards_pdf(*, assembly: str, weekend: str, cards: Sequence[NameCard]) -> bytes:
    """One tent card per page: fold along the dashed line, the name faces both sides."""
    buffer = io.BytesIO()
    canvas = a4_canvas(
        buffer, title=_("Naamkaartjes – %(weekend)s") % {"weekend": weekend}, author=assembly
    )
    for card in cards:
        _card_half(canvas, card, assembly)
        canvas.saveState()
        # The upper half, turned 180° around the centre of the page.
        canvas.translate(_WIDTH, _HEIGHT)
        canvas.rotate(180)
        _card_half(canvas, card, assembly)
        canvas.restoreState()
        canvas.saveState()
        canvas.setDash(4, 4)
        canvas.setLineWidth(0.5)
        canvas.setStrokeGray(0.5)
        canvas.line(10 * mm, _HEIGHT / 2, _WIDTH - 10 * mm, _HEIGHT / 2)
        canvas.setFont(_FONT, 8)
        canvas.setFillGray(0.35)
        canvas.drawString(10 * mm, _HEIGHT / 2 + 2 * mm, _("Hier vouwen"))
        canvas.restoreState()
        canvas.showPage()
    if not cards:
        canvas.setFont(_FONT, 14)
        canvas.drawString(_MARGIN, _HEIGHT - _MARGIN, _("Er zijn nog geen tafels."))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
