"""What each role sees and does in the organiser pages and on its home page."""

from __future__ import annotations

from html import escape

import pytest
from django.core import mail
from django.test import Client

from assembly.models import MailboxMessage, Role, RoleKind
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, cast: Cast, persona: str) -> Client:
    client.force_login(cast.users[persona])
    return client


def test_it_shows_a_member_the_question_and_the_weekends(client: Client, cast: Cast) -> None:
    response = _login(client, cast, "member").get("/b/drugsbeleid/mijn/")
    text = response.content.decode()
    assert escape(cast.assembly.question) in text
    assert text.count("Weekend ") >= 7
    assert "Voor deelnemers" in text
    assert "Organisatie: wat moet er nog gebeuren?" not in text


def test_it_shows_the_organiser_what_to_do_next(client: Client, cast: Cast) -> None:
    text = _login(client, cast, "organiser").get("/b/drugsbeleid/mijn/").content.decode()
    assert "Organisatie: wat moet er nog gebeuren?" in text
    assert "7 weekenden gepland" in text


def test_it_shows_the_griffie_numbers_without_names(client: Client, cast: Cast) -> None:
    text = _login(client, cast, "griffie").get("/b/drugsbeleid/mijn/").content.decode()
    assert "In cijfers" in text
    member = cast.users["member"]
    assert member.email not in text and member.full_name not in text


def test_it_sends_someone_with_one_assembly_to_its_home(client: Client, cast: Cast) -> None:
    response = _login(client, cast, "member").get("/")
    assert response.status_code == 302 and response.url == "/b/drugsbeleid/mijn/"


def test_it_lets_an_organiser_give_a_role(client: Client, cast: Cast) -> None:
    response = _login(client, cast, "organiser").post(
        "/b/drugsbeleid/beheer/rollen/",
        {"email": "nieuw@example.org", "full_name": "Nieuwe Deskundige", "kind": "expert"},
    )
    assert response.status_code == 302
    assert Role.objects.filter(
        assembly=cast.assembly, user__email="nieuw@example.org", kind=RoleKind.EXPERT
    ).exists()


def test_it_explains_a_bad_email_on_the_field(client: Client, cast: Cast) -> None:
    response = _login(client, cast, "organiser").post(
        "/b/drugsbeleid/beheer/rollen/", {"email": "geen-adres", "kind": "expert"}
    )
    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()
    assert not Role.objects.filter(user__email="geen-adres").exists()


def test_it_lets_an_organiser_revoke_a_role(client: Client, cast: Cast) -> None:
    role = RoleFactory(assembly=cast.assembly, user=UserFactory(), kind=RoleKind.EXPERT)
    response = _login(client, cast, "organiser").post(
        f"/b/drugsbeleid/beheer/rollen/{role.pk}/intrekken/"
    )
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()


def test_it_saves_settings_and_rejects_an_end_before_the_start(
    client: Client, cast: Cast
) -> None:
    _login(client, cast, "organiser")
    data = {
        "name": "Nationaal Burgerberaad Drugsbeleid", "question": "Nieuwe vraag?", "mandate": "",
        "commissioned_by": "", "members_target": 150, "alternates_target": 20, "min_age": 16,
        "first_weekend": "2027-02-13", "period_end": "2026-01-01", "phase": "setup",
        "is_public": "on",
    }
    response = client.post("/b/drugsbeleid/beheer/instellingen/", data)
    assert response.status_code == 200
    assert "Het einde ligt voor het eerste weekend" in response.content.decode()
    data["period_end"] = "2027-10-31"
    assert client.post("/b/drugsbeleid/beheer/instellingen/", data).status_code == 302
    cast.assembly.refresh_from_db()
    assert (cast.assembly.question, cast.assembly.members_target) == ("Nieuwe vraag?", 150)


def test_it_lets_an_organiser_create_an_assembly(client: Client, cast: Cast) -> None:
    response = _login(client, cast, "organiser").post(
        "/beraden/nieuw/",
        {"name": "Burgerberaad Wonen", "slug": "wonen", "question": "Hoe wonen we straks?",
         "members_target": 100, "alternates_target": 10, "min_age": 16,
         "first_weekend": "2028-01-15"},
    )
    assert response.status_code == 302
    assert Role.objects.filter(
        assembly__slug="wonen", user=cast.users["organiser"], kind=RoleKind.ORGANISER
    ).exists()


def test_it_shows_the_login_code_in_the_development_mailbox(
    client: Client, cast: Cast, settings: object
) -> None:
    """In the demo, mail goes to the mailbox, so an organiser can read a member's code."""
    setattr(settings, "EMAIL_BACKEND", "assembly.mail.DevMailboxBackend")  # noqa: B010
    anonymous = Client()
    anonymous.post("/accounts/login/code/", {"email": cast.users["member"].email})
    stored = MailboxMessage.objects.get()
    assert cast.users["member"].email in stored.to
    assert mail.outbox == []
    _login(client, cast, "organiser")
    listing = client.get("/testpostbus/").content.decode()
    assert stored.subject in listing
    detail = client.get(f"/testpostbus/{stored.pk}/").content.decode()
    assert stored.body.splitlines()[0] in detail


def test_it_switches_to_english_and_back(client: Client, cast: Cast) -> None:
    assert '<html lang="nl">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in client.get("/").content.decode()


def test_it_writes_to_someone_in_the_language_they_chose(client: Client, cast: Cast) -> None:
    member = cast.users["member"]
    client.force_login(member)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en" and member.mail_language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})  # not offered: ignored
    member.refresh_from_db()
    assert member.language == "en"
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    member.refresh_from_db()
    assert member.language == "nl"


def test_it_ignores_the_browsers_language_until_someone_chooses(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()


def test_it_sends_staff_without_totp_to_set_it_up(client: Client, cast: Cast) -> None:
    organiser = UserFactory(email="nieuwe-organisator@example.org")
    RoleFactory(user=organiser, assembly=cast.assembly, kind=RoleKind.ORGANISER)
    client.force_login(organiser)
    response = client.get("/b/drugsbeleid/mijn/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate")


def test_it_lets_members_in_without_totp(client: Client, cast: Cast) -> None:
    assert _login(client, cast, "member").get("/b/drugsbeleid/mijn/").status_code == 200


def test_it_answers_the_health_check(client: Client) -> None:
    assert client.get("/gezond/").json() == {"database": "ok"}
