"""Day allowances in the site: computing them from check-ins within the caps
(idempotent, paid rows never change, a later check-in adds a day), fee mode,
approval per weekend, the rules of a year and the settings page, the
member's page "Mijn vergoeding", the totals for payments and the report, and
the nightly task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assembly.models import AllowanceMode, AllowanceYear, Assembly, AuditEvent, User
from participants import selectors_money as selectors
from participants.models import CheckIn, DayAllowance, ExpenseClaim, PanelMember, PaymentState
from participants.services import allowances as services
from participants.tasks_money import allowances_compute_all_task
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import AssemblyFactory, UserFactory, WeekendFactory
from tests.participants.test_attendance import confirmed_members

D = Decimal


def rules_for(year: int, **changes: str) -> AllowanceYear:
    """The rules of ``year``: the amounts of 2025 (seeded by the migration), with changes."""
    base = AllowanceYear.objects.get(year=2025)
    values = {
        "day_allowance": base.day_allowance,
        "hourly_cap": base.hourly_cap,
        "hourly_cap_under_21": base.hourly_cap_under_21,
        "monthly_cap": base.monthly_cap,
        "yearly_cap": base.yearly_cap,
        "km_rate": base.km_rate,
        **{k: D(v) for k, v in changes.items()},
    }
    row, _created = AllowanceYear.objects.update_or_create(year=year, defaults=values)
    return row


def weekend_on(assembly: Assembly, number: int, saturday: dt.date) -> Weekend:
    weekend, _created = Weekend.objects.update_or_create(
        assembly=assembly,
        number=number,
        defaults={"starts_on": saturday, "ends_on": saturday + dt.timedelta(days=1)},
    )
    return weekend


def attend(member: PanelMember, weekend: Weekend, *days: dt.date) -> None:
    for day in days or (weekend.starts_on, weekend.ends_on):
        CheckIn.objects.get_or_create(member=member, day=day, defaults={"weekend": weekend})


def set_birth_date(member: PanelMember, birth: dt.date) -> None:
    member.registration.birth_date = birth
    member.registration.save(update_fields=["birth_date"])


def amounts(member: PanelMember) -> list[Decimal]:
    return list(
        DayAllowance.objects.filter(member=member).order_by("day").values_list("amount", flat=True)
    )


@pytest.fixture
def assembly(db: None) -> Assembly:
    return AssemblyFactory()


# ------------------------------------------------------------------ compute


@pytest.mark.django_db
def test_it_grants_the_day_allowance_for_each_attended_day(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    first, second = confirmed_members(assembly, 2)
    attend(first, weekend)
    attend(second, weekend, weekend.starts_on)

    result = services.allowances_compute(assembly=assembly, actor=None)

    assert (result.created, result.changed, result.removed) == (3, 0, 0)
    assert amounts(first) == [D("35.00"), D("35.00")]
    assert amounts(second) == [D("35.00")]
    row = DayAllowance.objects.filter(member=first).first()
    assert row is not None and row.status == PaymentState.EARNED and row.weekend == weekend
    event = AuditEvent.objects.get(action="allowances.computed")
    assert event.detail["created"] == 3
    assert first.registration.full_name not in str(event.detail)


@pytest.mark.django_db
def test_a_month_with_two_weekends_is_capped_and_says_why(assembly: Assembly) -> None:
    rules_for(2025)
    AllowanceYear.objects.filter(year=2025).update(day_allowance=D("60.00"))
    assembly.allowance_hours_per_day = D("12")
    assembly.save(update_fields=["allowance_hours_per_day"])
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend_on(assembly, 1, dt.date(2025, 3, 8)))
    attend(member, weekend_on(assembly, 2, dt.date(2025, 3, 22)))

    services.allowances_compute(assembly=assembly, actor=None)

    rows = list(DayAllowance.objects.filter(member=member).order_by("day"))
    assert [r.amount for r in rows] == [D("60.00"), D("60.00"), D("60.00"), D("30.00")]
    assert rows[-1].gross == D("60.00") and rows[-1].capped_by == DayAllowance.Cap.MONTHLY
    assert sum(r.amount for r in rows) == D("210.00")


@pytest.mark.django_db
def test_an_under_21_member_is_capped_by_the_hourly_rate_on_the_day(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    member = confirmed_members(assembly, 1)[0]
    set_birth_date(member, dt.date(2004, 3, 9))  # 21 on Sunday 9 March 2025
    attend(member, weekend)

    services.allowances_compute(assembly=assembly, actor=None)

    saturday, sunday = DayAllowance.objects.filter(member=member).order_by("day")
    assert saturday.amount == D("23.10") and saturday.capped_by == DayAllowance.Cap.HOURLY
    assert sunday.amount == D("35.00") and sunday.capped_by == ""


def programme_day(weekend: Weekend, day: dt.date, start: dt.time, end: dt.time) -> None:
    """A morning and an afternoon session on ``day``, with a cancelled evening one."""
    from sessions.models import Session

    def at(moment: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, moment))

    morning = {"starts_at": at(start), "ends_at": at(dt.time(12))}
    Session.objects.create(weekend=weekend, title="Opening", kind="plenary", **morning)
    Session.objects.create(
        weekend=weekend, title="Tafels", kind="tables", starts_at=at(dt.time(13)), ends_at=at(end)
    )
    Session.objects.create(
        weekend=weekend,
        title="Vervallen",
        kind="plenary",
        starts_at=at(dt.time(19)),
        ends_at=at(dt.time(21)),
        cancelled_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_late_arrival_counts_fewer_hours_against_the_hourly_cap(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    saturday, sunday = weekend.starts_on, weekend.ends_on
    programme_day(weekend, saturday, dt.time(9, 30), dt.time(17))
    programme_day(weekend, sunday, dt.time(9, 30), dt.time(17))
    late, on_time = confirmed_members(assembly, 2)
    attend(late, weekend)
    attend(on_time, weekend)
    # At 13:15: 3:45 of the 7:30 programme, so 3.5 of the 7 hours, at most € 19.60.
    CheckIn.objects.filter(member=late, day=saturday).update(arrived_late_at=dt.time(13, 15))
    CheckIn.objects.filter(member=late, day=sunday).update(left_early_at=dt.time(16, 15))

    services.allowances_compute(assembly=assembly, actor=None)

    first, second = DayAllowance.objects.filter(member=late).order_by("day")
    assert (first.hours, first.amount, first.capped_by) == (
        D("3.50"), D("19.60"), DayAllowance.Cap.HOURLY
    )
    assert (second.hours, second.amount, second.capped_by) == (D("6.30"), D("35.00"), "")
    assert [r.hours for r in DayAllowance.objects.filter(member=on_time)] == [D("7"), D("7")]

    # The desk clears the time (they were there after all): the day pays in
    # full again, and needs approving again.
    DayAllowance.objects.filter(member=late).update(status=PaymentState.APPROVED)
    CheckIn.objects.filter(member=late, day=saturday).update(arrived_late_at=None)
    services.allowances_compute(assembly=assembly, actor=None)
    first.refresh_from_db()
    assert (first.hours, first.amount, first.status) == (D("7"), D("35.00"), PaymentState.EARNED)


@pytest.mark.django_db
def test_rows_from_before_hours_were_kept_stay_approved(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend)
    services.allowances_compute(assembly=assembly, actor=None)
    DayAllowance.objects.filter(member=member).update(hours=None, status=PaymentState.APPROVED)

    result = services.allowances_compute(assembly=assembly, actor=None)

    assert (result.changed, result.unchanged) == (0, 2)
    rows = DayAllowance.objects.filter(member=member)
    assert {(r.hours, r.status) for r in rows} == {(D("7"), PaymentState.APPROVED)}


@pytest.mark.django_db
def test_computing_twice_changes_nothing(assembly: Assembly) -> None:
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend_on(assembly, 1, dt.date(2025, 3, 8)))
    services.allowances_compute(assembly=assembly, actor=None)
    before = list(DayAllowance.objects.values_list("pk", "amount", "status"))

    again = services.allowances_compute(assembly=assembly, actor=None)

    assert (again.created, again.changed, again.removed, again.unchanged) == (0, 0, 0, 2)
    assert list(DayAllowance.objects.values_list("pk", "amount", "status")) == before
    assert AuditEvent.objects.filter(action="allowances.computed").count() == 1


@pytest.mark.django_db
def test_a_later_check_in_adds_a_day_and_an_undone_one_removes_it(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend, weekend.starts_on)
    services.allowances_compute(assembly=assembly, actor=None)
    attend(member, weekend, weekend.ends_on)

    added = services.allowances_compute(assembly=assembly, actor=None)
    assert added.created == 1 and len(amounts(member)) == 2

    CheckIn.objects.filter(member=member, day=weekend.starts_on).delete()
    removed = services.allowances_compute(assembly=assembly, actor=None)
    assert removed.removed == 1
    assert list(DayAllowance.objects.values_list("day", flat=True)) == [weekend.ends_on]


@pytest.mark.django_db
def test_paid_and_batched_rows_never_change_and_count_first(assembly: Assembly) -> None:
    member = confirmed_members(assembly, 1)[0]
    march = weekend_on(assembly, 1, dt.date(2025, 3, 22))
    attend(member, march)
    services.allowances_compute(assembly=assembly, actor=None)
    DayAllowance.objects.filter(member=member).update(status=PaymentState.PAID)
    # New rules for 2025: the paid rows keep their amounts.
    AllowanceYear.objects.filter(year=2025).update(day_allowance=D("20.00"), monthly_cap=D("80"))
    earlier = weekend_on(assembly, 2, dt.date(2025, 3, 8))
    attend(member, earlier)

    services.allowances_compute(assembly=assembly, actor=None)

    rows = {r.day: r for r in DayAllowance.objects.filter(member=member)}
    assert rows[march.starts_on].amount == D("35.00")
    assert rows[march.starts_on].status == PaymentState.PAID
    # 70 was paid in March: 10 left under the new monthly cap of 80.
    assert rows[earlier.starts_on].amount == D("10.00")
    assert rows[earlier.ends_on].amount == D("0.00")
    assert rows[earlier.ends_on].capped_by == DayAllowance.Cap.MONTHLY
    assert sum(r.amount for r in rows.values()) == D("80.00")

    CheckIn.objects.filter(member=member, weekend=march).delete()
    services.allowances_compute(assembly=assembly, actor=None)
    assert DayAllowance.objects.filter(member=member, status=PaymentState.PAID).count() == 2


@pytest.mark.django_db
def test_a_changed_amount_needs_approval_again(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend)
    organiser = UserFactory()
    services.allowances_compute(assembly=assembly, actor=None)
    assert services.allowances_approve(assembly=assembly, weekend=weekend, actor=organiser) == 2
    AllowanceYear.objects.filter(year=2025).update(day_allowance=D("30.00"))

    result = services.allowances_compute(assembly=assembly, actor=None)

    assert result.changed == 2
    assert set(DayAllowance.objects.values_list("status", "amount", "approved_by")) == {
        (PaymentState.EARNED, D("30.00"), None)
    }


@pytest.mark.django_db
def test_a_year_without_rules_gets_no_allowance_and_is_reported(assembly: Assembly) -> None:
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend_on(assembly, 1, dt.date(2031, 3, 8)))

    result = services.allowances_compute(assembly=assembly, actor=None)

    assert result.missing_years == [2031]
    assert not DayAllowance.objects.exists()
    rules_for(2031)
    assert services.allowances_compute(assembly=assembly, actor=None).created == 2


@pytest.mark.django_db
def test_fee_mode_pays_the_fee_per_day_without_caps(assembly: Assembly) -> None:
    assembly.allowance_mode = AllowanceMode.FEE
    assembly.fee_per_day = D("150.00")
    assembly.save(update_fields=["allowance_mode", "fee_per_day"])
    member = confirmed_members(assembly, 1)[0]
    set_birth_date(member, dt.date(2010, 1, 1))
    attend(member, weekend_on(assembly, 1, dt.date(2025, 3, 8)))
    attend(member, weekend_on(assembly, 2, dt.date(2025, 3, 22)))

    services.allowances_compute(assembly=assembly, actor=None)

    assert amounts(member) == [D("150.00")] * 4
    assert set(DayAllowance.objects.values_list("capped_by", flat=True)) == {""}


@pytest.mark.django_db
def test_approving_a_weekend_approves_only_its_earned_days(assembly: Assembly) -> None:
    first = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    second = weekend_on(assembly, 2, dt.date(2025, 4, 5))
    member = confirmed_members(assembly, 1)[0]
    attend(member, first)
    attend(member, second)
    services.allowances_compute(assembly=assembly, actor=None)
    organiser = UserFactory()

    assert services.allowances_approve(assembly=assembly, weekend=first, actor=organiser) == 2
    assert services.allowances_approve(assembly=assembly, weekend=first, actor=organiser) == 0

    statuses = dict(DayAllowance.objects.values_list("day", "status"))
    assert statuses[first.starts_on] == PaymentState.APPROVED
    assert statuses[second.starts_on] == PaymentState.EARNED
    row = DayAllowance.objects.get(day=first.starts_on)
    assert row.approved_by == organiser and row.approved_at is not None
    assert AuditEvent.objects.filter(action="allowances.approved").count() == 1


@pytest.mark.django_db
def test_approving_recomputes_first_so_a_lowered_cap_is_what_gets_approved(
    assembly: Assembly,
) -> None:
    member = confirmed_members(assembly, 1)[0]
    first = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    second = weekend_on(assembly, 2, dt.date(2025, 3, 22))
    attend(member, first)
    attend(member, second)
    services.allowances_compute(assembly=assembly, actor=None)
    AllowanceYear.objects.filter(year=2025).update(monthly_cap=D("100.00"))

    assert services.allowances_approve(assembly=assembly, weekend=second, actor=UserFactory()) == 2

    rows = list(DayAllowance.objects.filter(member=member).order_by("day"))
    assert [(r.amount, r.status) for r in rows] == [
        (D("35.00"), PaymentState.EARNED),
        (D("35.00"), PaymentState.EARNED),
        (D("30.00"), PaymentState.APPROVED),
        (D("0.00"), PaymentState.APPROVED),
    ]


def _seat_in(assembly: Assembly, person: User | None, saturdays: tuple[int, ...]) -> PanelMember:
    """A member of ``assembly`` (with the account ``person``) who attended
    the weekends starting on these Saturdays of March 2025."""
    member = confirmed_members(assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=person)
    for number, day in enumerate(saturdays, start=1):
        attend(member, weekend_on(assembly, number, dt.date(2025, 3, day)))
    return member


@pytest.mark.django_db
def test_the_monthly_cap_holds_for_one_person_in_two_assemblies(assembly: Assembly) -> None:
    person = UserFactory()
    other = AssemblyFactory()
    here = _seat_in(assembly, person, (8, 22))
    there = _seat_in(other, person, (1, 15))

    services.allowances_compute(assembly=assembly, actor=None)
    result = services.allowances_compute(assembly=other, actor=None)

    assert amounts(here) == [D("35.00")] * 4
    # 140 was granted in the other assembly: 70 left of the 210 of March.
    assert amounts(there) == [D("35.00"), D("35.00"), D("0.00"), D("0.00")]
    assert result.capped == 2
    granted = DayAllowance.objects.filter(member__user=person).aggregate(total=Sum("amount"))
    assert granted["total"] == D("210.00")
    # Computing again, in either assembly, changes nothing.
    assert services.allowances_compute(assembly=assembly, actor=None).changed == 0
    assert services.allowances_compute(assembly=other, actor=None).changed == 0


@pytest.mark.django_db
def test_the_caps_count_only_the_same_account_and_volunteer_allowances(
    assembly: Assembly,
) -> None:
    other = AssemblyFactory()
    fee = AssemblyFactory(allowance_mode=AllowanceMode.FEE, fee_per_day=D("150.00"))
    person = UserFactory()
    here = _seat_in(assembly, person, (8, 22))
    _seat_in(other, UserFactory(), (1, 15))  # someone else
    _seat_in(fee, person, (1, 15))  # a fee is income, not a volunteer allowance
    services.allowances_compute(assembly=other, actor=None)
    services.allowances_compute(assembly=fee, actor=None)

    services.allowances_compute(assembly=assembly, actor=None)

    assert amounts(here) == [D("35.00")] * 4


@pytest.mark.django_db
def test_the_nightly_task_computes_every_assembly(assembly: Assembly) -> None:
    member = confirmed_members(assembly, 1)[0]
    attend(member, weekend_on(assembly, 1, dt.date(2025, 3, 8)))
    other = AssemblyFactory()
    other_member = confirmed_members(other, 1)[0]
    attend(other_member, weekend_on(other, 1, dt.date(2025, 3, 8)))

    done = allowances_compute_all_task.delay().get()

    assert done == {assembly.pk: 2, other.pk: 2}
    assert allowances_compute_all_task.delay().get() == {assembly.pk: 0, other.pk: 0}


# ------------------------------------------------------------------ totals


@pytest.mark.django_db
def test_totals_per_weekend_hold_no_individual_amounts(assembly: Assembly) -> None:
    weekend = weekend_on(assembly, 1, dt.date(2025, 3, 8))
    first, second = confirmed_members(assembly, 2)
    attend(first, weekend)
    attend(second, weekend)
    services.allowances_compute(assembly=assembly, actor=None)
    DayAllowance.objects.filter(member=first).update(status=PaymentState.PAID)
    ExpenseClaim.objects.create(
        member=first,
        weekend=weekend,
        day=weekend.starts_on,
        kind="car",
        amount=D("12.40"),
        status=ExpenseClaim.Status.APPROVED,
    )
    ExpenseClaim.objects.create(
        member=second,
        weekend=weekend,
        day=weekend.starts_on,
        kind="other",
        amount=D("99.00"),
        status=ExpenseClaim.Status.SUBMITTED,
    )

    totals = {t.weekend.number: t for t in selectors.money_totals_per_weekend(assembly)}

    assert totals[1].allowance_days == 4
    assert totals[1].allowances == D("140.00")
    assert totals[1].allowances_paid == D("70.00")
    assert totals[1].claims == 1 and totals[1].expenses == D("12.40")
    assert totals[1].total == D("152.40")
    assert selectors.open_claims_count(assembly) == 1


# ------------------------------------------------------------------ pages


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def own_member(cast: Cast) -> PanelMember:
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    member.refresh_from_db()
    return member


@pytest.mark.django_db
def test_the_member_sees_earned_approved_paid_and_what_was_capped(cast: Cast) -> None:
    rules_for(2027, monthly_cap="100.00")
    member = own_member(cast)
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    Weekend.objects.filter(assembly=cast.assembly, number=2).update(
        starts_on=weekend.starts_on + dt.timedelta(days=7),
        ends_on=weekend.starts_on + dt.timedelta(days=8),
    )
    attend(member, weekend)
    services.allowances_compute(assembly=cast.assembly, actor=None)
    services.allowances_approve(
        assembly=cast.assembly,
        weekend=weekend,
        actor=cast.users["organiser"],
        today=weekend.ends_on + dt.timedelta(days=1),
    )
    DayAllowance.objects.filter(member=member, day=weekend.starts_on).update(
        status=PaymentState.PAID
    )
    second = Weekend.objects.get(assembly=cast.assembly, number=2)
    attend(member, second)
    services.allowances_compute(assembly=cast.assembly, actor=None)

    response = _client(cast, "member").get(
        reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mijn vergoeding" in page
    assert "€ 100,00" in page  # earned: 35 + 35 + 30 + 0 under a monthly cap of 100
    assert "€ 70,00" in page  # approved
    assert "€ 35,00" in page  # paid
    assert "Afgetopt (was € 35,00)." in page
    assert "het maximum van € 100,00 per maand bereikt" in page
    assert "uitkering" in page and "bijstand" in page
    assert "hoogstens € 5,60 per uur" in page
    assert "<svg" in page and "<table" in page


@pytest.mark.django_db
def test_the_member_page_says_a_late_day_counted_fewer_hours(cast: Cast) -> None:
    rules_for(2027)
    member = own_member(cast)
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    programme_day(weekend, weekend.starts_on, dt.time(9, 30), dt.time(17))
    attend(member, weekend, weekend.starts_on)
    CheckIn.objects.filter(member=member).update(arrived_late_at=dt.time(13, 15))
    services.allowances_compute(assembly=cast.assembly, actor=None)

    page = _client(cast, "member").get(
        reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug})
    ).content.decode()

    assert "€ 5,60 per uur × 3,50 uur = € 19,60 per dag." in page
    assert "U was er 3,50 van de 7 uur: u kwam later of ging eerder weg." in page


@pytest.mark.django_db
def test_the_member_page_explains_a_fee_as_taxable_income(cast: Cast) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        allowance_mode=AllowanceMode.FEE, fee_per_day=D("120.00")
    )
    own_member(cast)
    page = (
        _client(cast, "member")
        .get(reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )
    assert "honorarium van € 120,00 per dag" in page
    assert "U betaalt er belasting over." in page
    assert "vrijwilligersvergoeding" not in page.split("benefits-heading")[1]


@pytest.mark.django_db
def test_the_member_page_runs_a_fixed_number_of_queries(cast: Cast) -> None:
    rules_for(2027)
    member = own_member(cast)
    url = reverse("participants:my_allowance", kwargs={"slug": cast.assembly.slug})
    client = _client(cast, "member")
    attend(member, Weekend.objects.get(assembly=cast.assembly, number=1))
    services.allowances_compute(assembly=cast.assembly, actor=None)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in (2, 3, 4):
        attend(member, Weekend.objects.get(assembly=cast.assembly, number=number))
    services.allowances_compute(assembly=cast.assembly, actor=None)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_an_organiser_computes_and_approves_from_the_overview(cast: Cast) -> None:
    rules_for(2025)
    member = confirmed_members(cast.assembly, 1)[0]
    # Weekend 2 is still to come: its money cannot be approved yet.
    client = _client(cast, "organiser")
    slug = cast.assembly.slug
    early = client.post(
        reverse("participants:allowances_approve", kwargs={"slug": slug, "weekend": 2}),
        follow=True,
    )
    assert "Weekend 2 is nog niet voorbij." in early.content.decode()
    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=dt.date(2025, 3, 8), ends_on=dt.date(2025, 3, 9)
    )
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    attend(member, weekend)

    overview = client.get(reverse("participants:allowances_overview", kwargs={"slug": slug}))
    assert "2 aanwezige dagen nog niet berekend" in overview.content.decode()
    response = client.post(
        reverse("participants:allowances_compute", kwargs={"slug": slug}), follow=True
    )
    assert "2 nieuw" in response.content.decode()
    response = client.post(
        reverse("participants:allowances_approve", kwargs={"slug": slug, "weekend": 1}),
        follow=True,
    )
    assert "2 dagvergoedingen van weekend 1 zijn goedgekeurd." in response.content.decode()
    detail = client.get(
        reverse("participants:allowances_weekend", kwargs={"slug": slug, "weekend": 1})
    ).content.decode()
    assert member.registration.full_name in detail and "Goedgekeurd" in detail


@pytest.mark.django_db
def test_the_overview_warns_about_a_year_without_rules(cast: Cast) -> None:
    member = confirmed_members(cast.assembly, 1)[0]
    attend(member, Weekend.objects.get(assembly=cast.assembly, number=1))
    response = _client(cast, "organiser").post(
        reverse("participants:allowances_compute", kwargs={"slug": cast.assembly.slug}),
        follow=True,
    )
    assert "Voor 2027 zijn er nog geen regels." in response.content.decode()


# ------------------------------------------------------------------ rules and settings


RULES_2027 = {
    "year": "2027",
    "day_allowance": "36,00",
    "hourly_cap": "5,75",
    "hourly_cap_under_21": "3,40",
    "monthly_cap": "215",
    "yearly_cap": "2150.00",
    "km_rate": "0,23",
    "source": "Belastingdienst 2027",
}


@pytest.mark.django_db
def test_an_organiser_adds_the_rules_of_a_later_year(cast: Cast) -> None:
    client = _client(cast, "organiser")
    slug = cast.assembly.slug
    form = client.get(reverse("participants:allowance_rule_new", kwargs={"slug": slug}))
    assert 'value="2026"' in form.content.decode()  # the next year, amounts of the last

    response = client.post(
        reverse("participants:allowance_rule_new", kwargs={"slug": slug}), RULES_2027
    )

    assert response.status_code == 302
    row = AllowanceYear.objects.get(year=2027)
    assert (row.day_allowance, row.hourly_cap, row.monthly_cap, row.yearly_cap) == (
        D("36.00"),
        D("5.75"),
        D("215"),
        D("2150.00"),
    )
    assert AuditEvent.objects.filter(action="allowances.rules_added").exists()
    listing = client.get(reverse("participants:allowance_rules", kwargs={"slug": slug}))
    assert "Belastingdienst 2027" in listing.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day_allowance", "-5", "Dit moet meer dan 0 zijn."),
        ("hourly_cap", "5,6055", "Gebruik hoogstens twee cijfers achter de komma."),
        ("hourly_cap", "5,605", "Bedoelt u 5605? Schrijf dan 5605 of 5605,00."),
        ("monthly_cap", "1.250,00", "Schrijf alleen cijfers"),
        ("yearly_cap", "", "Vul dit in."),
        ("year", "2025", "Voor 2025 zijn er al regels."),
        ("hourly_cap_under_21", "6,00", "kan niet hoger zijn dan vanaf 21 jaar"),
    ],
)
@pytest.mark.django_db
def test_bad_rules_are_refused_on_the_field_and_nothing_is_saved(
    cast: Cast, field: str, value: str, message: str
) -> None:
    before = AllowanceYear.objects.count()
    response = _client(cast, "organiser").post(
        reverse("participants:allowance_rule_new", kwargs={"slug": cast.assembly.slug}),
        {**RULES_2027, field: value},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert AllowanceYear.objects.count() == before


@pytest.mark.django_db
def test_an_organiser_edits_a_year_and_cannot_change_its_number(cast: Cast) -> None:
    rules_for(2027)
    response = _client(cast, "organiser").post(
        reverse(
            "participants:allowance_rule_edit", kwargs={"slug": cast.assembly.slug, "year": 2027}
        ),
        {**RULES_2027, "year": "2030", "day_allowance": "40,00"},
    )
    assert response.status_code == 302
    assert AllowanceYear.objects.get(year=2027).day_allowance == D("40.00")
    assert not AllowanceYear.objects.filter(year=2030).exists()


@pytest.mark.django_db
def test_the_settings_page_switches_to_a_fee_and_recomputes(cast: Cast) -> None:
    rules_for(2027)
    member = confirmed_members(cast.assembly, 1)[0]
    attend(member, Weekend.objects.get(assembly=cast.assembly, number=1))
    client = _client(cast, "organiser")
    url = reverse("participants:allowance_settings", kwargs={"slug": cast.assembly.slug})
    data = {
        "allowance_mode": "fee",
        "fee_per_day": "",
        "allowance_hours_per_day": "7",
        "second_approval_above": "250",
    }

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Vul het honorarium per dag in." in refused.context["form"].errors["fee_per_day"]

    assert client.post(url, {**data, "fee_per_day": "95,50"}).status_code == 302
    cast.assembly.refresh_from_db()
    assert cast.assembly.allowance_mode == AllowanceMode.FEE
    assert cast.assembly.fee_per_day == D("95.50")
    assert amounts(member) == [D("95.50"), D("95.50")]
    assert AuditEvent.objects.filter(action="allowances.settings_changed").exists()


@pytest.mark.django_db
def test_the_settings_page_refuses_an_over_precise_limit(cast: Cast) -> None:
    response = _client(cast, "organiser").post(
        reverse("participants:allowance_settings", kwargs={"slug": cast.assembly.slug}),
        {
            "allowance_mode": "volunteer",
            "allowance_hours_per_day": "30",
            "second_approval_above": "250,0001",
        },
    )
    errors = response.context["form"].errors
    assert "Dit is te hoog: hoogstens 24,00." in errors["allowance_hours_per_day"]
    assert "Gebruik hoogstens twee cijfers achter de komma." in errors["second_approval_above"]
    cast.assembly.refresh_from_db()
    assert cast.assembly.second_approval_above == D("250")


@pytest.mark.django_db
def test_the_overview_lists_weekends_without_allowances(cast: Cast) -> None:
    WeekendFactory(assembly=cast.assembly, number=9)
    page = (
        _client(cast, "organiser")
        .get(reverse("participants:allowances_overview", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )
    assert "Weekend 9" in page and "Nog geen dagvergoedingen" in page


# ------------------------------------------------------------------ demo


@pytest.mark.django_db
def test_the_demo_seed_is_quick_complete_and_idempotent(assembly: Assembly) -> None:
    import time

    from participants.demo_allowances import DEMO_RULES_SOURCE, demo_allowances_seed

    today = dt.date(2026, 11, 22)
    first = weekend_on(assembly, 1, dt.date(2026, 9, 26))
    second = weekend_on(assembly, 2, dt.date(2026, 11, 7))
    weekend_on(assembly, 3, dt.date(2026, 12, 19))
    members = confirmed_members(assembly, 12)
    for member in members:
        attend(member, first)
        attend(member, second)
    organiser = UserFactory()

    started = time.monotonic()
    demo_allowances_seed(assembly, today=today, organiser=organiser)
    assert time.monotonic() - started < 3

    assert AllowanceYear.objects.get(year=2026).source == DEMO_RULES_SOURCE
    statuses = dict(
        DayAllowance.objects.filter(weekend=first).values_list("status", "weekend").distinct()
    )
    assert set(statuses) == {PaymentState.APPROVED}
    assert set(DayAllowance.objects.filter(weekend=second).values_list("status", flat=True)) == {
        PaymentState.EARNED
    }
    claims = list(ExpenseClaim.objects.filter(member__assembly=assembly))
    assert {c.status for c in claims} == {
        "submitted",
        "approved",
        "first_approval",
        "rejected",
        "needs_info",
    }
    assert {c.receipt.name.rsplit(".", 1)[-1] for c in claims if c.receipt} == {"png", "pdf"}
    waiting = next(c for c in claims if c.status == "first_approval")
    assert (
        waiting.amount > assembly.second_approval_above and waiting.first_approved_by == organiser
    )

    demo_allowances_seed(assembly, today=today, organiser=organiser)
    assert ExpenseClaim.objects.filter(member__assembly=assembly).count() == len(claims)
