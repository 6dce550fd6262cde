"""The secretariat changes a member's phone number, address and needs for them
(a member on paper has no login; anyone may phone in a change): the same
checks and services as the member's own pages, the organiser as the actor in
the log (field names only), letters go to the new address, the needs overview
shows the new needs; a member with an e-mail address hears that something
changed, never what; only this assembly's organisers reach the page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assembly.models import AuditEvent, OutboxEmail, RoleKind
from participants.letters import postal_address
from participants.models import PanelMember, Registration
from participants.services import details as details_services
from participants.services import panel as panel_services
from participants.services.erasure import registration_erase
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory, give_totp
from tests.participants.test_attendance import confirmed_members
from tests.participants.test_panel import answer_by, make_panel

pytestmark = pytest.mark.django_db

MOVED = {
    "phone": "06 98765432",
    "street": "Nieuwe Gracht",
    "house_number": "12a",
    "house_number_addition": "",
    "postcode": "3512 lk",
    "city": "Utrecht",
}
NO_NEEDS: dict[str, str] = {"diet": "", "needs_other": ""}


def _url(cast: Cast, member: PanelMember, slug: str | None = None) -> str:
    return reverse(
        "participants:member_details_by_organiser",
        kwargs={"slug": slug or cast.assembly.slug, "pk": member.pk},
    )


def _client(cast: Cast, persona: str = "organiser") -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _on_paper(member: PanelMember) -> PanelMember:
    """Signed up on the phone without an e-mail address: no account."""
    Registration.objects.filter(pk=member.registration_id).update(email="")
    PanelMember.objects.filter(pk=member.pk).update(user=None)
    return PanelMember.objects.select_related("registration").get(pk=member.pk)


def _form(member: PanelMember, **changes: Any) -> dict[str, Any]:
    """The page as it is filled in now, with ``changes``."""
    registration = Registration.objects.get(pk=member.registration_id)
    resident = registration.invitation.resident
    assert resident is not None
    data: dict[str, Any] = {
        "phone": registration.phone,
        "street": resident.street,
        "house_number": str(resident.house_number),
        "house_number_addition": "",
        "postcode": "1234 AB",
        "city": resident.city,
        "diet": registration.diet,
        "needs_other": registration.needs_other,
    }
    for name in ("needs_mobility", "needs_childcare", "needs_language_help"):
        if getattr(registration, name):
            data[name] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _first_letter(cast: Cast) -> str:
    letters, _pages = panel_services.panel_letters_pdf(assembly=cast.assembly)
    return str(PdfReader(io.BytesIO(letters)).pages[0].extract_text())


def test_a_member_on_paper_moves_and_the_panel_letter_goes_to_the_new_address(
    cast: Cast,
) -> None:
    panel = make_panel(cast.assembly)
    member = _on_paper(panel.member(0))
    answer_by(cast.assembly)
    assert "Dorpsstraat" in _first_letter(cast)
    client = _client(cast)

    page = client.get(_url(cast, member)).content.decode()
    name = member.registration.full_name
    assert f"Gegevens van {name}" in page
    assert "heeft geen e-mailadres en krijgt hierover geen bericht" in page
    assert 'value="Dorpsstraat"' in page

    response = client.post(_url(cast, member), {**MOVED, **NO_NEEDS}, follow=True)
    assert "De deelnemer krijgt hierover geen e-mail." in response.content.decode()
    registration = Registration.objects.get(pk=member.registration_id)
    assert (registration.street, registration.house_number, registration.house_letter) == (
        "Nieuwe Gracht",
        12,
        "A",
    )
    assert (registration.postcode, registration.phone) == ("3512LK", "06 98765432")

    letter = _first_letter(cast)
    assert "Nieuwe Gracht 12A" in letter and "3512 LK" in letter
    assert "Dorpsstraat" not in letter

    # The same audit line as the member's own page, with the organiser as the actor.
    event = AuditEvent.objects.get(action="registration.details_changed")
    assert event.actor == cast.users["organiser"]
    assert event.detail["member"] == member.pk
    assert "street" in event.detail["fields"] and "phone" in event.detail["fields"]
    for value in ("98765432", "Gracht", "3512", "Utrecht"):
        assert value not in str(event.detail)
    assert not AuditEvent.objects.filter(action="registration.needs_changed").exists()
    assert not OutboxEmail.objects.exists()


def test_needs_changed_by_an_organiser_appear_on_the_needs_overview(cast: Cast) -> None:
    member = _on_paper(confirmed_members(cast.assembly, 2)[0])
    client = _client(cast)
    overview = reverse("participants:needs_overview", kwargs={"slug": cast.assembly.slug})
    assert member.registration.full_name not in client.get(overview).content.decode()

    response = client.post(
        _url(cast, member),
        _form(
            member, needs_childcare="on", diet="  halal ", needs_other="Een stoel met armleuning"
        ),
    )
    assert response.status_code == 302

    page = client.get(overview).content.decode()
    assert member.registration.full_name in page
    assert "<td>halal</td><td>1</td>" in page and "Een stoel met armleuning" in page
    # The name on the overview leads back to the page.
    assert _url(cast, member) in page
    event = AuditEvent.objects.get(action="registration.needs_changed")
    assert event.actor == cast.users["organiser"]
    assert event.detail == {
        "member": member.pk,
        "fields": ["needs_childcare", "diet", "needs_other"],
    }
    # Nothing else changed, so there is no line about the phone or address.
    assert not AuditEvent.objects.filter(action="registration.details_changed").exists()


def test_a_member_with_an_e_mail_address_hears_that_not_what(cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    member.refresh_from_db()
    client = _client(cast)
    assert (
        "krijgt na het opslaan een korte e-mail" in client.get(_url(cast, member)).content.decode()
    )

    response = client.post(_url(cast, member), _form(member, phone="06 98765432", diet="halal"))
    assert response.status_code == 302
    email = OutboxEmail.objects.get(kind="details_changed_by_secretariat")
    assert email.to == cast.users["member"].email
    assert "uw telefoonnummer" in email.body and "wat u nodig hebt" in email.body
    assert "uw adres" not in email.body
    assert "98765432" not in email.body and "halal" not in email.body
    assert reverse("dashboard", kwargs={"slug": cast.assembly.slug}) in email.body

    # Sent unchanged: nothing to tell.
    client.post(_url(cast, member), _form(member))
    assert OutboxEmail.objects.count() == 1


def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(cast: Cast) -> None:
    member = _on_paper(confirmed_members(cast.assembly, 1)[0])
    response = _client(cast).post(
        _url(cast, member), _form(member, postcode="", diet="halal", phone="0687654321")
    )
    page = response.content.decode()
    assert response.status_code == 400
    # The member's checks, in words for the one who types someone else's address.
    assert 'id="id_postcode_error"' in page and "Vul de postcode in." in page
    assert "Er is iets niet goed ingevuld" in page
    registration = Registration.objects.get(pk=member.registration_id)
    assert (registration.diet, registration.phone) == ("", member.registration.phone)
    assert not AuditEvent.objects.filter(action__startswith="registration.").exists()


def test_a_failure_halfway_saves_nothing(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    member = _on_paper(confirmed_members(cast.assembly, 1)[0])

    def broken(**kwargs: Any) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(details_services, "member_needs_update", broken)
    with pytest.raises(RuntimeError):
        details_services.member_details_update_by_secretariat(
            member=member,
            details={
                "phone": "0687654321",
                "street": "Nieuwe Gracht",
                "house_number": 12,
                "house_letter": "",
                "house_number_addition": "",
                "postcode": "3512LK",
                "city": "Utrecht",
            },
            needs={},
            actor=cast.users["organiser"],
        )
    assert Registration.objects.get(pk=member.registration_id).phone == member.registration.phone
    assert not AuditEvent.objects.filter(action="registration.details_changed").exists()


def test_another_assemblys_member_is_not_found(cast: Cast) -> None:
    own = confirmed_members(cast.assembly, 1)[0]
    theirs = make_panel(cast.other_assembly).member(0)
    client = _client(cast)
    assert client.get(_url(cast, theirs)).status_code == 404
    assert client.post(_url(cast, theirs), MOVED).status_code == 404
    # Not an organiser of the other assembly: refused before any member is looked up.
    assert client.get(_url(cast, theirs, slug=cast.other_assembly.slug)).status_code == 403

    # The other assembly's organiser cannot reach this assembly's members either way.
    other = UserFactory(email="organiser-klimaat@example.org")
    RoleFactory(user=other, assembly=cast.other_assembly, kind=RoleKind.ORGANISER)
    give_totp(other)
    outsider = Client()
    outsider.force_login(other)
    assert outsider.get(_url(cast, own)).status_code == 403
    assert outsider.get(_url(cast, own, slug=cast.other_assembly.slug)).status_code == 404
    assert outsider.get(_url(cast, theirs, slug=cast.other_assembly.slug)).status_code == 200
    before = Registration.objects.get(pk=own.registration_id).phone
    outsider.post(_url(cast, own, slug=cast.other_assembly.slug), _form(own, phone="0611111111"))
    assert Registration.objects.get(pk=own.registration_id).phone == before


def test_someone_who_stopped_still_moves_but_has_no_needs(cast: Cast) -> None:
    """Letters still go to someone who stopped (the yearly statement of what
    they earned): the secretariat changes their phone and address, not needs."""
    member = _on_paper(confirmed_members(cast.assembly, 1)[0])
    PanelMember.objects.filter(pk=member.pk).update(status=PanelMember.Status.WITHDRAWN)
    client = _client(cast)
    page = client.get(_url(cast, member)).content.decode()
    assert "is gestopt" in page and "jaaroverzicht" in page
    assert 'name="street"' in page and 'name="diet"' not in page
    # The member list leads there.
    panel_list = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    assert _url(cast, member) in client.get(panel_list).content.decode()

    # Needs sent anyway are not stored.
    response = client.post(_url(cast, member), {**MOVED, "diet": "halal"})
    assert response.status_code == 302
    registration = Registration.objects.get(pk=member.registration_id)
    assert postal_address(registration).street == "Nieuwe Gracht"  # type: ignore[union-attr]
    assert registration.diet == ""
    assert not AuditEvent.objects.filter(action="registration.needs_changed").exists()


def test_someone_who_stopped_hears_of_a_change_without_a_link_to_log_in(cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(
        user=cast.users["member"], status=PanelMember.Status.WITHDRAWN
    )
    member.refresh_from_db()
    response = _client(cast).post(_url(cast, member), {**MOVED})
    assert response.status_code == 302
    email = OutboxEmail.objects.get(kind="details_changed_by_secretariat")
    assert "uw adres" in email.body and "uw telefoonnummer" in email.body
    assert "wat u nodig hebt" not in email.body
    assert reverse("dashboard", kwargs={"slug": cast.assembly.slug}) not in email.body


def test_someone_who_declined_or_was_erased_is_not_found(cast: Cast) -> None:
    declined, erased = confirmed_members(cast.assembly, 2)
    PanelMember.objects.filter(pk=declined.pk).update(status=PanelMember.Status.DECLINED)
    registration_erase(erased.registration, cast.assembly.first_weekend)
    client = _client(cast)
    for member in (declined, erased):
        assert client.get(_url(cast, member)).status_code == 404
        assert client.post(_url(cast, member), {**MOVED, **NO_NEEDS}).status_code == 404
    assert Registration.objects.get(pk=erased.registration_id).street == ""


def test_the_member_list_links_each_member_for_the_organiser_only(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    url = reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    page = _client(cast).get(url).content.decode()
    assert _url(cast, panel.member(0)) in page
    # An alternate on the reserve list moves too, and gets letters.
    alternate = PanelMember.objects.get(registration=panel.people[4])
    assert alternate.kind == PanelMember.Kind.ALTERNATE
    assert _url(cast, alternate) in page
    # The chair sees names only, and no way to the personal details.
    assert _url(cast, panel.member(0)) not in _client(cast, "chair").get(url).content.decode()


def test_opening_the_page_is_logged_as_viewing_personal_data(cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]
    _client(cast).get(_url(cast, member))
    assert AuditEvent.objects.filter(
        action="personal_data.viewed", detail__page="participants:member_details_by_organiser"
    ).exists()
