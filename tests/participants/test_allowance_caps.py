"""The cap arithmetic of the volunteer allowance at its edges: the hourly cap
by age on the day, the €210th euro of a month, the €2,100th of a year, a
month with two weekends, and what was paid before counted first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from participants.allowance_caps import (
    HOURLY,
    MONTHLY,
    NO_CAP,
    YEARLY,
    AlreadyGranted,
    Day,
    MissingRules,
    YearRules,
    age_on,
    cap_days,
    hourly_limit,
    hours_present,
)

D = Decimal
SEVEN = D("7")


def rules(
    day_allowance: str = "35.00",
    monthly: str = "210.00",
    yearly: str = "2100.00",
    year: int = 2025,
) -> dict[int, YearRules]:
    return {
        year: YearRules(
            year=year,
            day_allowance=D(day_allowance),
            hourly_cap=D("5.60"),
            hourly_cap_under_21=D("3.30"),
            monthly_cap=D(monthly),
            yearly_cap=D(yearly),
        )
    }


def days(*dates: dt.date, age: int = 40, hours: Decimal = SEVEN) -> list[Day]:
    return [Day(day=d, age=age, hours=hours) for d in dates]


def saturday_and_sunday(saturday: dt.date) -> list[dt.date]:
    return [saturday, saturday + dt.timedelta(days=1)]


def test_a_day_within_every_cap_pays_the_day_allowance() -> None:
    (result,) = cap_days(days(dt.date(2025, 3, 8)), rules())
    assert result.gross == D("35.00") and result.granted == D("35.00")
    assert result.capped_by == NO_CAP and result.capped == 0


def test_the_hourly_cap_limits_a_short_day() -> None:
    (result,) = cap_days(days(dt.date(2025, 3, 8), hours=D("6")), rules())
    assert result.granted == D("33.60")  # 6 × 5.60
    assert result.capped_by == HOURLY and result.limit == D("33.60")


def test_an_under_21_member_gets_the_lower_hourly_cap() -> None:
    (result,) = cap_days(days(dt.date(2025, 3, 8), age=20), rules())
    assert result.granted == D("23.10")  # 7 × 3.30
    assert result.capped_by == HOURLY


def test_the_age_on_the_day_decides_the_hourly_cap() -> None:
    birth = dt.date(2004, 3, 9)
    saturday, sunday = saturday_and_sunday(dt.date(2025, 3, 8))
    assert age_on(birth, saturday) == 20 and age_on(birth, sunday) == 21
    first, second = cap_days(
        [
            Day(day=saturday, age=age_on(birth, saturday), hours=SEVEN),
            Day(day=sunday, age=age_on(birth, sunday), hours=SEVEN),
        ],
        rules(),
    )
    assert first.granted == D("23.10") and second.granted == D("35.00")


def test_the_hourly_limit_is_rounded_down_never_up() -> None:
    year = rules()[2025]
    assert hourly_limit(year, 40, D("6.99")) == D("39.14")  # 39.144 → 39.14
    assert hourly_limit(year, 18, D("0.25")) == D("0.82")  # 0.825 → 0.82


def test_the_210th_euro_of_a_month_is_paid_and_the_211th_is_not() -> None:
    month = [dt.date(2025, 3, d) for d in (1, 2, 8, 9, 15, 16, 22)]  # 7 × 30 = 210
    results = cap_days(days(*month), rules(day_allowance="30.00"))
    assert sum(r.granted for r in results) == D("210.00")
    assert all(r.capped_by == NO_CAP for r in results)

    eighth = cap_days(days(*month, dt.date(2025, 3, 23)), rules(day_allowance="30.00"))[-1]
    assert eighth.granted == D("0.00") and eighth.capped_by == MONTHLY
    assert eighth.limit == D("210.00") and eighth.room == D("0.00")


def test_a_month_with_two_weekends_is_capped_on_the_last_day() -> None:
    # Four days of 70 = 280 > 210: the fourth day pays only what is left.
    month = saturday_and_sunday(dt.date(2025, 3, 8)) + saturday_and_sunday(dt.date(2025, 3, 22))
    results = cap_days(days(*month, hours=D("12.5")), rules(day_allowance="70.00"))
    assert [r.granted for r in results] == [D("70.00"), D("70.00"), D("70.00"), D("0.00")]
    assert [r.capped_by for r in results] == [NO_CAP, NO_CAP, NO_CAP, MONTHLY]
    assert sum(r.granted for r in results) == D("210.00")


def test_a_month_cap_part_way_through_a_day_pays_the_rest() -> None:
    month = [dt.date(2025, 3, d) for d in (1, 2, 8, 9, 15, 16)]
    results = cap_days(days(*month), rules(day_allowance="38.00"))
    assert results[-1].granted == D("20.00")  # 210 - 5 × 38
    assert results[-1].capped_by == MONTHLY and results[-1].room == D("20.00")
    assert sum(r.granted for r in results) == D("210.00")


def test_the_next_month_starts_again() -> None:
    results = cap_days(
        days(dt.date(2025, 3, 30), dt.date(2025, 3, 31), dt.date(2025, 4, 1)),
        rules(day_allowance="35.00", monthly="50.00"),
    )
    assert [r.granted for r in results] == [D("35.00"), D("15.00"), D("35.00")]


def test_the_2100th_euro_of_a_year_is_paid_and_no_more() -> None:
    already = AlreadyGranted.of([(dt.date(2025, month, 1), D("200.00")) for month in range(1, 11)])
    assert already.year(dt.date(2025, 11, 1)) == D("2000.00")
    november = [dt.date(2025, 11, d) for d in (1, 2, 8)]
    results = cap_days(days(*november), rules(day_allowance="35.00"), already)
    # 35 + 35 = 70 would pass 2,100: 35 and 35 and then 30 exactly hits 2,100.
    assert [r.granted for r in results] == [D("35.00"), D("35.00"), D("30.00")]
    assert results[-1].capped_by == YEARLY and results[-1].limit == D("2100.00")
    december = cap_days(
        days(dt.date(2025, 12, 6)),
        rules(),
        AlreadyGranted.of(
            [
                *((dt.date(2025, m, 1), D("200.00")) for m in range(1, 11)),
                (dt.date(2025, 11, 1), D("100.00")),
            ]
        ),
    )
    assert december[0].granted == D("0.00") and december[0].capped_by == YEARLY


def test_a_new_year_starts_again_with_its_own_rules() -> None:
    both = {**rules(yearly="35.00"), **rules(day_allowance="40.00", year=2026)}
    results = cap_days(days(dt.date(2025, 12, 31), dt.date(2026, 1, 3)), both)
    assert [r.granted for r in results] == [D("35.00"), D("39.20")]
    assert [r.capped_by for r in results] == [NO_CAP, HOURLY]


def test_amounts_granted_before_are_counted_first_and_not_changed() -> None:
    already = AlreadyGranted.of([(dt.date(2025, 3, 1), D("200.00"))])
    results = cap_days(days(dt.date(2025, 3, 15)), rules(), already)
    assert results[0].granted == D("10.00") and results[0].capped_by == MONTHLY
    assert already.month(dt.date(2025, 3, 1)) == D("200.00")


def test_the_days_are_taken_in_date_order() -> None:
    march = [dt.date(2025, 3, d) for d in (16, 1, 9, 2, 8, 15, 22)]
    results = cap_days(days(*march), rules(day_allowance="35.00"))
    assert [r.day.day for r in results] == [1, 2, 8, 9, 15, 16, 22]
    assert results[-1].granted == D("0.00")


def test_a_year_without_rules_is_refused() -> None:
    with pytest.raises(MissingRules) as refused:
        cap_days(days(dt.date(2027, 1, 2)), rules())
    assert refused.value.year == 2027


@pytest.mark.parametrize("hours", ["1", "3.5", "7", "9.25"])
@pytest.mark.parametrize("age", [16, 20, 21, 67])
def test_no_cap_is_ever_passed(hours: str, age: int) -> None:
    every_weekend = [
        dt.date(2025, 1, 4) + dt.timedelta(days=7 * week + extra)
        for week in range(52)
        for extra in (0, 1)
    ]
    year = rules(day_allowance="45.00")
    results = cap_days(days(*every_weekend, age=age, hours=D(hours)), year)
    per_month: dict[int, Decimal] = {}
    for result in results:
        assert result.granted <= hourly_limit(year[2025], age, D(hours))
        assert result.granted >= 0 and result.granted == result.granted.quantize(D("0.01"))
        per_month[result.day.month] = per_month.get(result.day.month, D(0)) + result.granted
    assert max(per_month.values()) <= D("210.00")
    assert sum(per_month.values()) <= D("2100.00")


# ------------------------------------------------------- hours of a day present

T = dt.time


@pytest.mark.parametrize(
    ("late", "early", "hours"),
    [
        (None, None, "7"),  # the whole day
        (T(13, 15), None, "3.50"),  # 3:45 of a 7:30 day: half of 7
        (None, T(13, 15), "3.50"),
        (T(9, 0), T(18, 0), "7"),  # "late" before the start, "early" after the end
        (T(11, 0), T(15, 30), "4.20"),  # 4:30 of 7:30 = 0.6
        (T(17, 0), None, "0.00"),  # came at the very end
        (T(15, 0), T(12, 0), "0.00"),  # left before coming: nothing counts
        (T(9, 31), None, "6.98"),  # a minute late: 6.9844, rounded down, never up
    ],
)
def test_the_hours_of_a_day_are_the_share_of_the_programme_the_member_was_there(
    late: dt.time | None, early: dt.time | None, hours: str
) -> None:
    assert hours_present(
        planned=SEVEN,
        day_start=T(9, 30),
        day_end=T(17, 0),
        arrived_late_at=late,
        left_early_at=early,
    ) == D(hours)


def test_without_a_programme_the_planned_hours_count() -> None:
    assert hours_present(
        planned=SEVEN, day_start=None, day_end=None, arrived_late_at=T(13, 0)
    ) == SEVEN


def test_fewer_hours_lower_the_hourly_cap_of_the_day() -> None:
    hours = hours_present(
        planned=SEVEN, day_start=T(9, 30), day_end=T(17, 0), arrived_late_at=T(13, 15)
    )
    (result,) = cap_days(days(dt.date(2025, 3, 8), hours=hours), rules())
    assert (result.gross, result.granted, result.capped_by) == (D("35.00"), D("19.60"), HOURLY)
