"""A cancelled session of a published programme stays, marked as cancelled: on the
pages in words, in every calendar file with STATUS:CANCELLED and a higher SEQUENCE,
and out of everything that treats it as happening. The organiser can restore it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from assembly.models import AuditEvent, OutboxEmail
from sessions.models import Expert, ProgrammeReminder, Session, Weekend
from sessions.services import schedule as services
from sessions.services import weekends as weekend_services
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db


def _published(cast: Cast) -> tuple[Weekend, Session]:
    w = weekend(cast.assembly, 1)
    make_session(w, (9, 0), (10, 0), title="Welkom", room="Grote zaal")
    session = make_session(w, (10, 0), (11, 0), title="Uitleg over preventie", room="Grote zaal")
    services.weekend_publish(weekend=w, actor=None)
    return w, session


def _cancelled(cast: Cast) -> tuple[Weekend, Session]:
    w, session = _published(cast)
    services.session_delete(session=session, actor=cast.users["organiser"])
    return w, Session.objects.get(pk=session.pk)


def _change_mails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="programme_change").order_by("pk"))


# --- the service -------------------------------------------------------------------


def test_cancelling_a_published_session_keeps_it_with_a_higher_sequence(cast: Cast) -> None:
    _w, session = _cancelled(cast)

    assert session.cancelled_at is not None
    assert session.calendar_sequence == 1
    assert AuditEvent.objects.filter(
        action="programme.session_cancel", target=f"assembly_sessions.Session:{session.pk}"
    ).exists()
    mails = _change_mails()
    assert mails and all("gaat niet door" in mail.body for mail in mails)


def test_cancelling_twice_sends_nothing_more(cast: Cast) -> None:
    _w, session = _cancelled(cast)
    sent = len(_change_mails())
    services.session_delete(session=session, actor=None)
    session.refresh_from_db()
    assert session.calendar_sequence == 1 and len(_change_mails()) == sent


def test_before_publication_a_session_is_really_deleted(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    session = make_session(w, (10, 0), (11, 0))
    services.session_delete(session=session, actor=None)
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_cancelled_session_frees_its_room_and_cannot_be_changed_or_moved(cast: Cast) -> None:
    w, session = _cancelled(cast)
    services.session_create(
        weekend=w,
        data={
            "title": "Vervanger",
            "kind": Session.Kind.PLENARY,
            "starts_at": at(w.starts_on, 10, 30),
            "ends_at": at(w.starts_on, 11, 30),
            "room": "Grote zaal",
        },
        actor=None,
    )
    with pytest.raises(services.ScheduleRefused, match="vervalt"):
        services.session_update(session=session, data={"room": "Zaal 2"}, actor=None)
    with pytest.raises(services.ScheduleRefused, match="vervalt"):
        services.session_move(session=session, direction="up", actor=None)
    # The others move around it: the cancelled one keeps the time that was cancelled.
    welcome = Session.objects.get(weekend=w, title="Welkom")
    services.session_move(session=welcome, direction="down", actor=None)
    session.refresh_from_db()
    assert session.starts_at == at(w.starts_on, 10)


def test_restoring_runs_the_checks_of_a_new_session(cast: Cast) -> None:
    w, session = _cancelled(cast)
    other = make_session(w, (10, 30), (11, 30), title="Vervanger", room="Grote zaal")

    with pytest.raises(services.ScheduleRefused, match="Grote zaal is dan al bezet"):
        services.session_restore(session=session, actor=None)
    session.refresh_from_db()
    assert session.cancelled_at is not None

    other.delete()
    before = len(_change_mails())
    services.session_restore(session=session, actor=cast.users["organiser"])
    session.refresh_from_db()
    assert session.cancelled_at is None and session.calendar_sequence == 2
    assert AuditEvent.objects.filter(action="programme.session_restore").count() == 1
    news = _change_mails()[before:]
    assert news and all("nieuw, op" in mail.body for mail in news)


def test_a_weekend_can_drop_the_day_of_a_cancelled_session_which_then_stays_cancelled(
    cast: Cast,
) -> None:
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0), title="Zaterdag")
    sunday = make_session(w, (10, 0), (11, 0), day=1, title="Zondag")
    services.weekend_publish(weekend=w, actor=None)
    services.session_delete(session=sunday, actor=None)

    weekend_services.weekend_update(weekend=w, data={"ends_on": w.starts_on}, actor=None)

    with pytest.raises(services.ScheduleRefused, match="dezelfde dag"):
        services.session_restore(session=sunday, actor=None)


# --- what treats it as happening -----------------------------------------------------


def test_reminders_leave_a_cancelled_session_out(cast: Cast) -> None:
    w, session = _cancelled(cast)
    user = cast.users["expert"]
    session.experts.add(
        Expert.objects.create(assembly=cast.assembly, name="Dr. X", user=user, email=user.email)
    )

    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk,
        days_before=[7, 1],
        expert_days_before=2,
        today=w.starts_on - dt.timedelta(days=1),
    )

    assert Session.objects.filter(pk=session.pk).exists()
    reminders = list(OutboxEmail.objects.filter(kind="programme_weekend"))
    assert reminders and all("Uitleg over preventie" not in m.body for m in reminders)
    assert "Welkom" in reminders[0].body
    assert not ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.EXPERT_SLOT).exists()


# --- the calendar files and the pages -------------------------------------------------


def _feeds(cast: Cast) -> list[str]:
    slug = cast.assembly.slug
    token = calendar_token(user_id=cast.users["member"].pk, assembly_id=cast.assembly.pk)
    return [
        reverse("programme:public_feed", kwargs={"slug": slug}),
        reverse("programme:private_feed", kwargs={"slug": slug, "token": token}),
        reverse("programme:weekend_ics", kwargs={"slug": slug, "number": 1}),
    ]


def test_every_calendar_file_says_the_session_is_cancelled(cast: Cast) -> None:
    _w, session = _cancelled(cast)
    for url in _feeds(cast):
        response = Client().get(url)
        assert response.status_code == 200, url
        events = {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
        cancelled = events[f"session-{session.pk}@burgerberaad"]
        assert str(cancelled["STATUS"]) == "CANCELLED", url
        assert int(cancelled["SEQUENCE"]) == 1
        assert str(cancelled["SUMMARY"]).startswith("Vervalt: ")
        others = [e for uid, e in events.items() if uid != f"session-{session.pk}@burgerberaad"]
        assert others and all("STATUS" not in e for e in others)


def _programme_pages(cast: Cast) -> list[HttpResponse]:
    """The member's programme and the public one."""
    slug = cast.assembly.slug
    member = Client()
    member.force_login(cast.users["member"])
    return [
        member.get(reverse("programme:my_programme", kwargs={"slug": slug})),
        Client().get(reverse("programme:public_programme", kwargs={"slug": slug})),
    ]


def test_the_programme_pages_say_in_words_that_it_is_cancelled(cast: Cast) -> None:
    _cancelled(cast)
    for page in _programme_pages(cast):
        html = page.content.decode()
        assert "Vervalt:</strong> Uitleg over preventie" in html
        assert "Dit onderdeel gaat niet door." in html


def test_the_organiser_cancels_and_restores_on_the_weekend_page(cast: Cast) -> None:
    _w, session = _published(cast)
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    kwargs = {"slug": cast.assembly.slug, "number": 1, "session_id": session.pk}

    page = organiser.get(reverse("programme:session_delete", kwargs=kwargs))
    assert "laten vervallen" in page.content.decode()
    organiser.post(reverse("programme:session_delete", kwargs=kwargs))
    manage = organiser.get(
        reverse("programme:weekend_manage", kwargs={"slug": cast.assembly.slug, "number": 1})
    ).content.decode()
    assert "Vervalt:</strong> Uitleg over preventie" in manage
    assert reverse("programme:session_restore", kwargs=kwargs) in manage

    response = organiser.post(reverse("programme:session_restore", kwargs=kwargs))

    assert response.status_code == 302
    assert response["Location"].endswith(f"#session-{session.pk}")
    session.refresh_from_db()
    assert session.cancelled_at is None


def test_an_expert_whose_only_session_was_cancelled_hears_nothing_of_a_new_venue(
    cast: Cast,
) -> None:
    from sessions.models import WeekendChange
    from sessions.tasks_schedule import weekend_change_notify_task

    w, session = _cancelled(cast)
    user = cast.users["expert"]
    session.experts.add(
        Expert.objects.create(assembly=cast.assembly, name="Dr. X", user=user, email=user.email)
    )
    weekend_services.weekend_update(weekend=w, data={"venue_name": "Jaarbeurs"}, actor=None)

    assert weekend_change_notify_task(WeekendChange.objects.get(weekend=w).pk) >= 1
    assert Session.objects.filter(pk=session.pk).exists()
    told = OutboxEmail.objects.filter(kind="programme_weekend_change").values_list("to", flat=True)
    assert cast.users["member"].email in told and user.email not in told


def test_a_cancelled_briefing_counts_neither_for_the_balance_nor_for_the_expert(
    cast: Cast,
) -> None:
    from sessions.models import Perspective
    from sessions.selectors_materials import balance_for, expert_list

    w = weekend(cast.assembly, 1)
    perspective = Perspective.objects.create(assembly=cast.assembly, name="Zorg")
    expert = Expert.objects.create(assembly=cast.assembly, name="Dr. Z", perspective=perspective)
    held = make_session(w, (10, 0), (11, 0), kind=Session.Kind.BRIEFING, topic="Preventie")
    dropped = make_session(
        w, (11, 0), (12, 0), kind=Session.Kind.BRIEFING, topic="Preventie", title="Weg"
    )
    held.experts.add(expert)
    dropped.experts.add(expert)
    services.weekend_publish(weekend=w, actor=None)

    services.session_delete(session=dropped, actor=None)

    assert Session.objects.filter(pk=dropped.pk).exists()
    assert balance_for(assembly=cast.assembly).scope.briefings == 1
    assert expert_list(assembly=cast.assembly).get(pk=expert.pk).session_count == 1


def _organiser(cast: Cast) -> Client:
    organiser = Client()
    organiser.force_login(cast.users["organiser"])
    return organiser


def _weekend_row(html: str, number: int) -> str:
    start = html.index(f">Weekend {number}</a>")
    return html[start : html.index("</tr>", start)]


def test_the_list_of_weekends_counts_only_sessions_that_take_place(cast: Cast) -> None:
    w, _session = _cancelled(cast)
    make_session(w, (11, 0), (12, 0), title="Pauze")
    make_session(weekend(cast.assembly, 2), (9, 0), (10, 0), title="Welkom")

    html = (
        _organiser(cast)
        .get(reverse("programme:weekend_list", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )

    assert "<td>2 onderdelen, 1 vervalt</td>" in _weekend_row(html, 1)
    assert "<td>1</td>" in _weekend_row(html, 2)


def _row(html: str, session: Session) -> str:
    start = html.index(f'id="session-{session.pk}"')
    return html[start : html.index("</tr>", start)]


def _moves(row: str) -> set[str]:
    return {
        direction for direction in ("up", "down") if f'name="direction" value="{direction}"' in row
    }


def test_the_weekend_page_offers_only_moves_the_service_makes(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    first = make_session(w, (9, 0), (10, 0), title="Welkom")
    middle = make_session(w, (10, 0), (11, 0), title="Uitleg")
    late = make_session(w, (11, 0), (12, 0), title="Gesprek")
    last = make_session(w, (12, 0), (13, 0), title="Afsluiting")
    services.weekend_publish(weekend=w, actor=None)
    for session in (first, late):
        services.session_cancel(session=session, actor=None)
    organiser = _organiser(cast)
    manage = reverse("programme:weekend_manage", kwargs={"slug": cast.assembly.slug, "number": 1})

    html = organiser.get(manage).content.decode()

    # Cancelled ones do not move; Uitleg is the first of the day that takes place,
    # Afsluiting the last: those moves would be refused.
    assert [_moves(_row(html, s)) for s in (first, middle, late, last)] == [
        set(),
        {"down"},
        set(),
        {"up"},
    ]
    for session, direction in ((middle, "up"), (last, "down"), (first, "down")):
        with pytest.raises(services.ScheduleRefused):
            services.session_move(session=session, direction=direction, actor=None)
    # The move offered is made (past the cancelled Gesprek).
    kwargs = {"slug": cast.assembly.slug, "number": 1, "session_id": middle.pk}
    response = organiser.post(
        reverse("programme:session_move", kwargs=kwargs), {"direction": "down"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["‘Uitleg’ is verplaatst."]


def test_the_weekend_page_offers_no_move_between_sessions_that_run_at_the_same_time(
    cast: Cast,
) -> None:
    w = weekend(cast.assembly, 1)
    first = make_session(w, (9, 0), (10, 0), title="Welkom", room="Zaal 1")
    # Runs while Welkom ends and while Gesprek begins: the service swaps neither.
    overlap = make_session(w, (9, 30), (11, 0), title="Uitleg", room="Zaal 2")
    late = make_session(w, (10, 30), (11, 30), title="Gesprek", room="Zaal 3")
    together = make_session(w, (10, 30), (11, 0), title="Vragen", room="Zaal 4")
    manage = reverse("programme:weekend_manage", kwargs={"slug": cast.assembly.slug, "number": 1})

    html = _organiser(cast).get(manage).content.decode()

    # Gesprek and Vragen start together: they swap their place in the list.
    ordered = sorted((late, together), key=lambda s: (s.starts_at, s.position, s.pk))
    assert [_moves(_row(html, s)) for s in (first, overlap, *ordered)] == [
        set(),
        set(),
        {"down"},
        {"up"},
    ]
    for session, direction in ((first, "down"), (overlap, "up"), (overlap, "down")):
        with pytest.raises(services.ScheduleRefused, match="lopen tegelijk"):
            services.session_move(session=session, direction=direction, actor=None)
    services.session_move(session=ordered[0], direction="down", actor=None)
    assert services.can_swap(first, Session.objects.get(pk=overlap.pk)) is False


def test_the_weekend_page_offers_no_swap_into_a_room_taken_at_the_new_time(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    opening = make_session(w, (10, 0), (11, 0), title="Opening", room="Zaal 1")
    talk = make_session(w, (11, 0), (12, 30), title="Lezing", room="Zaal 2")
    # Swapped, Opening would run 11:30-12:30 in Zaal 1, where Tafels then are.
    tables = make_session(w, (11, 30), (12, 0), title="Tafels", room="zaal 1 ")
    manage = reverse("programme:weekend_manage", kwargs={"slug": cast.assembly.slug, "number": 1})

    html = _organiser(cast).get(manage).content.decode()

    assert [_moves(_row(html, s)) for s in (opening, talk, tables)] == [set(), set(), set()]
    with pytest.raises(services.ScheduleRefused, match="bezet door ‘Tafels’"):
        services.session_move(session=opening, direction="down", actor=None)
    # In another room the same swap is offered, and made.
    Session.objects.filter(pk=tables.pk).update(room="Zaal 3")
    html = _organiser(cast).get(manage).content.decode()
    assert _moves(_row(html, opening)) == {"down"}
    assert _moves(_row(html, talk)) == {"up"}
    services.session_move(session=opening, direction="down", actor=None)
    moved = Session.objects.get(pk=opening.pk)
    assert (moved.starts_at, moved.ends_at) == (at(w.starts_on, 11, 30), at(w.starts_on, 12, 30))


def test_the_programme_pages_and_calendars_name_no_experts_for_a_cancelled_session(
    cast: Cast,
) -> None:
    """As on the page of experts: nobody briefs at a cancelled session."""
    w, session = _published(cast)
    held = Session.objects.filter(weekend=w).exclude(pk=session.pk).get()
    held.experts.add(Expert.objects.create(assembly=cast.assembly, name="Dr. Blijft"))
    session.experts.add(Expert.objects.create(assembly=cast.assembly, name="Dr. Weg"))
    services.session_delete(session=session, actor=None)
    for page in _programme_pages(cast):
        html = page.content.decode()
        assert "Dit onderdeel gaat niet door." in html
        assert "Dr. Blijft" in html and "Dr. Weg" not in html
    for url in _feeds(cast):
        events = {
            str(e["UID"]): e for e in Calendar.from_ical(Client().get(url).content).walk("VEVENT")
        }
        assert "Dr. Weg" not in str(events[f"session-{session.pk}@burgerberaad"]["DESCRIPTION"])
        assert "Dr. Blijft" in str(events[f"session-{held.pk}@burgerberaad"]["DESCRIPTION"])
