"""The fonts of every PDF the site prints: letters, name cards, statements,
the report. Names come from the whole country: Şükrü, Łucja and Ćosić need a
font with every Latin letter. Helvetica, built into every PDF reader, covers
Western European letters only and prints the others as black squares."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import BinaryIO

from django.utils import translation
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

# Debian's fonts-dejavu-core (.ci/system-packages installs it).
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@functools.cache
def pdf_fonts() -> tuple[str, str]:
    """(regular, bold): DejaVu Sans when the system has it, else Helvetica."""
    regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    registered = pdfmetrics.getRegisteredFontNames()
    if "DejaVuSans" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    if "DejaVuSans-Bold" not in registered:
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    # Paragraph markup (<b>) in the report finds the bold face through the family.
    pdfmetrics.registerFontFamily(
        "DejaVuSans",
        normal="DejaVuSans",
        bold="DejaVuSans-Bold",
        italic="DejaVuSans",
        boldItalic="DejaVuSans-Bold",
    )
    return "DejaVuSans", "DejaVuSans-Bold"


def a4_canvas(buffer: BinaryIO, *, title: str, author: str) -> Canvas:
    """A canvas for a PDF drawn page by page (letters, cards, statements),
    with what a screen reader and a PDF viewer need: the language it is
    written in (the active one), and its title shown instead of the file
    name. The report, built from flowables, sets the same on its template."""
    canvas = Canvas(
        buffer, pagesize=A4, pageCompression=1, lang=translation.get_language() or "nl"
    )
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setViewerPreference("DisplayDocTitle", "true")
    return canvas
