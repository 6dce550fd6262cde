"""Reminders: to members 7 and 1 days before each weekend, to experts before their
session; configurable per assembly; each sent once, also when the task runs twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from assembly.models import OutboxEmail, RoleKind
from sessions.models import Expert, ProgrammeReminder, Weekend
from sessions.services import schedule as services
from sessions.tasks_schedule import programme_reminders_task
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.sessions.schedule_helpers import make_session, weekend

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2027, 6, 5)


def _weekend(cast: Cast, *, published: bool = True) -> Weekend:
    w = weekend(cast.assembly, 4)
    w.venue_name, w.venue_address, w.hotel = (
        "Spoorwegmuseum",
        "Maliebaanstation 16",
        "Hotel Nijenheim",
    )
    w.route = "Vanaf Utrecht Centraal bus 2."
    w.save()
    make_session(w, (10, 0), (11, 0), title="Opening")
    if published:
        services.weekend_publish(weekend=w, actor=None)
    return w


def _mails(kind: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind=kind).order_by("pk"))


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(8, None), (7, 7), (6, 7), (2, 7), (1, 1), (0, None), (-1, None)],
)
def test_it_knows_which_reminder_is_due(days_left: int, due: int | None) -> None:
    today = SATURDAY - dt.timedelta(days=days_left)
    assert services.reminder_due(starts_on=SATURDAY, days_before=[7, 1], today=today) == due


def test_it_sends_members_exactly_the_7_and_1_day_reminders_once_each(cast: Cast) -> None:
    second = UserFactory(email="lid-2@example.org")
    RoleFactory(user=second, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w = _weekend(cast)
    for days_left in range(10, -2, -1):
        for _twice in range(2):
            services.programme_reminders_send_due(
                assembly_id=cast.assembly.pk,
                days_before=[7, 1],
                today=w.starts_on - dt.timedelta(days=days_left),
            )

    claims = ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.WEEKEND)
    assert sorted(claims.values_list("key", flat=True)) == ["1", "1", "7", "7"]
    mails = _mails("programme_weekend")
    assert len(mails) == 4
    assert sorted({m.to for m in mails}) == ["lid-2@example.org", "member@example.org"]
    seven = next(m for m in mails if "Over 7 dagen" in m.subject)
    assert "Spoorwegmuseum" in seven.body and "Hotel Nijenheim" in seven.body
    assert "bus 2" in seven.body and "Opening" in seven.body
    assert any(m.subject.startswith("Morgen begint weekend 4") for m in mails)


def test_it_writes_each_member_in_their_own_language(cast: Cast) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w = _weekend(cast)
    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[1], today=w.starts_on - dt.timedelta(days=1)
    )
    subjects = {m.to: m.subject for m in _mails("programme_weekend")}
    assert subjects["member-en@example.org"] == "Weekend 4 starts tomorrow"
    assert subjects["member@example.org"] == "Morgen begint weekend 4"


def test_it_sends_the_reminder_once_when_the_task_runs_twice(cast: Cast) -> None:
    w = _weekend(cast)
    today = w.starts_on - dt.timedelta(days=7)
    first = services.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
    second = services.programme_reminders_send_due(assembly_id=cast.assembly.pk, today=today)
    assert (first.members, second.members) == (1, 0)
    assert len(_mails("programme_weekend")) == 1


def test_it_runs_from_the_task_with_the_assemblys_kwargs(cast: Cast) -> None:
    _weekend(cast)
    # The weekend in the cast is far away; the task uses today: nothing due, no error.
    assert programme_reminders_task(cast.assembly.pk, [7, 1], 2) == 0


def test_it_waits_for_a_published_programme(cast: Cast) -> None:
    w = _weekend(cast, published=False)
    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, today=w.starts_on - dt.timedelta(days=7)
    )
    assert _mails("programme_weekend") == []


def test_it_uses_the_days_the_assembly_chose(cast: Cast) -> None:
    w = _weekend(cast)
    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[3], today=w.starts_on - dt.timedelta(days=7)
    )
    assert _mails("programme_weekend") == []
    services.programme_reminders_send_due(
        assembly_id=cast.assembly.pk, days_before=[3], today=w.starts_on - dt.timedelta(days=3)
    )
    assert len(_mails("programme_weekend")) == 1


def test_it_reminds_an_expert_two_days_before_their_session_once(cast: Cast) -> None:
    w = _weekend(cast)
    session = make_session(w, (13, 0), (14, 0), day=1, title="Uitleg", kind="briefing")
    expert = Expert.objects.create(
        assembly=cast.assembly,
        name="Dr. B. Jansen",
        user=cast.users["expert"],
        email="b.jansen@example.org",
    )
    no_account = Expert.objects.create(assembly=cast.assembly, name="C. de Wit")
    session.experts.add(expert, no_account)
    sunday = w.starts_on + dt.timedelta(days=1)

    for days_left in (3, 2, 2, 1):
        services.programme_reminders_send_due(
            assembly_id=cast.assembly.pk, today=sunday - dt.timedelta(days=days_left)
        )

    mails = _mails("programme_expert_slot")
    assert [m.to for m in mails] == ["b.jansen@example.org"]
    assert "Uitleg" in mails[0].body and "13:00" in mails[0].body
    assert ProgrammeReminder.objects.get(kind="expert_slot").key == f"session-{session.pk}"


def test_it_keeps_the_schedule_per_assembly_in_a_beat_task(cast: Cast) -> None:
    assert services.reminder_schedule_get(assembly=cast.assembly).saved is False
    services.reminder_schedule_save(
        assembly=cast.assembly, days_before=[1, 7, 7], expert_days_before=3, hour=8
    )
    task = PeriodicTask.objects.get(name=f"programma-herinneringen-burgerberaad-{cast.assembly.pk}")
    assert task.task == "sessions.tasks_schedule.programme_reminders_task"
    assert json.loads(task.kwargs) == {
        "assembly_id": cast.assembly.pk,
        "days_before": [7, 1],
        "expert_days_before": 3,
    }
    schedule = services.reminder_schedule_get(assembly=cast.assembly)
    assert (schedule.days_before, schedule.expert_days_before, schedule.hour) == ([7, 1], 3, 8)


def test_it_lets_an_organiser_change_the_days(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users["organiser"])
    url = reverse("programme:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"days_before": "14, 2", "expert_days_before": "1", "hour": "9", "enabled": "on"}
    )
    assert response.status_code == 302
    assert services.reminder_schedule_get(assembly=cast.assembly).days_before == [14, 2]
    bad = client.post(url, {"days_before": "morgen", "expert_days_before": "1", "hour": "9"})
    assert "Vul hele getallen in" in bad.content.decode()


def test_it_starts_the_default_schedule_when_a_programme_is_published(cast: Cast) -> None:
    assert not services.reminder_schedule_get(assembly=cast.assembly).saved
    _weekend(cast)
    schedule = services.reminder_schedule_get(assembly=cast.assembly)
    assert schedule.saved and schedule.days_before == [7, 1] and schedule.enabled
