"""A member's bank account: entered once, changed freely until money went
out, then only after confirming by e-mail; bad input says what is wrong."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail
from participants.iban import example_iban, format_iban
from participants.models import BankAccount, PanelMember
from participants.services import bank_accounts as services
from participants.services import payments as payment_services
from tests.conftest import Cast
from tests.participants.test_payments import (
    approve_allowance,
    exported_batch,
    panel_members,
)


def linked_member(cast: Cast, persona: str = "member") -> PanelMember:
    member = panel_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users[persona])
    member.refresh_from_db()
    return member


def _client(cast: Cast, persona: str = "member") -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _url(cast: Cast, name: str = "my_bank_account", **kwargs: Any) -> str:
    return reverse(f"participants:{name}", kwargs={"slug": cast.assembly.slug, **kwargs})


def test_a_member_enters_iban_and_holder_once(cast: Cast) -> None:
    member = linked_member(cast)
    client = _client(cast)
    page = client.get(_url(cast)).content.decode()
    assert member.registration.full_name in page  # the holder name is filled in for them

    response = client.post(
        _url(cast), {"iban": "nl91 abna 0417 1643 00", "holder_name": " Anna  de Vries "}
    )

    assert response.status_code == 302
    account = BankAccount.objects.get(member=member)
    assert (account.iban, account.holder_name) == ("NL91ABNA0417164300", "Anna de Vries")
    page = client.get(_url(cast)).content.decode()
    assert "NL91 ABNA 0417 1643 00" in page
    assert AuditEvent.objects.filter(action="bank_account.saved").exists()


@pytest.mark.parametrize(
    ("iban", "message"),
    [
        ("NL91ABNA0417164301", "tikfout"),
        ("NL91ABNA041716430", "goede aantal tekens"),
        ("XX91ABNA0417164300", "code van een land"),
        ("NL91-ABNA-0417!", "letters en cijfers"),
        ("", "verplicht"),
    ],
)
def test_a_bad_iban_gets_a_clear_message_on_the_field_and_nothing_is_saved(
    cast: Cast, iban: str, message: str
) -> None:
    linked_member(cast)
    response = _client(cast).post(_url(cast), {"iban": iban, "holder_name": "Anna de Vries"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_iban_error"' in page
    assert 'aria-describedby="id_iban_error' in page
    assert message in page or (message == "verplicht" and "Dit veld is verplicht" in page)
    assert not BankAccount.objects.exists()


@pytest.mark.parametrize(
    ("holder", "message"),
    [
        ("Анна Иванова", "Deze tekens kan de bank niet verwerken"),
        ("A" * 71, "hoogstens 70 tekens"),
        ("   ", "verplicht"),
    ],
)
def test_a_bad_holder_name_gets_a_clear_message(cast: Cast, holder: str, message: str) -> None:
    linked_member(cast)
    response = _client(cast).post(_url(cast), {"iban": example_iban(1), "holder_name": holder})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_holder_name_error"' in page
    assert message in page or "Dit veld is verplicht" in page
    assert not BankAccount.objects.exists()


def test_a_change_before_any_export_needs_no_confirmation(cast: Cast) -> None:
    member = linked_member(cast)
    services.bank_account_save(member=member, iban=example_iban(1), holder_name="A", actor=None)
    outcome = services.bank_account_save(
        member=member, iban=example_iban(2), holder_name="B", actor=None
    )
    assert outcome is services.BankAccountOutcome.SAVED
    assert BankAccount.objects.get().iban == example_iban(2)
    assert not OutboxEmail.objects.exists()


def test_a_change_after_an_export_waits_for_the_e_mail_link(cast: Cast) -> None:
    member = linked_member(cast)
    services.bank_account_save(member=member, iban=example_iban(1), holder_name="A", actor=None)
    exported_batch(cast.assembly, [member])
    client = _client(cast)

    response = client.post(_url(cast), {"iban": example_iban(2), "holder_name": "Nieuw"})

    assert response.status_code == 302
    account = BankAccount.objects.get()
    assert account.iban == example_iban(1)  # the old account is used until confirmed
    assert account.pending_iban == example_iban(2)
    assert len(account.pending_token_hash) == 64
    email = OutboxEmail.objects.get(kind="bank_account_confirm")
    assert email.to == member.registration.email or email.to == cast.users["member"].email
    assert example_iban(2) not in email.body  # masked in the e-mail
    # Members log in with an e-mailed code: they have no password to change.
    assert "wachtwoord" not in email.body and "Neem meteen contact op" in email.body
    token = re.search(r"/bevestigen/([^/\s]+)/", email.body)
    assert token is not None
    assert token.group(1) not in account.pending_token_hash  # only the hash is stored

    # Money approved now still goes to the old account.
    approve_allowance(member, day_offset=1)
    batch = payment_services.payment_batch_fill(assembly=cast.assembly, actor=None).batch
    assert batch is not None and batch.items.get().iban == example_iban(1)

    confirm_url = _url(cast, "my_bank_account_confirm", token=token.group(1))
    page = client.get(confirm_url).content.decode()
    assert format_iban(example_iban(2)) in page
    assert client.post(confirm_url).status_code == 302
    account.refresh_from_db()
    assert (account.iban, account.holder_name, account.pending_iban) == (
        example_iban(2),
        "Nieuw",
        "",
    )
    # The link works once.
    assert client.post(confirm_url).status_code == 400


def test_a_wrong_or_old_link_does_not_change_the_account(cast: Cast) -> None:
    member = linked_member(cast)
    services.bank_account_save(member=member, iban=example_iban(1), holder_name="A", actor=None)
    exported_batch(cast.assembly, [member])
    services.bank_account_save(member=member, iban=example_iban(2), holder_name="B", actor=None)
    client = _client(cast)

    response = client.post(_url(cast, "my_bank_account_confirm", token="verkeerd"))
    assert response.status_code == 400
    assert "werkt niet" in response.content.decode()

    token = re.search(r"/bevestigen/([^/\s]+)/", OutboxEmail.objects.get().body)
    assert token is not None
    BankAccount.objects.update(pending_requested_at=timezone.now() - dt.timedelta(days=8))
    response = client.post(_url(cast, "my_bank_account_confirm", token=token.group(1)))
    assert response.status_code == 400
    assert "verlopen" in response.content.decode()
    assert BankAccount.objects.get().iban == example_iban(1)


def test_another_member_cannot_confirm_with_my_link(cast: Cast) -> None:
    member = linked_member(cast)
    services.bank_account_save(member=member, iban=example_iban(1), holder_name="A", actor=None)
    exported_batch(cast.assembly, [member])
    services.bank_account_save(member=member, iban=example_iban(2), holder_name="B", actor=None)
    token = re.search(r"/bevestigen/([^/\s]+)/", OutboxEmail.objects.get().body)
    assert token is not None
    response = _client(cast, "other_member").post(
        _url(cast, "my_bank_account_confirm", token=token.group(1))
    )
    assert response.status_code == 403
    assert BankAccount.objects.get().iban == example_iban(1)


def test_typing_the_current_details_again_withdraws_a_waiting_change(cast: Cast) -> None:
    member = linked_member(cast)
    services.bank_account_save(member=member, iban=example_iban(1), holder_name="A", actor=None)
    exported_batch(cast.assembly, [member])
    services.bank_account_save(member=member, iban=example_iban(2), holder_name="B", actor=None)
    outcome = services.bank_account_save(
        member=member, iban=example_iban(1), holder_name="A", actor=None
    )
    assert outcome is services.BankAccountOutcome.UNCHANGED
    assert BankAccount.objects.get().pending_iban == ""


def test_a_member_sees_only_their_own_payments(cast: Cast) -> None:
    member = linked_member(cast)
    others = panel_members(cast.assembly, 1)
    exported_batch(cast.assembly, [member, *others])
    page = _client(cast).get(_url(cast, "my_payments")).content.decode()
    assert "€ 40,00" in page
    assert page.count("Batch 1") == 1
    assert others[0].registration.full_name not in page
    assert "NL** ****" in page


def test_a_member_account_without_a_place_on_the_panel_sees_an_explanation(cast: Cast) -> None:
    response = _client(cast).get(_url(cast))
    assert response.status_code == 200
    assert "niet gekoppeld" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("en", "The name that goes with the account. At most 70 characters.", "Hoogstens"),
        ("nl", "De naam die bij de rekening hoort. Hoogstens 70 tekens.", "At most"),
    ],
)
def test_the_holders_help_text_is_in_the_readers_language(
    cast: Cast, language: str, shown: str, not_shown: str
) -> None:
    linked_member(cast)
    client = _client(cast)
    client.cookies["django_language"] = language
    page = client.get(_url(cast)).content.decode()
    assert shown in page
    assert not_shown not in page
