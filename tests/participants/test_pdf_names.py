"""Every letter the site prints spells names from the whole country: Şükrü,
Łucja and Ćosić printed as black squares in Helvetica (Western European
letters only). The invitation letter, the letter to members and alternates and
the yearly statement use DejaVu Sans, as the name cards and the report do."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from assembly.pdf_fonts import _FONT_DIR
from participants.letters import letter_text, letters_pdf
from participants.models import Invitation, Registration, Resident
from participants.selectors_payments import year_figures
from participants.services import panel as panel_services
from participants.statements import statement_pdf
from tests.conftest import Cast
from tests.participants.test_panel import answer_by, make_panel
from tests.participants.test_statements import _member_with_money

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (_FONT_DIR / "DejaVuSans.ttf").exists(), reason="needs DejaVu Sans on the system"
    ),
]

NAME = "Şükrü Łucja Ćosić"


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _for_screen_readers(pdf: bytes) -> tuple[str, bool, str]:
    """The language a screen reader reads the PDF in, whether viewers show its
    title (not the file name), and that title."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    preferences = root.get("/ViewerPreferences", {})
    title = reader.metadata.title if reader.metadata else ""
    return str(root.get("/Lang", "")), bool(preferences.get("/DisplayDocTitle")), str(title)


def test_the_invitation_letter_prints_every_latin_letter() -> None:
    panel = make_panel()
    resident = Resident.objects.filter(assembly=panel.assembly).first()
    assert resident is not None
    Resident.objects.filter(pk=resident.pk).update(given_names="Şükrü", surname="Ćosić")
    invitations = Invitation.objects.filter(resident=resident).select_related("resident")

    pdf, letters = letters_pdf(invitations, letter_text(panel.assembly))

    assert letters == 1
    assert "Şükrü" in _text(pdf) and "Ćosić" in _text(pdf)
    language, shows_title, title = _for_screen_readers(pdf)
    assert (language, shows_title) == ("nl", True) and title


def test_the_letter_to_members_prints_every_latin_letter() -> None:
    panel = make_panel()
    Registration.objects.filter(pk=panel.people[0].pk).update(full_name=NAME)
    answer_by(panel.assembly)

    pdf, _pages = panel_services.panel_letters_pdf(assembly=panel.assembly)

    assert f"Beste {NAME}," in _text(pdf)
    assert _for_screen_readers(pdf) == ("nl", True, "Brieven aan deelnemers en reserves")


def test_the_yearly_statement_prints_every_latin_letter(cast: Cast) -> None:
    member = _member_with_money(cast)
    Registration.objects.filter(pk=member.registration_id).update(full_name=NAME)
    member.refresh_from_db()

    pdf = statement_pdf(year_figures(member=member, year=2027))

    assert NAME in " ".join(_text(pdf).split())
    assert _for_screen_readers(pdf) == ("nl", True, "Jaaroverzicht vergoedingen 2027")
    with translation.override("en"):
        english = statement_pdf(year_figures(member=member, year=2027))
    assert _for_screen_readers(english) == ("en", True, "Annual statement of allowances 2027")
