"""Subgroup tables in Debian's chromium: an organiser makes the tables, moves
one person and sees the balance change; a member and a gespreksleider see
their table. axe-core (WCAG 2.1 A/AA) on every page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import PanelMember, Registration, TableRound, TableSeat
from participants.services import tables as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from tests.participants.test_tables import members_taking_part

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _short_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "STEPS_PER_PERSON", 50)


def test_an_organiser_makes_tables_moves_a_person_and_sees_the_balance(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    members_taking_part(cast.assembly, 30)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("participants:tables_overview", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tafelindeling")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Weekend 1").click()
    expect(page.get_by_text("Nog niemand is aangemeld")).to_be_visible()
    assert_accessible(axe, page)

    with page.expect_navigation():
        page.get_by_role("button", name="Tafelindeling maken").click()
    expect(page.get_by_text("De tafelindeling is gemaakt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tafel 4 (7 personen)")).to_be_visible()
    assert_accessible(axe, page)

    table_round = TableRound.objects.get(weekend__assembly=cast.assembly)
    seat = (
        TableSeat.objects.filter(round=table_round, table__number=1)
        .select_related("member__registration")
        .first()
    )
    assert seat is not None
    name = seat.member.registration.full_name
    page.get_by_label(f"Verplaats {name} naar tafel", exact=True).select_option(label="Tafel 2")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Verplaats {name}", exact=True).click()
    expect(page.get_by_text("Verplaatst naar tafel 2.")).to_be_visible()
    table_round.refresh_from_db()
    shown = f"{table_round.mix_deviation:.1f}".replace(".", ",")
    expect(page.locator("#mix-deviation")).to_contain_text(f"{shown} personen")
    expect(page.get_by_role("heading", name="Tafel 2 (9 personen)")).to_be_visible()
    expect(page.get_by_text("Niet 6 tot 8 personen aan tafel: 2.")).to_be_visible()
    assert_accessible(axe, page)

    # A long name makes the seats table wider than a phone: the table scrolls
    # in its own box, the page does not (WCAG 1.4.10, reflow).
    Registration.objects.filter(pk=seat.member.registration_id).update(
        full_name="Maria Magdalena Wilhelmina van den Heuvel-Wijnbergen"
    )
    page.set_viewport_size(PHONE)
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the tables page is {width} px wide on a phone"
    assert_accessible(axe, page)


@pytest.mark.parametrize("persona", ["member", "facilitator"])
def test_a_member_and_a_facilitator_see_their_table(
    page: Page, axe: Axe, cast: Cast, live_server: Any, persona: str
) -> None:
    members = members_taking_part(cast.assembly, 14)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    table_round = services.table_round_make(
        weekend=Weekend.objects.get(assembly=cast.assembly, number=1), actor=None
    )
    services.table_round_publish(table_round=table_round, actor=None)
    log_in(page, persona, cast.users[persona].email)
    page.goto(reverse("participants:my_table", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn tafel")
    if persona == "member":
        number = TableSeat.objects.get(member=members[0]).table.number
        expect(page.get_by_role("heading", name=f"U zit aan tafel {number}")).to_be_visible()
    else:
        expect(page.get_by_role("heading", name="Uw tafels als gespreksleider")).to_be_visible()
    assert_accessible(axe, page)
