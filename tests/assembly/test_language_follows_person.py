"""The chosen language follows the person: it survives a closed browser (the
cookie lasts a year) and comes back when they log in on a new device; a
choice made on the device before logging in wins and is remembered."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


@pytest.fixture(autouse=True)
def _empty_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _log_in_by_code(client: Client, email: str) -> None:
    client.post(REQUEST, {"email": email})
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert match, mail.outbox[-1].body
    client.post(CONFIRM, {"code": match.group(1)})
    assert "_auth_user_id" in client.session


def test_the_language_switch_cookie_outlives_the_browser_session() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert int(cookie["max-age"]) >= 300 * 24 * 60 * 60


def test_logging_in_on_a_new_device_brings_back_the_persons_language(cast: Cast) -> None:
    member = cast.users["member"]
    member.language = "en"
    member.save(update_fields=["language"])
    client = Client()
    _log_in_by_code(client, member.email)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/")
    assert page["Content-Language"] == "en"


def test_a_choice_made_before_logging_in_wins_and_is_remembered(cast: Cast) -> None:
    member = cast.users["member"]
    assert member.language == "nl"
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _log_in_by_code(client, member.email)
    member.refresh_from_db()
    assert member.language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_dutch_reader_stays_dutch(cast: Cast) -> None:
    member = cast.users["member"]
    client = Client()
    _log_in_by_code(client, member.email)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert client.get("/")["Content-Language"] == "nl"


@pytest.mark.parametrize(
    ("language", "says", "never"),
    [
        # "afmelden" is leaving the assembly on this site; logging out is "uitloggen".
        ("nl", ["Weet u zeker dat u wilt uitloggen?", "Uitloggen"], ["afmelden", "Afmelden"]),
        ("en", ["Are you sure you want to log out?", "Log out"], ["Sign Out", "sign out"]),
    ],
)
def test_logging_out_is_called_logging_out(
    cast: Cast, language: str, says: list[str], never: list[str]
) -> None:
    client = Client()
    client.force_login(cast.users["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/accounts/logout/").content.decode()
    for text in says:
        assert text in page
    for text in never:
        assert text not in page
    done = client.post("/accounts/logout/", follow=True).content.decode()
    assert ("U bent uitgelogd." if language == "nl" else "You have logged out.") in done
