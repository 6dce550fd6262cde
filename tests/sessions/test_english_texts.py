"""The organisers' own texts in English: weekend and session titles, session
descriptions, material titles and summaries. English readers see the English
where an organiser gave it and the Dutch where not; pages, e-mails and the
member's calendar feed alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from assembly.models import OutboxEmail, RoleKind, User
from sessions.models import Material, Session, Weekend
from sessions.services import materials as material_services
from sessions.services import schedule as services
from sessions.uploads import pdf_check
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.sessions.schedule_helpers import make_session, weekend
from tests.sessions_materials.helpers import make_pdf

pytestmark = pytest.mark.django_db


def _programme(cast: Cast) -> tuple[Weekend, Session, Session]:
    w = weekend(cast.assembly, 4)
    w.title, w.title_en = "Zorg en veiligheid", "Care and safety"
    w.save()
    translated = make_session(
        w,
        (10, 0),
        (11, 0),
        title="Schade beperken",
        title_en="Reducing harm",
        description="Gebruiksruimtes en wat die opleveren.",
        description_en="Consumption rooms and what they achieve.",
        kind=Session.Kind.BRIEFING,
    )
    dutch_only = make_session(w, (11, 0), (12, 0), title="Tafelgesprek", kind=Session.Kind.TABLES)
    services.weekend_publish(weekend=w, actor=None)
    return w, translated, dutch_only


def _released_material(cast: Cast, w: Weekend) -> Material:
    material = material_services.material_create(
        assembly=cast.assembly,
        kind=Material.Kind.DOCUMENT,
        title="Feiten over drugsgebruik",
        title_en="Facts about drug use",
        summary="Wie gebruikt welke middelen, en hoe vaak?",
        summary_en="Who uses which drugs, and how often?",
        weekend=w,
        pdf=pdf_check(make_pdf()),
        actor=cast.users["organiser"],
    )
    return material_services.material_release(material=material, actor=cast.users["organiser"])


def _member(cast: Cast, language: str) -> Client:
    client = Client()
    client.force_login(cast.users["member"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_english_readers_see_the_organisers_english_and_the_dutch_where_there_is_none(
    cast: Cast,
) -> None:
    w, _translated, _dutch_only = _programme(cast)
    _released_material(cast, w)
    slug = cast.assembly.slug

    english = _member(cast, "en").get(reverse("programme:my_programme", kwargs={"slug": slug}))
    page = english.content.decode()
    assert "Care and safety" in page and "Zorg en veiligheid" not in page
    assert "Reducing harm" in page and "Schade beperken" not in page
    assert "Consumption rooms and what they achieve." in page
    assert "Tafelgesprek" in page  # no English given: the Dutch

    dutch = _member(cast, "nl").get(reverse("programme:my_programme", kwargs={"slug": slug}))
    page = dutch.content.decode()
    assert "Zorg en veiligheid" in page and "Schade beperken" in page
    assert "Care and safety" not in page and "Reducing harm" not in page

    materials = _member(cast, "en").get(reverse("programme:materials", kwargs={"slug": slug}))
    page = materials.content.decode()
    assert "Facts about drug use" in page and "Who uses which drugs, and how often?" in page
    assert "Feiten over drugsgebruik" not in page


def test_e_mails_carry_the_texts_in_each_members_language(cast: Cast) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w, translated, _dutch_only = _programme(cast)

    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[1], today=w.starts_on - dt.timedelta(days=1)
    )
    reminders = {m.to: m.body for m in OutboxEmail.objects.filter(kind="programme_weekend")}
    assert "Reducing harm" in reminders["member-en@example.org"]
    assert "Schade beperken" in reminders["member@example.org"]

    services.session_update(
        session=translated,
        data={"starts_at": translated.starts_at + dt.timedelta(hours=3),
              "ends_at": translated.ends_at + dt.timedelta(hours=3)},
        actor=None,
    )
    changes = {m.to: m.body for m in OutboxEmail.objects.filter(kind="programme_change")}
    assert "Reducing harm" in changes["member-en@example.org"]
    assert "Reducing harm" not in changes["member@example.org"]
    assert "Schade beperken" in changes["member@example.org"]


def test_the_members_calendar_feed_is_in_the_language_they_read(cast: Cast) -> None:
    translated = _programme(cast)[1]
    member: User = cast.users["member"]
    url = reverse(
        "programme:private_feed",
        kwargs={
            "slug": cast.assembly.slug,
            "token": calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk),
        },
    )

    def summary() -> str:
        # A calendar app asks without cookies.
        events = Calendar.from_ical(Client().get(url).content).walk("VEVENT")
        uid = f"session-{translated.pk}@"
        return next(str(e["SUMMARY"]) for e in events if str(e["UID"]).startswith(uid))

    assert summary().startswith("Schade beperken")
    User.objects.filter(pk=member.pk).update(language="en")
    assert summary() == "Reducing harm (Expert briefing)"


def test_organisers_give_the_english_in_the_forms(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    slug = cast.assembly.slug
    response = organiser.post(
        reverse("programme:session_add", kwargs={"slug": slug, "number": 1}),
        {
            "title": "Opening",
            "title_en": "Welcome",
            "kind": "plenary",
            "day": w.starts_on.isoformat(),
            "start": "10:00",
            "end": "10:45",
            "description": "De voorzitter heet u welkom.",
            "description_en": "The chair welcomes you.",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(weekend=w)
    assert (session.title_en, session.description_en) == ("Welcome", "The chair welcomes you.")

    response = organiser.post(
        reverse("programme:material_create", kwargs={"slug": slug}),
        {
            "kind": Material.Kind.LINK,
            "title": "Uitleg in beeld",
            "title_en": "Explained in pictures",
            "summary": "Een korte film.",
            "summary_en": "A short film.",
            "url": "https://www.example.org/film",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    material = Material.objects.get(title="Uitleg in beeld")
    assert (material.title_en, material.summary_en) == ("Explained in pictures", "A short film.")
