"""Drafting and the plenary in Debian's chromium: a gespreksleider on a phone
drafts, edits, compares and submits a recommendation; the chair walks the
plenary, records feedback and an amendment with its count, and fixes the
final text. axe-core (WCAG 2.1 A/AA) on every page, in Dutch and English."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from recommendations.models import Amendment, Recommendation
from recommendations.services import drafting as services
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible, log_in, switch_to_english
from tests.recommendations.test_drafting import drafting_world

pytestmark = pytest.mark.browser


def _check_in_english(page: Page, axe: Axe, paths: list[str]) -> None:
    switch_to_english(page)
    for path in paths:
        page.goto(path)
        assert_accessible(axe, page)


def test_a_facilitator_on_a_phone_drafts_edits_and_submits(
    chromium: Browser, axe: Axe, transactional_db: None, cast: Cast, live_server: LiveServer
) -> None:
    world = drafting_world(cast)
    context = chromium.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, "facilitator", cast.users["facilitator"].email)
    visited: list[str] = []

    page.goto(reverse("recommendations:list", kwargs={"slug": world.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanbevelingen")
    assert_accessible(axe, page)
    visited.append(page.url)

    with page.expect_navigation():
        page.get_by_role("link", name="Nieuwe aanbeveling schrijven").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    page.get_by_label("Tekst van de aanbeveling").fill("Hulpverleners hebben naloxon bij zich.")
    with page.expect_navigation():
        page.get_by_role("button", name="Concept opslaan").click()
    # A missing title is named at the field, and nothing was saved.
    expect(page.get_by_text("Fout: Dit veld is verplicht.")).to_be_visible()
    assert not Recommendation.objects.exists()
    assert_accessible(axe, page)
    page.get_by_label("Titel").fill("Naloxon voor noodgevallen")
    with page.expect_navigation():
        page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_text("is opgeslagen als concept")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Aanbeveling 1: Naloxon voor noodgevallen"
    )
    assert_accessible(axe, page)
    visited.append(page.url)
    draft_url = page.url

    # The list with a draft of the table: its table is a region of its own,
    # named apart from the section around it (axe: landmark-unique).
    page.goto(reverse("recommendations:list", kwargs={"slug": world.slug}))
    expect(
        page.get_by_role("table", name="Concepten van uw tafel").get_by_role(
            "link", name="Naloxon voor noodgevallen"
        )
    ).to_be_visible()
    assert_accessible(axe, page)
    page.goto(draft_url)

    with page.expect_navigation():
        page.get_by_role("link", name="Tekst aanpassen").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    page.get_by_label("Tekst van de aanbeveling").fill(
        "Hulpverleners en politie hebben naloxon bij zich."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Nieuwe versie opslaan").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Vergelijk versie 1 met versie 2").click()
    expect(page.locator(".card ins").first).to_contain_text("en politie")
    expect(page.get_by_text("Toegevoegd:").first).to_be_attached()
    assert_accessible(axe, page)
    visited.append(page.url)

    page.goto(Recommendation.objects.get().get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Indienen bij de plenaire vergadering").click()
    expect(page.get_by_text("is ingediend bij de plenaire vergadering")).to_be_visible()
    assert Recommendation.objects.get().status == Recommendation.Status.SUBMITTED
    assert_accessible(axe, page)

    _check_in_english(page, axe, visited)
    context.close()


def test_the_chair_walks_the_plenary_and_records_an_amendment(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    world = drafting_world(cast)
    first = services.recommendation_create(
        table=world.led,
        title="Les over drugs",
        text="Elke school geeft les over drugs.",
        actor=None,
    )
    services.recommendation_submit(recommendation=first, actor=None)
    second = services.recommendation_create(
        table=world.other, title="Sneller hulp", text="Binnen vier weken hulp.", actor=None
    )
    services.recommendation_submit(recommendation=second, actor=None)
    log_in(page, "chair", cast.users["chair"].email)
    visited: list[str] = []

    page.goto(reverse("recommendations:plenary", kwargs={"slug": world.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Plenaire vergadering")
    assert_accessible(axe, page)
    visited.append(page.url)
    with page.expect_navigation():
        page.get_by_role("link", name="Begin bij de eerste aanbeveling").click()
    expect(page.get_by_text("Punt 1 van 2 in de plenaire vergadering")).to_be_visible()
    assert_accessible(axe, page)
    visited.append(page.url)

    page.get_by_label("Wat zei de plenaire vergadering?").fill("Veel steun, ook voor het mbo.")
    with page.expect_navigation():
        page.get_by_role("button", name="Terugkoppeling vastleggen").click()
    expect(page.get_by_text("Veel steun, ook voor het mbo.")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Amendement indienen").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    page.get_by_label("Wie stelt dit amendement voor?").select_option(label="Tafel 2")
    page.get_by_label("Nieuwe tekst").fill("Elke school en elk mbo geeft les over drugs.")
    with page.expect_navigation():
        page.get_by_role("button", name="Amendement indienen").click()
    expect(page.get_by_text("Amendement 1 is ingediend.")).to_be_visible()
    assert_accessible(axe, page)

    with page.expect_navigation():
        page.get_by_role("link", name="Besluit over amendement 1 vastleggen").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    page.get_by_label("Aangenomen").check()
    page.get_by_label("Stemmen voor").fill("120")
    page.get_by_label("Stemmen tegen").fill("40")
    page.get_by_label("Onthoudingen").fill("8")
    with page.expect_navigation():
        page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("heading", name="Amendement 1: Aangenomen")).to_be_visible()
    expect(page.get_by_text("Stemmen: 120 voor, 40 tegen, 8 onthoudingen.")).to_be_visible()
    amendment = Amendment.objects.get()
    assert (amendment.status, amendment.votes_for, amendment.votes_against) == ("accepted", 120, 40)
    first.refresh_from_db()
    assert first.text == "Elke school en elk mbo geeft les over drugs."

    with page.expect_navigation():
        page.get_by_role("link", name="Tekst definitief maken").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    with page.expect_navigation():
        page.get_by_role("button", name="Tekst definitief maken").click()
    expect(page.get_by_text("Definitieve tekst").first).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Volgende: aanbeveling 2 →").click()
    expect(page.get_by_text("Punt 2 van 2 in de plenaire vergadering")).to_be_visible()
    assert_accessible(axe, page)

    _check_in_english(page, axe, visited)


def test_the_organiser_merges_two_and_withdraws_one(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    world = drafting_world(cast)
    made = []
    for table, title in ((world.led, "Naloxon bij de politie"), (world.other, "Naloxon overal")):
        recommendation = services.recommendation_create(
            table=table, title=title, text=f"{title}: iedereen kan helpen.", actor=None
        )
        made.append(services.recommendation_submit(recommendation=recommendation, actor=None))
    log_in(page, "organiser", cast.users["organiser"].email)
    visited: list[str] = []

    page.goto(reverse("recommendations:merge", kwargs={"slug": world.slug}))
    assert_accessible(axe, page)
    visited.append(page.url)
    page.get_by_role("checkbox", name="1. Naloxon bij de politie").check()
    page.get_by_role("checkbox", name="2. Naloxon overal").check()
    page.get_by_label("Titel").fill("Naloxon voor noodgevallen")
    page.get_by_label("Samengevoegde tekst").fill("Politie en hulpverleners hebben naloxon.")
    with page.expect_navigation():
        page.get_by_role("button", name="Samenvoegen").click()
    expect(page.get_by_text("samengevoegd in aanbeveling 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Samengevoegd uit")).to_be_visible()
    assert_accessible(axe, page)
    visited.append(page.url)

    with page.expect_navigation():
        page.get_by_role("link", name="1. Naloxon bij de politie").click()
    expect(page.get_by_text("Deze aanbeveling is samengevoegd in aanbeveling 3.")).to_be_visible()
    assert_accessible(axe, page)

    page.goto(reverse("recommendations:list", kwargs={"slug": world.slug}))
    with page.expect_navigation():
        page.get_by_role("link", name="Naloxon voor noodgevallen").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Intrekken").click()
    assert_accessible(axe, page)
    visited.append(page.url)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanbeveling intrekken").click()
    expect(page.get_by_text("Fout: Dit veld is verplicht.")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Reden van intrekken").fill("Het kabinet doet dit al.")
    with page.expect_navigation():
        page.get_by_role("button", name="Aanbeveling intrekken").click()
    expect(page.get_by_text("Aanbeveling 3 is ingetrokken.")).to_be_visible()
    assert Recommendation.objects.get(number=3).status == Recommendation.Status.WITHDRAWN

    _check_in_english(page, axe, visited)


def test_a_member_on_a_phone_keeps_their_text_when_someone_saved_first(
    chromium: Browser, axe: Axe, transactional_db: None, cast: Cast, live_server: LiveServer
) -> None:
    world = drafting_world(cast)
    recommendation = services.recommendation_create(
        table=world.led, title="Naloxon", text="Hulpverleners hebben naloxon bij zich.", actor=None
    )
    context = chromium.new_context(
        base_url=live_server.url, locale="nl-NL", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, "facilitator", cast.users["facilitator"].email)
    page.goto(reverse("recommendations:edit", kwargs={"slug": world.slug, "number": 1}))
    mine = "Hulpverleners en politie hebben naloxon bij zich."
    page.get_by_label("Tekst van de aanbeveling").fill(mine)
    # Someone else at the table saves first.
    services.recommendation_edit(
        recommendation=recommendation,
        title="Naloxon",
        text="Alle hulpverleners hebben naloxon bij zich.",
        base_version=1,
        actor=None,
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Nieuwe versie opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Iemand anders heeft deze aanbeveling")
    expect(page.get_by_role("heading", name="Wat is er intussen veranderd?")).to_be_visible()
    expect(page.get_by_label("Tekst van de aanbeveling")).to_have_value(mine)
    assert page.title().startswith("Fout:")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Nieuwe versie opslaan").click()
    expect(page.get_by_text("De nieuwe versie is opgeslagen.")).to_be_visible()
    recommendation.refresh_from_db()
    assert recommendation.text == mine and recommendation.versions.count() == 3
    context.close()


def test_an_amendment_sent_again_with_the_back_button_is_proposed_once(
    page: Page, cast: Cast, live_server: Any
) -> None:
    """The Back button loads the form again (a new form number) and the browser
    puts the typed text back: sending it again gives the same amendment."""
    world = drafting_world(cast)
    recommendation = services.recommendation_create(
        table=world.led, title="Les", text="Elke school geeft les over drugs.", actor=None
    )
    services.recommendation_submit(recommendation=recommendation, actor=None)
    log_in(page, "member", cast.users["member"].email)
    page.goto(
        reverse("recommendations:amendment_propose", kwargs={"slug": world.slug, "number": 1})
    )
    first_number = page.locator("input[name=submission]").input_value()
    page.get_by_label("Nieuwe tekst").fill("Elke school en elk mbo geeft les over drugs.")
    with page.expect_navigation():
        page.get_by_role("button", name="Amendement indienen").click()
    expect(page.get_by_text("Amendement 1 is ingediend.")).to_be_visible()

    page.go_back()
    expect(page.get_by_label("Nieuwe tekst")).to_have_value(
        "Elke school en elk mbo geeft les over drugs."
    )
    # The page came from the server again: the form number alone cannot tell.
    assert page.locator("input[name=submission]").input_value() != first_number
    with page.expect_navigation():
        page.get_by_role("button", name="Amendement indienen").click()

    expect(page.get_by_text("Dit amendement was al ingediend, als amendement 1.")).to_be_visible()
    assert list(Amendment.objects.values_list("number", flat=True)) == [1]
