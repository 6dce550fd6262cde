"""A member's own page "Mijn adres en telefoonnummer": they change their
phone number and postal address themselves, checked as the registration and the
population import check them; the log keeps which fields changed, never the
values; letters by post and the yearly statement go to the new address; the
extract keeps the address the BRP gave; nobody sees another member's details."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assembly.models import AuditEvent, RoleKind
from participants.models import PanelMember, Registration, Resident
from participants.services import panel as panel_services
from participants.services.erasure import registration_erase
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.participants.test_attendance import confirmed_members

pytestmark = pytest.mark.django_db

MOVED = {
    "phone": "06 98765432",
    "street": "  Nieuwe  Gracht ",
    "house_number": "12a",
    "house_number_addition": "-2",
    "postcode": " 3512 lk ",
    "city": "Utrecht",
}


def _url(cast: Cast) -> str:
    return reverse("participants:my_contact_details", kwargs={"slug": cast.assembly.slug})


def _own_seat(cast: Cast) -> PanelMember:
    member = confirmed_members(cast.assembly, 3)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    member.refresh_from_db()
    return member


def _client(cast: Cast, persona: str = "member") -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_page_shows_the_address_letters_go_to_and_the_login_address(cast: Cast) -> None:
    member = _own_seat(cast)
    Registration.objects.filter(pk=member.registration_id).update(phone="030 1234567")
    page = _client(cast).get(_url(cast)).content.decode()
    resident = member.registration.invitation.resident
    assert resident is not None
    assert 'value="030 1234567"' in page
    assert 'value="Dorpsstraat"' in page and f'value="{resident.house_number}"' in page
    assert 'value="1234 AB"' in page and 'value="UTRECHT"' in page
    # The e-mail address is the login: shown, not a field, with whom to ask.
    assert cast.users["member"].email in page and 'name="email"' not in page
    assert "Vraag het secretariaat" in page


def test_a_member_changes_phone_and_address_and_the_log_keeps_no_values(cast: Cast) -> None:
    member = _own_seat(cast)
    resident_before = Resident.objects.get(invitation__registration=member.registration_id)
    response = _client(cast).post(_url(cast), MOVED)

    assert response.status_code == 302
    registration = Registration.objects.get(pk=member.registration_id)
    assert registration.phone == "06 98765432"
    assert (
        registration.street,
        registration.house_number,
        registration.house_letter,
        registration.house_number_addition,
        registration.postcode,
        registration.city,
    ) == ("Nieuwe Gracht", 12, "A", "2", "3512LK", "Utrecht")
    # The extract keeps what the BRP gave (the invitation draw is replayed from it).
    resident_after = Resident.objects.get(pk=resident_before.pk)
    assert (resident_after.street, resident_after.postcode, resident_after.household_key) == (
        resident_before.street,
        resident_before.postcode,
        resident_before.household_key,
    )
    event = AuditEvent.objects.get(action="registration.details_changed")
    assert event.detail["member"] == member.pk
    assert set(event.detail["fields"]) == {
        "phone",
        "street",
        "house_number",
        "house_letter",
        "house_number_addition",
        "postcode",
        "city",
    }
    logged = str(event.detail)
    for value in ("98765432", "Gracht", "3512", "Utrecht"):
        assert value not in logged

    page = _client(cast).get(_url(cast)).content.decode()
    assert 'value="Nieuwe Gracht"' in page and 'value="12A"' in page
    assert 'value="3512 LK"' in page


def test_sending_the_page_unchanged_changes_nothing(cast: Cast) -> None:
    member = _own_seat(cast)
    client = _client(cast)
    resident = member.registration.invitation.resident
    assert resident is not None
    unchanged = {
        "phone": member.registration.phone,
        "street": resident.street,
        "house_number": str(resident.house_number),
        "house_number_addition": "",
        "postcode": "1234 AB",
        "city": resident.city,
    }
    response = client.post(_url(cast), unchanged, follow=True)
    assert "Er was niets veranderd." in response.content.decode()
    assert not AuditEvent.objects.filter(action="registration.details_changed").exists()
    # Still the extract's address: nothing was copied onto the registration.
    assert Registration.objects.get(pk=member.registration_id).postcode == ""

    client.post(_url(cast), {**unchanged, "phone": "0687654321"})
    event = AuditEvent.objects.get(action="registration.details_changed")
    assert event.detail["fields"] == ["phone"]
    assert Registration.objects.get(pk=member.registration_id).postcode == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "123 AB", "Een postcode heeft 4 cijfers en 2 letters."),
        ("postcode", "", "Vul uw postcode in."),
        ("phone", "bel me", "Vul een telefoonnummer in zoals 06 12345678."),
        ("phone", "0612", "Vul een telefoonnummer in zoals 06 12345678."),
        ("house_number", "twaalf", "Vul een huisnummer in zoals 12 of 12a."),
        ("house_number", "0", "Vul een huisnummer in zoals 12 of 12a."),
        ("house_number", "12 bis", "Dit huisnummer heeft al een toevoeging."),
        ("house_number_addition", "ABCDEF", "De toevoeging mag hoogstens 4 letters"),
        ("street", "", "Vul uw straat in."),
        ("street", "x" * 201, "Deze straatnaam is te lang."),
        ("city", "", "Vul uw woonplaats in."),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(
    cast: Cast, field: str, value: str, message: str
) -> None:
    member = _own_seat(cast)
    response = _client(cast).post(_url(cast), {**MOVED, field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in page and message in page
    assert "Er is iets niet goed ingevuld" in page  # the summary links to the field
    registration = Registration.objects.get(pk=member.registration_id)
    assert (registration.phone, registration.postcode) == (member.registration.phone, "")
    assert not AuditEvent.objects.filter(action="registration.details_changed").exists()


def test_without_an_address_on_file_empty_may_stay_empty_but_not_half(cast: Cast) -> None:
    member = _own_seat(cast)
    Resident.objects.filter(invitation__registration=member.registration_id).delete()
    client = _client(cast)
    empty = dict.fromkeys(MOVED, "")
    assert client.post(_url(cast), {**empty, "phone": "0612345678"}).status_code == 302
    half = client.post(_url(cast), {**empty, "street": "Nieuwe Gracht"})
    assert half.status_code == 400 and "Vul uw postcode in." in half.content.decode()
    assert client.post(_url(cast), MOVED).status_code == 302
    assert Registration.objects.get(pk=member.registration_id).postcode == "3512LK"


def test_letters_by_post_and_the_yearly_statement_go_to_the_new_address(cast: Cast) -> None:
    from participants.selectors_payments import year_figures
    from participants.statements import statement_pdf

    member = _own_seat(cast)
    before = panel_services.member_address_lines(member)
    assert before[1].startswith("Dorpsstraat")
    _client(cast).post(_url(cast), MOVED)
    member = PanelMember.objects.select_related("registration__invitation__resident").get(
        pk=member.pk
    )

    assert panel_services.member_address_lines(member) == [
        before[0],  # the name as the BRP writes it
        "Nieuwe Gracht 12A-2",
        "3512 LK  UTRECHT",
    ]
    letters, _pages = panel_services.panel_letters_pdf(assembly=cast.assembly)
    # One letter a page, members in the order of their seats: this one first.
    first_letter = PdfReader(io.BytesIO(letters)).pages[0].extract_text()
    assert "Nieuwe Gracht 12A-2" in first_letter and "3512 LK" in first_letter
    assert "Dorpsstraat" not in first_letter

    statement = _pdf_text(
        statement_pdf(year_figures(member=member, year=timezone.localdate().year))
    )
    assert "Nieuwe Gracht 12A-2" in statement and "3512 LK" in statement
    assert "Dorpsstraat" not in statement


def test_the_organisers_member_list_shows_the_new_phone_number(cast: Cast) -> None:
    member = _own_seat(cast)
    _client(cast).post(_url(cast), MOVED)
    page = _client(cast, "organiser").get(
        reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug})
    )
    assert "06 98765432" in page.content.decode()
    assert member.registration.full_name in page.content.decode()


def test_another_member_sees_and_changes_only_their_own_details(cast: Cast) -> None:
    member = _own_seat(cast)
    Registration.objects.filter(pk=member.registration_id).update(phone="030 1234567")
    neighbour = UserFactory(email="buurman@example.org")
    RoleFactory(user=neighbour, assembly=cast.assembly, kind=RoleKind.MEMBER)
    client = Client()
    client.force_login(neighbour)
    # A member role without a seat on the panel: no details to show.
    assert client.get(_url(cast)).status_code == 403
    assert client.post(_url(cast), MOVED).status_code == 403

    seat = PanelMember.objects.filter(assembly=cast.assembly, user=None).order_by("pk").first()
    assert seat is not None
    PanelMember.objects.filter(pk=seat.pk).update(user=neighbour)
    page = client.get(_url(cast)).content.decode()
    assert "030 1234567" not in page
    client.post(_url(cast), MOVED)
    assert Registration.objects.get(pk=member.registration_id).phone == "030 1234567"
    assert Registration.objects.get(pk=seat.registration_id).phone == "06 98765432"


def test_erasure_removes_the_address_the_member_gave(cast: Cast) -> None:
    member = _own_seat(cast)
    _client(cast).post(_url(cast), MOVED)
    registration = Registration.objects.get(pk=member.registration_id)
    registration_erase(registration, cast.assembly.first_weekend)
    registration.refresh_from_db()
    assert (registration.street, registration.house_number, registration.postcode) == (
        "",
        None,
        "",
    )
    assert (registration.city, registration.phone) == ("", "")


def test_the_home_page_links_to_the_page(cast: Cast) -> None:
    _own_seat(cast)
    page = _client(cast).get(reverse("dashboard", kwargs={"slug": cast.assembly.slug}))
    assert _url(cast) in page.content.decode()


def test_the_copy_of_ones_own_data_shows_the_address_one_gave(cast: Cast) -> None:
    _own_seat(cast)
    client = _client(cast)
    client.post(_url(cast), MOVED)
    url = reverse(
        "recommendations:my_data_download", kwargs={"slug": cast.assembly.slug, "fmt": "pdf"}
    )
    text = " ".join(_pdf_text(client.get(url).content).split())
    assert "Adres dat u zelf doorgaf" in text
    assert "Nieuwe Gracht 12A-2, 3512 LK UTRECHT" in text
