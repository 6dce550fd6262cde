"""The secretariat signs someone up on the phone: the same questions, consent
read out, an e-mail address only if there is one; and a member without e-mail
is reached by letter, never by a broken e-mail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, Role, RoleKind
from participants.models import Invitation, PanelMember, Registration, Resident
from participants.selectors_attendance import expected_members
from participants.services import panel as panel_services
from participants.services.invitations import invitation_draw
from tests.conftest import Cast
from tests.participants.test_invitations import make_residents
from tests.participants.test_panel import answer_by, make_panel
from tests.participants.test_registration import (
    answers_for,
    enter_code,
    open_sign_up_with_a_question,
)

OnCommit = Callable[..., Any]
REGISTER_BIRTH_DATE = dt.date(1980, 5, 17)


@pytest.fixture
def invitation(cast: Cast) -> Invitation:
    open_sign_up_with_a_question(cast.assembly)
    make_residents(cast.assembly, 1, per_household=1)
    invitation_draw(assembly=cast.assembly, count=1, seed="telefoon")
    # The birth date the answers give (answers_for), as in the register.
    Resident.objects.filter(assembly=cast.assembly).update(birth_date=REGISTER_BIRTH_DATE)
    return Invitation.objects.select_related("resident").get(assembly=cast.assembly)


def _url(cast: Cast, invitation: Invitation) -> str:
    return reverse(
        "participants:registration_on_behalf",
        kwargs={"slug": cast.assembly.slug, "pk": invitation.pk},
    )


def _answers(cast: Cast, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, values in answers_for(cast.assembly).items():
        if key != "toestemming":
            data.update(values)
    data.update({"consent_read": "on", "language": "nl"})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def test_the_secretariat_signs_up_someone_without_e_mail(
    cast: Cast, invitation: Invitation, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client = _organiser(cast)
    page = client.get(_url(cast, invitation)).content.decode()
    # The same questions as online, and the explanation to read out.
    assert "Moet het drugsbeleid strenger of soepeler?" in page
    assert "Wat bewaren wij?" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(cast, invitation), _answers(cast, email=""), follow=True)
    assert "Zeg aan de telefoon dat het gelukt is." in response.content.decode()
    registration = Registration.objects.get(invitation=invitation)
    assert (registration.email, registration.phone, registration.full_name) == (
        "",
        "06 12345678",
        "Fatima de Vries",
    )
    assert registration.attitude_answers == {"drugsbeleid": "Iets soepeler"}
    assert registration.available_weekends.count() == 3
    assert registration.needs_childcare and registration.diet == "halal"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REGISTERED
    # No e-mail to an empty address, now or later.
    assert mail.outbox == [] and not OutboxEmail.objects.exists()
    event = AuditEvent.objects.get(action="registration.made_by_secretariat")
    assert event.actor == cast.users["organiser"]
    assert event.detail == {"registration": registration.pk, "invitation": invitation.pk}

    # The code entered on the site later: no link by e-mail is offered, the
    # secretariat is.
    used = enter_code(Client(), invitation.code).content.decode()
    assert "Deze code is al gebruikt" in used
    assert "gedaan via het secretariaat, zonder e-mailadres" in used
    assert "Stuur mij de link" not in used


def test_with_an_e_mail_address_the_confirmation_goes_there(
    cast: Cast, invitation: Invitation, django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _organiser(cast).post(_url(cast, invitation), _answers(cast, language="en"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["fatima@example.org"]]
    assert Registration.objects.get().language == "en"


def test_without_consent_or_any_way_to_reach_nothing_is_written(
    cast: Cast, invitation: Invitation
) -> None:
    data = _answers(cast, email="", phone="", consent_read=None, gender=None)
    response = _organiser(cast).post(_url(cast, invitation), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Vul een telefoonnummer in. Zonder e-mailadres" in page
    assert "Zet een vinkje als de persoon toestemming geeft." in page
    assert "Wat is uw geslacht?" in page and 'class="error-summary"' in page
    assert page.count('<li><a href="#') >= 3  # every problem in the list at the top
    assert not Registration.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status != Invitation.Status.REGISTERED


def test_a_birth_date_unlike_the_register_needs_asking_again_and_a_tick(
    cast: Cast, invitation: Invitation
) -> None:
    """Someone else of the household on the phone, or a typing slip: the
    organiser is warned and must tick that the caller gave the date again.
    The page never shows the register's date, so it cannot be read out."""
    client = _organiser(cast)
    response = client.post(_url(cast, invitation), _answers(cast, birth_date="1980-07-15"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Deze geboortedatum is anders dan in het uittreksel BRP." in page
    assert 'href="#id_birth_date"' in page  # in the list of problems at the top
    assert 'name="birth_date_checked"' in page
    for shown in ("1980-05-17", "17-05-1980", "17 mei 1980", "17/05/1980"):
        assert shown not in page
    assert not Registration.objects.exists()
    # Before the warning there is no tick to set by habit.
    assert 'name="birth_date_checked"' not in client.get(_url(cast, invitation)).content.decode()

    response = client.post(
        _url(cast, invitation), _answers(cast, birth_date="1980-07-15", birth_date_checked="on")
    )

    assert response.status_code == 302
    registration = Registration.objects.get(invitation=invitation)
    assert registration.birth_date == dt.date(1980, 7, 15)
    detail = AuditEvent.objects.get(action="registration.made_by_secretariat").detail
    assert detail == {
        "registration": registration.pk,
        "invitation": invitation.pk,
        "birth_date_unlike_register": True,
    }


def test_a_birth_date_corrected_on_the_phone_needs_no_tick(
    cast: Cast, invitation: Invitation
) -> None:
    client = _organiser(cast)
    assert (
        client.post(_url(cast, invitation), _answers(cast, birth_date="17-07-1980")).status_code
        == 400
    )
    # Asked again, the caller gives the register's date (in another way of writing).
    response = client.post(_url(cast, invitation), _answers(cast, birth_date="17-05-1980"))
    assert response.status_code == 302
    assert Registration.objects.get().birth_date == REGISTER_BIRTH_DATE


def test_a_used_invitation_or_a_closed_sign_up_says_why(cast: Cast, invitation: Invitation) -> None:
    client = _organiser(cast)
    assert client.post(_url(cast, invitation), _answers(cast)).status_code == 302
    again = client.get(_url(cast, invitation))
    assert again.status_code == 409
    assert "Met deze uitnodiging is al iemand aangemeld." in again.content.decode()

    Registration.objects.all().delete()
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.EMAILED)
    cast.assembly.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    cast.assembly.save(update_fields=["registration_deadline"])
    closed = client.post(_url(cast, invitation), _answers(cast))
    assert closed.status_code == 409 and "De aanmelding is gesloten." in closed.content.decode()
    assert not Registration.objects.exists()


def test_the_look_up_offers_the_sign_up_only_while_it_can_be_done(
    cast: Cast, invitation: Invitation
) -> None:
    resident = invitation.resident
    assert resident is not None
    client = _organiser(cast)
    lookup = reverse("participants:invitation_lookup", kwargs={"slug": cast.assembly.slug})
    address = {"postcode": resident.postcode, "house_number": str(resident.house_number)}
    assert _url(cast, invitation) in client.post(lookup, address).content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.DECLINED)
    assert _url(cast, invitation) not in client.post(lookup, address).content.decode()


# ------------------------------------------------- a member without e-mail later on


def test_a_drawn_person_without_e_mail_gets_a_letter_not_an_e_mail_and_takes_part(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[0].pk).update(email="")
    member = panel.member(0)
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.panel_member_notify(member_id=member.pk)
    assert mail.outbox == [] and not OutboxEmail.objects.exists()
    answer_by(cast.assembly)
    pdf, letters = panel_services.panel_letters_pdf(assembly=cast.assembly)
    assert letters >= 1 and pdf.startswith(b"%PDF")

    # The person phones to say yes: a seat without an account.
    response = _organiser(cast).post(
        reverse(
            "participants:panel_member_answer",
            kwargs={"slug": cast.assembly.slug, "pk": member.pk},
        ),
        {"answer": "yes", "channel": "phone"},
        follow=True,
    )
    assert "Zonder e-mailadres is er geen account" in response.content.decode()
    member.refresh_from_db()
    assert member.status == PanelMember.Status.CONFIRMED and member.user is None
    assert not Role.objects.filter(
        assembly=cast.assembly, kind=RoleKind.MEMBER, user__email=""
    ).exists()
    # The desk finds them by name to check them in.
    assert member in list(expected_members(assembly=cast.assembly))
    assert mail.outbox == []


def test_notifying_the_drawn_says_how_many_need_the_letter_by_post(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk__in=[panel.people[0].pk, panel.people[4].pk]).update(email="")
    response = _organiser(cast).post(
        reverse("participants:panel_notify", kwargs={"slug": cast.assembly.slug}),
        {"response_days": "14"},
        follow=True,
    )
    page = response.content.decode()
    assert "4 e-mails worden verstuurd." in page
    assert "2 mensen hebben geen e-mailadres. Stuur hun de brief (PDF) per post." in page


# ------------------------------------------------------- paid without an account


def _seated_without_email(cast: Cast) -> PanelMember:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[0].pk).update(email="")
    PanelMember.objects.filter(pk=panel.member(0).pk).update(status=PanelMember.Status.CONFIRMED)
    return panel.member(0)


def _bank_url(cast: Cast, member: PanelMember) -> str:
    return reverse(
        "participants:member_bank_account_by_organiser",
        kwargs={"slug": cast.assembly.slug, "member": member.pk},
    )


def test_the_organiser_types_in_the_bank_account_a_member_gave_on_paper(cast: Cast) -> None:
    from participants.iban import example_iban
    from participants.models import BankAccount

    member = _seated_without_email(cast)
    client = _organiser(cast)
    listing = client.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    assert _bank_url(cast, member) in listing.content.decode()

    iban = example_iban(7)
    unticked = client.post(_bank_url(cast, member), {"iban": iban, "holder_name": "F. de Vries"})
    assert unticked.status_code == 400
    assert "alleen de deelnemer zelf geeft dit op" in unticked.content.decode()
    assert not BankAccount.objects.exists()

    saved = client.post(
        _bank_url(cast, member),
        {"iban": iban, "holder_name": "F. de Vries", "given_by_the_member": "on"},
    )
    assert saved.status_code == 302
    account = BankAccount.objects.get(member=member)
    assert (account.iban, account.holder_name) == (iban, "F. de Vries")
    event = AuditEvent.objects.get(action="bank_account.saved")
    assert event.actor == cast.users["organiser"]


def test_a_member_with_an_account_enters_their_own(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    member = panel.member(1)
    PanelMember.objects.filter(pk=member.pk).update(
        status=PanelMember.Status.CONFIRMED, user=cast.users["member"]
    )
    assert _organiser(cast).get(_bank_url(cast, member)).status_code == 404


def test_after_a_payment_the_organiser_cannot_change_the_account(cast: Cast) -> None:
    from participants.iban import example_iban
    from participants.models import BankAccount
    from tests.participants.test_payments import exported_batch

    member = _seated_without_email(cast)
    exported_batch(cast.assembly, [member])
    before = BankAccount.objects.get(member=member)
    response = _organiser(cast).post(
        _bank_url(cast, member),
        {"iban": example_iban(99), "holder_name": "Iemand Anders", "given_by_the_member": "on"},
    )
    assert response.status_code == 400
    assert "Er is al geld naar de bekende rekening overgemaakt." in response.content.decode()
    after = BankAccount.objects.get(member=member)
    assert (after.iban, after.holder_name, after.pending_iban) == (
        before.iban,
        before.holder_name,
        "",
    )


def _withdraw_url(cast: Cast, invitation: Invitation) -> str:
    return reverse(
        "participants:registration_withdraw_on_behalf",
        kwargs={"slug": cast.assembly.slug, "pk": invitation.pk},
    )


def test_someone_without_the_link_is_withdrawn_by_the_secretariat(
    cast: Cast, invitation: Invitation, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client = _organiser(cast)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(cast, invitation), _answers(cast, email=""))
    registration = Registration.objects.get(invitation=invitation)
    resident = invitation.resident
    assert resident is not None
    lookup = reverse("participants:invitation_lookup", kwargs={"slug": cast.assembly.slug})
    found = client.post(
        lookup, {"postcode": resident.postcode, "house_number": str(resident.house_number)}
    ).content.decode()
    assert _withdraw_url(cast, invitation) in found

    assert "Ja, afmelden" in client.get(_withdraw_url(cast, invitation)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_withdraw_url(cast, invitation), follow=True)
    assert "Deze persoon is afgemeld." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.WITHDRAWN
    assert registration.attitude_answers == {}
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    event = AuditEvent.objects.get(action="registration.withdrawn_by_secretariat")
    assert event.actor == cast.users["organiser"]
    assert mail.outbox == []  # no address, no e-mail
    again = client.get(_withdraw_url(cast, invitation))
    assert again.status_code == 409


def test_a_drawn_member_withdrawn_by_the_secretariat_opens_the_seat(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    member = panel.member(0)
    invitation = panel.people[0].invitation
    # make_panel's residents have no draw through invitation_draw; the page
    # only needs the invitation and its resident.
    response = _organiser(cast).post(_withdraw_url(cast, invitation))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == PanelMember.Status.WITHDRAWN
    assert member.withdrawn_reason == "Afgemeld via het secretariaat"
    assert member in panel_services.open_seats(assembly=cast.assembly)


def test_a_member_without_email_who_stopped_can_still_be_paid(cast: Cast) -> None:
    from participants.iban import example_iban
    from participants.models import BankAccount

    member = _seated_without_email(cast)
    PanelMember.objects.filter(pk=member.pk).update(status=PanelMember.Status.WITHDRAWN)
    response = _organiser(cast).post(
        _bank_url(cast, member),
        {"iban": example_iban(8), "holder_name": "F. de Vries", "given_by_the_member": "on"},
    )
    assert response.status_code == 302
    assert BankAccount.objects.filter(member=member).exists()


def test_an_erased_drawn_person_noted_as_yes_gets_no_account(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[0].pk).update(
        email=f"gewist-{panel.people[0].pk}@invalid.example"
    )
    member = panel_services.panel_member_respond(
        member=panel.member(0), accept=True, recorded_by=cast.users["organiser"], channel="post"
    )
    assert member.status == PanelMember.Status.CONFIRMED and member.user is None


def test_the_member_list_says_who_needs_a_letter_by_post(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[2].pk).update(email="")
    page = (
        _organiser(cast)
        .get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )
    assert "1 geloot persoon zonder e-mailadres moet nog antwoorden." in page


# ----------------------------------------------------- an e-mail address later on


def _email_url(cast: Cast, member: PanelMember) -> str:
    return reverse(
        "participants:panel_member_email_add",
        kwargs={"slug": cast.assembly.slug, "pk": member.pk},
    )


def test_a_member_on_paper_who_gets_an_e_mail_address_gets_an_account(cast: Cast) -> None:
    member = _seated_without_email(cast)
    client = _organiser(cast)
    listing = client.get(reverse("participants:panel_list", kwargs={"slug": cast.assembly.slug}))
    assert _email_url(cast, member) in listing.content.decode()

    slip = client.post(
        _email_url(cast, member),
        {"email": "f.devries@example.org", "email_again": "f.devires@example.org"},
    )
    assert slip.status_code == 400
    assert "De twee e-mailadressen zijn niet gelijk." in slip.content.decode()
    assert Registration.objects.get(pk=member.registration_id).email == ""

    saved = client.post(
        _email_url(cast, member),
        {"email": "F.deVries@Example.org ", "email_again": "f.devries@example.org"},
        follow=True,
    )
    assert "Deze deelnemer krijgt nu een e-mail om in te loggen." in saved.content.decode()
    member.refresh_from_db()
    assert member.registration.email == "f.devries@example.org"
    assert member.user is not None and member.user.email == "f.devries@example.org"
    assert Role.objects.filter(
        assembly=cast.assembly, kind=RoleKind.MEMBER, user=member.user
    ).exists()
    assert list(OutboxEmail.objects.values_list("to", "kind")) == [
        ("f.devries@example.org", "role")
    ]
    event = AuditEvent.objects.get(action="panel.email_added")
    assert event.actor == cast.users["organiser"]
    assert event.detail == {"member": member.pk, "account": True}
    assert "devries" not in str(event.detail)
    # From now on the member does these things themselves.
    assert _email_url(cast, member) not in saved.content.decode()
    assert client.get(_bank_url(cast, member)).status_code == 404
    again = client.post(
        _email_url(cast, member),
        {"email": "ander@example.org", "email_again": "ander@example.org"},
    )
    assert again.status_code == 200 and "heeft al een e-mailadres" in again.content.decode()
    assert Registration.objects.get(pk=member.registration_id).email == "f.devries@example.org"


def test_someone_still_to_answer_gets_their_answer_link_by_e_mail(cast: Cast) -> None:
    panel = make_panel(cast.assembly)
    Registration.objects.filter(pk=panel.people[0].pk).update(email="")
    member = panel.member(0)
    panel_services.panel_member_notify(member_id=member.pk)  # the letter only
    assert not OutboxEmail.objects.exists()

    panel_services.panel_member_email_add(
        member=member, email="nu.wel@example.org", actor=cast.users["organiser"]
    )
    member.refresh_from_db()
    assert member.user is None and member.status == PanelMember.Status.SELECTED
    sent = OutboxEmail.objects.get()
    assert (sent.to, sent.kind) == ("nu.wel@example.org", "panel.panel_notification")
    # The link is signed with the second it was made in: find it by where it
    # leads and check that its token names this member.
    link = panel_services.panel_respond_url(member).rsplit("/", 2)[0] + "/"
    found = re.search(re.escape(link) + r"([^/\s]+)/", sent.body)
    assert found is not None, sent.body
    assert panel_services.panel_member_id_from_token(found.group(1)) == member.pk


def test_an_address_of_another_sign_up_here_is_refused(cast: Cast) -> None:
    member = _seated_without_email(cast)
    taken = (
        Registration.objects.filter(assembly=cast.assembly)
        .exclude(pk=member.registration_id)
        .exclude(email="")
        .first()
    )
    assert taken is not None
    response = _organiser(cast).post(
        _email_url(cast, member), {"email": taken.email.upper(), "email_again": taken.email}
    )
    assert response.status_code == 400
    assert "hoort al bij een andere aanmelding" in response.content.decode()
    member.refresh_from_db()
    assert member.registration.email == "" and member.user is None
    assert not OutboxEmail.objects.exists()


def test_no_address_for_someone_who_stopped(cast: Cast) -> None:
    member = _seated_without_email(cast)
    PanelMember.objects.filter(pk=member.pk).update(status=PanelMember.Status.WITHDRAWN)
    with pytest.raises(panel_services.EmailAddRefused):
        panel_services.panel_member_email_add(
            member=member, email="laat@example.org", actor=cast.users["organiser"]
        )
    assert Registration.objects.get(pk=member.registration_id).email == ""
    page = _organiser(cast).get(_email_url(cast, member)).content.decode()
    assert "doet niet (meer) mee" in page and "<form" not in page.split("<main")[-1]
