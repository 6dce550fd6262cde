"""Attendance: check-in per day, undo, late arrival and early departure, the
QR code and its scan, the absence flag and its e-mail, the selectors for the
allowances and the report, and constant query counts on the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from assembly.models import Assembly, AuditEvent, OutboxEmail, RoleKind
from participants import selectors_attendance as selectors
from participants.demo_attendance import demo_attendance_seed
from participants.iban import example_iban
from participants.models import (
    BankAccount,
    CheckIn,
    DayAllowance,
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.services import allowances as allowance_services
from participants.services import attendance as services
from participants.services import payments as payment_services
from participants.tasks_attendance import attendance_absence_flags_task
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import AssemblyFactory, RoleFactory, UserFactory, WeekendFactory
from tests.participants.test_panel import make_panel

OnCommit = Callable[..., Any]


def confirmed_members(assembly: Assembly, count: int = 4) -> list[PanelMember]:
    """``count`` members who take part (status confirmed), in pk order."""
    panel = make_panel(assembly, size=count, panel=tuple(range(count)), alternates=())
    ids = [panel.member(n).pk for n in range(count)]
    PanelMember.objects.filter(pk__in=ids).update(status=PanelMember.Status.CONFIRMED)
    return list(PanelMember.objects.filter(pk__in=ids).select_related("assembly").order_by("pk"))


def weekend_around_today(assembly: Assembly, number: int = 1) -> Weekend:
    """Weekend ``number`` moved so that it started yesterday and ends tomorrow."""
    today = timezone.localdate()
    weekend = Weekend.objects.get(assembly=assembly, number=number)
    Weekend.objects.filter(pk=weekend.pk).update(
        starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=1)
    )
    weekend.refresh_from_db()
    return weekend


def _past_weekends(assembly: Assembly, count: int, today: dt.date) -> list[Weekend]:
    """``count`` two-day weekends, four weeks apart, the last one ending before ``today``."""
    first = today - dt.timedelta(weeks=4 * count)
    return [
        WeekendFactory(
            assembly=assembly,
            number=n + 1,
            starts_on=first + dt.timedelta(weeks=4 * n),
            ends_on=first + dt.timedelta(weeks=4 * n, days=1),
        )
        for n in range(count)
    ]


def _attend(members: list[PanelMember], weekend: Weekend, today: dt.date) -> None:
    for member in members:
        services.check_in_record(member=member, day=weekend.starts_on, actor=None, today=today)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


# ------------------------------------------------------------------ services


@pytest.mark.django_db
def test_it_checks_a_member_in_once() -> None:
    assembly = AssemblyFactory()
    (weekend,) = _past_weekends(assembly, 1, dt.date(2027, 6, 1))
    member = confirmed_members(assembly, 1)[0]
    organiser = UserFactory()
    day = weekend.starts_on

    check_in, created = services.check_in_record(member=member, day=day, actor=organiser, today=day)
    again, created_again = services.check_in_record(
        member=member, day=day, actor=organiser, today=day
    )

    assert created and not created_again
    assert again.pk == check_in.pk
    assert CheckIn.objects.filter(member=member).count() == 1
    assert check_in.weekend_id == weekend.pk and check_in.checked_in_by == organiser
    events = AuditEvent.objects.filter(action="attendance.checked_in")
    assert events.count() == 1
    event = events.get()
    assert event.target == f"participants.PanelMember:{member.pk}"
    assert event.detail == {"member": member.pk, "weekend": weekend.pk, "day": day.isoformat()}
    assert member.registration.full_name not in str(event.detail)


@pytest.mark.django_db
def test_it_undoes_a_check_in() -> None:
    assembly = AssemblyFactory()
    (weekend,) = _past_weekends(assembly, 1, dt.date(2027, 6, 1))
    member = confirmed_members(assembly, 1)[0]
    day = weekend.ends_on
    services.check_in_record(member=member, day=day, actor=None, today=day)

    assert services.check_in_undo(member=member, day=day, actor=None) is True
    assert services.check_in_undo(member=member, day=day, actor=None) is False
    assert not CheckIn.objects.exists()
    assert AuditEvent.objects.filter(action="attendance.check_in_undone").count() == 1


def _weekend_with_allowances(assembly: Assembly) -> tuple[PanelMember, Weekend]:
    """A member checked in on both days of a weekend in March 2025 (the seeded
    rules of 2025), with the day allowances computed and approved."""
    weekend = WeekendFactory(
        assembly=assembly,
        number=1,
        starts_on=dt.date(2025, 3, 8),
        ends_on=dt.date(2025, 3, 9),
    )
    member = confirmed_members(assembly, 1)[0]
    for day in (weekend.starts_on, weekend.ends_on):
        services.check_in_record(member=member, day=day, actor=None, today=day)
    allowance_services.allowances_compute(assembly=assembly, actor=None)
    allowance_services.allowances_approve(assembly=assembly, weekend=weekend, actor=UserFactory())
    return member, weekend


def _batched_weekend(assembly: Assembly) -> tuple[PanelMember, Weekend, PaymentBatch]:
    """_weekend_with_allowances, with both days in an open payment batch."""
    member, weekend = _weekend_with_allowances(assembly)
    BankAccount.objects.create(
        member=member, iban=example_iban(1), holder_name=member.registration.full_name
    )
    batch = payment_services.payment_batch_fill(assembly=assembly, actor=None).batch
    assert batch is not None
    return member, weekend, batch


@pytest.mark.django_db
def test_undoing_a_check_in_removes_the_allowance_of_that_day() -> None:
    assembly = AssemblyFactory()
    member, weekend = _weekend_with_allowances(assembly)

    assert services.check_in_undo(member=member, day=weekend.ends_on, actor=None) is True

    days = list(DayAllowance.objects.filter(member=member).values_list("day", flat=True))
    assert days == [weekend.starts_on]
    event = AuditEvent.objects.get(action="attendance.check_in_undone")
    assert event.detail["allowance_removed"] is True


@pytest.mark.django_db
def test_undoing_a_check_in_whose_allowance_is_in_a_batch_is_refused() -> None:
    assembly = AssemblyFactory()
    member, weekend, _batch = _batched_weekend(assembly)

    with pytest.raises(services.AttendanceRefused, match="Haal eerst de betaling"):
        services.check_in_undo(member=member, day=weekend.ends_on, actor=None)

    assert CheckIn.objects.filter(member=member).count() == 2
    assert DayAllowance.objects.filter(member=member, payment__isnull=False).count() == 2
    assert not AuditEvent.objects.filter(action="attendance.check_in_undone").exists()

    # Taken out of the open batch, the day can be undone; the rest is batched again.
    payment_services.payment_item_remove(item=PaymentItem.objects.get(), actor=None)
    assert services.check_in_undo(member=member, day=weekend.ends_on, actor=None) is True
    payment_services.payment_batch_fill(assembly=assembly, actor=None)
    assert PaymentItem.objects.get().amount == Decimal("35.00")


@pytest.mark.django_db
def test_the_undo_button_says_why_when_the_day_is_in_a_payment_batch(cast: Cast) -> None:
    assembly = AssemblyFactory()
    RoleFactory(user=cast.users["organiser"], assembly=assembly, kind=RoleKind.ORGANISER)
    member, weekend, _batch = _batched_weekend(assembly)
    undo = reverse(
        "participants:attendance_undo",
        kwargs={
            "slug": assembly.slug,
            "weekend": weekend.number,
            "day": weekend.ends_on,
            "member": member.pk,
        },
    )

    response = _client(cast, "organiser").post(undo, follow=True)

    assert response.status_code == 200
    assert "Haal eerst de betaling" in response.content.decode()
    assert CheckIn.objects.filter(member=member).count() == 2


@pytest.mark.django_db
def test_undoing_a_check_in_whose_allowance_was_sent_to_the_bank_is_refused() -> None:
    assembly = AssemblyFactory()
    member, weekend, batch = _batched_weekend(assembly)
    payment_services.payment_batch_export(
        batch=batch, actor=None, execution_date=timezone.localdate()
    )

    with pytest.raises(services.AttendanceRefused, match="al is geëxporteerd of betaald"):
        services.check_in_undo(member=member, day=weekend.ends_on, actor=None)

    payment_services.payment_batch_mark_paid(batch=batch, actor=None, paid_on=timezone.localdate())
    with pytest.raises(services.AttendanceRefused, match="al is geëxporteerd of betaald"):
        services.check_in_undo(member=member, day=weekend.ends_on, actor=None)
    assert CheckIn.objects.filter(member=member).count() == 2
    assert DayAllowance.objects.filter(member=member, status=PaymentState.PAID).count() == 2


@pytest.mark.django_db
def test_it_notes_late_arrival_and_early_departure_and_checks_in() -> None:
    assembly = AssemblyFactory()
    (weekend,) = _past_weekends(assembly, 1, dt.date(2027, 6, 1))
    member = confirmed_members(assembly, 1)[0]
    day = weekend.starts_on

    check_in = services.check_in_times_set(
        member=member,
        day=day,
        arrived_late_at=dt.time(10, 30),
        left_early_at=dt.time(15, 0),
        note="Trein had vertraging",
        actor=None,
        today=day,
    )

    check_in.refresh_from_db()
    assert (check_in.arrived_late_at, check_in.left_early_at) == (dt.time(10, 30), dt.time(15))
    assert check_in.note == "Trein had vertraging"
    event = AuditEvent.objects.get(action="attendance.times_noted")
    assert event.detail["has_note"] is True
    assert "Trein" not in str(event.detail)
    with pytest.raises(services.AttendanceRefused):
        services.check_in_times_set(
            member=member,
            day=day,
            arrived_late_at=dt.time(15, 0),
            left_early_at=dt.time(10, 0),
            note="",
            actor=None,
            today=day,
        )


@pytest.mark.django_db
def test_a_time_outside_the_days_programme_is_refused_as_a_typing_error() -> None:
    """23:00 for 13:00: a member 'present' for no hours at all."""
    from tests.participants.test_allowances import programme_day

    assembly = AssemblyFactory()
    (weekend,) = _past_weekends(assembly, 1, dt.date(2027, 6, 1))
    member = confirmed_members(assembly, 1)[0]
    day = weekend.starts_on
    programme_day(weekend, day, dt.time(9, 30), dt.time(17))

    def note(arrived: dt.time | None, left: dt.time | None) -> None:
        services.check_in_times_set(
            member=member,
            day=day,
            arrived_late_at=arrived,
            left_early_at=left,
            note="",
            actor=None,
            today=day,
        )

    with pytest.raises(services.AttendanceRefused, match="al voorbij \\(09:30 – 17:00\\)"):
        note(dt.time(23, 0), None)
    with pytest.raises(services.AttendanceRefused, match="nog niet begonnen"):
        note(None, dt.time(6, 0))
    assert not CheckIn.objects.filter(member=member).exists()
    note(dt.time(13, 0), dt.time(16, 30))
    assert CheckIn.objects.get(member=member).arrived_late_at == dt.time(13, 0)


@pytest.mark.django_db
def test_it_refuses_a_day_outside_any_weekend_a_future_day_and_a_non_member() -> None:
    assembly = AssemblyFactory()
    (weekend,) = _past_weekends(assembly, 1, dt.date(2027, 6, 1))
    member, other = confirmed_members(assembly, 2)
    with pytest.raises(services.AttendanceRefused, match="geen weekend"):
        services.check_in_record(
            member=member, day=weekend.ends_on + dt.timedelta(days=1), actor=None
        )
    with pytest.raises(services.AttendanceRefused, match="dag zelf"):
        services.check_in_record(
            member=member,
            day=weekend.starts_on,
            actor=None,
            today=weekend.starts_on - dt.timedelta(days=1),
        )
    PanelMember.objects.filter(pk=other.pk).update(status=PanelMember.Status.WITHDRAWN)
    other.refresh_from_db()
    with pytest.raises(services.AttendanceRefused, match="niet mee"):
        services.check_in_record(member=other, day=weekend.starts_on, actor=None)
    assert not CheckIn.objects.exists()


# ------------------------------------------------------------- absence flag


@pytest.mark.django_db
def test_it_flags_a_member_after_two_missed_weekends_and_not_after_one() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    w1, w2, w3 = _past_weekends(assembly, 3, today)
    regular, missed_one, missed_two, missed_apart = confirmed_members(assembly, 4)
    _attend([regular, missed_one, missed_two], w1, today)
    _attend([regular, missed_apart], w2, today)
    _attend([regular, missed_one], w3, today)

    flagged = selectors.absence_flagged(assembly=assembly, today=today)

    assert [(f.member.pk, f.first.pk, f.second.pk) for f in flagged] == [
        (missed_two.pk, w2.pk, w3.pk)
    ]
    # One weekend later, the member who missed one weekend is still fine; a
    # weekend that is not over yet does not count.
    assert selectors.absence_flagged(assembly=assembly, today=w3.ends_on) == []


@pytest.mark.django_db
def test_it_ignores_weekends_without_any_check_in_and_weekends_before_a_member_joined() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    w1, w2, w3 = _past_weekends(assembly, 3, today)
    old, newcomer = confirmed_members(assembly, 2)
    # Nobody was checked in on weekend 2 (the list was not used): no flag.
    _attend([old], w1, today)
    _attend([old], w3, today)
    assert selectors.absence_flagged(assembly=assembly, today=today) == []
    # A replacement who said yes after weekend 2 is not flagged for 1 and 2.
    _attend([old], w2, today)
    responded = timezone.make_aware(dt.datetime.combine(w2.ends_on, dt.time(20)))
    PanelMember.objects.filter(pk=newcomer.pk).update(responded_at=responded)
    assert selectors.absence_flagged(assembly=assembly, today=today) == []


@pytest.mark.django_db
def test_it_emails_each_organiser_once_per_flagged_member_even_when_run_twice(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    assembly = AssemblyFactory()
    organisers = [UserFactory(email=f"org{n}@example.org") for n in range(2)]
    for user in organisers:
        RoleFactory(user=user, assembly=assembly, kind=RoleKind.ORGANISER)
    RoleFactory(user=UserFactory(email="chair@example.org"), assembly=assembly, kind="chair")
    today = timezone.localdate()
    w1, w2 = _past_weekends(assembly, 2, today)
    present, absent = confirmed_members(assembly, 2)
    _attend([present], w1, today)
    _attend([present], w2, today)

    with django_capture_on_commit_callbacks(execute=True):
        assert attendance_absence_flags_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert attendance_absence_flags_task.delay().get() == 0
        assert services.absence_flags_send(assembly_id=assembly.pk) == 0

    assert sorted(m.to[0] for m in mail.outbox) == ["org0@example.org", "org1@example.org"]
    message = mail.outbox[0]
    assert absent.registration.full_name in str(message.body)
    assert "weekend 1" in str(message.body) and "weekend 2" in str(message.body)
    assert OutboxEmail.objects.filter(kind=services.ABSENCE_EMAIL_KIND).count() == 2
    event = AuditEvent.objects.get(action=selectors.ABSENCE_FLAGGED)
    assert event.target == f"participants.PanelMember:{absent.pk}"
    assert event.detail == {"member": absent.pk, "weekends": [w1.pk, w2.pk]}


# ---------------------------------------------------------------- selectors


@pytest.mark.django_db
def test_it_lists_attended_days_and_counts_per_weekend() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    w1, w2 = _past_weekends(assembly, 2, today)
    a, b, c = confirmed_members(assembly, 3)
    for member, day in ((a, w1.starts_on), (a, w1.ends_on), (b, w1.ends_on), (a, w2.starts_on)):
        services.check_in_record(member=member, day=day, actor=None, today=today)
    # Someone who stopped after weekend 1 still counts for the days they came.
    PanelMember.objects.filter(pk=b.pk).update(status=PanelMember.Status.WITHDRAWN)

    assert selectors.attended_days(assembly=assembly) == {
        a.pk: [w1.starts_on, w1.ends_on, w2.starts_on],
        b.pk: [w1.ends_on],
    }
    first, second = selectors.attendance_per_weekend(assembly=assembly, today=today)
    assert (first.present, first.expected, first.percent) == (2, 3, 67)
    assert [(d.day, d.present, d.expected) for d in first.days] == [
        (w1.starts_on, 1, 2),
        (w1.ends_on, 2, 3),
    ]
    assert (second.present, second.expected) == (1, 2)
    assert first.is_past and first.recorded
    assert [m.pk for m in selectors.weekend_absentees(assembly=assembly, weekend=w2)] == [c.pk]
    day_list = selectors.check_in_day_list(assembly=assembly, day=w1.ends_on)
    assert (day_list.present, day_list.expected) == (2, 3)
    assert [r.member.pk for r in day_list.rows] == [a.pk, c.pk]  # by name; b stopped


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.mark.django_db
def test_expected_is_who_was_a_member_on_each_weekends_first_day() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    w1, w2, w3 = _past_weekends(assembly, 3, today)
    stays, stopper, newcomer = confirmed_members(assembly, 3)
    _attend([stays, stopper], w1, today)
    _attend([stays], w2, today)
    _attend([stays, newcomer], w3, today)
    PanelMember.objects.filter(pk__in=[stays.pk, stopper.pk]).update(
        responded_at=_noon(w1.starts_on - dt.timedelta(days=30))
    )
    # Said yes, came to weekend 1, missed weekend 2 and stopped after it ...
    PanelMember.objects.filter(pk=stopper.pk).update(
        status=PanelMember.Status.WITHDRAWN, withdrawn_at=_noon(w2.ends_on + dt.timedelta(days=3))
    )
    # ... and the replacement said yes before weekend 3.
    PanelMember.objects.filter(pk=newcomer.pk).update(
        responded_at=_noon(w2.ends_on + dt.timedelta(days=5))
    )

    first, second, third = selectors.attendance_per_weekend(assembly=assembly, today=today)

    # Before, "expected" was today's members: the replacement counted as
    # expected (and absent) at weekends 1 and 2, the member who stopped did
    # not count as absent at weekend 2.
    assert (first.present, first.expected) == (2, 2)
    assert (second.present, second.expected) == (1, 2)
    assert [(d.present, d.expected) for d in second.days] == [(1, 2), (0, 2)]
    assert (third.present, third.expected) == (2, 2)
    assert selectors.weekend_absentees(assembly=assembly, weekend=w1) == []
    assert selectors.weekend_absentees(assembly=assembly, weekend=w2) == [stopper]
    assert selectors.weekend_absentees(assembly=assembly, weekend=w3) == []


@pytest.mark.django_db
def test_the_search_finds_a_part_of_the_name_or_the_code() -> None:
    assembly = AssemblyFactory()
    members = confirmed_members(assembly, 3)
    today = timezone.localdate()
    name = members[1].registration.full_name
    by_name = selectors.check_in_day_list(assembly=assembly, day=today, query=name[-7:].lower())
    assert [r.member.pk for r in by_name.rows] == [members[1].pk]
    code = selectors.member_code(members[2].pk)
    by_code = selectors.check_in_day_list(assembly=assembly, day=today, query=code)
    assert members[2].pk in [r.member.pk for r in by_code.rows]
    assert by_code.expected == 3


@pytest.mark.django_db
def test_the_search_ignores_accents_word_order_and_commas() -> None:
    # A member who forgot their phone gives their name; the desk types it as
    # it sounds, often without accents or as "surname, prefix".
    assembly = AssemblyFactory()
    vries, celik, hof = confirmed_members(assembly, 3)
    for member, name in (
        (vries, "Jan de Vries"),
        (celik, "Ayşe Çelik"),
        (hof, "Marjan van 't Hof"),
    ):
        member.registration.full_name = name
        member.registration.save(update_fields=["full_name"])
    today = timezone.localdate()

    def found(query: str) -> list[int]:
        day_list = selectors.check_in_day_list(assembly=assembly, day=today, query=query)
        return [row.member.pk for row in day_list.rows]

    assert found("Vries, de") == [vries.pk]
    assert found("de vries") == [vries.pk]
    assert found("jan vri") == [vries.pk]
    assert found("celik") == [celik.pk]
    assert found("AYSE") == [celik.pk]
    assert found("van t hof") == [hof.pk]
    assert found("Hof, van 't") == [hof.pk]
    assert found("Jan Celik") == []


# -------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_an_organiser_checks_a_member_in_and_out_on_the_day_page(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    member = confirmed_members(cast.assembly, 2)[0]
    today = timezone.localdate()
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number, "day": today}
    day_url = reverse("participants:attendance_day", kwargs=kwargs)

    page = client.get(day_url, {"q": member.registration.full_name})
    assert page.status_code == 200
    assert "0 van 2 aanwezig" in page.content.decode().replace("<strong>", "").replace(
        "</strong>", ""
    )

    url = reverse("participants:attendance_check_in", kwargs={**kwargs, "member": member.pk})
    response = client.post(url, {"q": "Nummer0"})
    assert response.status_code == 302
    assert response["Location"] == f"{day_url}?q=Nummer0#lid-{member.pk}"
    second = client.post(url, follow=True)
    assert "was al aangemeld" in second.content.decode()
    assert CheckIn.objects.filter(member=member, day=today).count() == 1

    undo = reverse("participants:attendance_undo", kwargs={**kwargs, "member": member.pk})
    client.post(undo)
    assert not CheckIn.objects.exists()

    times = reverse("participants:attendance_times", kwargs={**kwargs, "member": member.pk})
    assert client.get(times).status_code == 200
    client.post(times, {"arrived_late_at": "11:15", "left_early_at": "", "note": "Bus"})
    check_in = CheckIn.objects.get(member=member, day=today)
    assert check_in.arrived_late_at == dt.time(11, 15) and check_in.note == "Bus"


@pytest.mark.django_db
def test_the_undo_is_not_where_the_check_in_button_was(cast: Cast) -> None:
    # On a slow connection the desk taps "Aanwezig" twice; after the reload
    # the second tap must not land on a button that takes the check-in back.
    weekend = weekend_around_today(cast.assembly)
    member, other = confirmed_members(cast.assembly, 2)
    today = timezone.localdate()
    services.check_in_record(member=member, day=today, actor=None)
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number, "day": today}
    undo = reverse("participants:attendance_undo", kwargs={**kwargs, "member": member.pk})
    times = reverse("participants:attendance_times", kwargs={**kwargs, "member": member.pk})

    listing = client.get(reverse("participants:attendance_day", kwargs=kwargs)).content.decode()
    assert undo not in listing
    assert "Wijzigen of weghalen" in listing and "Ongedaan maken" not in listing
    check_in = reverse("participants:attendance_check_in", kwargs={**kwargs, "member": other.pk})
    assert f'action="{check_in}"' in listing

    page = client.get(times, {"q": "Nummer"}).content.decode()
    assert f'action="{undo}"' in page and "Aanmelding weghalen" in page
    undone = client.post(undo, {"q": "Nummer"}, follow=True)
    assert "is weggehaald" in undone.content.decode()
    assert not CheckIn.objects.filter(member=member).exists()
    # Without a check-in, the member's page offers nothing to take back.
    assert undo not in client.get(times).content.decode()


@pytest.mark.django_db
def test_the_list_at_the_desk_does_not_show_the_note_itself(cast: Cast) -> None:
    # The people in the queue see the tablet; a note may say more than it should.
    weekend = weekend_around_today(cast.assembly)
    member = confirmed_members(cast.assembly, 1)[0]
    today = timezone.localdate()
    services.check_in_times_set(
        member=member,
        day=today,
        arrived_late_at=None,
        left_early_at=dt.time(15, 0),
        note="Naar de tandarts",
        actor=None,
    )
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number, "day": today}

    listing = client.get(reverse("participants:attendance_day", kwargs=kwargs)).content.decode()
    assert "Naar de tandarts" not in listing
    assert "Er is een opmerking." in listing and "Eerder weggegaan om 15:00" in listing
    times = reverse("participants:attendance_times", kwargs={**kwargs, "member": member.pk})
    assert "Naar de tandarts" in client.get(times).content.decode()


@pytest.mark.django_db
def test_a_day_that_is_over_says_so_and_links_to_today(cast: Cast) -> None:
    # A tablet still on Saturday's list on Sunday morning.
    weekend = weekend_around_today(cast.assembly)
    member = confirmed_members(cast.assembly, 1)[0]
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number}
    today_url = reverse("participants:attendance_day", kwargs={**kwargs, "day": today})
    yesterday_url = reverse("participants:attendance_day", kwargs={**kwargs, "day": yesterday})

    old_day = client.get(yesterday_url).content.decode()
    assert "deze dag is voorbij" in old_day
    assert f'href="{today_url}"' in old_day
    assert "deze dag is voorbij" not in client.get(today_url).content.decode()

    check_in = reverse(
        "participants:attendance_check_in", kwargs={**kwargs, "day": yesterday, "member": member.pk}
    )
    shown = client.post(check_in, follow=True).content.decode()
    day_name = formats.date_format(yesterday, "l j F Y")
    assert f"{member.registration.full_name} is aangemeld voor {day_name}." in shown


@pytest.mark.django_db
def test_the_desk_changes_todays_list_only_and_organisers_correct_a_day_that_is_over(
    cast: Cast,
) -> None:
    """A day that is over is what allowances are paid on: the desk sees it but
    cannot change it; an organiser can."""
    weekend = weekend_around_today(cast.assembly)
    present, absent = confirmed_members(cast.assembly, 2)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    services.check_in_record(member=present, day=yesterday, actor=None)
    desk = _client(cast, "desk")
    kwargs = {"slug": cast.assembly.slug, "weekend": weekend.number}

    def url(name: str, day: dt.date, member: PanelMember | None = None) -> str:
        extra = {"member": member.pk} if member else {}
        return reverse(f"participants:attendance_{name}", kwargs={**kwargs, "day": day, **extra})

    old_day = desk.get(url("day", yesterday)).content.decode()
    assert "Alleen de organisatie kan deze lijst nog veranderen." in old_day
    assert url("check_in", yesterday, absent) not in old_day
    assert url("times", yesterday, present) not in old_day
    assert desk.post(url("check_in", yesterday, absent)).status_code == 403
    assert desk.post(url("undo", yesterday, present)).status_code == 403
    assert desk.get(url("times", yesterday, present)).status_code == 403
    assert set(CheckIn.objects.values_list("member_id", "day")) == {(present.pk, yesterday)}

    today_list = desk.get(url("day", today)).content.decode()
    assert url("check_in", today, absent) in today_list
    assert desk.post(url("check_in", today, absent)).status_code == 302
    assert CheckIn.objects.filter(member=absent, day=today).exists()

    organiser = _client(cast, "organiser")
    organiser_page = organiser.get(url("day", yesterday)).content.decode()
    assert url("check_in", yesterday, absent) in organiser_page
    organiser.post(url("check_in", yesterday, absent))
    assert CheckIn.objects.filter(member=absent, day=yesterday).exists()


@pytest.mark.django_db
def test_the_day_page_refuses_a_day_outside_its_weekend(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    client = _client(cast, "organiser")
    outside = weekend.ends_on + dt.timedelta(days=1)
    url = reverse(
        "participants:attendance_day",
        kwargs={"slug": cast.assembly.slug, "weekend": weekend.number, "day": outside},
    )
    assert client.get(url).status_code == 404
    bad = f"/b/{cast.assembly.slug}/beheer/aanwezig/{weekend.number}/2027-02-30/"
    assert client.get(bad).status_code == 404


@pytest.mark.django_db
def test_a_member_sees_their_own_qr_code_and_an_organiser_scans_it(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    member = confirmed_members(cast.assembly, 2)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])

    page = _client(cast, "member").get(
        reverse("participants:member_check_in_qr", kwargs={"slug": cast.assembly.slug})
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg class="qr-code" role="img"' in html and "style=" not in html
    assert selectors.member_code(member.pk) in html

    token = services.check_in_token(member_id=member.pk)
    scan = reverse(
        "participants:attendance_scan", kwargs={"slug": cast.assembly.slug, "token": token}
    )
    assert scan in services.check_in_scan_url(member=member, assembly=cast.assembly)
    # The code itself opens nothing for the member, the chair or anyone else.
    for persona in ("member", "chair", "facilitator"):
        assert _client(cast, persona).post(scan).status_code == 403
    organiser = _client(cast, "organiser")
    shown = organiser.get(scan)
    assert member.registration.full_name in shown.content.decode()
    organiser.post(scan)
    assert CheckIn.objects.filter(member=member, day=timezone.localdate()).count() == 1
    after = organiser.get(scan).content.decode()
    assert "Aangemeld voor" in after

    # The wrong member scanned: the way back is a link to the member's day
    # (where the undo is), not a button where the check-in button was.
    day_kwargs = {
        "slug": cast.assembly.slug,
        "weekend": weekend.number,
        "day": timezone.localdate(),
        "member": member.pk,
    }
    times = reverse("participants:attendance_times", kwargs=day_kwargs)
    assert f'href="{times}"' in after and "Per ongeluk aangemeld?" not in after
    desk = _client(cast, "desk")
    assert "Aanmelding weghalen" in desk.get(times).content.decode()
    desk.post(reverse("participants:attendance_undo", kwargs=day_kwargs))
    assert not CheckIn.objects.filter(member=member, day=timezone.localdate()).exists()


@pytest.mark.django_db
def test_a_member_without_a_seat_sees_a_notice_and_others_no_qr_page(cast: Cast) -> None:
    url = reverse("participants:member_check_in_qr", kwargs={"slug": cast.assembly.slug})
    page = _client(cast, "member").get(url)
    assert page.status_code == 200
    assert "geen QR-code" in page.content.decode() and "<svg" not in page.content.decode()
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(
        user=cast.users["member"], status=PanelMember.Status.WITHDRAWN
    )
    assert "<svg" not in _client(cast, "member").get(url).content.decode()
    # Someone else's seat is not theirs: the facilitator and organiser have none.
    assert _client(cast, "facilitator").get(url).status_code == 403
    assert _client(cast, "organiser").get(url).status_code == 403


@pytest.mark.django_db
def test_the_scan_refuses_politely_on_a_day_outside_any_weekend(cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]  # the cast's weekends are in 2027 and later
    Weekend.objects.filter(assembly=cast.assembly).update(
        starts_on=dt.date(2099, 1, 3), ends_on=dt.date(2099, 1, 4)
    )
    token = services.check_in_token(member_id=member.pk)
    scan = reverse(
        "participants:attendance_scan", kwargs={"slug": cast.assembly.slug, "token": token}
    )
    organiser = _client(cast, "organiser")
    page = organiser.get(scan)
    assert page.status_code == 200
    assert "geen weekend" in page.content.decode()
    assert organiser.post(scan).status_code == 200
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_a_token_or_member_of_another_assembly_opens_nothing(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    foreign = confirmed_members(cast.other_assembly, 1)[0]
    organiser = _client(cast, "organiser")
    token = services.check_in_token(member_id=foreign.pk)
    slug = cast.assembly.slug
    scan = reverse("participants:attendance_scan", kwargs={"slug": slug, "token": token})
    assert organiser.get(scan).status_code == 404
    forged = reverse(
        "participants:attendance_scan", kwargs={"slug": slug, "token": f"{foreign.pk}:forged"}
    )
    assert organiser.get(forged).status_code == 404
    check_in = reverse(
        "participants:attendance_check_in",
        kwargs={
            "slug": slug,
            "weekend": weekend.number,
            "day": timezone.localdate(),
            "member": foreign.pk,
        },
    )
    assert organiser.post(check_in).status_code == 404
    other = reverse("participants:attendance_overview", kwargs={"slug": cast.other_assembly.slug})
    assert organiser.get(other).status_code == 403
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_an_unknown_qr_code_tells_the_desk_what_to_do(cast: Cast) -> None:
    # A changed or cut-off code, or another assembly's member: the desk
    # sees that nobody was checked in and how to go on.
    weekend = weekend_around_today(cast.assembly)
    foreign = confirmed_members(cast.other_assembly, 1)[0]
    slug = cast.assembly.slug
    organiser = _client(cast, "organiser")
    today_list = reverse(
        "participants:attendance_day",
        kwargs={"slug": slug, "weekend": weekend.number, "day": timezone.localdate()},
    )
    for token in (services.check_in_token(member_id=foreign.pk), "12:forged", "nonsense"):
        scan = reverse("participants:attendance_scan", kwargs={"slug": slug, "token": token})
        for response in (organiser.get(scan), organiser.post(scan)):
            html = response.content.decode()
            assert response.status_code == 404
            assert "Niemand is aangemeld" in html and f'href="{today_list}"' in html
            assert foreign.registration.full_name not in html
    assert not CheckIn.objects.exists()


@pytest.mark.django_db
def test_the_scan_page_title_says_the_outcome(cast: Cast) -> None:
    # A screen reader reads the title when the page opens after the tap.
    weekend_around_today(cast.assembly)
    member, stopped = confirmed_members(cast.assembly, 2)
    PanelMember.objects.filter(pk=stopped.pk).update(status=PanelMember.Status.WITHDRAWN)
    organiser = _client(cast, "organiser")

    def title(person: PanelMember) -> str:
        token = services.check_in_token(member_id=person.pk)
        url = reverse(
            "participants:attendance_scan", kwargs={"slug": cast.assembly.slug, "token": token}
        )
        html = organiser.get(url).content.decode()
        return html.split("<title>", 1)[1].split("</title>", 1)[0].strip()

    assert title(member).startswith("Aanmelden met QR-code")
    services.check_in_record(member=member, day=timezone.localdate(), actor=None)
    assert title(member).startswith("Aanmelding gelukt – ")
    assert title(stopped).startswith("Niet aangemeld – ")


@pytest.mark.django_db
def test_the_overview_shows_the_chart_its_table_and_the_flagged_members(cast: Cast) -> None:
    today = timezone.localdate()
    Weekend.objects.filter(assembly=cast.assembly).delete()
    w1, w2 = _past_weekends(cast.assembly, 2, today)
    present, absent = confirmed_members(cast.assembly, 2)
    _attend([present], w1, today)
    _attend([present], w2, today)
    url = reverse("participants:attendance_overview", kwargs={"slug": cast.assembly.slug})

    organiser_page = _client(cast, "organiser").get(url).content.decode()
    assert 'class="chart-bar"' in organiser_page and "style=" not in organiser_page
    assert "1 van 2 (50%)" in organiser_page
    assert absent.registration.full_name in organiser_page
    withdraw = reverse(
        "participants:panel_member_withdraw", kwargs={"slug": cast.assembly.slug, "pk": absent.pk}
    )
    assert withdraw in organiser_page
    chair_page = _client(cast, "chair").get(url).content.decode()
    assert absent.registration.full_name in chair_page and withdraw not in chair_page


# ------------------------------------------------------------ query counts


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_pages_keep_a_constant_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    weekend = weekend_around_today(cast.assembly)
    today = timezone.localdate()
    slug = cast.assembly.slug
    client = _client(cast, "organiser")
    urls = [
        reverse(
            "participants:attendance_day",
            kwargs={"slug": slug, "weekend": weekend.number, "day": today},
        ),
        reverse("participants:attendance_overview", kwargs={"slug": slug}),
        reverse("participants:attendance_weekend", kwargs={"slug": slug, "weekend": 1}),
    ]

    def grow(count: int) -> None:
        members = confirmed_members(cast.assembly, count)
        for member in members[::2]:
            services.check_in_times_set(
                member=member,
                day=today,
                arrived_late_at=dt.time(10),
                left_early_at=None,
                note="x",
                actor=None,
            )

    grow(10)
    small = {url: _count_queries(client, url) for url in urls}
    grow(90)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            page = client.get(url)
        assert page.status_code == 200
    assert "50 van 100 aanwezig" in client.get(urls[0]).content.decode().replace(
        "<strong>", ""
    ).replace("</strong>", "")


# --------------------------------------------------------------------- demo


@pytest.mark.django_db
def test_the_demo_checks_in_past_weekends_with_some_absences_deterministically() -> None:
    assembly = AssemblyFactory()
    today = dt.date(2027, 9, 1)
    weekends = _past_weekends(assembly, 3, today)
    WeekendFactory(assembly=assembly, number=4, starts_on=today, ends_on=today)
    confirmed_members(assembly, 40)

    created = demo_attendance_seed(assembly=assembly, today=today)
    days = selectors.attended_days(assembly=assembly)
    flagged = selectors.absence_flagged(assembly=assembly, today=today)

    assert created == CheckIn.objects.count() > 0
    assert not CheckIn.objects.filter(day__gte=today).exists()
    assert {c.weekend_id for c in CheckIn.objects.all()} == {w.pk for w in weekends}
    assert len(days) < 40 or any(len(d) < 6 for d in days.values())  # some absences
    assert 1 <= len(flagged) <= 4
    assert demo_attendance_seed(assembly=assembly, today=today) == 0  # runs once
    CheckIn.objects.all().delete()
    assert demo_attendance_seed(assembly=assembly, today=today) == created
    assert selectors.attended_days(assembly=assembly) == days
