"""Every page each role can reach passes axe's WCAG 2.1 A/AA rules, in Dutch and in English.

The Dutch crawl runs in a window 320 CSS px wide, the width at which WCAG
1.4.10 (reflow) asks for pages that need no sideways scrolling: a phone held
upright, or a desktop zoomed to 400 %. The English one runs at desktop width.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Route
from pytest_django.live_server_helper import LiveServer

from tests.conftest import Cast
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    STAFF_PERSONAS,
    crawl,
    log_in,
    switch_to_english,
)

pytestmark = pytest.mark.browser

PERSONAS = (
    "anonymous",
    "member",
    "other_member",
    "expert",
    "facilitator",
    "chair",
    "organiser",
    "griffie",
    "desk",
)
# Account pages that exist for a role but that no link in the site leads to;
# a crawl from "/" alone would never check them.
EXTRA_STARTS: dict[str, tuple[str, ...]] = {
    "staff": (),
    "code": ("/accounts/password/set/",),
}
# The pages each role must at least reach, so a crawl that silently saw
# nothing (a broken login, a missing link) fails instead of passing.
MUST_REACH = {
    "anonymous": {
        "/",
        "/accounts/login/",
        "/accounts/login/code/",
        "/b/drugsbeleid/",
        "/b/drugsbeleid/loting/",
        "/b/drugsbeleid/programma/openbaar/",
        "/b/drugsbeleid/stukken/openbaar/",
        "/b/drugsbeleid/deskundigen/",
    },
    "member": {
        "/b/drugsbeleid/mijn/",
        "/b/drugsbeleid/",
        "/b/drugsbeleid/programma/",
        "/b/drugsbeleid/stukken/",
        "/b/drugsbeleid/mijn/aanmelden-qr/",
        "/b/drugsbeleid/mijn/tafel/",
    },
    "other_member": {"/b/klimaat/mijn/", "/b/klimaat/"},
    "expert": {"/b/drugsbeleid/mijn/", "/b/drugsbeleid/", "/b/drugsbeleid/deskundige/"},
    "facilitator": {"/b/drugsbeleid/mijn/", "/b/drugsbeleid/", "/b/drugsbeleid/mijn/tafel/"},
    "chair": {
        "/b/drugsbeleid/mijn/",
        "/b/drugsbeleid/beheer/deelnemers/",
        "/accounts/2fa/",
        "/accounts/password/change/",
    },
    "griffie": {"/b/drugsbeleid/mijn/", "/accounts/2fa/", "/accounts/password/change/"},
    # The cast's weekends lie ahead: the desk's home page says when, and
    # leads nowhere else with personal data.
    "desk": {"/b/drugsbeleid/mijn/", "/b/drugsbeleid/"},
    "organiser": {
        "/b/drugsbeleid/mijn/",
        "/b/drugsbeleid/beheer/instellingen/",
        "/b/drugsbeleid/beheer/rollen/",
        "/b/drugsbeleid/beheer/quota/",
        "/b/drugsbeleid/beheer/pool/",
        "/b/drugsbeleid/beheer/loting/",
        "/b/drugsbeleid/beheer/deelnemers/",
        "/b/drugsbeleid/beheer/programma/",
        "/b/drugsbeleid/beheer/stukken/",
        "/b/drugsbeleid/beheer/deskundigen/",
        "/b/drugsbeleid/beheer/balans/",
        "/b/drugsbeleid/beheer/aanwezig/",
        "/b/drugsbeleid/beheer/tafels/",
        "/accounts/2fa/",
        "/accounts/password/change/",
    },
}


def _starts(persona: str) -> tuple[str, ...]:
    if persona == "anonymous":
        return ("/",)
    kind = "staff" if persona in STAFF_PERSONAS else "code"
    return ("/", *EXTRA_STARTS[kind])


# axe needs about a second a page on this 2-core machine. Dutch, the default,
# gets the full crawl; English a short one from the home page (breadth-first,
# so the home and role pages and their first links come first).
DUTCH_LIMIT = 80
ENGLISH_LIMIT = 6


def _home(persona: str) -> str:
    return {"anonymous": "/", "other_member": "/b/klimaat/mijn/"}.get(
        persona, "/b/drugsbeleid/mijn/"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_has_no_accessibility_violations_on_any_page_a_role_reaches(
    page: Page, axe: Axe, live_server: LiveServer, cast: Cast, persona: str
) -> None:
    if persona != "anonymous":
        log_in(page, persona, cast.users[persona].email)

    page.set_viewport_size(PHONE)
    dutch = crawl(page, axe, origin=live_server.url, starts=_starts(persona), limit=DUTCH_LIMIT)
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    switch_to_english(page)
    english = crawl(page, axe, origin=live_server.url, limit=ENGLISH_LIMIT)

    problems = [f"[nl] {problem}" for problem in dutch.problems(lang="nl")]
    problems += [f"[en] {problem}" for problem in english.problems(lang="en")]
    assert not problems, (
        f"{persona} checked {dutch.paths} (nl) and {english.paths} (en); problems:\n"
        + "\n".join(problems)
    )
    missing = MUST_REACH[persona] - set(dutch.paths)
    assert not missing, f"{persona} never reached {sorted(missing)}; saw {dutch.paths}"
    assert _home(persona) in english.paths, f"{persona} in English saw only {english.paths}"


def test_it_makes_the_crawl_report_broken_pages(
    page: Page, axe: Axe, live_server: LiveServer
) -> None:
    # Guards the crawl itself with pages served by the browser, not the app:
    # it must follow links, skip the excluded ones and report what it finds.
    pages = {
        "/": (
            200,
            "<a href='/kapot/'>kapot</a> <a href='/stuk/'>stuk</a> "
            "<a href='/weg/'>weg</a> <a href='/admin/'>beheer</a> <a href='#main'>x</a>"
            " <a href='/breed/'>breed</a>",
        ),
        "/kapot/": (200, "<img src='data:,' id='no-alt'>"),
        "/stuk/": (500, "fout"),
        "/weg/": (404, "niet gevonden"),
        # an unbreakable line as wide as a desktop: scrolls sideways on a phone
        "/breed/": (200, "<p>" + "x" * 400 + "</p>"),
    }

    def serve(route: Route) -> None:
        path = urlsplit(route.request.url).path
        status, body = pages.get(path, (418, "niet gecrawld mogen worden"))
        route.fulfill(
            status=status,
            content_type="text/html; charset=utf-8",
            body=f"<!DOCTYPE html><html lang='nl'><head><title>t</title></head>"
            f"<body><main id='main'><h1>t</h1>{body}</main></body></html>",
        )

    page.route(f"{live_server.url}/**", serve)
    page.set_viewport_size(PHONE)

    report = crawl(page, axe, origin=live_server.url)

    assert report.paths == ["/", "/kapot/", "/stuk/", "/weg/", "/breed/"]
    problems = "\n".join(report.problems(lang="nl"))
    assert "/kapot/: image-alt" in problems and "#no-alt" in problems, problems
    assert "/stuk/: HTTP 500" in problems, problems
    assert "/weg/: HTTP 404 (linked from /)" in problems, problems
    assert "/admin/" not in problems
    sideways = [line for line in problems.splitlines() if "scrolls sideways" in line]
    assert len(sideways) == 1 and sideways[0].startswith("/breed/: "), problems
