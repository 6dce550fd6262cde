"""The programme as iCalendar (RFC 5545), for Google, Outlook and Apple calendars.

Each session is one VEVENT with a stable UID, so a calendar that subscribes
to a feed updates the event instead of adding a second one. Its SEQUENCE
goes up with each change the event shows (a new time or place above all), so
a calendar that imported an earlier file also takes the newer version. Times carry
TZID=Europe/Amsterdam with its VTIMEZONE, so they stay right across the
change to and from summer time. A cancelled session stays in the file with
STATUS:CANCELLED (and a higher SEQUENCE): a calendar that imported it once
drops it only when told so; an event left out would stay there. A weekend
whose programme is not published yet is one all-day event, so members can
keep the dates free.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from assembly.models import Assembly
from sessions.models import Session, Weekend

PRODID = "-//Burgerberaad//Programma//NL"
UID_DOMAIN = "burgerberaad"
# Subscribed calendars ask again after this long (Outlook and Apple read it).
REFRESH = dt.timedelta(hours=6)


# What the events show of a weekend: a change to one of these raises the
# SEQUENCE of the events (the services do it, in the same write).
WEEKEND_EVENT_FIELDS = (
    "title",
    "title_en",
    "starts_on",
    "ends_on",
    "venue_name",
    "venue_address",
    "city",
)
LOCATION_FIELDS = ("venue_name", "venue_address", "city")


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{UID_DOMAIN}"


def weekend_uid(weekend: Weekend) -> str:
    return f"weekend-{weekend.pk}@{UID_DOMAIN}"


def _location(weekend: Weekend, room: str = "") -> str:
    parts = [room, weekend.venue_name, weekend.venue_address, weekend.city]
    return ", ".join(part.strip() for part in parts if part and part.strip())


def session_summary(session: Session) -> str:
    """The event's title: the session's, with its kind where that adds
    something ("Leven met verslaving (Uitleg door deskundigen)"), not
    "Pauze (Pauze)" or "Vragen aan de deskundigen (Vragen aan deskundigen)"."""
    title, kind = session.shown_title, str(session.get_kind_display())
    first_word = kind.split()[0].casefold() if kind.split() else ""
    if not first_word or title.casefold().startswith(first_word):
        return title
    return f"{title} ({kind})"


def _session_event(
    session: Session, weekend: Weekend, zone: zoneinfo.ZoneInfo, stamp: dt.datetime
) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("sequence", session.calendar_sequence)
    event.add("last-modified", session.updated_at.astimezone(dt.UTC))
    event.add("dtstart", timezone.localtime(session.starts_at, zone))
    event.add("dtend", timezone.localtime(session.ends_at, zone))
    summary = session_summary(session)
    if session.cancelled_at is not None:
        # STATUS tells calendar apps; the word tells the reader whose app shows it anyway.
        event.add("status", "CANCELLED")
        summary = _("Vervalt: %(title)s") % {"title": summary}
    event.add("summary", summary)
    location = _location(weekend, session.room)
    if location:
        event.add("location", location)
    lines = [
        _("Burgerberaad, weekend %(number)s.") % {"number": weekend.number},
    ]
    if session.shown_description:
        lines.append(session.shown_description)
    # Nobody briefs at a cancelled session: its experts are not named.
    experts = [expert.name for expert in session.experts.all()]
    if experts and session.cancelled_at is None:
        lines.append(_("Deskundigen: %(names)s") % {"names": ", ".join(experts)})
    event.add("description", "\n\n".join(lines))
    return event


def _weekend_event(weekend: Weekend, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", weekend_uid(weekend))
    event.add("dtstamp", stamp)
    event.add("sequence", weekend.calendar_sequence)
    event.add("dtstart", weekend.starts_on)
    # An all-day event ends on the day after the last (DTEND is exclusive).
    event.add("dtend", weekend.ends_on + dt.timedelta(days=1))
    summary = _("Burgerberaad: weekend %(number)s") % {"number": weekend.number}
    if weekend.shown_title:
        summary = f"{summary} – {weekend.shown_title}"
    event.add("summary", summary)
    location = _location(weekend)
    if location:
        event.add("location", location)
    event.add(
        "description",
        _("Het programma volgt. U krijgt bericht als het klaar is."),
    )
    event.add("transp", "TRANSPARENT")
    return event


def calendar_build(
    *,
    assembly: Assembly,
    name: str,
    weekends: Iterable[Weekend],
    language: str = settings.LANGUAGE_CODE,
) -> bytes:
    """One calendar: the published sessions of each weekend, or the weekend's days.

    ``weekends`` come from sessions.selectors (sessions and experts prefetched).
    ``language``: calendar apps send no cookie and any Accept-Language, so a
    feed is in Dutch unless it belongs to someone whose language is known.
    """
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    weekends = list(weekends)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    # With METHOD:PUBLISH, DTSTAMP is when this file was made (RFC 5545, 3.8.7.2).
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    with translation.override(language):
        for weekend in weekends:
            sessions = list(weekend.sessions.all()) if weekend.published_at else []
            if not sessions:
                calendar.add_component(_weekend_event(weekend, stamp))
            for session in sessions:
                calendar.add_component(_session_event(session, weekend, zone, stamp))
    # The VTIMEZONE needs to cover only the programme's dates (with a margin).
    first = min((w.starts_on for w in weekends), default=assembly.first_weekend)
    last = max((w.ends_on for w in weekends), default=assembly.first_weekend)
    calendar.add_missing_timezones(
        first_date=first - dt.timedelta(days=366), last_date=last + dt.timedelta(days=366)
    )
    return bytes(calendar.to_ical())
