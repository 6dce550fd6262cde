"""The organisers' own texts in English: weekend and session titles, the
weekend's route, accessibility and hotel, session descriptions, material
titles and summaries. English readers see the English
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


def _venue(cast: Cast) -> Weekend:
    """Weekend 4 with its route and hotel in both languages, accessibility in Dutch only."""
    w = _programme(cast)[0]
    w.refresh_from_db()  # published since
    w.venue_name, w.city = "Spoorwegmuseum", "Utrecht"
    w.route, w.route_en = "Vanaf Utrecht Centraal bus 2.", "From Utrecht Centraal take bus 2."
    w.accessibility = "Alle zalen zijn met de lift bereikbaar."
    w.hotel = "Hotel Nijenheim, ontbijt inbegrepen."
    w.hotel_en = "Hotel Nijenheim, breakfast included."
    w.save()
    return w


def test_english_readers_see_the_route_and_hotel_in_english_and_the_dutch_where_there_is_none(
    cast: Cast,
) -> None:
    _venue(cast)
    url = reverse("programme:my_programme", kwargs={"slug": cast.assembly.slug})

    page = _member(cast, "en").get(url).content.decode()
    assert "From Utrecht Centraal take bus 2." in page and "bus 2." in page
    assert "Vanaf Utrecht Centraal" not in page
    assert "Hotel Nijenheim, breakfast included." in page and "ontbijt" not in page
    assert "Alle zalen zijn met de lift bereikbaar." in page  # no English given: the Dutch

    page = _member(cast, "nl").get(url).content.decode()
    assert "Vanaf Utrecht Centraal bus 2." in page and "Hotel Nijenheim, ontbijt" in page
    assert "From Utrecht Centraal" not in page and "breakfast" not in page


def test_the_reminders_give_the_venue_texts_in_each_readers_language(cast: Cast) -> None:
    from sessions.models import Expert

    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w = _venue(cast)
    expert_user: User = cast.users["expert"]
    User.objects.filter(pk=expert_user.pk).update(language="en")
    session = w.sessions.get(title="Schade beperken")
    session.experts.add(
        Expert.objects.create(assembly=cast.assembly, name="Dr. A", user=expert_user)
    )

    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[1], today=w.starts_on - dt.timedelta(days=1)
    )

    reminders = {m.to: m.body for m in OutboxEmail.objects.filter(kind="programme_weekend")}
    assert "From Utrecht Centraal take bus 2." in reminders["member-en@example.org"]
    assert "breakfast included" in reminders["member-en@example.org"]
    assert "Alle zalen zijn met de lift bereikbaar." in reminders["member-en@example.org"]
    assert "Vanaf Utrecht Centraal bus 2." in reminders["member@example.org"]
    assert "From Utrecht" not in reminders["member@example.org"]
    [expert_mail] = OutboxEmail.objects.filter(kind="programme_expert_slot")
    assert "From Utrecht Centraal take bus 2." in expert_mail.body


def test_organisers_give_the_venue_texts_in_english_in_the_form(cast: Cast) -> None:
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    url = reverse("programme:weekend_venue", kwargs={"slug": cast.assembly.slug, "number": 2})
    w = weekend(cast.assembly, 2)
    response = organiser.post(
        url,
        {
            "starts_on": w.starts_on.isoformat(),
            "ends_on": w.ends_on.isoformat(),
            "route": "Lopen vanaf het station.",
            "route_en": "Walk from the station.",
            "accessibility_en": "Lift to every room.",
            "hotel_en": "Rooms are booked for you.",
        },
    )
    assert response.status_code == 302
    w.refresh_from_db()
    assert (w.route_en, w.accessibility_en, w.hotel_en) == (
        "Walk from the station.",
        "Lift to every room.",
        "Rooms are booked for you.",
    )


def test_the_weekend_list_and_a_weekend_download_follow_the_readers_language(
    cast: Cast,
) -> None:
    """The member's home page lists weekends with their titles, and the
    weekend page offers its .ics: both in the language of the page."""
    w, _translated, _dutch_only = _programme(cast)
    slug = cast.assembly.slug
    home = reverse("dashboard", kwargs={"slug": slug})
    download = reverse("programme:weekend_ics", kwargs={"slug": slug, "number": w.number})

    page = _member(cast, "en").get(home).content.decode()
    assert "Care and safety" in page and "Zorg en veiligheid" not in page
    page = _member(cast, "nl").get(home).content.decode()
    assert "Zorg en veiligheid" in page and "Care and safety" not in page

    def summaries(language: str) -> set[str]:
        content = _member(cast, language).get(download).content
        return {str(e["SUMMARY"]) for e in Calendar.from_ical(content).walk("VEVENT")}

    assert "Reducing harm (Expert briefing)" in summaries("en")
    assert not any(s.startswith("Schade beperken") for s in summaries("en"))
    assert any(s.startswith("Schade beperken") for s in summaries("nl"))
