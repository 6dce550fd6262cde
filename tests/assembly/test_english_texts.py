"""The assembly's own texts in English: its name, question and mandate.
English readers see the English where the organiser gave it and the Dutch
where not, on the public page, in the registration, on members' pages and in
e-mails; the report to the Kamer and the invitations stay Dutch."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from html import escape
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import Assembly, OutboxEmail, RoleKind, User
from assembly.services import role_grant
from participants.models import Invitation, InvitationRun
from participants.services import invitations as invitation_services
from tests.conftest import Cast
from tests.factories import UserFactory, give_totp
from tests.participants.test_invitations import make_residents
from tests.participants.test_registration import enter_code, make_invitation, step_url

pytestmark = pytest.mark.django_db

NAME_EN = "National Citizens Assembly on Drug Policy"
QUESTION_EN = "Is a drug policy possible with less crime and fewer health risks?"
MANDATE_EN = "Parliament asks a group of residents, chosen by lot, for advice."
MANDATE = "De Tweede Kamer vraagt een groep inwoners, gekozen door loting, om advies."

OnCommit = Callable[..., Any]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Code entry is rate limited per address in the cache; start from nothing.
    cache.clear()
    yield
    cache.clear()


def _in_english(assembly: Assembly) -> Assembly:
    assembly.mandate = MANDATE
    assembly.name_en, assembly.question_en, assembly.mandate_en = NAME_EN, QUESTION_EN, MANDATE_EN
    assembly.save(update_fields=["mandate", "name_en", "question_en", "mandate_en"])
    return assembly


def _reader(language: str, user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _about(cast: Cast, language: str) -> str:
    url = reverse("about", kwargs={"slug": cast.assembly.slug})
    return str(_reader(language).get(url).content.decode())


def test_english_readers_see_the_assemblys_english_on_the_public_page(cast: Cast) -> None:
    _in_english(cast.assembly)
    page = _about(cast, "en")
    assert QUESTION_EN in page and NAME_EN in page and MANDATE_EN in page
    assert escape(cast.assembly.question) not in page and MANDATE not in page


def test_dutch_readers_see_the_dutch_on_the_public_page(cast: Cast) -> None:
    _in_english(cast.assembly)
    page = _about(cast, "nl")
    assert escape(cast.assembly.question) in page and MANDATE in page
    assert cast.assembly.name in page
    assert QUESTION_EN not in page and NAME_EN not in page and MANDATE_EN not in page


def test_english_readers_see_the_dutch_where_no_english_was_given(cast: Cast) -> None:
    cast.assembly.mandate = MANDATE
    cast.assembly.save(update_fields=["mandate"])
    page = _about(cast, "en")
    assert escape(cast.assembly.question) in page and MANDATE in page
    assert cast.assembly.name in page


@pytest.fixture
def invitation(cast: Cast) -> Invitation:
    cast.assembly.registration_deadline = timezone.localdate() + dt.timedelta(days=30)
    cast.assembly.save(update_fields=["registration_deadline"])
    return make_invitation(cast.assembly)


def _first_registration_step(language: str) -> str:
    client = _reader(language)
    assert enter_code(client).status_code == 302
    return str(client.get(step_url("toestemming")).content.decode())


def test_the_registration_names_the_question_in_the_readers_language(
    cast: Cast, invitation: Invitation
) -> None:
    _in_english(cast.assembly)
    english = _first_registration_step("en")
    assert QUESTION_EN in english and NAME_EN in english
    assert escape(cast.assembly.question) not in english

    dutch = _first_registration_step("nl")
    assert escape(cast.assembly.question) in dutch and cast.assembly.name in dutch
    assert QUESTION_EN not in dutch and NAME_EN not in dutch


def test_the_registration_gives_english_readers_the_dutch_question_where_there_is_no_english(
    cast: Cast, invitation: Invitation
) -> None:
    page = _first_registration_step("en")
    assert escape(cast.assembly.question) in page and cast.assembly.name in page


def test_a_member_reads_the_question_in_english_on_their_home_page(cast: Cast) -> None:
    _in_english(cast.assembly)
    url = reverse("dashboard", kwargs={"slug": cast.assembly.slug})
    english = _reader("en", cast.users["member"]).get(url).content.decode()
    assert QUESTION_EN in english and NAME_EN in english
    dutch = _reader("nl", cast.users["member"]).get(url).content.decode()
    assert escape(cast.assembly.question) in dutch and QUESTION_EN not in dutch


def test_e_mails_name_the_assembly_in_each_persons_language(cast: Cast) -> None:
    _in_english(cast.assembly)
    UserFactory(email="expert-en@example.org", language="en")
    UserFactory(email="expert-nl@example.org", language="nl")
    for email in ("expert-en@example.org", "expert-nl@example.org"):
        role_grant(assembly=cast.assembly, email=email, kind=RoleKind.EXPERT)
    sent = {m.to: m for m in OutboxEmail.objects.filter(kind="role")}
    assert NAME_EN in sent["expert-en@example.org"].subject
    assert NAME_EN in sent["expert-en@example.org"].body
    assert cast.assembly.name in sent["expert-nl@example.org"].subject
    assert NAME_EN not in sent["expert-nl@example.org"].body


def test_the_invitation_e_mails_stay_dutch_when_an_english_organiser_sends_them(
    cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _in_english(cast.assembly)
    make_residents(cast.assembly, 6, per_household=1)
    draw = invitation_services.invitation_draw(assembly=cast.assembly, count=3, seed="taal")
    organiser = _reader("en", cast.users["organiser"])
    url = reverse(
        "participants:invitation_run_start", kwargs={"slug": cast.assembly.slug, "draw_id": draw.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert organiser.post(url, {"kind": InvitationRun.Kind.EMAILS}).status_code == 302
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert cast.assembly.question in message.body and cast.assembly.name in message.subject
        assert QUESTION_EN not in message.body and NAME_EN not in message.subject


def test_the_report_to_the_kamer_stays_dutch_for_english_readers(cast: Cast) -> None:
    """The report itself is Dutch; the page around it (the browser title, the
    way back to the dashboard) names the assembly as the other pages do."""
    _in_english(cast.assembly)
    url = reverse("recommendations:report_final", kwargs={"slug": cast.assembly.slug})
    page = _reader("en", cast.users["griffie"]).get(url).content.decode()
    head, report = page.split("<h1>", 1)
    assert report.startswith(f"{escape(cast.assembly.name)}</h1>")
    assert escape(cast.assembly.question) in report and MANDATE in report
    assert QUESTION_EN not in report and MANDATE_EN not in report and NAME_EN not in report
    assert f"<title>Final report – {NAME_EN}" in head
    assert f"← {NAME_EN}</a>" in head


def test_organisers_give_the_english_in_the_settings(cast: Cast) -> None:
    organiser = _reader("nl", cast.users["organiser"])
    data = {
        "name": cast.assembly.name, "name_en": NAME_EN,
        "question": cast.assembly.question, "question_en": QUESTION_EN,
        "mandate": MANDATE, "mandate_en": MANDATE_EN, "commissioned_by": "",
        "members_target": 175, "alternates_target": 25, "min_age": 16,
        "first_weekend": "2027-02-13", "period_end": "", "phase": "setup", "is_public": "on",
    }
    settings_url = reverse("assembly:settings", kwargs={"slug": cast.assembly.slug})
    response = organiser.post(settings_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.assembly.refresh_from_db()
    assert (cast.assembly.name_en, cast.assembly.question_en, cast.assembly.mandate_en) == (
        NAME_EN, QUESTION_EN, MANDATE_EN
    )

    response = organiser.post(
        reverse("assembly:create"),
        {"name": "Burgerberaad Wonen", "name_en": "Citizens Assembly on Housing",
         "slug": "wonen", "question": "Hoe wonen we straks?",
         "question_en": "How will we live?", "members_target": 100, "alternates_target": 10,
         "min_age": 16, "first_weekend": "2028-01-15"},
    )
    assert response.status_code == 302
    housing = Assembly.objects.get(slug="wonen")
    assert (housing.name_en, housing.question_en) == (
        "Citizens Assembly on Housing", "How will we live?"
    )


def test_the_demo_gives_english_readers_the_question_in_english() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    demo = Assembly.objects.get(slug="drugsbeleid")
    assert demo.name_en and demo.mandate_en
    page = _reader("en").get(reverse("about", kwargs={"slug": demo.slug})).content.decode()
    assert escape(demo.question_en) in page
    assert escape(demo.question) not in page
    # The programme too: weekend titles and the practical texts of every venue.
    for weekend in demo.weekends.all():
        assert weekend.title_en, weekend.number
        if weekend.route:
            assert weekend.route_en and weekend.accessibility_en and weekend.hotel_en
    assert demo.weekends.exclude(route="").exists()


def test_the_admin_edits_the_english_beside_the_dutch(
    cast: Cast, admin_client: Client, admin_user: User
) -> None:
    give_totp(admin_user)  # staff must have TOTP before the admin opens
    url = reverse("admin:assembly_assembly_change", args=[cast.assembly.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("name_en", "question_en", "mandate_en"):
        assert f'name="{name}"' in page, name
