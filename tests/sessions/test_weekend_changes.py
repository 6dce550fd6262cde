"""New dates or a new venue for a published weekend: members, and the experts
with a session that weekend, get one e-mail in their language with the old and
the new value, a few minutes after the edit; corrections made meanwhile join
it. Sent once, also when the task runs twice or beside the sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, Role, RoleKind, User
from sessions.models import Expert, ProgrammeReminder, Session, Weekend, WeekendChange
from sessions.services import schedule
from sessions.services import weekends as services
from sessions.tasks_schedule import weekend_change_notify_task, weekend_changes_due_task
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db

VENUE = {
    "venue_name": "Spoorwegmuseum",
    "city": "Utrecht",
    "venue_address": "Maliebaanstation 16",
    "route": "Vanaf Utrecht Centraal bus 2.",
    "route_en": "From Utrecht Centraal take bus 2.",
    "hotel": "Hotel Nijenheim",
}


def _mails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="programme_weekend_change").order_by("pk"))


def _published(cast: Cast) -> tuple[Weekend, Session]:
    """Weekend 4 (Saturday 3 and Sunday 4 July 2027), published, with a briefing."""
    w = weekend(cast.assembly, 4)
    for name, value in VENUE.items():
        setattr(w, name, value)
    w.save()
    session = make_session(w, (10, 0), (11, 0), title="Uitleg", kind=Session.Kind.BRIEFING)
    schedule.weekend_publish(weekend=w, actor=None)
    return w, session


def _later() -> dt.datetime:
    return timezone.now() + services.CHANGE_WINDOW + dt.timedelta(seconds=1)


def _update(w: Weekend, **data: Any) -> Weekend:
    return services.weekend_update(weekend=w, data=data, actor=None)


def test_a_new_venue_reaches_each_member_and_the_weekends_experts_once_in_their_language(
    cast: Cast,
) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    # Withdrawing a member takes their member role (participants.services.panel).
    withdrawn = UserFactory(email="gestopt@example.org")
    Role.objects.filter(
        pk=RoleFactory(user=withdrawn, assembly=cast.assembly, kind=RoleKind.MEMBER).pk
    ).delete()
    inactive = UserFactory(email="inactief@example.org", is_active=False)
    RoleFactory(user=inactive, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w, session = _published(cast)
    expert_user: User = cast.users["expert"]
    session.experts.add(
        Expert.objects.create(
            assembly=cast.assembly, name="Dr. B. Jansen", user=expert_user, email="bj@example.org"
        ),
        Expert.objects.create(assembly=cast.assembly, name="Zonder account"),
    )
    # An expert of another weekend hears nothing.
    elsewhere = make_session(weekend(cast.assembly, 5), (10, 0), (11, 0), title="Later")
    elsewhere.experts.add(
        Expert.objects.create(
            assembly=cast.assembly, name="Dr. Y", user=UserFactory(email="y@example.org")
        )
    )

    _update(
        w,
        venue_name="Jaarbeurs",
        venue_address="Jaarbeursplein 6",
        route="Vanaf Utrecht Centraal 5 minuten lopen.",
        route_en="A 5-minute walk from Utrecht Centraal.",
        hotel="Hotel Nijenheim",
    )
    assert _mails() == [], "the e-mail waits for corrections"

    change = WeekendChange.objects.get(weekend=w)
    assert weekend_change_notify_task(change.pk) == 3
    assert weekend_change_notify_task(change.pk) == 0
    assert weekend_changes_due_task.apply(kwargs={}).get() == 0

    mails = {mail.to: mail for mail in _mails()}
    assert sorted(mails) == ["bj@example.org", "member-en@example.org", "member@example.org"]
    dutch, in_english, expert = (
        mails["member@example.org"].body,
        mails["member-en@example.org"].body,
        mails["bj@example.org"].body,
    )
    for body in (dutch, in_english, expert):
        assert "Spoorwegmuseum, Utrecht" in body and "Jaarbeurs, Utrecht" in body
        assert "Maliebaanstation 16" in body and "Jaarbeursplein 6" in body
        assert "/b/drugsbeleid/programma/#weekend-4" in body
        assert "Hotel" not in body, "the hotel did not change"
    assert "Vanaf Utrecht Centraal bus 2." in dutch
    assert "Vanaf Utrecht Centraal 5 minuten lopen." in dutch
    assert "From Utrecht Centraal take bus 2." in in_english
    assert "A 5-minute walk from Utrecht Centraal." in in_english
    assert "Vanaf Utrecht Centraal" not in in_english
    assert "Beste Dr. B. Jansen," in expert and "Beste deelnemer" not in expert
    claims = ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.WEEKEND_CHANGE)
    assert sorted(c.user.email for c in claims) == [
        "expert@example.org",
        "member-en@example.org",
        "member@example.org",
    ]
    event = AuditEvent.objects.get(action="programme.weekend_change_notify")
    assert event.detail == {
        "change": change.pk,
        "items": ["where", "address", "route"],
        "members": 2,
        "experts": 1,
    }


def test_the_task_and_the_sweep_together_send_each_e_mail_once(cast: Cast) -> None:
    w, _session = _published(cast)
    _update(w, city="Amersfoort")
    change = WeekendChange.objects.get(weekend=w)

    assert services.weekend_changes_notify_due() == 0, "not due yet"
    assert services.weekend_changes_notify_due(now=_later()) == 1
    assert weekend_change_notify_task(change.pk) == 0
    assert services.weekend_changes_notify_due(now=_later()) == 0
    assert [mail.to for mail in _mails()] == ["member@example.org"]


def test_edits_while_the_e_mail_waits_go_in_one_e_mail_with_the_net_change(cast: Cast) -> None:
    w, _session = _published(cast)
    _update(w, venue_address="Maliebaan 61")
    _update(w, venue_address="Maliebaan 16")  # the typo corrected
    _update(w, hotel="Hotel Oorsprongpark")

    assert WeekendChange.objects.filter(weekend=w).count() == 1
    services.weekend_changes_notify_due(now=_later())
    [mail] = _mails()
    assert "Maliebaanstation 16" in mail.body and "Maliebaan 16" in mail.body
    assert "Maliebaan 61" not in mail.body
    assert "Hotel Nijenheim" in mail.body and "Hotel Oorsprongpark" in mail.body

    # After the e-mail went, the next edit is news again, told from the new state.
    _update(w, hotel="Hotel Mitland")
    services.weekend_changes_notify_due(now=_later())
    latest = _mails()[-1]
    assert len(_mails()) == 2
    assert "Hotel Oorsprongpark" in latest.body and "Hotel Mitland" in latest.body
    assert "Maliebaan" not in latest.body


def test_a_change_put_back_before_the_e_mail_goes_sends_nothing(cast: Cast) -> None:
    w, _session = _published(cast)
    _update(w, city="Amersfoort")
    _update(w, city="Utrecht")
    assert not WeekendChange.objects.exists()
    assert services.weekend_changes_notify_due(now=_later()) == 0
    assert _mails() == []


def test_an_unpublished_weekend_sends_nothing(cast: Cast) -> None:
    w = weekend(cast.assembly, 4)
    _update(w, venue_name="Jaarbeurs", route="Lopen vanaf het station.")
    assert not WeekendChange.objects.exists()
    assert services.weekend_changes_notify_due(now=_later()) == 0
    assert _mails() == []


def test_a_save_that_changes_nothing_members_see_sends_nothing(cast: Cast) -> None:
    w, _session = _published(cast)
    _update(w, **VENUE)  # saved as it was
    assert not WeekendChange.objects.exists()
    _update(w, title="Zorg en veiligheid")  # the title is not practical information
    assert not WeekendChange.objects.exists()
    # An English version is a translation: English readers see it, nobody gets an e-mail.
    _update(w, hotel_en="Hotel Nijenheim (breakfast included)")
    assert services.weekend_changes_notify_due(now=_later()) == 0
    assert _mails() == []


def test_moving_the_weekend_moves_its_sessions_and_names_the_old_and_new_dates(
    cast: Cast,
) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w, session = _published(cast)
    sunday = make_session(w, (14, 0), (15, 30), day=1, title="Tafelgesprek")

    _update(w, starts_on=dt.date(2027, 7, 10), ends_on=dt.date(2027, 7, 11))

    session.refresh_from_db()
    sunday.refresh_from_db()
    assert (session.starts_at, session.ends_at) == (
        at(dt.date(2027, 7, 10), 10, 0),
        at(dt.date(2027, 7, 10), 11, 0),
    )
    assert sunday.starts_at == at(dt.date(2027, 7, 11), 14, 0)
    services.weekend_changes_notify_due(now=_later())
    mails = {mail.to: mail.body for mail in _mails()}
    assert "zaterdag 3 juli 2027" in mails["member@example.org"]
    assert "zaterdag 10 juli 2027 tot en met zondag 11 juli 2027" in mails["member@example.org"]
    assert "Saturday 10 July 2027" in mails["member-en@example.org"]
    assert "Saturday 3 July 2027" in mails["member-en@example.org"]


def test_it_refuses_dates_that_leave_a_session_out_or_of_a_weekend_that_began(
    cast: Cast,
) -> None:
    w, _session = _published(cast)
    make_session(w, (14, 0), (15, 0), day=1, title="Tafelgesprek")
    with pytest.raises(schedule.ScheduleRefused, match="Tafelgesprek"):
        _update(w, ends_on=w.starts_on)
    with pytest.raises(schedule.ScheduleRefused, match="laatste dag"):
        _update(w, ends_on=w.starts_on - dt.timedelta(days=1))
    begun = weekend(cast.assembly, 1)
    Weekend.objects.filter(pk=begun.pk).update(
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=1)
    )
    with pytest.raises(schedule.ScheduleRefused, match="al begonnen"):
        _update(begun, ends_on=timezone.localdate() + dt.timedelta(days=2))
    w.refresh_from_db()
    assert (w.starts_on, w.ends_on) == (dt.date(2027, 7, 3), dt.date(2027, 7, 4))
    assert not WeekendChange.objects.exists()


def test_the_organiser_edits_the_venue_and_the_notice_is_queued_after_the_commit(
    cast: Cast,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    w, _session = _published(cast)
    queued: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(
        weekend_change_notify_task,
        "apply_async",
        lambda args, **options: queued.append((args, options)),
    )
    client = Client()
    client.force_login(cast.users["organiser"])
    url = reverse("programme:weekend_venue", kwargs={"slug": cast.assembly.slug, "number": 4})
    page = client.get(url).content.decode()
    assert 'name="route_en"' in page and 'name="starts_on"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                **VENUE,
                "starts_on": "2027-07-03",
                "ends_on": "2027-07-04",
                "city": "Amersfoort",
                "accessibility_en": "Step-free entrance.",
            },
            follow=True,
        )

    assert "krijgen om" in response.content.decode()
    w.refresh_from_db()
    assert (w.city, w.accessibility_en) == ("Amersfoort", "Step-free entrance.")
    change = WeekendChange.objects.get(weekend=w)
    assert queued == [
        ((change.pk,), {"retry": False, "countdown": services.CHANGE_WINDOW.total_seconds()})
    ]

    bad = client.post(url, {**VENUE, "starts_on": "2027-07-03", "ends_on": "2027-07-02"})
    assert "De laatste dag kan niet voor de eerste dag liggen." in bad.content.decode()
    make_session(w, (10, 0), (11, 0), day=1, title="Tafelgesprek")
    refused = client.post(url, {**VENUE, "starts_on": "2027-07-03", "ends_on": "2027-07-03"})
    assert refused.status_code == 200
    assert "Verplaats of verwijder dat onderdeel eerst." in refused.content.decode()


def test_it_refuses_dates_on_which_another_weekend_of_the_assembly_already_falls(
    cast: Cast,
) -> None:
    # Two weekends on one day would send that day's check-ins to one of them
    # (participants.selectors_attendance.weekend_for_day): the other's
    # attendance and its absence flags would be wrong.
    w, _session = _published(cast)
    fifth = weekend(cast.assembly, 5)
    with pytest.raises(schedule.ScheduleRefused, match="weekend 4"):
        _update(fifth, starts_on=w.ends_on, ends_on=w.ends_on + dt.timedelta(days=1))
    fifth.refresh_from_db()
    assert fifth.starts_on > w.ends_on
    # Another assembly's weekend on the same days is no problem.
    other = Weekend.objects.create(
        assembly=cast.other_assembly,
        number=1,
        starts_on=dt.date(2027, 8, 14),
        ends_on=dt.date(2027, 8, 15),
    )
    _update(other, starts_on=w.starts_on, ends_on=w.ends_on)
