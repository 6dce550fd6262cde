"""A member's own pages in Debian's chromium, on a phone 390 px wide: "Mijn
adres en telefoonnummer" from the home page (a typing error shown on its
field, then the new address saved); a claim whose step 2 goes back to step 1
and keeps what was chosen and typed; withdrawing that claim with its
confirmation step; the secretariat's page per member, where an organiser
changes the address and needs of a member on paper. axe-core (WCAG 2.1 A/AA)
on every page, in Dutch and in English; no page scrolls sideways."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from participants.models import ExpenseClaim, PanelMember, Registration
from tests.conftest import Cast
from tests.e2e.conftest import assert_accessible, log_in, switch_to_english
from tests.e2e.test_allowances import _member_with_a_weekend, _receipt_png
from tests.participants.test_attendance import confirmed_members

pytestmark = pytest.mark.browser

# A common phone held upright (the brief of these pages); the site-wide crawl
# checks 320 px.
PHONE_390: ViewportSize = {"width": 390, "height": 844}


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def test_a_member_changes_their_address_on_a_phone(page: Page, axe: Axe, cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE_390)
    log_in(page, "member", cast.users["member"].email)

    page.goto(reverse("dashboard", kwargs={"slug": slug}))
    with page.expect_navigation():
        page.get_by_role("link", name="Mijn adres en telefoonnummer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn adres en telefoonnummer")
    expect(page.get_by_label("Straat")).to_have_value("Dorpsstraat")
    expect(page.get_by_text(cast.users["member"].email)).to_be_visible()
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    page.get_by_label("Straat").fill("Nieuwe Gracht")
    page.get_by_label("Huisnummer").fill("12a")
    page.get_by_label("Postcode").fill("35 12")
    page.get_by_label("Woonplaats").fill("Utrecht")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    # The summary links to the field; the message is read with the field.
    expect(page.locator("#id_postcode_error")).to_contain_text("Een postcode heeft 4 cijfers")
    expect(page.get_by_label("Postcode")).to_have_attribute(
        "aria-describedby", "id_postcode_error id_postcode_helptext"
    )
    expect(page.get_by_label("Straat")).to_have_value("Nieuwe Gracht")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    page.get_by_label("Postcode").fill("3512 LK")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    expect(page.get_by_label("Huisnummer")).to_have_value("12A")
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    registration = Registration.objects.get(pk=member.registration_id)
    assert (registration.street, registration.house_number, registration.postcode) == (
        "Nieuwe Gracht",
        12,
        "3512LK",
    )


def test_a_member_goes_back_a_step_keeps_their_answers_and_withdraws_the_claim(
    page: Page, axe: Axe, cast: Cast
) -> None:
    member = _member_with_a_weekend(cast)
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE_390)
    log_in(page, "member", cast.users["member"].email)

    page.goto(reverse("participants:my_claim_new", kwargs={"slug": slug}))
    page.get_by_label("Openbaar vervoer").check()
    page.get_by_label("zaterdag 8 maart 2025").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Bedrag (euro)").fill("8,40")
    page.get_by_label("Omschrijving").fill("Trein Utrecht – Amersfoort")
    with page.expect_navigation():
        page.get_by_role("button", name="Terug naar stap 1").click()
    # Step 1 as it was left.
    expect(page.get_by_text("Stap 1 van 2")).to_be_visible()
    expect(page.get_by_label("Openbaar vervoer")).to_be_checked()
    expect(page.get_by_label("zaterdag 8 maart 2025")).to_be_checked()
    page.get_by_label("zondag 9 maart 2025").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_label("Bedrag (euro)")).to_have_value("8,40")
    expect(page.get_by_label("Omschrijving")).to_have_value("Trein Utrecht – Amersfoort")
    assert_accessible(axe, page)
    page.get_by_label("Foto of PDF van de bon of het bewijs").set_input_files(
        {"name": "bon.png", "mimeType": "image/png", "buffer": _receipt_png()}
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Declaratie indienen").click()
    claim = ExpenseClaim.objects.get(member=member)
    assert (claim.day.day, claim.description) == (9, "Trein Utrecht – Amersfoort")

    with page.expect_navigation():
        page.get_by_role("link", name="Declaratie intrekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declaratie intrekken")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, declaratie intrekken").click()
    expect(page.get_by_text("Uw declaratie is ingetrokken.")).to_be_visible()
    expect(page.get_by_text("Status: Ingetrokken")).to_be_visible()
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)
    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.WITHDRAWN


def test_an_organiser_changes_the_address_of_a_member_on_paper_on_a_phone(
    page: Page, axe: Axe, cast: Cast
) -> None:
    member = confirmed_members(cast.assembly, 2)[0]
    Registration.objects.filter(pk=member.registration_id).update(email="")
    name = member.registration.full_name
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE_390)
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("participants:panel_list", kwargs={"slug": slug}))
    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile(rf"^Adres, telefoon en behoeften\s*: {re.escape(name)}$")
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Gegevens van {name}")
    expect(
        page.get_by_text("heeft geen e-mailadres en krijgt hierover geen bericht")
    ).to_be_visible()
    expect(page.get_by_label("Straat")).to_have_value("Dorpsstraat")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    page.get_by_label("Straat").fill("Nieuwe Gracht")
    page.get_by_label("Huisnummer").fill("12a")
    page.get_by_label("Postcode").fill("")
    page.get_by_label("Heeft opvang nodig voor de kinderen.").check()
    page.get_by_label("Wat eet deze deelnemer niet? (niet verplicht)").fill("halal")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#id_postcode_error")).to_contain_text("Vul de postcode in.")
    expect(page.get_by_label("Heeft opvang nodig voor de kinderen.")).to_be_checked()
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    page.get_by_label("Postcode").fill("3512 LK")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De deelnemer krijgt hierover geen e-mail.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deelnemers en reserves")

    page.goto(
        reverse("participants:member_details_by_organiser", kwargs={"slug": slug, "pk": member.pk})
    )
    expect(page.get_by_label("Huisnummer")).to_have_value("12A")
    switch_to_english(page)
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    registration = Registration.objects.get(pk=member.registration_id)
    assert (registration.street, registration.postcode, registration.diet) == (
        "Nieuwe Gracht",
        "3512LK",
        "halal",
    )
    assert registration.needs_childcare
