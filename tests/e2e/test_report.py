"""The report in Debian's chromium: the griffie reads the final report and
downloads it as HTML, PDF and ZIP; an organiser sees the overview with its
charts and shares a progress report; a member opts in to be named on a phone.
axe-core (WCAG 2.1 A/AA) on every page, in Dutch and English."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import Cast
from tests.e2e.conftest import assert_accessible, log_in, switch_to_english
from tests.recommendations.test_report import report_assembly

pytestmark = pytest.mark.browser


def test_the_griffie_downloads_the_final_report_in_three_formats(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    report_assembly(cast.assembly)
    log_in(page, "griffie", cast.users["griffie"].email)
    page.goto(reverse("recommendations:report_final", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.assembly.name)
    expect(
        page.get_by_role("heading", name="Aanbeveling 2. Aanbeveling over preventie 2")
    ).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download als PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as archive:
        page.get_by_role("link", name="Download de open data (ZIP met CSV en JSON)").click()
    assert archive.value.suggested_filename.endswith(".zip")
    switch_to_english(page)
    assert_accessible(axe, page)


def test_an_organiser_sees_the_overview_and_shares_a_progress_report(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    report_assembly(cast.assembly)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("recommendations:report_overview", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
    expect(page.locator("svg.bar-chart")).to_have_count(2)
    assert_accessible(axe, page)

    page.goto(reverse("recommendations:report_progress_edit", kwargs={"slug": slug, "weekend": 1}))
    assert_accessible(axe, page)
    page.get_by_label("Wat er gebeurde").fill("De deelnemers leerden elkaar kennen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De tekst is opgeslagen.")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:report_progress_edit", kwargs={"slug": slug, "weekend": 1}))
    with page.expect_navigation():
        page.get_by_role("button", name="Delen met de griffie").click()
    expect(page.get_by_text("Het voortgangsrapport is gedeeld met de griffie.")).to_be_visible()
    switch_to_english(page)
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:report_overview", kwargs={"slug": slug}))
    assert_accessible(axe, page)


def test_a_member_opts_in_to_be_named_on_a_phone(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    built = report_assembly(cast.assembly, recommendations=1)
    member = built.members[2]
    member.user = cast.users["member"]
    member.save(update_fields=["user"])
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, "member", cast.users["member"].email)
    page.goto(reverse("recommendations:report_name_consent", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_text("Nu: uw naam komt niet in het rapport.")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Ja, mijn naam mag in het rapport staan.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Keuze opslaan").click()
    expect(page.get_by_text("Nu: uw naam komt in het rapport.")).to_be_visible()
    switch_to_english(page)
    assert_accessible(axe, page)
