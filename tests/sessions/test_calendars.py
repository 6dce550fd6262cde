"""The calendar feeds: valid iCalendar that parses back, stable UIDs, right times across DST."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from assembly.models import Assembly
from sessions.calendars import calendar_build
from sessions.models import Expert, Session, Weekend
from sessions.selectors import programme_for
from sessions.services import schedule as services
from sessions.services import weekends as weekend_services
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.sessions.schedule_helpers import make_session, weekend

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Summer time starts in the night of Saturday 27 to Sunday 28 March 2027.
DST_SATURDAY = dt.date(2027, 3, 27)


def _dst_weekend(cast: Cast) -> Weekend:
    w = weekend(cast.assembly, 2)
    w.starts_on, w.ends_on = DST_SATURDAY, DST_SATURDAY + dt.timedelta(days=1)
    w.venue_name, w.venue_address, w.city = "De Eenhoorn", "Hogeweg 2", "Amersfoort"
    w.save()
    return w


def _published_dst_weekend(cast: Cast) -> tuple[Weekend, list[int]]:
    w = _dst_weekend(cast)
    saturday = make_session(w, (10, 0), (11, 0), title="Opening", room="Grote zaal")
    sunday = make_session(w, (10, 0), (11, 30), day=1, title="Tafelgesprek", kind="tables")
    expert = Expert.objects.create(assembly=cast.assembly, name="Dr. A. de Vries")
    saturday.experts.add(expert)
    services.weekend_publish(weekend=w, actor=None)
    return w, [saturday.pk, sunday.pk]


def _parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_it_builds_a_calendar_that_parses_back_with_the_required_properties(cast: Cast) -> None:
    _w, (saturday_id, _sunday_id) = _published_dst_weekend(cast)
    content = calendar_build(
        assembly=cast.assembly,
        name="Burgerberaad",
        weekends=programme_for(assembly=cast.assembly, published_only=False),
    )

    calendar = _parse(content)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    assert str(calendar["X-WR-CALNAME"]) == "Burgerberaad"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    event = _events(calendar)[f"session-{saturday_id}@burgerberaad"]
    assert event["DTSTAMP"] and event["SUMMARY"]  # type: ignore[index]
    assert "De Eenhoorn" in str(event["LOCATION"]) and "Grote zaal" in str(event["LOCATION"])  # type: ignore[index]
    assert "Dr. A. de Vries" in str(event["DESCRIPTION"])  # type: ignore[index]
    assert b"DTSTART;TZID=Europe/Amsterdam:20270327T100000" in content
    assert b"\r\n" in content


def test_it_keeps_the_local_time_right_across_the_change_to_summer_time(cast: Cast) -> None:
    _w, (saturday_id, sunday_id) = _published_dst_weekend(cast)
    content = calendar_build(
        assembly=cast.assembly,
        name="x",
        weekends=programme_for(assembly=cast.assembly, published_only=False),
    )
    events = _events(_parse(content))
    saturday = events[f"session-{saturday_id}@burgerberaad"]
    sunday = events[f"session-{sunday_id}@burgerberaad"]

    start_sat = saturday["DTSTART"].dt  # type: ignore[index]
    start_sun = sunday["DTSTART"].dt  # type: ignore[index]
    assert (start_sat.hour, start_sun.hour) == (10, 10)
    # 10:00 is 09:00 UTC in winter time and 08:00 UTC in summer time.
    assert start_sat.astimezone(UTC).hour == 9
    assert start_sun.astimezone(UTC).hour == 8
    assert sunday["DTEND"].dt.astimezone(UTC) == dt.datetime(2027, 3, 28, 9, 30, tzinfo=UTC)  # type: ignore[index]
    assert sunday["DTSTART"].params["TZID"] == "Europe/Amsterdam"  # type: ignore[index]


def test_it_keeps_uids_stable_between_builds_and_edits(cast: Cast) -> None:
    w, (saturday_id, _sunday_id) = _published_dst_weekend(cast)

    def uids() -> list[str]:
        weekends = programme_for(assembly=cast.assembly, published_only=False)
        content = calendar_build(assembly=cast.assembly, name="x", weekends=weekends)
        return sorted(_events(_parse(content)))

    before = uids()
    session = w.sessions.get(pk=saturday_id)
    services.session_update(session=session, data={"title": "Nieuwe titel"}, actor=None)
    assert uids() == before
    assert f"session-{saturday_id}@burgerberaad" in before


def test_it_shows_an_unpublished_weekend_as_an_all_day_event(cast: Cast) -> None:
    w = weekend(cast.assembly, 3)
    make_session(w, (10, 0), (11, 0), title="Nog niet openbaar")
    content = calendar_build(assembly=cast.assembly, name="x", weekends=[w])
    (event,) = _parse(content).walk("VEVENT")
    assert str(event["UID"]) == f"weekend-{w.pk}@burgerberaad"
    assert event["DTSTART"].dt == w.starts_on
    assert event["DTEND"].dt == w.ends_on + dt.timedelta(days=1)
    assert b"Nog niet openbaar" not in content


@pytest.mark.parametrize("feed", ["public", "private", "weekend"])
def test_it_serves_each_feed_as_text_calendar(cast: Cast, feed: str) -> None:
    _published_dst_weekend(cast)
    slug = cast.assembly.slug
    url = {
        "public": reverse("programme:public_feed", kwargs={"slug": slug}),
        "private": reverse(
            "programme:private_feed",
            kwargs={
                "slug": slug,
                "token": calendar_token(
                    user_id=cast.users["member"].pk, assembly_id=cast.assembly.pk
                ),
            },
        ),
        "weekend": reverse("programme:weekend_ics", kwargs={"slug": slug, "number": 2}),
    }[feed]

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = _parse(response.content)
    uids = set(_events(calendar))
    assert any(uid.startswith("session-") for uid in uids)
    if feed == "weekend":
        assert all(uid.startswith("session-") for uid in uids)
    else:
        assert len([u for u in uids if u.startswith("weekend-")]) == 6  # the unpublished ones


def _sequences(cast: Cast) -> dict[str, int]:
    weekends = programme_for(assembly=cast.assembly, published_only=False)
    content = calendar_build(assembly=cast.assembly, name="x", weekends=weekends)
    return {uid: int(event.get("SEQUENCE", 0)) for uid, event in _events(_parse(content)).items()}  # type: ignore[attr-defined]


def test_a_moved_session_gets_a_higher_sequence_so_an_imported_calendar_takes_the_new_time(
    cast: Cast,
) -> None:
    # RFC 5545, 3.8.7.4: a new DTSTART or DTEND MUST raise SEQUENCE; a
    # calendar that imported the file before keeps the old time otherwise.
    w, (saturday_id, sunday_id) = _published_dst_weekend(cast)
    saturday, sunday = f"session-{saturday_id}@burgerberaad", f"session-{sunday_id}@burgerberaad"
    before = _sequences(cast)
    assert _sequences(cast) == before  # the same programme, the same numbers

    session = w.sessions.get(pk=saturday_id)
    services.session_update(
        session=session,
        data={
            "starts_at": session.starts_at + dt.timedelta(hours=1),
            "ends_at": session.ends_at + dt.timedelta(hours=1),
        },
        actor=None,
    )
    moved = _sequences(cast)
    assert moved[saturday] > before[saturday]
    assert moved[sunday] == before[sunday]

    services.session_update(session=session, data={"room": "Kleine zaal"}, actor=None)
    assert _sequences(cast)[saturday] > moved[saturday]


def test_swapping_two_sessions_raises_the_sequence_of_both(cast: Cast) -> None:
    w, (saturday_id, _sunday_id) = _published_dst_weekend(cast)
    later = make_session(w, (11, 0), (12, 0), title="Vragen", room="Zaal 3")
    before = _sequences(cast)

    services.session_move(session=later, direction="up", actor=None)

    after = _sequences(cast)
    for pk in (saturday_id, later.pk):
        assert after[f"session-{pk}@burgerberaad"] > before[f"session-{pk}@burgerberaad"]


def test_moving_a_weekend_raises_the_sequence_of_its_sessions_and_of_its_all_day_event(
    cast: Cast,
) -> None:
    w, (saturday_id, sunday_id) = _published_dst_weekend(cast)
    unpublished = weekend(cast.assembly, 5)
    before = _sequences(cast)

    # A week later: across the change to summer time, same clock times.
    weekend_services.weekend_update(
        weekend=w,
        data={
            "starts_on": w.starts_on + dt.timedelta(days=7),
            "ends_on": w.ends_on + dt.timedelta(days=7),
        },
        actor=None,
    )
    weekend_services.weekend_update(
        weekend=unpublished,
        data={
            "starts_on": unpublished.starts_on + dt.timedelta(days=7),
            "ends_on": unpublished.ends_on + dt.timedelta(days=7),
        },
        actor=None,
    )

    after = _sequences(cast)
    for uid in (
        f"session-{saturday_id}@burgerberaad",
        f"session-{sunday_id}@burgerberaad",
        f"weekend-{unpublished.pk}@burgerberaad",
    ):
        assert after[uid] > before[uid], uid
    # Other weekends did not change.
    other = f"weekend-{weekend(cast.assembly, 6).pk}@burgerberaad"
    assert after[other] == before[other]


def test_a_new_venue_raises_the_sequence_of_the_sessions_whose_location_it_changes(
    cast: Cast,
) -> None:
    w, (saturday_id, _sunday_id) = _published_dst_weekend(cast)
    uid = f"session-{saturday_id}@burgerberaad"
    before = _sequences(cast)

    weekend_services.weekend_update(weekend=w, data={"venue_name": "Het Tivoli"}, actor=None)

    assert _sequences(cast)[uid] > before[uid]


def test_the_english_programme_page_offers_the_feed_in_english(cast: Cast) -> None:
    _w, (saturday_id, _sunday_id) = _published_dst_weekend(cast)
    Session.objects.filter(pk=saturday_id).update(title_en="Welcome")
    Assembly.objects.filter(pk=cast.assembly.pk).update(name_en="National Citizens' Assembly")
    page_url = reverse("programme:public_programme", kwargs={"slug": cast.assembly.slug})
    feed = reverse("programme:public_feed", kwargs={"slug": cast.assembly.slug})

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(page_url).content.decode()
    assert f'href="{feed}?taal=en"' in page and f'href="webcal://testserver{feed}?taal=en"' in page
    calendar = _parse(Client().get(feed, {"taal": "en"}).content)
    assert str(calendar["X-WR-CALNAME"]) == "National Citizens' Assembly"
    assert "Welcome (Plenary)" in {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}

    # The Dutch page links the feed as it always was; an unknown language is Dutch.
    assert f'href="{feed}"' in Client().get(page_url).content.decode()
    dutch = _parse(Client().get(feed, {"taal": "xx"}).content)
    assert "Opening (Plenair)" in {str(event["SUMMARY"]) for event in dutch.walk("VEVENT")}


@pytest.mark.parametrize(
    ("title", "kind", "summary"),
    [
        ("Pauze", "break", "Pauze"),
        ("Vragen aan de deskundigen", "questions", "Vragen aan de deskundigen"),
        ("Tafelgesprek", "tables", "Tafelgesprek"),
        ("Plenaire opening", "plenary", "Plenaire opening"),
        ("Leven met verslaving", "briefing", "Leven met verslaving (Uitleg door deskundigen)"),
        ("Lunch", "break", "Lunch (Pauze)"),
    ],
)
def test_an_event_names_its_kind_only_where_the_title_does_not(
    title: str, kind: str, summary: str
) -> None:
    from sessions.calendars import session_summary

    assert session_summary(Session(title=title, kind=kind)) == summary
