"""The programme in a real browser: a member on a phone sees the next weekend first,
with practical information and what to read, and takes the calendar link; the
organiser reorders sessions with the keyboard. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from icalendar import Calendar
from playwright.sync_api import Page, expect

from sessions.models import Expert, Material, Session
from sessions.services import schedule as services
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from tests.sessions.schedule_helpers import make_session, weekend

pytestmark = pytest.mark.browser

PROGRAMME = "/b/drugsbeleid/programma/"


def _programme(cast: Cast) -> None:
    first = weekend(cast.assembly, 1)
    first.venue_name, first.city = "Jaarbeurs", "Utrecht"
    first.venue_address = "Jaarbeursplein 6, 3521 AL Utrecht"
    first.route = "Vanaf Utrecht Centraal 5 minuten lopen."
    first.accessibility = "Alle zalen met de lift bereikbaar. Ringleiding in de plenaire zaal."
    first.hotel = "Het hotel naast de Jaarbeurs."
    first.save()
    opening = make_session(first, (10, 0), (10, 30), title="Welkom", room="Plenaire zaal")
    make_session(
        first,
        (10, 30),
        (11, 15),
        title="Drugs in Nederland: de feiten",
        kind=Session.Kind.BRIEFING,
        room="Plenaire zaal",
    )
    make_session(
        first,
        (10, 0),
        (12, 0),
        day=1,
        title="Tafelgesprek",
        kind=Session.Kind.TABLES,
        room="Tafelzalen",
    )
    expert = Expert.objects.create(assembly=cast.assembly, name="Dr. A. de Vries")
    opening.experts.add(expert)
    services.weekend_publish(weekend=first, actor=None)
    Material.objects.create(
        assembly=cast.assembly,
        session=opening,
        title="Zo werkt het burgerberaad",
        kind=Material.Kind.LINK,
        summary="Een korte uitleg in gewone taal.",
        status=Material.Status.RELEASED,
    )


def test_it_shows_a_member_the_programme_and_calendar_link_on_a_phone(
    page: Page, axe: Axe, cast: Cast
) -> None:
    _programme(cast)
    cancelled = Session.objects.get(title="Drugs in Nederland: de feiten")
    services.session_delete(session=cancelled, actor=None)
    page.set_viewport_size(PHONE)
    log_in(page, "member", cast.users["member"].email)

    page.goto(PROGRAMME)

    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn programma")
    next_weekend = page.locator("section.programme-next")
    expect(next_weekend.get_by_role("heading", level=2)).to_contain_text("weekend 1")
    expect(next_weekend).to_contain_text("Jaarbeursplein 6")
    expect(next_weekend).to_contain_text("Ringleiding")
    expect(next_weekend).to_contain_text("Het hotel naast de Jaarbeurs.")
    expect(next_weekend).to_contain_text("Vervalt: Drugs in Nederland: de feiten")
    expect(next_weekend).to_contain_text("Zo werkt het burgerberaad")
    # The next weekend comes before the later ones.
    text = page.locator("main").inner_text()
    assert text.index("Welkom") < text.index("De weekenden daarna")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    assert_accessible(axe, page)

    feed = page.get_by_label("Uw persoonlijke agenda-link")
    url = feed.input_value()
    assert "/b/drugsbeleid/agenda/" in url and url.endswith(".ics")
    # One tap copies the link, and a screen reader hears that it did.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Kopieer de link").click()
    expect(page.get_by_role("status").filter(has_text="De link is gekopieerd.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.get_by_text("Zo zet u de link in Google Agenda").click()
    expect(page.get_by_text("Kies ‘Via URL’ en plak de link.")).to_be_visible()
    assert_accessible(axe, page)

    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.body())
    titles = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert any(title.startswith("Welkom") for title in titles), titles
    statuses = {str(e["SUMMARY"]): str(e.get("STATUS", "")) for e in calendar.walk("VEVENT")}
    assert statuses["Vervalt: Drugs in Nederland: de feiten (Uitleg door deskundigen)"] == (
        "CANCELLED"
    )

    # The link leaked: a new one, and the old one stops at once.
    page.get_by_text("Heeft iemand anders uw link? Maak een nieuwe link").click()
    page.get_by_role("button", name="Maak een nieuwe link").click()
    expect(page.get_by_text("De oude link werkt niet meer.")).to_be_visible()
    new_url = page.get_by_label("Uw persoonlijke agenda-link").input_value()
    assert new_url != url
    assert page.request.get(url).status == 404
    assert page.request.get(new_url).status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    assert_accessible(axe, page)


def test_it_passes_axe_on_the_public_programme(page: Page, axe: Axe, cast: Cast) -> None:
    _programme(cast)
    page.set_viewport_size(PHONE)
    page.goto("/b/drugsbeleid/programma/openbaar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programma")
    expect(page.locator("main")).to_contain_text("Drugs in Nederland: de feiten")
    assert_accessible(axe, page)


def test_it_lets_an_organiser_build_and_reorder_with_the_keyboard(
    page: Page, axe: Axe, cast: Cast
) -> None:
    _programme(cast)
    log_in(page, "organiser", cast.users["organiser"].email)
    base = "/b/drugsbeleid/beheer/programma/"

    for path in (
        base,
        f"{base}herinneringen/",
        f"{base}weekend/1/locatie/",
        f"{base}weekend/1/onderdeel/nieuw/",
        f"{base}weekend/2/",
    ):
        page.goto(path)
        assert_accessible(axe, page)

    page.goto(f"{base}weekend/1/")
    assert_accessible(axe, page)
    down = page.get_by_role("button", name=re.compile(r"^Omlaag\s*: Welkom$"))
    down.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("is verplaatst")
    first_row = page.locator("table.schedule-table").first.locator("tbody tr").first
    expect(first_row).to_contain_text("Drugs in Nederland: de feiten")
    expect(first_row).to_contain_text("10:00–10:45")
    assert_accessible(axe, page)

    page.goto(f"{base}weekend/1/onderdeel/nieuw/")
    page.get_by_label("Titel (verplicht)").fill("Dubbel geboekt")
    page.get_by_label("Begint om").fill("10:15")
    page.get_by_label("Eindigt om").fill("10:45")
    page.get_by_label("Zaal").fill("Plenaire zaal")
    with page.expect_navigation():
        page.get_by_role("button", name="Bewaren").click()
    expect(page.locator(".form-errors")).to_contain_text("Plenaire zaal is dan al bezet")
    assert_accessible(axe, page)
    assert not Session.objects.filter(title="Dubbel geboekt").exists()
