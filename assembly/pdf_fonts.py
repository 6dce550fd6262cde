"""The fonts of every PDF the site prints: letters, name cards, statements,
the report. Names come from the whole country: Şükrü, Łucja and Ćosić need a
font with every Latin letter. Helvetica, built into every PDF reader, covers
Western European letters only and prints the others as black squares."""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
