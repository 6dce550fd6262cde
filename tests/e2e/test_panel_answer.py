"""The organiser notes down the answer of a drawn person who phoned, in
Debian's chromium on a phone, with axe-core on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import PanelMember
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in
from tests.participants.test_panel import make_panel

pytestmark = pytest.mark.browser


def test_the_organiser_notes_a_yes_that_came_by_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    panel = make_panel(cast.assembly)
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    # The visually hidden name tells the links apart for a screen reader.
    page.get_by_role("link", name=re.compile(r"^Antwoord noteren\s*: Persoon Nummer0$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antwoord noteren")
    assert_accessible(axe, page)

    # Only the answer: the form says what is missing, and the focus goes there.
    page.get_by_label("Ja, doet mee").check()
    page.get_by_role("button", name="Antwoord noteren").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Hoe kreeg u het antwoord?")
    expect(summary).to_be_focused()
    assert page.title().startswith("Fout:")
    assert_accessible(axe, page)

    page.get_by_label("Ja, doet mee").check()
    page.get_by_label("Aan de telefoon").check()
    page.get_by_role("button", name="Antwoord noteren").click()
    expect(page.get_by_text("Genoteerd: deze persoon doet mee.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the member list is {width} px wide on a phone"
    assert panel.member(0).status == PanelMember.Status.CONFIRMED


def test_the_organiser_seats_a_person_without_e_mail_and_types_in_their_account(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    from participants.iban import example_iban
    from participants.models import BankAccount, Registration

    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[1].pk).update(email="")
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    page.get_by_role("link", name=re.compile(r"^Antwoord noteren\s*: Persoon Nummer1$")).click()
    page.get_by_label("Ja, doet mee").check()
    page.get_by_label("Per brief").check()
    page.get_by_role("button", name="Antwoord noteren").click()
    expect(page.get_by_text("Zonder e-mailadres is er geen account")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Rekeningnummer\s*: Persoon Nummer1$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rekeningnummer van een deelnemer")
    assert_accessible(axe, page)
    page.get_by_label("IBAN (rekeningnummer)").fill(example_iban(12))
    page.get_by_label("Naam van de rekeninghouder").fill("P. Nummer")
    page.get_by_label(re.compile(r"^De deelnemer heeft dit rekeningnummer zelf gegeven")).check()
    page.get_by_role("button", name="Bewaren").click()
    expect(page.get_by_text("Het rekeningnummer is bewaard.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the member list is {width} px wide on a phone"
    assert BankAccount.objects.get(member=panel.member(1)).holder_name == "P. Nummer"


def test_the_organiser_prints_the_programme_for_a_member_on_paper(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    from tests.participants.test_programme_post import _on_paper, _pages, _published_weekend

    panel = make_panel(cast.assembly)
    member = _on_paper(panel, 0)
    _published_weekend(cast)
    page.set_viewport_size(PHONE)
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("heading", name="Programma per post")).to_be_visible()
    expect(page.get_by_text("Nog niet gemaakt.")).to_be_visible()
    assert_accessible(axe, page)

    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Programma van weekend 1 (13 maart 2027) per post (PDF)"
        ).click()
    with open(download.value.path(), "rb") as pdf:
        (letter,) = _pages(pdf.read())
    assert f"Beste {member.registration.full_name}," in letter

    page.reload()
    expect(page.get_by_text("Iedereen heeft het programma zoals het nu is.")).to_be_visible()
    assert_accessible(axe, page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the member list is {width} px wide on a phone"
