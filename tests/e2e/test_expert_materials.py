"""An expert on a phone reads their declaration of interests, changes a material
they sent and withdraws another; a released one points to the secretariat.
axe-core (WCAG 2.1 A/AA) on each page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, expect

from sessions.models import Material
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible, log_in
from tests.sessions_materials.helpers import make_expert, make_material, make_pdf

pytestmark = pytest.mark.browser


def test_an_expert_changes_and_withdraws_what_they_sent_on_a_phone(
    chromium: Browser, live_server: Any, axe: Axe, cast: Cast
) -> None:
    slug = cast.assembly.slug
    user = cast.users["expert"]
    expert = make_expert(cast.assembly, name="Pieter van Dam", user=user)
    expert.interests = "Bestuurslid van Stichting Voorbeeld (onbetaald)."
    expert.save(update_fields=["interests"])
    draft = make_material(cast.assembly, user, expert=expert, title="Mijn presentatie")
    make_material(cast.assembly, user, expert=expert, title="Oude versie", kind=Material.Kind.LINK)
    released = make_material(
        cast.assembly, user, expert=expert, title="Al vrijgegeven", status=Material.Status.RELEASED
    )
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    def fits_the_phone() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"

    try:
        log_in(page, "expert", user.email)
        page.goto(reverse("programme:expert_home", kwargs={"slug": slug}))
        expect(page.get_by_role("heading", name="Mijn gegevens")).to_be_visible()
        expect(page.get_by_text("Bestuurslid van Stichting Voorbeeld (onbetaald).")).to_be_visible()
        fits_the_phone()
        assert_accessible(axe, page)

        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(r"^Wijzigen\s*: Mijn presentatie$")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stuk wijzigen")
        fits_the_phone()
        assert_accessible(axe, page)
        page.locator("#id_title").fill("Mijn presentatie, verbeterd")
        page.locator("#id_file").set_input_files(
            files=[{"name": "nieuw.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
        )
        with page.expect_navigation():
            page.get_by_role("button", name="Bewaren").click()
        expect(page.get_by_role("status")).to_contain_text("Het stuk is bewaard")
        draft.refresh_from_db()
        assert draft.title == "Mijn presentatie, verbeterd"
        assert draft.versions.count() == 2

        with page.expect_navigation():
            page.get_by_role("link", name=re.compile(r"^Intrekken\s*: Oude versie$")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Stuk intrekken")
        fits_the_phone()
        assert_accessible(axe, page)
        with page.expect_navigation():
            page.get_by_role("button", name="Ja, intrekken").click()
        expect(page.get_by_role("status")).to_contain_text("ingetrokken")
        assert not Material.objects.filter(title="Oude versie").exists()
        assert_accessible(axe, page)

        # Released: the expert asks the secretariat.
        page.goto(
            reverse("programme:expert_material_edit", kwargs={"slug": slug, "pk": released.pk})
        )
        expect(page.get_by_text("al vrijgegeven", exact=False).first).to_be_visible()
        expect(page.locator("main a[href^='mailto:']").first).to_be_visible()
        fits_the_phone()
        assert_accessible(axe, page)
    finally:
        context.close()
