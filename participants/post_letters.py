"""Letters by post to people the secretariat cannot e-mail: an address in the
window of a C5/DL envelope, a heading, paragraphs, and where wanted a QR code.

The invitation letter has a layout of its own (participants/letters.py: it
must fit one page with the longest texts). These letters are plain, and run
onto a second page when the text is long (a weekend's programme)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from assembly.pdf_fonts import pdf_fonts
from participants.letters import _qr_matrix, _qr_operators, _wrap

TITLE = "title"
BODY = "body"
MONO = "mono"  # a link typed over by hand
HEADING = "heading"
ITEM = "item"  # a line of a list (a session in a programme): no space after it

_WIDTH, _HEIGHT = A4
_LEFT, _RIGHT = 25 * mm, _WIDTH - 20 * mm
_ADDRESS_TOP = _HEIGHT - 55 * mm
_TEXT_TOP = _HEIGHT - 95 * mm
_NEXT_PAGE_TOP = _HEIGHT - 25 * mm
_BOTTOM = 20 * mm
_QR_SIZE = 32 * mm
_SIZES = {TITLE: 13.0, HEADING: 11.0, BODY: 10.5, ITEM: 10.5, MONO: 8.5}
_SPACE_AFTER = {HEADING: 1 * mm, ITEM: 0.5 * mm}


@dataclass(frozen=True)
class PostLetter:
    address: list[str]
    paragraphs: list[tuple[str, str]]  # (text, one of TITLE, HEADING, BODY, ITEM, MONO)
    qr_url: str = ""  # on the first page, bottom right


def post_letters_pdf(
    letters: Iterable[PostLetter], *, sender: str, title: str
) -> tuple[bytes, int]:
    """One A4 PDF; every letter starts on a new page. Returns it and the
    number of letters."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor(sender)
    regular, bold = pdf_fonts()
    fonts = {TITLE: bold, HEADING: bold, BODY: regular, ITEM: regular, MONO: "Courier"}
    count = 0
    for letter in letters:
        canvas.setFont(regular, 7)
        canvas.drawString(_LEFT, _ADDRESS_TOP + 5 * mm, sender)
        y = _ADDRESS_TOP
        canvas.setFont(regular, 10)
        for line in letter.address:
            canvas.drawString(_LEFT, y, line)
            y -= 12
        if letter.qr_url:
            canvas.addLiteral(
                _qr_operators(_qr_matrix(letter.qr_url), _RIGHT - _QR_SIZE, 40 * mm, _QR_SIZE)
            )
        # Text beside the QR code stays clear of it.
        width = _RIGHT - _LEFT - (_QR_SIZE + 8 * mm if letter.qr_url else 0)
        y = _TEXT_TOP
        for text, style in letter.paragraphs:
            font, size = fonts[style], _SIZES[style]
            if style == HEADING:
                y -= 1.5 * mm
            for line in _wrap(text, font, size, width):
                if y < _BOTTOM:
                    canvas.showPage()
                    y = _NEXT_PAGE_TOP
                canvas.setFont(font, size)
                canvas.drawString(_LEFT, y, line)
                y -= size * 1.3
            y -= _SPACE_AFTER.get(style, 2.5 * mm)
        canvas.showPage()
        count += 1
    canvas.save()
    return buffer.getvalue(), count
