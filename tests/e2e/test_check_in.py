"""Check-in in Debian's chromium on a phone-sized screen (390 × 844): an
organiser searches a member and checks them in, and opens a member's QR code
URL to check them in; a desk volunteer (balie) logs in with an e-mailed code,
goes from their home page to today's list and checks a member in, and is
refused the organisers' pages; a member sees their QR code. axe-core (WCAG
2.1 A/AA) on every page on the way."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from participants.models import CheckIn, PanelMember
from participants.selectors_attendance import member_code
from participants.services.attendance import check_in_token
from tests.conftest import Cast
from tests.e2e.conftest import (
    PHONE,
    TIMEOUT_MS,
    assert_accessible,
    crawl,
    log_in,
    switch_to_english,
)
from tests.participants.test_attendance import confirmed_members, weekend_around_today

pytestmark = pytest.mark.browser

TOUCH_TARGET_PX = 44


@pytest.fixture
def phone(chromium: Browser, live_server: LiveServer, transactional_db: None) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _for(label: str, name: str) -> re.Pattern[str]:
    """A control's accessible name: its label plus the member's name (hidden
    from view; chromium puts a space before the colon)."""
    return re.compile(rf"^{re.escape(label)} ?: {re.escape(name)}$")


def _assert_big_enough(page: Page, name: str | re.Pattern[str]) -> None:
    box = page.get_by_role("button", name=name).first.bounding_box()
    assert box is not None
    assert box["height"] >= TOUCH_TARGET_PX and box["width"] >= TOUCH_TARGET_PX, box


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px screen"


def test_an_organiser_checks_members_in_on_a_phone(phone: Page, axe: Axe, cast: Cast) -> None:
    page = phone
    weekend = weekend_around_today(cast.assembly)
    members = confirmed_members(cast.assembly, 12)
    target, scanned = members[5], members[8]
    slug = cast.assembly.slug
    today = timezone.localdate()
    log_in(page, "organiser", cast.users["organiser"].email)

    page.goto(reverse("participants:attendance_overview", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanwezigheid")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.locator(f"a.button[href$='/{today.isoformat()}/']").click()
    assert page.url.endswith(f"/{weekend.number}/{today.isoformat()}/"), page.url
    expect(page.locator(".checkin-count")).to_contain_text("0 van 12 aanwezig")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    name = target.registration.full_name
    page.get_by_label("Zoek op naam of code").fill(name.split()[-1])
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".checkin-row")).to_have_count(1)
    _assert_big_enough(page, _for("Aanwezig", name))
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name=_for("Aanwezig", name)).tap()
    expect(page.get_by_role("status").first).to_contain_text(f"{name} is aangemeld")
    expect(page.locator(f"#lid-{target.pk}")).to_contain_text("Aanwezig (aangemeld om")
    expect(page.locator(".checkin-count")).to_contain_text("1 van 12 aanwezig")
    # No undo where "Aanwezig" was: a second tap must not take it back.
    expect(page.get_by_role("button", name=_for("Ongedaan maken", name))).to_have_count(0)
    change = page.get_by_role("link", name=_for("Wijzigen of weghalen", name))
    box = change.bounding_box()
    assert box is not None and box["height"] >= TOUCH_TARGET_PX, box
    assert_accessible(axe, page)
    assert CheckIn.objects.filter(member=target, day=today).count() == 1

    # Late arrival and a note, on the member's own small form, which also
    # holds the undo.
    with page.expect_navigation():
        change.click()
    _assert_big_enough(page, "Aanmelding weghalen")
    assert_accessible(axe, page)
    page.get_by_label("Later gekomen om").fill("10:45")
    page.get_by_label("Opmerking").fill("Trein had vertraging")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(f"#lid-{target.pk}")).to_contain_text("Later gekomen om 10:45")

    # The member's QR code holds this URL; the organiser's phone opens it.
    token = check_in_token(member_id=scanned.pk)
    page.goto(reverse("participants:attendance_scan", kwargs={"slug": slug, "token": token}))
    expect(page.locator(".scan-name")).to_have_text(scanned.registration.full_name)
    _assert_big_enough(page, "Aanmelden voor vandaag")
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelden voor vandaag").tap()
    expect(page.locator(".panel-done")).to_contain_text("Aangemeld voor")
    assert_accessible(axe, page)
    assert CheckIn.objects.filter(member=scanned, day=today).count() == 1

    # A code that is not a member's (a cropped photo): what to do next.
    page.goto(reverse("participants:attendance_scan", kwargs={"slug": slug, "token": "12:x"}))
    expect(page.get_by_role("heading", level=1)).to_have_text("QR-code niet herkend")
    expect(page.get_by_role("link", name="Naar de aanmeldlijst van vandaag")).to_be_visible()
    assert_accessible(axe, page)

    page.goto(
        reverse("participants:attendance_weekend", kwargs={"slug": slug, "weekend": weekend.number})
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aanwezigheid")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    # The same list in English.
    switch_to_english(page)
    page.goto(
        reverse(
            "participants:attendance_day",
            kwargs={"slug": slug, "weekend": weekend.number, "day": today},
        )
    )
    assert_accessible(axe, page)


def test_a_desk_volunteer_checks_a_member_in_on_a_phone(
    phone: Page, axe: Axe, cast: Cast
) -> None:
    page = phone
    weekend = weekend_around_today(cast.assembly)
    members = confirmed_members(cast.assembly, 6)
    target = members[3]
    slug = cast.assembly.slug
    today = timezone.localdate()
    desk = cast.users["desk"]
    # A code by e-mail, no password or TOTP: the desk is not a staff role.
    log_in(page, "desk", desk.email)

    # One assembly: the home page is the assembly's, and it leads to today's list.
    assert page.url.endswith(reverse("dashboard", kwargs={"slug": slug})), page.url
    expect(page.get_by_role("heading", name="Balie: deelnemers aanmelden")).to_be_visible()
    assert_accessible(axe, page)
    _no_sideways_scroll(page)
    # The desk's card and the next weekend's card stand apart, not edge to edge.
    boxes = page.eval_on_selector_all(
        "main > section.card",
        "cards => cards.map(c => c.getBoundingClientRect())"
        ".map(r => [r.top, r.bottom])",
    )
    assert len(boxes) >= 2, boxes
    assert all(b[0] - a[1] >= 8 for a, b in itertools.pairwise(boxes)), boxes
    with page.expect_navigation():
        page.get_by_role("link", name="Naar de aanmeldlijst van vandaag").tap()
    assert page.url.endswith(f"/{weekend.number}/{today.isoformat()}/"), page.url
    expect(page.locator(".checkin-count")).to_contain_text("0 van 6 aanwezig")
    assert_accessible(axe, page)
    _no_sideways_scroll(page)

    name = target.registration.full_name
    page.get_by_label("Zoek op naam of code").fill(name.split()[-1])
    with page.expect_navigation():
        page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".checkin-row")).to_have_count(1)
    _assert_big_enough(page, _for("Aanwezig", name))
    with page.expect_navigation():
        page.get_by_role("button", name=_for("Aanwezig", name)).tap()
    expect(page.get_by_role("status").first).to_contain_text(f"{name} is aangemeld")
    expect(page.locator(".checkin-count")).to_contain_text("1 van 6 aanwezig")
    assert_accessible(axe, page)
    check_in = CheckIn.objects.get(member=target, day=today)
    assert check_in.checked_in_by_id == desk.pk

    # A mistake: take it back on the member's own small form.
    with page.expect_navigation():
        page.get_by_role("link", name=_for("Wijzigen of weghalen", name)).click()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Aanmelding weghalen").tap()
    expect(page.get_by_role("status").first).to_contain_text("is weggehaald")
    assert not CheckIn.objects.filter(member=target, day=today).exists()

    # Nothing else with personal data: no allowances, payments, registrations.
    for url in (
        reverse("participants:allowances_overview", kwargs={"slug": slug}),
        reverse("participants:payments_overview", kwargs={"slug": slug}),
        reverse("participants:registration_overview", kwargs={"slug": slug}),
        reverse("participants:attendance_overview", kwargs={"slug": slug}),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 403, url


def test_a_member_sees_their_qr_code_on_a_phone(phone: Page, axe: Axe, cast: Cast) -> None:
    page = phone
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    log_in(page, "member", cast.users["member"].email)

    page.goto(reverse("participants:member_check_in_qr", kwargs={"slug": cast.assembly.slug}))
    expect(page.get_by_role("img", name="QR-code om u aan te melden")).to_be_visible()
    expect(page.locator(".member-code")).to_have_text(member_code(member.pk))
    assert_accessible(axe, page)
    _no_sideways_scroll(page)


@pytest.mark.parametrize("persona", ["organiser", "chair"])
def test_the_attendance_pages_a_role_reaches_are_accessible(
    phone: Page, axe: Axe, cast: Cast, live_server: LiveServer, persona: str
) -> None:
    # The cast's weekends lie ahead: empty overviews and a day not begun yet.
    confirmed_members(cast.assembly, 3)
    log_in(phone, persona, cast.users[persona].email)
    start = reverse("participants:attendance_overview", kwargs={"slug": cast.assembly.slug})

    report = crawl(phone, axe, origin=live_server.url, starts=(start,), limit=8)

    problems = report.problems(lang="nl")
    assert not problems, "\n".join(problems)
    assert start in report.paths
    weekend_pages = [p for p in report.paths if "/beheer/aanwezig/" in p and p != start]
    assert weekend_pages, report.paths
