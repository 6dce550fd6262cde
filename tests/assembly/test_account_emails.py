"""allauth's e-mails in our own words: a member who asks for a login code reads
plain Dutch (B1) or English, how long the code works, and whom to ask; someone
whose address has no account is not sent to a sign-up page that is closed."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db

REQUEST = "/accounts/login/code/"


@pytest.fixture(autouse=True)
def _empty_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_it_mails_a_member_the_code_in_plain_dutch(cast: Cast, settings: object) -> None:
    Client().post(REQUEST, {"email": cast.users["member"].email})

    message = mail.outbox[-1]
    assert message.subject == "[Burgerberaad] Uw code om in te loggen"
    assert re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$", message.body, re.MULTILINE)
    assert "De code werkt 10 minuten." in message.body
    assert "Geef de code aan niemand." in message.body
    assert "Beste lezer," in message.body
    assert "Mail naar secretariaat@burgerberaad.example." in message.body
    # allauth's own text greets with the site's address ("Hello from testserver!")
    assert "testserver" not in message.body


def test_it_mails_the_code_in_english_to_an_english_reader(cast: Cast) -> None:
    _english(Client()).post(REQUEST, {"email": cast.users["member"].email})

    message = mail.outbox[-1]
    assert message.subject == "[Burgerberaad] Your login code"
    assert "The code works for 10 minutes." in message.body
    assert "Dear reader," in message.body
    assert "De code werkt" not in message.body


def test_it_counts_the_minutes_from_the_setting(cast: Cast, settings: object) -> None:
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 60  # type: ignore[attr-defined]
    Client().post(REQUEST, {"email": cast.users["member"].email})

    assert "De code werkt 1 minuut." in mail.outbox[-1].body


def test_an_unknown_address_gets_no_link_to_a_closed_sign_up(cast: Cast) -> None:
    Client().post(REQUEST, {"email": "niemand@example.org"})

    message = mail.outbox[-1]
    assert message.to == ["niemand@example.org"]
    assert message.subject == "[Burgerberaad] Geen account bij dit e-mailadres"
    assert "Bij dit e-mailadres hoort geen account." in message.body
    assert "Gebruik het e-mailadres dat u gaf toen u zich aanmeldde" in message.body
    assert "secretariaat@burgerberaad.example" in message.body
    assert "signup" not in message.body and "http" not in message.body
