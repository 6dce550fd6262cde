"""What the base layout promises a real visitor: the skip link, visible focus, a phone
screen, Dutch first with a working switch to English, the member's own home page."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import (
    PHONE,
    TIMEOUT_MS,
    assert_accessible,
    axe_violations,
    describe_violations,
    log_in,
    switch_to_english,
)

pytestmark = pytest.mark.browser

DASHBOARD = "/b/drugsbeleid/mijn/"
QUESTION = "Is een drugsbeleid mogelijk met minder criminaliteit en minder gezondheidsrisico's?"


@pytest.fixture
def english_browser_page(
    chromium: Browser, live_server: LiveServer, transactional_db: None
) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", extra_http_headers={"Accept-Language": "en"}
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _active_element(page: Page) -> dict[str, str]:
    info: dict[str, str] = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                href: el.getAttribute('href') || '',
                text: (el.textContent || '').trim().slice(0, 60),
                outline: style.outlineStyle + ' ' + style.outlineWidth,
                visible: String(el.getBoundingClientRect().left >= 0
                    && el.getBoundingClientRect().top >= 0
                    && el.getBoundingClientRect().width > 1),
            };
        }"""
    )
    return info


def test_it_shows_the_member_the_assemblys_question_and_weekends(page: Page, cast: Cast) -> None:
    log_in(page, "member", cast.users["member"].email)

    page.goto("/")

    assert urlsplit(page.url).path == DASHBOARD, "a member of one assembly lands on its page"
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.assembly.name)
    expect(page.locator("main")).to_contain_text(QUESTION)
    # The cast plans seven weekends; the member must see when they are.
    expect(page.locator("main")).to_contain_text("Weekend 7")


@pytest.mark.parametrize("persona", ["anonymous", "member"])
def test_it_makes_the_skip_link_the_first_stop_and_moves_focus_to_main(
    page: Page, cast: Cast, persona: str
) -> None:
    if persona != "anonymous":
        log_in(page, persona, cast.users[persona].email)
    page.goto("/")

    page.keyboard.press("Tab")
    first = _active_element(page)
    assert first["href"] == "#main", f"the first Tab stop is {first}, not the skip link"
    assert first["visible"] == "true", f"the focused skip link is off screen: {first}"

    page.keyboard.press("Enter")
    assert _active_element(page)["id"] == "main", "Enter on the skip link must focus <main>"


def test_it_shows_where_the_keyboard_focus_is(page: Page, cast: Cast) -> None:
    log_in(page, "organiser", cast.users["organiser"].email)
    page.goto(DASHBOARD)

    stops: list[dict[str, str]] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stop = _active_element(page)
        if stop["tag"] == "body":
            break  # past the last stop of the page
        stops.append(stop)

    assert {stop["tag"] for stop in stops} >= {"a", "button"}, f"Tab stops: {stops}"
    invisible = [stop for stop in stops if stop["outline"].startswith("none")]
    assert not invisible, f"these Tab stops show no focus outline: {invisible}"


@pytest.mark.parametrize(
    ("persona", "paths"),
    [
        ("anonymous", ["/", "/accounts/login/", "/b/drugsbeleid/"]),
        ("member", [DASHBOARD]),
        ("organiser", [DASHBOARD]),
    ],
)
def test_it_fits_a_phone_screen_without_sideways_scrolling(
    page: Page, axe: Axe, cast: Cast, persona: str, paths: list[str]
) -> None:
    if persona != "anonymous":
        log_in(page, persona, cast.users[persona].email)
    page.set_viewport_size(PHONE)

    for path in paths:
        page.goto(path)

        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert inner_width == PHONE["width"]
        assert scroll_width <= inner_width, (
            f"{path} is {scroll_width} px wide on a {inner_width} px phone"
        )
        # Reflow at this width is where contrast and overlap problems show up.
        assert_accessible(axe, page)


def test_it_speaks_dutch_even_when_the_browser_prefers_english(
    english_browser_page: Page,
) -> None:
    english_browser_page.goto("/")

    assert english_browser_page.locator("html").get_attribute("lang") == "nl"
    expect(english_browser_page.get_by_role("button", name="English", exact=True)).to_be_visible()


def test_it_keeps_english_after_the_switch_until_switched_back(
    page: Page, axe: Axe, cast: Cast
) -> None:
    log_in(page, "member", cast.users["member"].email)
    page.goto(DASHBOARD)

    switch_to_english(page)

    assert urlsplit(page.url).path == DASHBOARD, "the switch returns to the same page"
    assert_accessible(axe, page)
    page.goto("/b/drugsbeleid/")
    assert page.locator("html").get_attribute("lang") == "en", "English must stick"
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Nederlands", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "nl"


def test_it_makes_axe_report_what_it_must_catch(page: Page, axe: Axe) -> None:
    # Guards the tier itself: if axe were not injected, or the rule tags were
    # wrong, every page would "pass".
    page.set_content(
        "<!DOCTYPE html><html><head><title>Kapot</title></head><body><main>"
        "<img src='data:,' id='no-alt'>"
        "<label>Naam</label><input id='unlabelled' type='text'>"
        "<p style='color:#bbb;background:#fff' id='pale'>Bijna onleesbaar</p>"
        "</main></body></html>"
    )

    violations = axe_violations(axe, page)

    ids = {violation["id"] for violation in violations}
    assert {"html-has-lang", "image-alt", "label", "color-contrast"} <= ids, ids
    report = describe_violations("/kapot/", violations)
    assert "#no-alt" in report
    assert "#unlabelled" in report


@pytest.mark.parametrize(
    ("persona", "path", "status"),
    [
        ("anonymous", "/bestaat-niet/", 404),
        ("member", "/b/drugsbeleid/beheer/rollen/", 403),
    ],
)
def test_it_shows_error_pages_accessibly_in_the_site_layout(
    page: Page, axe: Axe, cast: Cast, persona: str, path: str, status: int
) -> None:
    if persona != "anonymous":
        log_in(page, persona, cast.users[persona].email)

    response = page.goto(path)

    assert response is not None and response.status == status
    assert_accessible(axe, page)
    # Someone who lands on an error must not be stranded: the page speaks the
    # site's language and offers the way back through the usual header.
    assert page.locator("html").get_attribute("lang") == "nl", (
        f"HTTP {status} page is not in Dutch: {page.content()[:300]}"
    )
    expect(page.locator("a.skip-link")).to_have_count(1)
    expect(page.locator("header a[href='/']").first).to_be_visible()
