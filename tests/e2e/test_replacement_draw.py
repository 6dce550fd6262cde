"""A replacement's public draw in Debian's chromium: the organiser types the
number drawn in public, a wrong one is refused beside the field, and the
public lottery page shows the draw; axe-core (WCAG 2.1 A/AA) on each page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from participants.models import Replacement
from participants.services import panel as services
from tests.conftest import Cast
from tests.e2e.conftest import assert_accessible, log_in
from tests.participants.test_panel import make_panel

pytestmark = pytest.mark.browser


def test_the_organiser_draws_a_replacement_in_public(
    page: Page, axe: Axe, cast: Cast, live_server: Any
) -> None:
    # Both alternates are women and a man leaves: a new LEXIMIN lottery.
    panel = make_panel(cast.assembly, alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="verhuisd", actor=None)
    replacement = services.replacement_propose(
        assembly=cast.assembly, dropped_members=[panel.member(1)], actor=None
    )
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DRAW
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(
        reverse("participants:replacement_detail", kwargs={"slug": slug, "pk": replacement.pk})
    )
    expect(page.get_by_role("heading", name="Het openbare getal invoeren")).to_be_visible()
    assert_accessible(axe, page)

    number = page.get_by_label("Openbaar getal")
    number.fill("1.000")
    page.get_by_label("Hoe is het getal getrokken?").fill("Drie dobbelstenen, in het openbaar")
    with page.expect_navigation():
        number.press("Enter")
    expect(page.locator("#id_number_error")).to_contain_text("Fout:")
    expect(number).to_have_attribute("aria-describedby", "id_number_helptext id_number_error")
    assert_accessible(axe, page)

    number.fill("1234")
    with page.expect_navigation():
        number.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Getrokken: lot 234")
    expect(page.get_by_text("het openbare getal 1234 wijst lot 234 aan")).to_be_visible()
    expect(page.get_by_role("heading", name="Voorstel niet gebruiken")).to_be_visible()
    assert_accessible(axe, page)
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED
    assert len(replacement.proposed) == 1

    page.goto(reverse("participants:lottery_public", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", name="Vervangingen")).to_be_visible()
    expect(page.get_by_text("Het openbare getal was 1234. Dat wijst lot 234 aan.")).to_be_visible()
    assert_accessible(axe, page)
