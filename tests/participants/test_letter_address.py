"""The address on an invitation letter stays inside the window of the envelope,
however long the name or the street: what falls outside, the post cannot read."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from participants.letters import _FONT, letter_text, letters_pdf
from participants.models import Invitation, InvitationDraw, PopulationImport, Resident
from tests.factories import AssemblyFactory

pytestmark = pytest.mark.django_db

# DIN 5008 form B, 'venster links': 20 mm from the left, 45 mm from the top, 85 × 45 mm.
WINDOW_LEFT, WINDOW_RIGHT = 20 * mm, 105 * mm
WINDOW_TOP, WINDOW_BOTTOM = 297 * mm - 45 * mm, 297 * mm - 90 * mm


def _invitation(**names: str) -> Invitation:
    assembly = AssemblyFactory()
    extract = PopulationImport.objects.create(
        assembly=assembly, file_name="brp.csv", file_sha256="0" * 64,
        status=PopulationImport.Status.IMPORTED,
    )
    fields: dict[str, Any] = {
        "given_names": "Anna", "name_prefix": "", "surname": "Jansen",
        "street": "Dorpsstraat", "house_number": 1, "postcode": "1234AB", "city": "Utrecht",
        **names,
    }
    resident = Resident.objects.create(
        assembly=assembly, population_import=extract, person_ref="P1", municipality="Utrecht",
        birth_date=dt.date(1970, 1, 1), household_key="1234AB1", **fields,
    )
    draw = InvitationDraw.objects.create(assembly=assembly, seed="1", requested=1)
    return Invitation.objects.create(
        assembly=assembly, draw=draw, resident=resident, code="ABCDEFGHJK"
    )


def _window_text(pdf: bytes) -> list[tuple[str, float, float]]:
    """(text, left, right) of every piece of text on the page inside the window's height."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        x, y = tm[4], tm[5]
        if WINDOW_BOTTOM <= y <= WINDOW_TOP:
            found.append((text, x, x + stringWidth(text, _FONT, size)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def test_a_long_name_and_street_stay_inside_the_envelope_window() -> None:
    invitation = _invitation(
        given_names="Johannes Cornelis Maria Wilhelmus Theodorus",
        name_prefix="van der",
        surname="Heijden-Vermeulen-Brouwer",
        street="Burgemeester Van Nispen van Sevenaerstraat en Omstreken",
        house_number=1234,
        house_letter="A",
        house_number_addition="bis",
        city="Kapelle op den Bosch-Kerkdriel",
    )

    pdf, letters = letters_pdf([invitation], letter_text(invitation.assembly))

    assert letters == 1
    window = _window_text(pdf)
    printed = " ".join(text for text, _left, _right in window)
    assert "J.C.M.W.T. van der Heijden-Vermeulen-Brouwer" in printed
    assert "1234A-bis" in printed and "KAPELLE OP DEN BOSCH-KERKDRIEL" in printed
    for text, left, right in window:
        assert left >= WINDOW_LEFT and right <= WINDOW_RIGHT, text


def test_a_short_name_keeps_all_given_names() -> None:
    invitation = _invitation(given_names="Anna Maria", name_prefix="de", surname="Vries")

    pdf, _letters = letters_pdf([invitation], letter_text(invitation.assembly))

    printed = " ".join(text for text, _left, _right in _window_text(pdf))
    assert "Anna Maria de Vries" in printed
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Beste Anna Maria de Vries," in text


def _salutation_extent(pdf: bytes) -> tuple[str, float]:
    """The 'Beste …,' line and where it ends on the page."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.startswith("Beste "):
            found.append((text.strip(), tm[4] + stringWidth(text.strip(), _FONT, size)))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    [line] = found
    return line


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        # Eight given names and a long double surname: the first given name.
        (
            {
                "given_names": "Johannes Cornelis Maria Wilhelmus Theodorus Franciscus "
                "Hubertus Antonius",
                "name_prefix": "van der",
                "surname": "Heijden-Vermeulen-Brouwer-Wijnbergen",
            },
            "Beste Johannes van der Heijden-Vermeulen-Brouwer-Wijnbergen,",
        ),
        # A surname too long for any letter size: no name rather than off the page.
        # (the register allows 200 characters)
        ({"given_names": "Anna", "surname": "Jansen-" * 27 + "Bakker"}, "Beste bewoner,"),
    ],
)
def test_the_salutation_stays_on_the_page(names: dict[str, str], expected: str) -> None:
    invitation = _invitation(**names)

    pdf, _letters = letters_pdf([invitation], letter_text(invitation.assembly))

    line, right = _salutation_extent(pdf)
    assert line == expected
    assert right <= 210 * mm - 20 * mm
