"""The reminders before a weekend follow it when it moves.

The rule (sessions.services.weekends._reminder_claims_for_new_dates): a
reminder already sent is sent again when its due moment for the new dates
(its day, at the hour the daily run starts) is still ahead at the move; when
that moment has passed it is not sent again, late, and the e-mail about the
change has told everyone the new dates. Each reminder still goes out once
per due moment, also when the daily run goes twice."""

from __future__ import annotations

import datetime as dt

import pytest

from assembly.models import OutboxEmail
from sessions.models import Expert, ProgrammeReminder, Session, Weekend
from sessions.services import schedule
from sessions.services import weekends as services
from tests.conftest import Cast
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2027, 7, 3)  # weekend 4 of the cast starts on this day


def _published(cast: Cast) -> Weekend:
    w = weekend(cast.assembly, 4)
    assert w.starts_on == SATURDAY
    make_session(w, (10, 0), (11, 0), title="Opening")
    schedule.weekend_publish(weekend=w, actor=None)  # the daily run at 10:00 (the default)
    return w


def _day(cast: Cast, today: dt.date) -> list[str]:
    """One day of the daily run, started twice (a retry); the subjects it sent."""
    first = OutboxEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for _twice in range(2):
        schedule.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
    return list(
        OutboxEmail.objects.filter(pk__gt=first, kind="programme_weekend")
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def _move(w: Weekend, *, days: int, now: dt.datetime) -> None:
    services.weekend_update(
        weekend=w,
        data={
            "starts_on": w.starts_on + dt.timedelta(days=days),
            "ends_on": w.ends_on + dt.timedelta(days=days),
        },
        actor=None,
        now=now,
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def test_a_weekend_moved_two_weeks_later_gets_its_7_day_reminder_again_on_the_new_day_once(
    cast: Cast,
) -> None:
    w = _published(cast)
    assert _day(cast, SATURDAY - dt.timedelta(days=7)) == ["Over 7 dagen begint weekend 4"]

    _move(w, days=14, now=at(SATURDAY - dt.timedelta(days=7), 15))

    new_start = SATURDAY + dt.timedelta(days=14)
    sent = {
        today: subjects
        for today in _days(SATURDAY - dt.timedelta(days=6), new_start)
        if (subjects := _day(cast, today))
    }
    assert sent == {
        new_start - dt.timedelta(days=7): ["Over 7 dagen begint weekend 4"],
        new_start - dt.timedelta(days=1): ["Morgen begint weekend 4"],
    }
    again = OutboxEmail.objects.filter(kind="programme_weekend").order_by("pk")[1]
    assert "zaterdag 17 juli 2027" in again.body


def test_a_reminder_whose_new_due_moment_has_passed_is_not_sent_again(cast: Cast) -> None:
    w = _published(cast)
    _day(cast, SATURDAY - dt.timedelta(days=7))
    claim = ProgrammeReminder.objects.get(kind=ProgrammeReminder.Kind.WEEKEND, key="7")

    # Three days before, one day later: the 7-day reminder for Sunday was due
    # on Monday. Sending it now would be late and say "in 7 days".
    _move(w, days=1, now=at(SATURDAY - dt.timedelta(days=3), 15))

    sent = {
        today: subjects
        for today in _days(SATURDAY - dt.timedelta(days=3), SATURDAY + dt.timedelta(days=1))
        if (subjects := _day(cast, today))
    }
    assert sent == {SATURDAY: ["Morgen begint weekend 4"]}
    assert ProgrammeReminder.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize(("hour", "sent_again"), [(9, True), (11, False)])
def test_the_due_moment_is_the_hour_of_the_daily_run_on_the_new_day(
    cast: Cast, hour: int, sent_again: bool
) -> None:
    w = _published(cast)
    _day(cast, SATURDAY - dt.timedelta(days=7))

    # Moved one day later on the day the new 7-day reminder is due: before the
    # daily run at 10:00 it still goes; after it, it has passed.
    _move(w, days=1, now=at(SATURDAY - dt.timedelta(days=6), hour))

    again = _day(cast, SATURDAY - dt.timedelta(days=6))
    assert again == (["Over 7 dagen begint weekend 4"] if sent_again else [])


def test_a_move_by_one_day_after_the_1_day_reminder_sends_it_again_on_the_new_eve_only(
    cast: Cast,
) -> None:
    w = _published(cast)
    for today in _days(SATURDAY - dt.timedelta(days=7), SATURDAY - dt.timedelta(days=1)):
        _day(cast, today)

    # Friday afternoon, after "tomorrow": the weekend now starts on Sunday. The
    # 1-day reminder for Sunday is due on Saturday at 10:00, still ahead; the
    # 7-day one was due last Monday and stays sent.
    _move(w, days=1, now=at(SATURDAY - dt.timedelta(days=1), 15))

    assert _day(cast, SATURDAY - dt.timedelta(days=1)) == []
    assert _day(cast, SATURDAY) == ["Morgen begint weekend 4"]
    assert _day(cast, SATURDAY + dt.timedelta(days=1)) == []
    keys = ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.WEEKEND)
    assert sorted(keys.values_list("key", flat=True)) == ["1", "7"]


def test_an_expert_is_reminded_again_before_their_moved_session(cast: Cast) -> None:
    w = _published(cast)
    session = Session.objects.get(weekend=w)
    session.experts.add(
        Expert.objects.create(
            assembly=cast.assembly, name="Dr. B. Jansen", user=cast.users["expert"]
        )
    )

    def expert_mails(today: dt.date) -> int:
        schedule.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
        schedule.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
        return OutboxEmail.objects.filter(kind="programme_expert_slot").count()

    assert expert_mails(SATURDAY - dt.timedelta(days=2)) == 1
    _move(w, days=14, now=at(SATURDAY - dt.timedelta(days=2), 15))

    new_start = SATURDAY + dt.timedelta(days=14)
    assert expert_mails(new_start - dt.timedelta(days=3)) == 1
    assert expert_mails(new_start - dt.timedelta(days=2)) == 2
    assert expert_mails(new_start - dt.timedelta(days=1)) == 2


def test_a_change_that_keeps_the_dates_keeps_the_reminders_sent(cast: Cast) -> None:
    w = _published(cast)
    _day(cast, SATURDAY - dt.timedelta(days=7))
    services.weekend_update(
        weekend=w,
        data={"ends_on": w.ends_on + dt.timedelta(days=1), "city": "Utrecht"},
        actor=None,
        now=at(SATURDAY - dt.timedelta(days=7), 15),
    )
    assert _day(cast, SATURDAY - dt.timedelta(days=6)) == []
    assert ProgrammeReminder.objects.filter(kind="weekend", key="7").count() == 1


def test_the_daily_run_reads_a_weekend_moved_after_it_read_the_programme(cast: Cast) -> None:
    w = _published(cast)
    stale = Weekend.objects.get(pk=w.pk)
    _move(w, days=14, now=at(SATURDAY - dt.timedelta(days=8), 15))

    # The run read the old dates, then waited for the move's lock: it claims
    # nothing for the dates that were left behind.
    sent = schedule._member_reminders(
        cast.assembly, [stale], [7, 1], SATURDAY - dt.timedelta(days=7)
    )
    assert sent == 0
    assert not ProgrammeReminder.objects.filter(kind="weekend").exists()
