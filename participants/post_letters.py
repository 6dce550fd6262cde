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

from assembly.pdf_fonts import a4_canvas, pdf_fonts
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
# Where an item's text starts after its column (a time: "10:00–10:30").
_ITEM_INDENT = 26 * mm


@dataclass(frozen=True)
class PostLetter:
    address: list[str]
    # (text, one of TITLE, HEADING, BODY, ITEM, MONO). An ITEM may hold a
    # tab: what comes before it (a time) stands in a column of its own.
    paragraphs: list[tuple[str, str]]
    qr_url: str = ""  # on the first page, bottom right
    # At the top of every further page, so a loose sheet finds its letter.
    running_head: str = ""


def post_letters_pdf(
    letters: Iterable[PostLetter], *, sender: str, title: str
) -> tuple[bytes, int]:
    """One A4 PDF; every letter starts on a new page. Returns it and the
    number of letters."""
    buffer = io.BytesIO()
    canvas = a4_canvas(buffer, title=title, author=sender)
    count = 0
    for letter in letters:
        _LetterWriter(canvas, letter).write(sender)
        count += 1
    canvas.save()
    return buffer.getvalue(), count


class _LetterWriter:
    """Lays out one letter: the address in the window, then the paragraphs
    from the top of the text area down, onto further pages as needed."""

    def __init__(self, canvas: Canvas, letter: PostLetter) -> None:
        self.canvas = canvas
        self.letter = letter
        self.regular, bold = pdf_fonts()
        self.fonts = {
            TITLE: bold,
            HEADING: bold,
            BODY: self.regular,
            ITEM: self.regular,
            MONO: "Courier",
        }
        # On the first page the text stays clear of the QR code beside it.
        self.width = _RIGHT - _LEFT - (_QR_SIZE + 8 * mm if letter.qr_url else 0)
        self.y = _TEXT_TOP
        self.page = 1

    def write(self, sender: str) -> None:
        canvas = self.canvas
        canvas.setFont(self.regular, 7)
        canvas.drawString(_LEFT, _ADDRESS_TOP + 5 * mm, sender)
        canvas.setFont(self.regular, 10)
        for number, line in enumerate(self.letter.address):
            canvas.drawString(_LEFT, _ADDRESS_TOP - 12 * number, line)
        if self.letter.qr_url:
            canvas.addLiteral(
                _qr_operators(_qr_matrix(self.letter.qr_url), _RIGHT - _QR_SIZE, 40 * mm, _QR_SIZE)
            )
        previous = ""
        for text, style in self.letter.paragraphs:
            if style == HEADING or (previous == ITEM and style != ITEM):
                self.y -= 1.5 * mm
            if style == ITEM and "\t" in text:
                column, text = text.split("\t", 1)
                self._lines(text, style, indent=_ITEM_INDENT, column=column)
            else:
                self._lines(text, style)
            self.y -= _SPACE_AFTER.get(style, 2.5 * mm)
            previous = style
        canvas.showPage()

    def _lines(self, text: str, style: str, *, indent: float = 0, column: str = "") -> None:
        font, size = self.fonts[style], _SIZES[style]
        for line in _wrap(text, font, size, self.width - indent):
            if self.y < _BOTTOM:
                self._next_page()
            self.canvas.setFont(font, size)
            if column:
                self.canvas.drawString(_LEFT, self.y, column)
                column = ""
            self.canvas.drawString(_LEFT + indent, self.y, line)
            self.y -= size * 1.3

    def _next_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        self.width = _RIGHT - _LEFT
        self.y = _NEXT_PAGE_TOP
        if self.letter.running_head:
            self.canvas.setFont(self.regular, 8)
            self.canvas.drawString(_LEFT, _HEIGHT - 15 * mm, self.letter.running_head)
            self.canvas.drawRightString(_RIGHT, _HEIGHT - 15 * mm, f"{self.page}")
