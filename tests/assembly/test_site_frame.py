"""The site frame (templates/base.html): its fixed parts come from a cache of
fragments, so each test here checks that what differs per visitor still does."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db

LANGUAGE_FORM = re.compile(r'<form[^>]*class="language-switch".*?</form>', re.S)
NAV = re.compile(r'<ul class="nav">.*?</ul>', re.S)


def _language_form(html: str) -> str:
    found = LANGUAGE_FORM.search(html)
    assert found, "the page has no language switch"
    return found.group(0)


def _nav(html: str) -> str:
    found = NAV.search(html)
    assert found, "the page has no menu"
    return found.group(0)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _language_form(html))
    assert found, "the language switch has no CSRF token"
    return found.group(1)


def test_it_offers_the_other_language_in_the_language_of_the_page() -> None:
    visitor = Client()
    dutch = visitor.get("/aanmelden/").content.decode()
    assert ">English</button>" in _language_form(dutch)
    assert "Naar de inhoud" in dutch and 'href="/accounts/login/">Inloggen<' in _nav(dutch)
    visitor.post("/i18n/setlang/", {"language": "en", "next": "/aanmelden/"})
    english = visitor.get("/aanmelden/").content.decode()
    assert ">Nederlands</button>" in _language_form(english)
    assert ">English</button>" not in english
    assert "Skip to content" in english and ">Log in<" in _nav(english)


def test_it_gives_each_visitor_their_own_token_and_address() -> None:
    first, second = Client(), Client()
    first_page = first.get("/aanmelden/").content.decode()
    second_page = second.get("/aanmelden/?code=ABCD-EFG-HJK").content.decode()
    assert _csrf(first_page) != _csrf(second_page)
    assert 'name="next" value="/aanmelden/"' in _language_form(first_page)
    assert 'name="next" value="/aanmelden/?code=ABCD-EFG-HJK"' in _language_form(second_page)


def test_it_switches_language_with_the_token_from_the_cached_frame() -> None:
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/aanmelden/").content.decode()
    answer = visitor.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/aanmelden/", "csrfmiddlewaretoken": _csrf(page)},
    )
    assert answer.status_code == 302
    assert '<html lang="en">' in visitor.get("/aanmelden/").content.decode()


def test_it_shows_a_logged_in_user_their_menu_after_an_anonymous_visit(
    client: Client, cast: Cast
) -> None:
    anonymous = Client().get("/").content.decode()
    assert "Uitloggen" not in anonymous and ">Inloggen<" in _nav(anonymous)
    client.force_login(cast.users["organiser"])
    logged_in = client.get("/", follow=True).content.decode()
    assert "Uitloggen" in _nav(logged_in) and "Tweestapsverificatie" in _nav(logged_in)
    assert ">Inloggen<" not in logged_in
    client.force_login(cast.users["member"])
    member = client.get("/", follow=True).content.decode()
    assert "Uitloggen" in _nav(member) and "Tweestapsverificatie" not in member
    again = Client().get("/").content.decode()
    assert "Uitloggen" not in again and ">Inloggen<" in _nav(again)


def test_it_shows_the_mailbox_only_to_organisers_in_the_demo(
    client: Client, cast: Cast, settings: object
) -> None:
    setattr(settings, "DEV_MAILBOX", True)  # noqa: B010
    client.force_login(cast.users["organiser"])
    assert "Testpostbus" in _nav(client.get("/", follow=True).content.decode())
    client.force_login(cast.users["member"])
    assert "Testpostbus" not in client.get("/", follow=True).content.decode()


def test_it_forgets_the_fragments_when_a_setting_changes(settings: object) -> None:
    Client().get("/aanmelden/")
    setattr(settings, "STATIC_URL", "/elders/")  # noqa: B010
    page = Client().get("/aanmelden/").content.decode()
    assert 'href="/elders/css/site.css"' in page
