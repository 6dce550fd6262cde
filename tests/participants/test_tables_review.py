"""Review of the subgroup tables: names with letters outside Latin-1 on the
printed cards and lists, and tables made before check-in while some of the
people at them did not come."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from participants import table_cards
from participants.models import CheckIn, Registration, TableSeat
from participants.services import tables as services
from tests.conftest import Cast
from tests.participants.test_tables import _client, _page_url, _weekend, members_taking_part

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NAMES = "Şükrü Ağaoğlu-Kowalczyk, Łucja Dvořák, Zoë Ćosić"


@pytest.fixture(autouse=True)
def _short_search(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(services, "STEPS_PER_PERSON", 30)
    yield


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs DejaVu Sans on the system")
def test_name_cards_print_turkish_polish_and_czech_letters() -> None:
    pdf = table_cards.name_cards_pdf(
        assembly="Burgerberaad",
        weekend="Weekend 1",
        cards=[table_cards.NameCard(first_name=name, table=3) for name in ("Şükrü", "Łucja")],
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert "Şükrü" in (reader.pages[0].extract_text() or "")
    assert "Łucja" in (reader.pages[1].extract_text() or "")


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs DejaVu Sans on the system")
def test_table_lists_print_full_names_with_any_latin_letter() -> None:
    pdf = table_cards.table_lists_pdf(
        title="Burgerberaad",
        weekend="Weekend 1",
        tables=[
            table_cards.TableSheet(number=1, facilitator="Gülşen Yılmaz", names=NAMES.split(", "))
        ],
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or ""
    for name in [*NAMES.split(", "), "Gülşen Yılmaz"]:
        assert name in text


@pytest.mark.django_db
def test_the_page_names_people_at_a_table_who_did_not_check_in(cast: Cast) -> None:
    """Tables made before the weekend seat everyone; once check-in starts, the
    organiser must see who is at a table but not there, and the balance must
    be that of the people who are."""
    members = members_taking_part(cast.assembly, 16)
    weekend = _weekend(cast.assembly)
    services.table_round_make(weekend=weekend, actor=None, seed=3)
    absent = members[:3]
    Registration.objects.filter(pk=absent[0].registration_id).update(full_name="Afwezig Eén")
    for member in members[3:]:
        CheckIn.objects.create(member=member, weekend=weekend, day=weekend.starts_on)

    page = _client(cast, "organiser").get(_page_url(cast)).content.decode()

    assert "3 personen aan tafel zijn niet aangemeld bij de ingang" in page
    assert "Afwezig Eén" in page.split("niet aangemeld bij de ingang", 1)[1].split("</p>", 1)[0]
    # The facts: 13 people really at the tables, not 16.
    assert "<dt>Personen aan tafel</dt><dd>13</dd>" in page
    assert TableSeat.objects.filter(round__weekend=weekend).count() == 16  # nothing removed


def test_a_long_full_name_on_the_table_list_stays_inside_the_page() -> None:
    name = "Anna Maria Wilhelmina Johanna van den Heuvel-Oosterbroek-Vanderlinden"
    pdf = table_cards.table_lists_pdf(
        title="Burgerberaad",
        weekend="Weekend 1",
        tables=[table_cards.TableSheet(number=1, facilitator="", names=[name])],
    )
    lines: list[tuple[str, float, float]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            lines.append((text, tm[4], size * tm[0]))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    drawn = [(x, size) for text, x, size in lines if "Vanderlinden" in text]
    assert drawn
    x, size = drawn[0]
    width = table_cards.stringWidth(f"1.  {name}", table_cards._FONT, size)
    assert x + width <= table_cards._WIDTH - table_cards._MARGIN + 0.5
