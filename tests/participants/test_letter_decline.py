"""The printed letter says how to say no, as the e-mails do, and still fits
on one page: the print house prints one sheet per invitee."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from pypdf import PdfReader
from reportlab.lib.units import mm

from assembly.models import Assembly
from participants.letters import letter_text, letters_pdf
from participants.models import Invitation
from participants.services import invitations as services
from tests.conftest import Cast
from tests.participants.test_invitations import make_residents

# Printers leave about 5 mm unprinted at the edge; the letter keeps well clear.
BOTTOM_MARGIN = 15 * mm


def _letter(cast: Cast) -> bytes:
    # The longest texts the tests use: the cast's name and question, its seven
    # weekends each with a place, and a deadline.
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=dt.date(2027, 1, 20)
    )
    cast.assembly.refresh_from_db()
    make_residents(cast.assembly, 1, per_household=1)
    draw = services.invitation_draw(assembly=cast.assembly, count=1, seed="nee")
    invitation = Invitation.objects.select_related("resident").get(draw=draw)
    pdf, letters = letters_pdf([invitation], letter_text(cast.assembly))
    assert letters == 1
    return pdf


def test_the_letter_says_how_to_decline(cast: Cast) -> None:
    pdf = _letter(cast)

    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Wilt u niet meedoen?" in text
    assert "‘Ik doe niet mee’" in text
    assert "Dan krijgt u geen herinneringen meer." in text


def test_the_letter_with_the_longest_texts_stays_on_one_page(cast: Cast) -> None:
    pdf = _letter(cast)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    lowest: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            lowest.append(tm[5])

    page_text = reader.pages[0].extract_text(visitor_text=visit)
    assert min(lowest) >= BOTTOM_MARGIN
    assert cast.assembly.shown_name in page_text  # the signature, the last line
