"""Someone calls about a lost letter: the secretariat finds the invitation by
address and prints that one letter again."""

from __future__ import annotations

import io

from django.conf import settings
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assembly.models import AuditEvent
from participants.codes import code_display
from participants.models import Invitation, Resident
from participants.services.invitations import invitation_draw
from tests.conftest import Cast
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents


def _invited(cast: Cast) -> Invitation:
    make_residents(cast.assembly, 3, per_household=1)
    invitation_draw(assembly=cast.assembly, count=3, seed="zoek")
    invitation = Invitation.objects.select_related("resident").order_by("pk").first()
    assert invitation is not None and invitation.resident is not None
    return invitation


def _lookup(client: Client, cast: Cast, postcode: str, number: str) -> tuple[int, str]:
    url = reverse("participants:invitation_lookup", kwargs={"slug": cast.assembly.slug})
    response = client.post(url, {"postcode": postcode, "house_number": number})
    return response.status_code, response.content.decode()


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def test_it_finds_the_invitation_by_postcode_and_number_as_people_say_them(cast: Cast) -> None:
    invitation = _invited(cast)
    resident = invitation.resident
    assert resident is not None
    Resident.objects.filter(pk=resident.pk).update(house_letter="b")
    spoken = f"{resident.postcode[:4]} {resident.postcode[4:].lower()}"
    status, page = _lookup(_organiser(cast), cast, spoken, str(resident.house_number))
    assert status == 200
    assert code_display(invitation.code) in page
    assert resident.given_names in page
    assert reverse(
        "participants:invitation_letter_pdf",
        kwargs={"slug": cast.assembly.slug, "pk": invitation.pk},
    ) in page
    # Another invitation at another address is not shown.
    others = Invitation.objects.exclude(pk=invitation.pk)
    assert all(code_display(other.code) not in page for other in others)
    # Looking is seeing personal data: the log says so, without the address.
    event = AuditEvent.objects.filter(action="personal_data.viewed").last()
    assert event is not None and resident.postcode not in str(event.detail)


def test_an_address_without_an_invitation_says_so(cast: Cast) -> None:
    make_residents(cast.assembly, 2, per_household=2)
    resident = Resident.objects.order_by("pk").first()
    assert resident is not None
    status, page = _lookup(_organiser(cast), cast, resident.postcode, str(resident.house_number))
    assert status == 200
    assert "Op dit adres staan 2 inwoners in het uittreksel BRP, maar niemand is uitgenodigd." in (
        page
    )


def test_another_assemblys_invitation_is_not_found(cast: Cast) -> None:
    other = AssemblyFactory(slug="elders")
    make_residents(other, 1, per_household=1)
    invitation_draw(assembly=other, count=1, seed="x")
    theirs = Invitation.objects.select_related("resident").get(assembly=other)
    assert theirs.resident is not None
    status, page = _lookup(
        _organiser(cast), cast, theirs.resident.postcode, str(theirs.resident.house_number)
    )
    assert status == 200
    assert code_display(theirs.code) not in page
    pdf_url = reverse(
        "participants:invitation_letter_pdf", kwargs={"slug": cast.assembly.slug, "pk": theirs.pk}
    )
    assert _organiser(cast).get(pdf_url).status_code == 404


def test_a_wrong_postcode_or_number_is_named(cast: Cast) -> None:
    status, page = _lookup(_organiser(cast), cast, "12345", "twaalf")
    assert status == 400
    assert "Vul een postcode in zoals 1234 AB." in page
    assert "Vul een huisnummer in, zoals 12 of 12a." in page


def test_the_letter_prints_again_with_the_same_code_and_the_status_stays(cast: Cast) -> None:
    invitation = _invited(cast)
    url = reverse(
        "participants:invitation_letter_pdf",
        kwargs={"slug": cast.assembly.slug, "pk": invitation.pk},
    )
    client = _organiser(cast)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert code_display(invitation.code) in text
    # In Dutch, as the batches, whatever language the organiser reads the site in.
    assert "Uitnodiging: doe mee" in text and "Invitation" not in text
    before = invitation.status
    invitation.refresh_from_db()
    assert invitation.status == before
    event = AuditEvent.objects.get(action="invitations.letter_reprinted")
    assert event.detail == {"invitation": invitation.pk}


def test_an_address_nobody_lives_at_asks_to_check_it(cast: Cast) -> None:
    status, page = _lookup(_organiser(cast), cast, "9999 ZZ", "1")
    assert status == 200
    assert "Op dit adres staat niemand in het uittreksel BRP." in page


def test_the_name_is_shown_as_the_letter_prints_it(cast: Cast) -> None:
    invitation = _invited(cast)
    resident = invitation.resident
    assert resident is not None
    Resident.objects.filter(pk=resident.pk).update(name_prefix="van der")
    _status, page = _lookup(_organiser(cast), cast, resident.postcode, str(resident.house_number))
    assert f"{resident.given_names} van der {resident.surname}" in page
