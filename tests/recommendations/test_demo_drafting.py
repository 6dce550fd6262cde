"""The demo's recommendations: drafted per past weekend and table, the
plenary's work on the older weekends, about forty final texts once the
assembly is over; deterministic, idempotent and quick."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest

from participants.models import Table, TableRound
from participants.services.tables import table_round_make, table_round_publish
from recommendations.demo_drafting import demo_drafting_seed
from recommendations.models import Amendment, PlenaryFeedback, Recommendation
from recommendations.models import RecommendationVersion as Version
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_tables import members_taking_part

Status = Recommendation.Status


def tables_for(cast: Cast, weekends: range, *, members: int = 42) -> list[Weekend]:
    members_taking_part(cast.assembly, members)
    chosen = list(Weekend.objects.filter(assembly=cast.assembly, number__in=weekends))
    for weekend in chosen:
        table_round = table_round_make(
            weekend=weekend, actor=None, seed=weekend.number, steps_per_person=3
        )
        table_round_publish(table_round=table_round, actor=None)
    return sorted(chosen, key=lambda w: w.number)


def snapshot(cast: Cast) -> list[tuple[int, str, str, int, int]]:
    return [
        (r.number, r.title, r.status, r.versions.count(), r.amendments.count())
        for r in Recommendation.objects.filter(assembly=cast.assembly).order_by("number")
    ]


def test_half_way_the_last_weekend_is_drafting_and_the_one_before_in_plenary(cast: Cast) -> None:
    weekends = tables_for(cast, range(1, 4))
    today = weekends[2].starts_on - dt.timedelta(days=3)
    made = demo_drafting_seed(cast.assembly, today=today)
    by_weekend = Counter(r.weekend.number for r in made if r.weekend)
    assert set(by_weekend) == {1, 2}  # weekend 3 is still ahead
    # Each table drafted one or two.
    for number in (1, 2):
        per_table = Counter(
            r.table_id for r in made if r.weekend and r.weekend.number == number and r.table_id
        )
        tables = Table.objects.filter(
            round__weekend__number=number, round__weekend__assembly=cast.assembly
        )
        assert set(per_table) == {t.pk for t in tables}
        assert set(per_table.values()) <= {1, 2} and 2 in per_table.values()
    last = [r for r in made if r.weekend and r.weekend.number == 2]
    assert {r.status for r in last} == {Status.DRAFT}
    earlier = Counter(r.status for r in made if r.weekend and r.weekend.number == 1)
    assert earlier[Status.MERGED] >= 1
    assert earlier[Status.DRAFT] <= 2
    assert (
        earlier[Status.SUBMITTED] + earlier[Status.AMENDED]
        >= len([r for r in made if r.weekend and r.weekend.number == 1]) // 2
    )
    assert Status.FINAL not in earlier
    decided = Amendment.objects.filter(recommendation__assembly=cast.assembly)
    assert {a.status for a in decided} == {"accepted", "rejected"}
    assert all(a.votes_for is not None and a.votes_against is not None for a in decided)
    for amendment in decided:
        assert (amendment.status == "accepted") == (amendment.votes_for > amendment.votes_against)  # type: ignore[operator]
    assert PlenaryFeedback.objects.filter(recommendation__assembly=cast.assembly).exists()
    versions = Counter(
        Version.objects.filter(recommendation__assembly=cast.assembly, reason="edited").values_list(
            "recommendation_id", flat=True
        )
    )
    assert 2 in versions.values() and 1 in versions.values()
    # Dated as they happened: drafted on their weekend, not on the day of the seed.
    assert all(r.created_at.date() == r.weekend.starts_on for r in made if r.weekend)


def test_when_every_weekend_is_over_about_forty_are_final(cast: Cast) -> None:
    weekends = tables_for(cast, range(1, 8))
    started = time.perf_counter()
    made = demo_drafting_seed(cast.assembly, today=weekends[-1].ends_on + dt.timedelta(days=10))
    took = time.perf_counter() - started
    statuses = Counter(r.status for r in made)
    assert 35 <= statuses[Status.FINAL] <= 45
    assert statuses[Status.DRAFT] == 0 and statuses[Status.MERGED] > 0
    assert statuses[Status.WITHDRAWN] >= 2
    final = [r for r in made if r.status == Status.FINAL]
    assert all(r.versions.filter(reason="finalised").exists() for r in final[:5])
    assert len({r.title for r in final}) == len(final)  # merges removed the repeats
    assert took < 3.0, f"demo_drafting_seed took {took:.1f} s"


def test_it_is_deterministic_and_runs_once(cast: Cast) -> None:
    weekends = tables_for(cast, range(1, 4), members=24)
    today = weekends[2].starts_on - dt.timedelta(days=1)
    first = demo_drafting_seed(cast.assembly, today=today)
    before = snapshot(cast)
    assert first and demo_drafting_seed(cast.assembly, today=today) == first
    assert snapshot(cast) == before
    Recommendation.objects.filter(assembly=cast.assembly).delete()
    demo_drafting_seed(cast.assembly, today=today)
    assert [row[1:] for row in snapshot(cast)] == [row[1:] for row in before]


def test_without_a_past_weekend_with_tables_it_makes_nothing(cast: Cast) -> None:
    weekends = tables_for(cast, range(1, 2), members=12)
    assert demo_drafting_seed(cast.assembly, today=weekends[0].starts_on) == []
    assert not TableRound.objects.filter(weekend__number=2).exists()


@pytest.mark.parametrize("members", [175])
def test_it_seeds_the_real_demo_size_in_under_three_seconds(cast: Cast, members: int) -> None:
    weekends = tables_for(cast, range(1, 3), members=members)
    started = time.perf_counter()
    made = demo_drafting_seed(cast.assembly, today=weekends[1].ends_on + dt.timedelta(days=7))
    took = time.perf_counter() - started
    assert len(made) > 40
    assert took < 3.0, f"demo_drafting_seed took {took:.1f} s"
