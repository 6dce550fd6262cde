"""Allowances and claims in Debian's chromium: a member files a claim with a
photo of the receipt on a phone (375 px wide), an organiser approves it.
axe-core (WCAG 2.1 A/AA) on every page, in Dutch and in English."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from participants.models import CheckIn, ExpenseClaim, PanelMember
from participants.services import allowances as allowance_services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible, log_in, switch_to_english
from tests.participants.test_attendance import confirmed_members

pytestmark = pytest.mark.browser

PAST = dt.date(2025, 3, 8)


def _receipt_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (250, 250, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def _member_with_a_weekend(cast: Cast) -> PanelMember:
    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=PAST, ends_on=PAST + dt.timedelta(days=1)
    )
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    for day in (weekend.starts_on, weekend.ends_on):
        CheckIn.objects.create(member=member, weekend=weekend, day=day)
    allowance_services.allowances_compute(assembly=cast.assembly, actor=None)
    return member


def test_a_member_files_a_claim_on_a_phone_and_an_organiser_approves_it(
    page: Page, chromium: Browser, axe: Axe, cast: Cast, live_server: Any
) -> None:
    _member_with_a_weekend(cast)
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE)
    log_in(page, "member", cast.users["member"].email)

    page.goto(reverse("participants:my_allowance", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn vergoeding")
    expect(page.get_by_text("€ 70,00").first).to_be_visible()
    assert_accessible(axe, page)
    # The table per day fits a 320 px phone: the status column ("Verdiend")
    # was cut off, behind a sideways scroll few people notice.
    days = page.locator("[aria-labelledby=days-heading] .table-scroll")
    widths = days.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], widths

    with page.expect_navigation():
        page.get_by_role("link", name="Kosten declareren").click()
    expect(page.get_by_text("Stap 1 van 2")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Openbaar vervoer").check()
    page.get_by_label("zaterdag 8 maart 2025").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_text("Stap 2 van 2")).to_be_visible()

    # First without a receipt: the message sits on the field.
    page.get_by_label("Bedrag (euro)").fill("8,40")
    with page.expect_navigation():
        page.get_by_role("button", name="Declaratie indienen").click()
    expect(page.locator("#id_receipt_error")).to_contain_text("Voeg een foto of PDF")
    assert_accessible(axe, page)

    page.get_by_label("Foto of PDF van de bon of het bewijs").set_input_files(
        {"name": "bon.png", "mimeType": "image/png", "buffer": _receipt_png()}
    )
    # Watch the message box from the first moment of the next page.
    page.add_init_script(
        """document.addEventListener("readystatechange", () => {
            const box = document.querySelector(".messages");
            if (!box || window.messageChanges !== undefined) return;
            window.messageChanges = 0;
            new MutationObserver(() => { window.messageChanges += 1; })
                .observe(box, { childList: true });
        });"""
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Declaratie indienen").click()
    expect(page.get_by_text("Uw declaratie van 8,40 euro is ingediend.")).to_be_visible()
    # The page goes to #declaraties, so the focus stays there; the message is
    # put back into its role="status" box after the load, which is announced.
    assert page.evaluate("location.hash") == "#declaraties"
    changes = 0
    for _try in range(50):  # the text comes back 0.4 s after the load
        changes = page.evaluate("window.messageChanges || 0")
        if changes >= 2:
            break
        page.wait_for_timeout(100)
    assert changes >= 2, "the message was not put back into its role=status box"
    expect(page.get_by_role("heading", name="Openbaar vervoer: € 8,40")).to_be_visible()
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)

    claim = ExpenseClaim.objects.get()
    assert claim.status == ExpenseClaim.Status.SUBMITTED and claim.receipt

    # The organiser works in a browser of their own (no shared cookies).
    organiser_context = chromium.new_context(base_url=live_server.url, locale="nl-NL")
    organiser_context.set_default_timeout(TIMEOUT_MS)
    organiser = organiser_context.new_page()
    try:
        log_in(organiser, "organiser", cast.users["organiser"].email)
        organiser.goto(reverse("participants:claims_queue", kwargs={"slug": slug}))
        expect(organiser.get_by_role("heading", level=1)).to_have_text("Declaraties")
        assert_accessible(axe, organiser)
        with organiser.expect_navigation():
            organiser.get_by_role("link", name=claim.member.registration.full_name).click()
        assert_accessible(axe, organiser)
        # The photo opens in the browser's own page, which styles itself
        # inline (centred on grey): the receipt's policy lets it.
        blocked: list[str] = []
        organiser.on("console", lambda message: blocked.append(message.text))
        receipt = reverse("participants:claim_receipt", kwargs={"slug": slug, "pk": claim.pk})
        organiser.goto(receipt)
        assert organiser.evaluate("getComputedStyle(document.images[0]).marginLeft") != "0px"
        assert not [text for text in blocked if "Content Security Policy" in text], blocked
        organiser.go_back()
        with organiser.expect_navigation():
            organiser.get_by_role("button", name="Goedkeuren", exact=True).click()
        expect(organiser.get_by_text("De declaratie is goedgekeurd.")).to_be_visible()
        # The message is read out: it has the focus (a box already there on
        # load is not announced by role="status" alone).
        focused = organiser.evaluate(
            "document.activeElement.className + ' ' + location.hash"
        )
        assert focused == "messages ", focused
        assert_accessible(axe, organiser)
        organiser.goto(reverse("participants:allowances_overview", kwargs={"slug": slug}))
        assert_accessible(axe, organiser)
        switch_to_english(organiser)
        assert_accessible(axe, organiser)
    finally:
        organiser_context.close()

    claim.refresh_from_db()
    assert claim.status == ExpenseClaim.Status.APPROVED
    assert claim.approved_by == cast.users["organiser"]
