"""Voting in Debian's chromium: a member votes on a phone and checks the
receipt; the chair opens, watches the live count, closes, enters a paper
count and fixes the result; a ranked ballot shows its rounds. axe-core
(WCAG 2.1 A/AA) on every page, in Dutch and in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import PanelMember
from recommendations.models import Ballot, BallotResult, ElectronicVote
from recommendations.services import ballots as services
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, assert_accessible, log_in, switch_to_english
from tests.recommendations.test_ballots import (
    final_recommendation,
    open_ballot,
    ranked_ballot,
    rule,
    voters,
)

pytestmark = pytest.mark.browser



def test_a_member_votes_on_a_phone_and_checks_the_receipt(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    members = voters(cast.assembly, 3)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = open_ballot(cast)
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE)
    log_in(page, "member", cast.users["member"].email)

    page.goto(reverse("recommendations:vote_list", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stemmen")
    assert_accessible(axe, page)
    # The open ballot's card fits the phone: nothing scrolls sideways (WCAG 1.4.10).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Stem nu")).click()
    expect(page.get_by_text("ten minste 75 procent voor stemt")).to_be_visible()
    assert_accessible(axe, page)
    # Without a choice: an error tied to the question.
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies voor, tegen of onthouding.")
    assert_accessible(axe, page)
    page.get_by_label("Voor", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klopt uw keuze?")
    assert_accessible(axe, page)
    assert not ElectronicVote.objects.exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, dit is mijn stem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw stem is ontvangen")
    code = page.locator("code.hash").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert_accessible(axe, page)
    assert ElectronicVote.objects.get(ballot=ballot).choice == "for"

    with page.expect_navigation():
        page.get_by_role(
            "link", name="Mijn stem is geteld: controleren met mijn code"
        ).first.click()
    page.get_by_label("Uw controlecode").fill(code.lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_text("Ja, uw stem is ontvangen.")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Voor")
    assert_accessible(axe, page)

    # A second vote is not possible; the page says so.
    page.goto(reverse("recommendations:vote", kwargs={"slug": slug, "number": ballot.number}))
    expect(page.get_by_text("U hebt al gestemd.")).to_be_visible()
    switch_to_english(page)
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:vote_list", kwargs={"slug": slug}))
    assert_accessible(axe, page)


def test_the_chair_opens_watches_closes_and_fixes_the_result(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    members = voters(cast.assembly, 4)
    rule(cast.assembly)
    electronic = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly, 1),
        method="electronic",
        actor=cast.users["organiser"],
    )
    paper = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly, 2),
        method="paper",
        actor=cast.users["organiser"],
    )
    slug = cast.assembly.slug
    log_in(page, "chair", cast.users["chair"].email)

    page.goto(reverse("recommendations:ballot_list", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stemmingen")
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:ballot_detail", kwargs={"slug": slug, "number": 1}))
    assert_accessible(axe, page)
    page.get_by_label("Ja, open de stemming nu.", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Stemming openen").click()
    expect(page.get_by_text("De stemming is open.")).to_be_visible()
    expect(page.locator("[data-progress-text]")).to_have_text(
        "0 van de 4 aanwezige deelnemers hebben gestemd."
    )
    assert_accessible(axe, page)
    # The live count follows the votes without reloading the page.
    electronic.refresh_from_db()
    services.electronic_vote_cast(ballot=electronic, member=members[0], choice="for")
    services.electronic_vote_cast(ballot=electronic, member=members[1], choice="for")
    expect(page.locator("[data-progress-text]")).to_have_text(
        "2 van de 4 aanwezige deelnemers hebben gestemd.", timeout=10_000
    )
    page.get_by_label("Ja, sluit de stemming nu.", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Stemming sluiten").click()
    expect(page.get_by_text("Aangenomen.", exact=True)).to_be_visible()
    expect(page.locator("svg.bar-chart")).to_be_visible()
    result = BallotResult.objects.get(ballot=electronic)
    expect(page.get_by_text(result.counts_hash).first).to_be_visible()
    assert_accessible(axe, page)

    # Paper: open, close, count; a second person confirms; the chair fixes it.
    page.goto(reverse("recommendations:ballot_detail", kwargs={"slug": slug, "number": 2}))
    page.get_by_label("Ja, open de stemming nu.", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Stemming openen").click()
    page.get_by_label("Ja, sluit de stemming nu.", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Stemming sluiten").click()
    assert_accessible(axe, page)
    page.get_by_label("Stemmen voor").fill("3")
    page.get_by_label("Stemmen tegen").fill("1")
    page.get_by_label("Onthoudingen").fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Telling invoeren").click()
    expect(page.get_by_text("Laat een tweede persoon haar controleren.")).to_be_visible()
    assert_accessible(axe, page)
    count = Ballot.objects.get(pk=paper.pk).paper_counts.get()
    services.paper_count_confirm(count=count, actor=cast.users["organiser"])
    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="Uitslag vastleggen").click()
    expect(page.get_by_text("Aangenomen.", exact=True)).to_be_visible()  # 3 / 4 = exactly 75 %
    expect(page.get_by_text("Dat is precies de grens, en dat is genoeg.")).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Uitslag corrigeren").click()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Correctie vastleggen").click()
    expect(page.get_by_text("Reden van de correctie").first).to_be_visible()
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:ballot_result", kwargs={"slug": slug, "number": 2}))
    assert_accessible(axe, page)


def test_a_ranked_ballot_on_a_phone_and_its_rounds(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    members = voters(cast.assembly, 3)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = ranked_ballot(cast)
    slug = cast.assembly.slug
    page.set_viewport_size(PHONE)
    log_in(page, "member", cast.users["member"].email)
    page.goto(reverse("recommendations:vote", kwargs={"slug": slug, "number": ballot.number}))
    assert_accessible(axe, page)
    page.get_by_label("Regulering").select_option(label="Keuze 1")
    page.get_by_label("Gedogen").select_option(label="Keuze 1")
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    expect(page.locator("#id_rank_3_error")).to_contain_text(
        "Keuze 1 hebt u al aan een andere optie gegeven."
    )
    assert_accessible(axe, page)
    page.get_by_label("Gedogen").select_option(label="Keuze 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Verder").click()
    expect(page.get_by_role("listitem").filter(has_text="Regulering")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, dit is mijn stem").click()
    assert ElectronicVote.objects.get(ballot=ballot).ranking == [3, 2]
    services.electronic_vote_cast(ballot=ballot, member=members[1], ranking=[1])
    services.electronic_vote_cast(ballot=ballot, member=members[2], ranking=[2, 3])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    page.goto(reverse("recommendations:ballot_result", kwargs={"slug": slug, "number": 1}))
    expect(page.get_by_role("heading", name="Ronde 2")).to_be_visible()
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)


def test_the_organiser_sets_the_rule_and_prepares_ballots(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    final_recommendation(cast.assembly, 3)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(reverse("recommendations:ballot_rule", kwargs={"slug": slug}))
    assert_accessible(axe, page)
    page.get_by_label("75 procent (ten minste 3/4)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Stemregel opslaan").click()
    expect(page.get_by_text("De stemregel is opgeslagen.")).to_be_visible()
    page.goto(reverse("recommendations:ballot_new", kwargs={"slug": slug}))
    assert_accessible(axe, page)
    page.get_by_label("Aanbeveling (verplicht)").select_option(label="3. Aanbeveling 3")
    with page.expect_navigation():
        page.get_by_role("button", name="Klaarzetten").click()
    expect(page.get_by_text("Alleen de voorzitter opent de stemming.")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(reverse("recommendations:ballot_new_ranked", kwargs={"slug": slug}))
    assert_accessible(axe, page)
    page.get_by_label("Titel").fill("Welk model?")
    page.get_by_label("Opties, één per regel", exact=False).fill("Verbod\nRegulering | Met regels")
    with page.expect_navigation():
        page.get_by_role("button", name="Klaarzetten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welk model?")
    assert_accessible(axe, page)
    switch_to_english(page)
    assert_accessible(axe, page)
