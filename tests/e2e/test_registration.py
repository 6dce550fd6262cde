"""A citizen registers with the code from the letter on a phone (390×844), in
Debian's chromium; axe-core checks every step, an error state, and the pages
after it (confirmation, the private page, a used code) for WCAG 2.1 A/AA."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from participants.models import AttitudeQuestion, Invitation, InvitationDraw, Registration
from participants.services.registration import registration_manage_token
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible

pytestmark = pytest.mark.browser

CODE = "ABCD23EFGHF"


@pytest.fixture
def phone(chromium: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, device_scale_factor=2,
        is_mobile=True, has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def invitation(cast: Cast) -> Invitation:
    cast.assembly.registration_deadline = timezone.localdate() + dt.timedelta(days=30)
    cast.assembly.save(update_fields=["registration_deadline"])
    AttitudeQuestion.objects.create(
        assembly=cast.assembly, key="drugsbeleid",
        text="Moet het drugsbeleid strenger of soepeler?",
        choices="Veel strenger\nIets strenger\nZo laten\nIets soepeler\nVeel soepeler",
    )
    draw = InvitationDraw.objects.create(
        assembly=cast.assembly, seed="1", requested=1, eligible_households=1,
        eligible_residents=1, input_sha256="0" * 64,
    )
    return Invitation.objects.create(assembly=cast.assembly, draw=draw, code=CODE)


def check_page(page: Page, axe: Axe) -> None:
    """axe-core, no sideways scrolling on the phone, and big enough buttons."""
    assert_accessible(axe, page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px"
    for button in page.locator("main button, main .button").all():
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44, f"{page.url}: small button {box}"


def next_step(page: Page, button: str = "Volgende") -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def test_it_registers_with_a_code_on_a_phone_and_every_page_passes_axe(
    phone: Page, axe: Axe, invitation: Invitation, cast: Cast
) -> None:
    page = phone
    page.goto("/aanmelden/?code=ABCD-23EF-GHF")
    expect(page.get_by_label("Uw persoonlijke code")).to_have_value("ABCD-23EF-GHF")
    check_page(page, axe)
    next_step(page, "Verder")

    expect(page.get_by_text("Stap 1 van 7")).to_be_visible()
    expect(page.get_by_role("heading", name="Uitleg en toestemming")).to_be_visible()
    check_page(page, axe)
    next_step(page)  # without consent: the error, tied to the checkbox
    expect(page.locator("#id_consent_error")).to_be_visible()
    assert page.title().startswith("Fout")
    # The focus is on the list of errors, so a screen reader reads it out.
    expect(page.locator(".error-summary")).to_be_focused()
    check_page(page, axe)
    page.get_by_label(re.compile("Ik geef toestemming")).check()
    next_step(page)

    expect(page.get_by_text("Stap 2 van 7")).to_be_visible()
    check_page(page, axe)
    page.get_by_label("Uw naam").fill("Fatima de Vries")
    page.get_by_label("Uw e-mailadres").fill("fatima@example.org")
    page.get_by_label(re.compile("Uw telefoonnummer")).fill("06 12345678")
    next_step(page)

    expect(page.get_by_text("Stap 3 van 7")).to_be_visible()
    check_page(page, axe)
    next_step(page)  # nothing filled in: every question says what is missing
    expect(page.get_by_role("heading", name="Er is iets niet goed ingevuld")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_focused()
    assert page.title().startswith("Fout: ")
    check_page(page, axe)
    page.get_by_label("Uw geboortedatum").fill("1980-05-17")
    page.get_by_label("Vrouw").check()
    page.get_by_label("Havo, vwo, mbo 2 tot en met 4").check()
    page.get_by_label("In welke provincie woont u?").select_option("Utrecht")
    page.get_by_label("Stad", exact=True).check()
    page.get_by_label("Ja, in een land buiten Europa").check()
    next_step(page)

    expect(page.get_by_text("Stap 4 van 7")).to_be_visible()
    check_page(page, axe)
    page.get_by_label("Iets soepeler").check()
    next_step(page)

    expect(page.get_by_text("Stap 5 van 7")).to_be_visible()
    check_page(page, axe)
    for box in page.locator("input[name='weekends']").all():
        box.check()
    next_step(page)

    expect(page.get_by_text("Stap 6 van 7")).to_be_visible()
    check_page(page, axe)
    page.get_by_label("Ik heb opvang nodig voor mijn kinderen.").check()
    page.get_by_label(re.compile("Eet u iets niet")).fill("halal")
    next_step(page)

    expect(page.get_by_text("Stap 7 van 7")).to_be_visible()
    expect(page.get_by_text("Fatima de Vries")).to_be_visible()
    check_page(page, axe)
    assert Registration.objects.count() == 0
    next_step(page, "Aanmelding versturen")

    expect(page.get_by_role("heading", name="U bent aangemeld")).to_be_visible()
    check_page(page, axe)
    registration = Registration.objects.get()
    assert registration.available_weekends.count() == 7
    assert registration.attitude_answers == {"drugsbeleid": "Iets soepeler"}
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REGISTERED
    assert [m.to for m in mail.outbox] == [["fatima@example.org"]]

    # The private page from the e-mail, and a change on it.
    token = registration_manage_token(registration_id=registration.pk)
    page.goto(f"/aanmelden/wijzigen/{token}/")
    check_page(page, axe)
    page.goto(f"/aanmelden/wijzigen/{token}/hulp/")
    check_page(page, axe)
    page.get_by_label(re.compile("Eet u iets niet")).fill("vegetarisch")
    next_step(page, "Bewaren")
    expect(page.get_by_text("Uw antwoorden zijn bewaard.")).to_be_visible()
    registration.refresh_from_db()
    assert registration.diet == "vegetarisch"
    page.goto(f"/aanmelden/wijzigen/{token}/afmelden/")
    check_page(page, axe)

    # The same code again: explained, with the offer of a link, no data shown.
    page.goto("/aanmelden/")
    page.get_by_label("Uw persoonlijke code").fill("abcd 23ef ghf")
    next_step(page, "Verder")
    expect(page.get_by_role("heading", name="Deze code is al gebruikt")).to_be_visible()
    assert "Fatima" not in page.content()
    check_page(page, axe)


def test_it_explains_an_unknown_code_accessibly(
    phone: Page, axe: Axe, invitation: Invitation
) -> None:
    phone.goto("/aanmelden/")
    # A code that passes the check (participants/codes.py) but was given to no one.
    phone.get_by_label("Uw persoonlijke code").fill("ZZZZ-ZZZZ-22S")
    next_step(phone, "Verder")
    expect(phone.get_by_role("heading", name="Wij kennen deze code niet")).to_be_visible()
    check_page(phone, axe)
    # One character wrong: named as a typing error, with what to check.
    phone.get_by_label("Uw persoonlijke code").fill("ABCD-23EF-BHF")
    next_step(phone, "Verder")
    expect(phone.get_by_role("heading", name="Er zit een tikfout in de code")).to_be_visible()
    expect(phone.get_by_text("Waarschijnlijk is er een letter of cijfer verkeerd getypt.").first
           ).to_be_visible()
    check_page(phone, axe)
