"""The chair's record in Debian's chromium: the chair writes, previews and
approves minutes; the public reads the results, the minutes and the
government-response tracker, in Dutch and English and on a phone. axe-core
(WCAG 2.1 A/AA) on every page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from recommendations.models import (
    GovernmentResponse,
    MinorityStatement,
    Minutes,
    Recommendation,
)
from sessions.models import Weekend
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible, log_in, switch_to_english
from tests.recommendations.test_results import make_ranked, make_recommendation, make_result

pytestmark = pytest.mark.browser



def _outcomes(cast: Cast) -> None:
    adopted = make_recommendation(cast.assembly, 1, title="Drugscheck in elke regio")
    make_result(adopted, votes=(130, 30, 8))
    MinorityStatement.objects.create(
        recommendation=adopted, text="Eerst een proef in een paar gemeenten.", supporters=25
    )
    GovernmentResponse.objects.create(
        recommendation=adopted,
        status=GovernmentResponse.Status.UNDER_STUDY,
        text="Het kabinet laat dit uitzoeken.",
        responded_on="2026-01-15",
    )
    GovernmentResponse.objects.create(
        recommendation=adopted,
        status=GovernmentResponse.Status.PARTLY,
        text="Het kabinet begint met een proef.",
        responded_on="2026-06-15",
        source_title="Kamerbrief",
        source_url="https://www.rijksoverheid.nl/",
    )
    rejected = make_recommendation(cast.assembly, 2, title="Verbod op lachgas uitbreiden")
    make_result(rejected, votes=(70, 90, 10))
    make_ranked(cast.assembly)


def test_the_chair_writes_previews_and_approves_minutes(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    _outcomes(cast)
    # Two weekends with outcomes: two tables on the page, each named apart.
    for number in (1, 2):
        Recommendation.objects.filter(assembly=cast.assembly, number=number).update(
            weekend=Weekend.objects.get(assembly=cast.assembly, number=number)
        )
    slug = cast.assembly.slug
    log_in(page, "chair", cast.users["chair"].email)
    page.goto(reverse("recommendations:record_overview", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verslag en uitkomsten")
    expect(
        page.get_by_role("table", name="Aanbevelingen van weekend 2 met hun uitslag")
    ).to_contain_text("Verbod op lachgas uitbreiden")
    assert_accessible(axe, page)

    with page.expect_navigation():
        page.get_by_role("link", name="Nieuw verslag voor weekend 1").click()
    page.get_by_label("Titel").fill("Opening van het burgerberaad")
    page.get_by_label("Verslag", exact=False).first.fill("## Welkom\n\nDe voorzitter **opent**.")
    with page.expect_navigation():
        page.get_by_role("button", name="Voorbeeld bekijken").click()
    expect(page.get_by_role("heading", name="Welkom")).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.get_by_text("Het verslag is bewaard. Het is nog niet openbaar.")).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Verslag goedkeuren en publiceren").click()
    expect(page.get_by_text("Het verslag is goedgekeurd")).to_be_visible()
    minutes = Minutes.objects.get()
    assert minutes.approved_by == cast.users["chair"]

    page.goto(reverse("recommendations:record_minority", kwargs={"slug": slug, "number": 2}))
    page.get_by_label("Minderheidsstandpunt").fill("Handhaving werkt beter dan een verbod.")
    with page.expect_navigation():
        page.get_by_role("button", name="Vastleggen").click()
    expect(page.get_by_text("Het minderheidsstandpunt is vastgelegd.")).to_be_visible()
    assert_accessible(axe, page)


def test_the_public_reads_results_minutes_and_the_tracker(
    chromium: Browser, axe: Axe, cast: Cast, live_server: Any
) -> None:
    _outcomes(cast)
    slug = cast.assembly.slug
    minutes = Minutes.objects.create(
        assembly=cast.assembly,
        weekend=cast.assembly.weekends.get(number=1),
        title="Weekend 1: opening",
        body="## Wat we hoorden\n\n- Jongeren\n- Veiligheid",
    )
    Minutes.objects.filter(pk=minutes.pk).update(approved_at="2026-03-01T10:00:00+01:00")
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(reverse("recommendations:record_results", kwargs={"slug": slug}))
        expect(page.get_by_role("heading", level=1)).to_have_text("Uitkomsten van de stemmingen")
        expect(page.get_by_text("Eerst een proef in een paar gemeenten.")).to_be_visible()
        expect(page.get_by_text("Gekozen: Regulering")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the results page scrolls sideways on a phone: {width}px"
        assert_accessible(axe, page)

        page.goto(reverse("recommendations:record_tracker", kwargs={"slug": slug}))
        expect(page.locator("svg[role=img] title")).to_have_count(1)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the tracker scrolls sideways on a phone: {width}px"
        assert_accessible(axe, page)
        with page.expect_navigation():
            page.get_by_role("link", name="Aanbeveling 1: Drugscheck in elke regio").click()
        expect(page.get_by_text("Het kabinet laat dit uitzoeken.")).to_be_visible()
        assert_accessible(axe, page)

        page.goto(reverse("recommendations:record_minutes_list", kwargs={"slug": slug}))
        with page.expect_navigation():
            page.get_by_role("link", name="Weekend 1: opening").click()
        expect(page.get_by_role("heading", name="Wat we hoorden")).to_be_visible()
        assert_accessible(axe, page)

        switch_to_english(page)
        assert_accessible(axe, page)
        for name in ("record_results", "record_tracker", "record_minutes_list"):
            page.goto(reverse(f"recommendations:{name}", kwargs={"slug": slug}))
            assert page.locator("html").get_attribute("lang") == "en"
            assert_accessible(axe, page)
    finally:
        context.close()
