"""The organiser's invitations page in a real browser, on a phone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import InvitationDraw
from participants.services.invitations import invitation_draw
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from tests.participants.test_invitations import make_residents

pytestmark = pytest.mark.browser


def test_an_organiser_reads_the_draws_on_a_phone_without_sideways_scrolling(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    # Province names and long hashes, seeds and the buttons per draw make the
    # draws table wider than a phone: it must scroll in its own region, also
    # the visually hidden labels inside it.
    make_residents(cast.assembly, 30, municipalities={"Utrecht": 10, "Groningen": 20})
    invitation_draw(
        assembly=cast.assembly,
        count=12,
        seed="een-lang-startgetal-voor-de-test",
        stratify_by=InvitationDraw.Stratification.PROVINCE,
    )
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodigingen")
    expect(page.get_by_text("Naar rato per provincie")).to_be_visible()

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the invitations page is {width} px wide on a phone"
    assert_accessible(axe, page)


def test_an_organiser_reads_in_a_list_of_bounced_emails_on_a_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    make_residents(cast.assembly, 3, per_household=1)
    draw = invitation_draw(assembly=cast.assembly, count=3, seed="terug")
    bounced = draw.invitations.select_related("resident").order_by("pk")[0]
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    page.get_by_role("link", name="Teruggekomen e-mails inlezen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teruggekomen e-mails")
    assert_accessible(axe, page)

    # A wrong line: nothing changes, and the focus goes to the list of problems.
    upload = page.get_by_label("Lijst met teruggekomen e-mails (CSV of Excel)")
    upload.set_input_files(
        files=[
            {
                "name": "terug.csv",
                "mimeType": "text/csv",
                "buffer": f"email\n{bounced.resident.email}\ngeen-adres\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="Inlezen").click()
    problems = page.locator(".error-summary")
    expect(problems).to_contain_text("Regel 3: ‘geen-adres’ is geen e-mailadres.")
    expect(problems).to_be_focused()
    assert_accessible(axe, page)

    upload.set_input_files(
        files=[
            {
                "name": "terug.csv",
                "mimeType": "text/csv",
                "buffer": f"email\n{bounced.resident.email}\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_text("1 uitnodiging staat nu op ‘E-mail kwam terug’.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the bounce page is {width} px wide on a phone"
    assert_accessible(axe, page)
    bounced.refresh_from_db()
    assert bounced.status == "bounced"


def test_an_organiser_looks_up_an_invitation_by_address_on_a_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    make_residents(cast.assembly, 2, per_household=1)
    draw = invitation_draw(assembly=cast.assembly, count=2, seed="bel")
    invitation = draw.invitations.select_related("resident").order_by("pk")[0]
    resident = invitation.resident
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("participants:invitations", kwargs={"slug": cast.assembly.slug}))
    page.get_by_role("link", name="Uitnodiging opzoeken (iemand belt over de brief)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodiging opzoeken")
    assert_accessible(axe, page)

    page.get_by_label("Postcode").fill("123")
    page.get_by_label("Huisnummer").fill(str(resident.house_number))
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".error-summary")).to_contain_text("Vul een postcode in zoals 1234 AB.")
    assert_accessible(axe, page)

    page.get_by_label("Postcode").fill(f"{resident.postcode[:4]} {resident.postcode[4:]}")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text(invitation.shown_code)).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the look-up page is {width} px wide on a phone"
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Brief opnieuw \(PDF\)")).click()
    expected = f"uitnodiging-{cast.assembly.slug}-{invitation.pk}.pdf"
    assert download.value.suggested_filename == expected


def test_an_organiser_signs_up_a_caller_without_e_mail_on_a_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    from django.utils import timezone

    from participants.models import Registration

    cast.assembly.registration_deadline = timezone.localdate() + timezone.timedelta(days=30)
    cast.assembly.save(update_fields=["registration_deadline"])
    make_residents(cast.assembly, 1, per_household=1)
    draw = invitation_draw(assembly=cast.assembly, count=1, seed="beller")
    invitation = draw.invitations.select_related("resident").get()
    resident = invitation.resident
    # In the register day and month the other way round from what the caller says.
    type(resident).objects.filter(pk=resident.pk).update(birth_date=dt.date(1950, 2, 3))
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    _look_up(page, cast, postcode=resident.postcode, number=resident.house_number)
    page.get_by_role("link", name=re.compile(r"^Aanmelden namens deze persoon")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden namens iemand")
    assert_accessible(axe, page)

    # Sent without consent and without a way to reach the person: the list of
    # problems at the top gets the focus.
    page.get_by_label("Uw naam").fill("Henk Jansen")
    page.get_by_role("button", name="Aanmelding bewaren").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vul een telefoonnummer in.")
    assert_accessible(axe, page)

    page.get_by_label("Telefoonnummer").fill("050 123 4567")
    page.get_by_label("Uw geboortedatum").fill("1950-03-02")
    page.get_by_label("Man", exact=True).check()
    page.get_by_label("Basisschool, vmbo, mbo 1").check()
    page.get_by_label("In welke provincie woont u?").select_option("Groningen")
    page.get_by_label("Dorp").check()
    page.get_by_label("Nee, ik en mijn ouders zijn in Nederland geboren").check()
    page.get_by_label(re.compile(r"^Ik heb de uitleg hierboven voorgelezen")).check()
    page.get_by_role("radio", name="Nederlands").check()
    page.get_by_role("button", name="Aanmelding bewaren").click()
    # Not the register's birth date: ask again, then tick (the page does not show that date).
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Deze geboortedatum is anders dan in het uittreksel BRP.")
    shown = page.content()
    assert not any(day in shown for day in ("1950-02-03", "03-02-1950", "3 februari 1950"))
    assert_accessible(axe, page)
    page.get_by_label(re.compile(r"^Ik heb de geboortedatum nog een keer gevraagd")).check()
    page.get_by_role("button", name="Aanmelding bewaren").click()
    expect(page.get_by_text("Zeg aan de telefoon dat het gelukt is.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a phone"
    registration = Registration.objects.get(invitation=invitation)
    assert (registration.email, registration.phone) == ("", "050 123 4567")

    # The same person calls back to stop: the secretariat withdraws them.
    _look_up(page, cast, postcode=resident.postcode, number=resident.house_number)
    page.get_by_role("link", name=re.compile(r"^Afmelden namens deze persoon")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afmelden namens iemand")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Ja, afmelden").click()
    expect(page.get_by_text("Deze persoon is afgemeld.")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN


def _look_up(page: Page, cast: Cast, *, postcode: str, number: int) -> None:
    """The secretariat's look-up by address, as someone on the phone gives it."""
    page.goto(reverse("participants:invitation_lookup", kwargs={"slug": cast.assembly.slug}))
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Huisnummer").fill(str(number))
    page.get_by_role("button", name="Zoeken").click()
