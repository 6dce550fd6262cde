"""'Mijn account' shows the login address and who changes it; allauth's page
for adding addresses is not reachable (it let anyone make an address they do
not own their login)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from assembly.models import User
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _member(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["member"])
    return client


def test_my_account_shows_the_login_address_and_whom_to_ask(cast: Cast) -> None:
    page = _member(cast).get(reverse("account_email"))
    assert page.status_code == 200
    text = page.content.decode()
    assert cast.users["member"].email in text
    assert "secretariaat@burgerberaad.example" in text
    assert "Wachtwoord wijzigen" not in text  # a member logs in by code


def test_no_address_can_be_added_or_made_primary(cast: Cast) -> None:
    client = _member(cast)
    url = reverse("account_email")
    for data in (
        {"action_add": "", "email": "nieuw@example.org"},
        {"action_add": "", "email": cast.users["expert"].email},
        {"action_primary": "", "email": "nieuw@example.org"},
    ):
        assert client.post(url, data).status_code == 405
    assert not EmailAddress.objects.exists()
    member = User.objects.get(pk=cast.users["member"].pk)
    assert member.email == cast.users["member"].email


def test_my_account_needs_a_login() -> None:
    response = Client().get(reverse("account_email"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
