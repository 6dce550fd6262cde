"""An expert's reminder follows their session when that one session moves.

The rule is the one for a moved weekend (schedule.reminder_still_ahead): a
reminder already sent goes out again, once, when its due moment for the new
time (the day ``expert_days_before`` before it, at the hour of the daily run)
is still ahead; when that moment has passed, it is not sent again, late. A
session moves only within its weekend (the service refuses other days), so a
weekend is stretched here where a session moves a week later."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from assembly.models import OutboxEmail
from sessions.models import Expert, ProgrammeReminder, Session, Weekend
from sessions.services import schedule
from tests.conftest import Cast, skip_or_fail
from tests.sessions.schedule_helpers import at, make_session, weekend

SATURDAY = dt.date(2027, 7, 3)  # weekend 4 of the cast starts on this day


def _published(cast: Cast, *, days: int = 2) -> tuple[Weekend, Session]:
    """Weekend 4 over ``days`` days, published, with a session on its Saturday
    by an expert with an account; reminders at 10:00, the expert's 2 days before."""
    Weekend.objects.filter(assembly=cast.assembly, number=4).update(
        ends_on=SATURDAY + dt.timedelta(days=days - 1)
    )
    w = weekend(cast.assembly, 4)
    session = make_session(w, (10, 0), (11, 0), title="Uitleg", kind=Session.Kind.BRIEFING)
    session.experts.add(
        Expert.objects.create(
            assembly=cast.assembly, name="Dr. B. Jansen", user=cast.users["expert"]
        )
    )
    schedule.weekend_publish(weekend=w, actor=None)
    return w, session


def _expert_mails(cast: Cast, today: dt.date) -> list[str]:
    """One day of the daily run, started twice (a retry); all expert reminders so far."""
    for _twice in range(2):
        schedule.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
    return list(
        OutboxEmail.objects.filter(kind="programme_expert_slot")
        .order_by("pk")
        .values_list("body", flat=True)
    )


def _move(session: Session, day: dt.date, *, now: dt.datetime) -> None:
    schedule.session_update(
        session=session,
        data={"starts_at": at(day, 10), "ends_at": at(day, 11)},
        actor=None,
        now=now,
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_later", "new_date"),
    [(1, "zondag 4 juli 2027"), (7, "zaterdag 10 juli 2027")],
    ids=["to-sunday", "a-week-later"],
)
def test_an_expert_is_reminded_again_once_before_their_moved_session(
    cast: Cast, days_later: int, new_date: str
) -> None:
    _w, session = _published(cast, days=days_later + 1)
    assert len(_expert_mails(cast, SATURDAY - dt.timedelta(days=2))) == 1

    # Thursday afternoon, after the reminder: the new reminder is due two days
    # before the new day, at 10:00, still ahead.
    new_day = SATURDAY + dt.timedelta(days=days_later)
    _move(session, new_day, now=at(SATURDAY - dt.timedelta(days=2), 15))

    counts = {
        today: len(_expert_mails(cast, today))
        for today in _days(SATURDAY - dt.timedelta(days=2), new_day)
    }
    assert counts == {
        today: 1 if today < new_day - dt.timedelta(days=2) else 2
        for today in _days(SATURDAY - dt.timedelta(days=2), new_day)
    }
    first, again = _expert_mails(cast, new_day)
    assert "zaterdag 3 juli 2027, 10:00–11:00" in first
    assert f"{new_date}, 10:00–11:00" in again
    assert ProgrammeReminder.objects.filter(
        kind=ProgrammeReminder.Kind.EXPERT_SLOT, key=f"session-{session.pk}"
    ).exists()


@pytest.mark.django_db
def test_an_expert_is_not_reminded_again_when_the_new_due_moment_has_passed(cast: Cast) -> None:
    _w, session = _published(cast)
    assert len(_expert_mails(cast, SATURDAY - dt.timedelta(days=2))) == 1
    claim = ProgrammeReminder.objects.get(kind=ProgrammeReminder.Kind.EXPERT_SLOT)

    # Friday afternoon, to Sunday: its reminder was due on Friday at 10:00.
    # Sent now it would come late; the change notice told the expert the new time.
    _move(session, SATURDAY + dt.timedelta(days=1), now=at(SATURDAY - dt.timedelta(days=1), 15))

    for today in _days(SATURDAY - dt.timedelta(days=1), SATURDAY + dt.timedelta(days=1)):
        assert len(_expert_mails(cast, today)) == 1
    assert ProgrammeReminder.objects.filter(pk=claim.pk).exists()


@pytest.mark.django_db
def test_a_session_changed_but_not_moved_keeps_its_reminder_sent(cast: Cast) -> None:
    _w, session = _published(cast)
    _expert_mails(cast, SATURDAY - dt.timedelta(days=2))

    schedule.session_update(
        session=session,
        data={"room": "Zaal 3", "title": "Uitleg over beleid"},
        actor=None,
        now=at(SATURDAY - dt.timedelta(days=3), 9),
    )

    assert len(_expert_mails(cast, SATURDAY - dt.timedelta(days=1))) == 1


@pytest.mark.django_db(transaction=True)
def test_the_daily_run_and_a_session_move_at_the_same_moment_keep_the_new_reminder(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daily run read the session at its old time and is about to claim its
    reminder when an organiser moves it. The run holds the weekend's lock, so
    the move waits, then frees the claim the run just wrote: the expert is
    reminded again for the new time."""
    if connection.vendor != "postgresql":
        # SQLite's test database answers a second writer with "table is locked"
        # instead of waiting: row locks need PostgreSQL.
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")
    _w, session = _published(cast)
    errors: list[BaseException] = []

    def organiser() -> None:
        try:
            sunday, thursday = SATURDAY + dt.timedelta(days=1), SATURDAY - dt.timedelta(days=2)
            _move(session, sunday, now=at(thursday, 15))
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    render = schedule._render_mail
    moves: list[threading.Thread] = []

    def render_while_the_organiser_saves(
        template: str, *args: object, **kwargs: object
    ) -> tuple[str, str]:
        # The members' reminders come first, under the same lock: not that moment.
        if template == "expert_reminder" and not moves:
            moves.append(threading.Thread(target=organiser))
            moves[0].start()
            moves[0].join(timeout=1)  # without the run's lock, the move is done by now
        return render(template, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(schedule, "_render_mail", render_while_the_organiser_saves)
    schedule.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, today=SATURDAY - dt.timedelta(days=2)
    )
    moves[0].join(timeout=30)
    monkeypatch.undo()

    assert not errors, errors
    session.refresh_from_db()
    assert session.starts_at == at(SATURDAY + dt.timedelta(days=1), 10)
    assert len(_expert_mails(cast, SATURDAY - dt.timedelta(days=1))) == 2
