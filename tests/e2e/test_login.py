"""Logging in through the real pages: password plus TOTP for staff, an e-mailed code for
everyone else; every step, including the error states, passes axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from assembly.models import RoleKind, User
from tests.conftest import Cast
from tests.e2e.conftest import (
    STAFF_PASSWORD,
    assert_accessible,
    current_totp_code,
    emailed_login_code,
    submit_password,
)
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.browser

DASHBOARD = "/b/drugsbeleid/mijn/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"
REAUTHENTICATE = "/accounts/reauthenticate/"
QUESTION = "Is een drugsbeleid mogelijk met minder criminaliteit en minder gezondheidsrisico's?"


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def _wrong(code: str) -> str:
    return "".join(str((int(digit) + 1) % 10) for digit in code)


def _request_code(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Stuur mij een inlogcode").click()
    page.locator("input[name='email']").fill(email)
    with page.expect_navigation():
        page.locator("input[name='email']").press("Enter")


def test_it_logs_staff_in_with_password_then_totp_code(page: Page, axe: Axe, cast: Cast) -> None:
    page.goto("/accounts/login/")
    assert_accessible(axe, page)

    submit_password(page, cast.users["chair"].email)

    assert _path(page) == "/accounts/2fa/authenticate/"
    assert_accessible(axe, page)
    page.locator("input[name='code']").fill(current_totp_code())
    with page.expect_navigation():
        page.locator("input[name='code']").press("Enter")
    assert _path(page) == DASHBOARD
    expect(page.get_by_role("heading", level=1)).to_have_text(cast.assembly.name)


def test_it_refuses_a_wrong_password_with_an_accessible_error(
    page: Page, axe: Axe, cast: Cast
) -> None:
    submit_password(page, cast.users["organiser"].email, password="niet-het-wachtwoord-2027")

    assert _path(page) == "/accounts/login/"
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(DASHBOARD)
    assert _path(page) == "/accounts/login/", "a wrong password must not log anyone in"


def test_it_refuses_a_wrong_totp_code(page: Page, axe: Axe, cast: Cast) -> None:
    submit_password(page, cast.users["griffie"].email)
    assert _path(page) == "/accounts/2fa/authenticate/"

    page.locator("input[name='code']").fill(_wrong(current_totp_code()))
    with page.expect_navigation():
        page.locator("input[name='code']").press("Enter")

    assert _path(page) == "/accounts/2fa/authenticate/"
    assert_accessible(axe, page)
    page.goto(DASHBOARD)
    assert _path(page) != DASHBOARD, "a password without a valid TOTP code must not log in"


def test_it_logs_a_member_in_with_an_emailed_code(page: Page, axe: Axe, cast: Cast) -> None:
    page.goto("/accounts/login/code/")
    assert_accessible(axe, page)

    _request_code(page, cast.users["member"].email)

    assert _path(page) == "/accounts/login/code/confirm/"
    assert_accessible(axe, page)
    page.locator("input[name='code']").fill(emailed_login_code(cast.users["member"].email))
    with page.expect_navigation():
        page.locator("input[name='code']").press("Enter")
    assert _path(page) == DASHBOARD
    expect(page.locator("main")).to_contain_text(QUESTION)


def test_it_refuses_a_wrong_login_code_with_an_accessible_error(
    page: Page, axe: Axe, cast: Cast
) -> None:
    email = cast.users["expert"].email
    _request_code(page, email)
    real = emailed_login_code(email)

    page.locator("input[name='code']").fill("ZZZZ-ZZZZ" if real != "ZZZZ-ZZZZ" else "YYYY-YYYY")
    with page.expect_navigation():
        page.locator("input[name='code']").press("Enter")

    assert _path(page) == "/accounts/login/code/confirm/"
    assert_accessible(axe, page)
    page.goto(DASHBOARD)
    assert _path(page) != DASHBOARD, "a wrong code must not log anyone in"


def _organiser_without_totp(cast: Cast) -> User:
    newcomer: User = UserFactory(email="nieuwe-organisator@example.org")
    newcomer.set_password(STAFF_PASSWORD)
    newcomer.save(update_fields=["password"])
    RoleFactory(user=newcomer, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    return newcomer


def test_it_sends_staff_without_totp_to_the_totp_setup(page: Page, cast: Cast) -> None:
    newcomer = _organiser_without_totp(cast)

    submit_password(page, newcomer.email)

    # Straight to the set-up: asking for the password just typed a second
    # time (allauth's reauthentication) would be a needless hurdle.
    assert _path(page) == TOTP_SETUP, f"expected the TOTP set-up page, got {page.url}"
    page.goto(DASHBOARD)
    assert _path(page) in (TOTP_SETUP, REAUTHENTICATE), "staff must set up TOTP first"


def test_it_lets_staff_without_totp_set_it_up_and_then_reach_the_dashboard(
    page: Page, axe: Axe, cast: Cast
) -> None:
    newcomer = _organiser_without_totp(cast)
    submit_password(page, newcomer.email)
    if _path(page) == REAUTHENTICATE:
        assert_accessible(axe, page)
        page.locator("input[name='password']").fill(STAFF_PASSWORD)
        with page.expect_navigation():
            page.locator("input[name='password']").press("Enter")

    assert _path(page) == TOTP_SETUP
    assert_accessible(axe, page)
    # What an authenticator app does with the QR code: derive codes from the secret.
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), f"unexpected TOTP secret {secret!r}"
    page.locator("input[name='code']").fill(current_totp_code(secret))
    with page.expect_navigation():
        page.locator("input[name='code']").press("Enter")
    assert_accessible(axe, page)
    page.goto(DASHBOARD)
    assert _path(page) == DASHBOARD, "with TOTP set up, the organiser reaches the dashboard"
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()
