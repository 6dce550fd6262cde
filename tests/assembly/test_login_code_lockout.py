"""The e-mailed login code cannot be guessed: it is spent after three wrong
tries (ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS), after which even the right code no
longer logs in, and asking for codes is rate-limited."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_rate_limits() -> Iterator[None]:
    """The limits live in the cache: start empty, and leave nothing for other tests."""
    cache.clear()
    yield
    cache.clear()


REQUEST = "/accounts/login/code/"
CONFIRM = "/accounts/login/code/confirm/"


def _emailed_code() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_code_logs_a_member_in(cast: Cast) -> None:
    client = Client()
    client.post(REQUEST, {"email": cast.users["member"].email})
    client.post(CONFIRM, {"code": _emailed_code()})
    assert _logged_in(client)


def test_three_wrong_codes_spend_the_code(cast: Cast) -> None:
    client = Client()
    client.post(REQUEST, {"email": cast.users["member"].email})
    right = _emailed_code()
    wrong = "AAAAAA" if right != "AAAAAA" else "BBBBBB"
    for _attempt in range(3):
        client.post(CONFIRM, {"code": wrong})
        assert not _logged_in(client)
    client.post(CONFIRM, {"code": right})
    assert not _logged_in(client)


def test_asking_for_codes_again_and_again_is_limited(cast: Cast) -> None:
    """From fresh sessions (a script, not a person): at most three codes a
    minute for one address, so a guesser cannot keep getting new codes."""
    statuses = [
        Client().post(REQUEST, {"email": cast.users["member"].email}).status_code
        for _attempt in range(8)
    ]
    assert len(mail.outbox) == 3
    # The fourth and later requests get the form back with an error, no code.
    assert statuses == [302] * 3 + [200] * 5


def test_the_login_pages_offer_one_way_forward_and_a_quieter_way_back(cast: Cast) -> None:
    """One "forgot your password" link on the login page (it was there twice);
    on the code page "Inloggen" is the main button, and asking for a new code
    or starting again with another address look secondary."""
    client = Client()
    login = client.get("/accounts/login/").content.decode()
    assert login.count('href="/accounts/password/reset/"') == 1
    client.post(REQUEST, {"email": cast.users["member"].email})
    page = client.get(CONFIRM).content.decode()
    assert cast.users["member"].email in page and "De code werkt 10 minuten." in page
    assert "Na 3 keer een verkeerde code vraagt u een nieuwe code aan." in page
    buttons = dict(
        (label.strip(), attributes)
        for attributes, label in re.findall(r"<button\s([^>]*)>([^<]+)</button>", page)
    )
    assert "secondary" not in buttons["Inloggen"]
    assert 'class="secondary"' in buttons["Stuur een nieuwe code"]
    assert 'class="secondary"' in buttons["Opnieuw beginnen"]


def test_someone_who_typed_the_wrong_address_can_start_again(cast: Cast) -> None:
    """The code went to a mistyped address: the code page no longer holds the
    person there; "Opnieuw beginnen" leads back to the empty request form."""
    client = Client()
    client.post(REQUEST, {"email": "deelnemr@example.org"})
    assert client.get(REQUEST).url == CONFIRM  # allauth keeps the login going
    page = client.get(CONFIRM).content.decode()
    restart = re.search(
        r'<form method="post" action="(/accounts/logout/)">(.*?)</form>', page, re.S
    )
    assert restart and f'name="next" value="{REQUEST}"' in restart.group(2)
    back = client.post(restart.group(1), {"next": REQUEST})
    assert back.status_code == 302 and back.url == REQUEST
    form = client.get(REQUEST)
    assert form.status_code == 200 and 'name="email"' in form.content.decode()
    client.post(REQUEST, {"email": cast.users["member"].email})
    client.post(CONFIRM, {"code": _emailed_code()})
    assert _logged_in(client)


def test_a_wrong_code_says_what_to_do_and_the_third_sends_back_for_a_new_one(
    cast: Cast,
) -> None:
    client = Client()
    client.post(REQUEST, {"email": cast.users["member"].email})
    wrong = "AAAA-AAAA" if _emailed_code() != "AAAA-AAAA" else "BBBB-BBBB"
    first = client.post(CONFIRM, {"code": wrong}).content.decode()
    assert "Deze code klopt niet." in first
    client.post(CONFIRM, {"code": wrong})
    third = client.post(CONFIRM, {"code": wrong}, follow=True)
    assert third.redirect_chain[-1][0] == REQUEST
    assert "Vraag dan hieronder een nieuwe code aan." in third.content.decode()


def test_a_new_code_can_be_asked_for_on_the_code_page(cast: Cast) -> None:
    client = Client()
    client.post(REQUEST, {"email": cast.users["member"].email})
    old = _emailed_code()
    client.post(CONFIRM, {"action": "resend"})
    assert len(mail.outbox) == 2
    new = _emailed_code()
    assert new != old  # a new random code of eight characters
    client.post(CONFIRM, {"code": old})
    assert not _logged_in(client)
    client.post(CONFIRM, {"code": new})
    assert _logged_in(client)


@pytest.mark.parametrize("persona", ["organiser", "chair", "griffie"])
def test_staff_get_no_login_code_but_are_told_to_use_their_password(
    cast: Cast, persona: str
) -> None:
    """Staff log in with a password and TOTP: an e-mailed code would replace
    the password. The page looks as for anyone (it names no roles); the e-mail
    carries no code, so the code allauth made cannot be typed."""
    client = Client()
    page = client.post(REQUEST, {"email": cast.users[persona].email}, follow=True)
    assert page.status_code == 200
    [message] = mail.outbox
    assert message.subject.endswith("Inloggen met uw wachtwoord")
    assert "u logt in met uw wachtwoord" in message.body
    assert not re.search(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}\s*$", message.body, re.MULTILINE)
    # Even someone who learnt the code allauth made (it lives only in the
    # session on the server) would still need TOTP; nobody is sent it.
    made = client.session["account_login"]["state"]["stages"]["login_by_code"]["data"]["code"]
    assert made not in message.body
