"""A member reads the materials on a phone; an organiser releases a material.
axe-core (WCAG 2.1 A/AA) on each page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from assembly.models import OutboxEmail
from sessions.models import Material, Weekend
from tests.conftest import Cast
from tests.e2e.conftest import PHONE, TIMEOUT_MS, assert_accessible, log_in
from tests.sessions_materials.helpers import (
    make_expert,
    make_material,
    make_perspective,
    make_session,
)

pytestmark = pytest.mark.browser



def _content(cast: Cast) -> Material:
    organiser = cast.users["organiser"]
    w1 = Weekend.objects.get(assembly=cast.assembly, number=1)
    w2 = Weekend.objects.get(assembly=cast.assembly, number=2)
    care = make_perspective(cast.assembly, "Volksgezondheid en zorg", 1)
    expert = make_expert(cast.assembly, name="Dr. Aisha Koster", perspective=care)
    session = make_session(w1, topic="Preventie")
    session.experts.add(expert)
    make_material(
        cast.assembly,
        organiser,
        weekend=w1,
        session=session,
        expert=expert,
        title="Drugs in Nederland: de feiten",
        status=Material.Status.PUBLIC,
    )
    make_material(
        cast.assembly,
        organiser,
        weekend=w1,
        title="Wat is een burgerberaad?",
        kind=Material.Kind.VIDEO,
        status=Material.Status.RELEASED,
    )
    return make_material(cast.assembly, organiser, weekend=w2, title="Verslavingszorg")


def test_a_member_reads_the_materials_on_a_phone(
    chromium: Browser, live_server: Any, axe: Axe, cast: Cast
) -> None:
    _content(cast)
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        log_in(page, "member", cast.users["member"].email)
        page.goto(reverse("programme:materials", kwargs={"slug": cast.assembly.slug}))
        expect(page.get_by_role("heading", level=1)).to_have_text("Stukken om te lezen")
        expect(page.get_by_role("link", name="Drugs in Nederland: de feiten")).to_be_visible()
        expect(page.get_by_text("Wat is een burgerberaad?")).to_be_visible()
        expect(page.get_by_text("Verslavingszorg")).to_have_count(0)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
        assert_accessible(axe, page)

        page.goto(reverse("programme:materials_public", kwargs={"slug": cast.assembly.slug}))
        assert_accessible(axe, page)
        page.goto(reverse("programme:experts_public", kwargs={"slug": cast.assembly.slug}))
        assert_accessible(axe, page)
    finally:
        context.close()


def test_an_organiser_releases_a_material(page: Page, axe: Axe, cast: Cast) -> None:
    draft = _content(cast)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("programme:material_edit", kwargs={"slug": slug, "pk": draft.pk}))
    assert_accessible(axe, page)
    expert = make_expert(cast.assembly, name="Pieter van Dam")
    page.goto(reverse("programme:expert_edit", kwargs={"slug": slug, "pk": expert.pk}))
    assert_accessible(axe, page)
    perspective = expert.assembly.perspectives.first()
    assert perspective is not None
    page.goto(reverse("programme:perspective_edit", kwargs={"slug": slug, "pk": perspective.pk}))
    assert_accessible(axe, page)

    page.goto(reverse("programme:material_list", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stukken beheren")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("link", name="Verslavingszorg").click()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Vrijgeven", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("vrijgegeven")
    assert_accessible(axe, page)
    draft.refresh_from_db()
    assert draft.status == Material.Status.RELEASED
    assert OutboxEmail.objects.filter(to=cast.users["member"].email).exists()

    for name in (
        "programme:material_create",
        "programme:balance",
        "programme:experts",
        "programme:perspectives",
        "programme:expert_create",
    ):
        page.goto(reverse(name, kwargs={"slug": slug}))
        assert_accessible(axe, page)


def test_an_expert_sees_their_page(page: Page, axe: Axe, cast: Cast) -> None:
    _content(cast)
    expert = make_expert(cast.assembly, name="Pieter van Dam", user=cast.users["expert"])
    session = make_session(Weekend.objects.get(assembly=cast.assembly, number=3), n=2)
    session.experts.add(expert)
    log_in(page, "expert", cast.users["expert"].email)
    page.goto(reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn pagina als deskundige")
    assert_accessible(axe, page)
