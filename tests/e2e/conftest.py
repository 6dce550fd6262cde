"""The browser tier: Debian's chromium driven by Playwright, pages checked with axe-core.

One chromium per test session (starting it is the slow part), a fresh browser
context per test (so no cookie or session leaks from one test into the next).
People log in the way they really do: staff with password plus TOTP code,
everyone else with a code that allauth e-mails them.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from tests.conftest import skip_or_fail
from tests.factories import TEST_TOTP_SECRET

# Playwright's sync API keeps an asyncio loop in the test thread; Django would
# then refuse the ORM calls that fixtures and assertions make in that thread.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
# The machine has no network: without these flags chromium keeps trying to
# reach Google's update, sync and field-trial servers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules outside WCAG that we hold every page to as well: a screen reader's list of
# regions (each table that scrolls sideways is one) must tell them apart.
EXTRA_RULES = {"landmark-unique": {"enabled": True}}
STAFF_PASSWORD = "een-lang-wachtwoord-2027"
STAFF_PERSONAS = ("organiser", "chair", "griffie")
CODE_PERSONAS = ("member", "other_member", "expert", "facilitator", "desk")
# Pages a crawl does not open: logging out ends the session, the admin is
# Django's own, the language switch and files are not pages.
CRAWL_SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/i18n/", "/static/", "/media/")
CRAWL_LIMIT = 40
# The e-mailed login code looks like "AB3D-EF7H".
LOGIN_CODE = re.compile(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})+)\s*$", re.MULTILINE)
TIMEOUT_MS = 15_000
# The phone every phone test uses: 320 CSS px, the narrowest phones and the
# width at which WCAG 1.4.10 (reflow) asks for no sideways scrolling (it is
# also a desktop zoomed to 400 %).
PHONE: ViewportSize = {"width": 320, "height": 640}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        skip_or_fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)",
            "REQUIRE_BROWSER",
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Settings) -> None:
    # allauth keeps its rate limits and the used TOTP codes in the cache; each
    # test gets an empty one of its own, without emptying a shared Redis.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-{uuid.uuid4().hex}",
        },
    }


@pytest.fixture
def browser_context(
    chromium: Browser, live_server: LiveServer, transactional_db: None
) -> Iterator[BrowserContext]:
    context = chromium.new_context(base_url=live_server.url, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext) -> Page:
    return browser_context.new_page()


# --- logging in -------------------------------------------------------------


def current_totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The code an authenticator app shows now.

    allauth accepts only the current period (no tolerance), so near the end of
    a period wait for the next one rather than race the clock.
    """
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 5:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def submit_password(page: Page, email: str, password: str = STAFF_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Inloggen", exact=True).click()


def log_in_with_password_and_totp(page: Page, email: str) -> None:
    submit_password(page, email)
    assert urlsplit(page.url).path == "/accounts/2fa/authenticate/", (
        f"after the password, {email} should be asked for the TOTP code, got {page.url}"
    )
    code_field = page.locator("input[name='code']")
    code_field.fill(current_totp_code())
    with page.expect_navigation():
        code_field.press("Enter")
    assert not urlsplit(page.url).path.startswith("/accounts/"), (
        f"{email} is not logged in after the TOTP code: still on {page.url}"
    )


def emailed_login_code(email: str) -> str:
    for message in reversed(mail.outbox):
        if email in message.to:
            found = LOGIN_CODE.search(str(message.body))
            assert found, f"no login code in the mail to {email}:\n{message.body}"
            return found.group(1)
    raise AssertionError(f"no mail to {email}; outbox: {[m.to for m in mail.outbox]}")


def log_in_with_code(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Stuur mij een inlogcode").click()
    assert urlsplit(page.url).path == "/accounts/login/code/"
    email_field = page.locator("input[name='email']")
    email_field.fill(email)
    with page.expect_navigation():
        email_field.press("Enter")
    assert urlsplit(page.url).path == "/accounts/login/code/confirm/", (
        f"asking a code for {email} did not lead to the confirm page: {page.url}"
    )
    code_field = page.locator("input[name='code']")
    code_field.fill(emailed_login_code(email))
    with page.expect_navigation():
        code_field.press("Enter")
    assert not urlsplit(page.url).path.startswith("/accounts/"), (
        f"{email} is not logged in after entering the code: still on {page.url}"
    )


def log_in(page: Page, persona: str, email: str) -> None:
    if persona in STAFF_PERSONAS:
        log_in_with_password_and_totp(page, email)
    elif persona in CODE_PERSONAS:
        log_in_with_code(page, email)
    elif persona != "anonymous":
        raise ValueError(f"unknown persona {persona!r}")


def switch_to_english(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en", (
        f"after the language switch {page.url} does not say <html lang='en'>"
    )


# --- checking pages ---------------------------------------------------------


def axe_violations(axe: Axe, page: Page) -> list[dict[str, Any]]:
    results = axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "rules": EXTRA_RULES,
            "resultTypes": ["violations"],
        },
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node.get("failureSummary") or ""
            why = " ".join(line.strip() for line in summary.splitlines()[1:])
            lines.append(f"    - {target}: {why}")
            lines.append(f"      {node.get('html', '')[:160]}")
    return "\n".join(lines)


def assert_accessible(axe: Axe, page: Page) -> None:
    violations = axe_violations(axe, page)
    assert not violations, "axe (WCAG 2.1 A/AA):\n" + describe_violations(page.url, violations)


@dataclass
class PageVisit:
    path: str
    status: int
    found_on: str
    lang: str | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    # the document's width against the window's: wider means the page scrolls
    # sideways, which WCAG 1.4.10 (reflow) forbids down to 320 CSS px
    content_width: int = 0
    window_width: int = 0


@dataclass
class CrawlReport:
    visits: list[PageVisit]

    @property
    def paths(self) -> list[str]:
        return [visit.path for visit in self.visits]

    def problems(self, *, lang: str) -> list[str]:
        problems = []
        for visit in self.visits:
            # A link the site shows must not lead to an error or a dead end.
            if visit.status >= 400:
                problems.append(f"{visit.path}: HTTP {visit.status} (linked from {visit.found_on})")
            if visit.lang != lang:
                problems.append(f"{visit.path}: <html lang={visit.lang!r}>, expected {lang!r}")
            if visit.violations:
                problems.append(describe_violations(visit.path, visit.violations))
            if visit.content_width > visit.window_width:
                problems.append(
                    f"{visit.path}: {visit.content_width} px wide in a {visit.window_width} px"
                    " window, so it scrolls sideways (WCAG 1.4.10, reflow)"
                )
        return problems


def _same_origin_path(href: str, origin: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(CRAWL_SKIP_PREFIXES):
        return None
    return path


def _page_key(path: str) -> str:
    # The same page with only another "?next=" is not worth a second axe run.
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "next"]
    return parts.path + (f"?{urlencode(query)}" if query else "")


def crawl(
    page: Page,
    axe: Axe,
    *,
    origin: str,
    starts: tuple[str, ...] = ("/",),
    limit: int = CRAWL_LIMIT,
) -> CrawlReport:
    """Breadth-first over the same-origin links the visitor sees, axe on every page."""
    origin = origin.rstrip("/")
    queue: deque[tuple[str, str]] = deque((start, "(start)") for start in starts)
    seen = {_page_key(start) for start in starts}
    visited: set[str] = set()
    visits: list[PageVisit] = []
    while queue and len(visits) < limit:
        path, found_on = queue.popleft()
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        assert response is not None, f"no response for {path}"
        final = _same_origin_path(page.url, origin)
        if final is None or _page_key(final) in visited:
            continue  # redirected off the crawl, or to a page already checked
        seen.add(_page_key(final))
        visited.add(_page_key(final))
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        visit = PageVisit(
            path=final,
            status=response.status,
            found_on=found_on,
            lang=page.locator("html").get_attribute("lang"),
        )
        if response.status < 500:
            visit.violations = axe_violations(axe, page)
            visit.content_width, visit.window_width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
        visits.append(visit)
        hrefs: list[str] = page.eval_on_selector_all(
            "a[href]",
            "links => links.filter(a => !a.getAttribute('href').startsWith('#'))"
            ".map(a => a.href.split('#')[0])",
        )
        for href in hrefs:
            link = _same_origin_path(href, origin)
            if link is not None and _page_key(link) not in seen:
                seen.add(_page_key(link))
                queue.append((link, visit.path))
    return CrawlReport(visits=visits)
