"""Payments in Debian's chromium: a member enters their IBAN on a phone (a
typo first), an organiser makes a batch, exports it and downloads the SEPA
file. axe-core (WCAG 2.1 A/AA) on every page, in Dutch and in English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from participants.models import BankAccount, PanelMember, PaymentBatch
from participants.sepa import schema_errors
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in, switch_to_english
from tests.participants.test_payments import approve_allowance, give_account, panel_members

pytestmark = pytest.mark.browser



def test_a_member_enters_their_iban_on_a_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    member = panel_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    page.set_viewport_size(PHONE)
    log_in(page, "member", cast.users["member"].email)
    url = reverse("participants:my_bank_account", kwargs={"slug": cast.assembly.slug})

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn bankrekening")
    assert_accessible(axe, page)

    page.get_by_label("IBAN (rekeningnummer)").fill("NL91 ABNA 0417 1643 01")
    page.get_by_label("Naam van de rekeninghouder").fill("Anna de Vries")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#id_iban_error")).to_contain_text("tikfout")
    assert_accessible(axe, page)
    assert not BankAccount.objects.exists()

    page.get_by_label("IBAN (rekeningnummer)").fill("nl91 abna 0417 1643 00")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw rekeningnummer is opgeslagen.")).to_be_visible()
    expect(page.get_by_text("NL91 ABNA 0417 1643 00").first).to_be_visible()
    assert BankAccount.objects.get().iban == "NL91ABNA0417164300"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
    assert_accessible(axe, page)

    page.goto(reverse("participants:my_payments", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_text("NL** **** **** **43 00")).to_be_visible()
    assert_accessible(axe, page)

    switch_to_english(page)
    page.goto(url)
    assert_accessible(axe, page)


def test_an_organiser_makes_and_exports_a_batch(
    page: Page, axe: Axe, cast: Cast, live_server: Any, tmp_path: Path
) -> None:
    members = panel_members(cast.assembly, 3)
    for member in members[:2]:
        give_account(member)
    for member in members:
        approve_allowance(member)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("participants:payments_overview", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Betalingen")
    expect(page.get_by_text(members[2].registration.full_name)).to_be_visible()
    assert_accessible(axe, page)

    # "Inlezen" without a file: the server says so at the field, in Dutch
    # (the browser does not stop the form with a bubble of its own).
    with page.expect_navigation():
        page.get_by_role("button", name="Inlezen").click()
    expect(page.locator("#id_file_error")).to_contain_text("verplicht")
    assert_accessible(axe, page)
    page.goto(reverse("participants:payments_overview", kwargs={"slug": slug}))

    with page.expect_navigation():
        page.get_by_role("button", name="Zet in een betaalbatch").click()
    expect(page.get_by_text("2 betalingen staan in batch 1.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Betaalbatch 1")
    assert_accessible(axe, page)

    page.get_by_label("Uitvoerdatum bij de bank").fill(timezone.localdate().isoformat())
    page.get_by_label("Ik begrijp dat de batch hierna vastligt").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Exporteer en zet vast").click()
    expect(page.get_by_text("ligt nu vast")).to_be_visible()
    assert PaymentBatch.objects.get().status == PaymentBatch.Status.EXPORTED
    assert_accessible(axe, page)

    with page.expect_download() as download:
        page.get_by_role("link", name="SEPA-bestand voor de bank").click()
    target = tmp_path / "sepa.xml"
    download.value.save_as(target)
    assert schema_errors(target.read_bytes()) == []

    page.goto(reverse("participants:payments_statements", kwargs={"slug": slug}))
    assert_accessible(axe, page)

    switch_to_english(page)
    page.goto(reverse("participants:payments_batch", kwargs={"slug": slug, "number": 1}))
    assert_accessible(axe, page)
    page.goto(reverse("participants:payments_overview", kwargs={"slug": slug}))
    assert_accessible(axe, page)
