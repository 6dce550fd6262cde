"""The demo ballots: a finished assembly's closed paper ballots and ranked
ballot, a running assembly's open electronic ballot; fast and repeatable."""

from __future__ import annotations

import datetime as dt
import time
from fractions import Fraction

from assembly.models import Assembly
from recommendations.demo_ballots import demo_ballots_seed
from recommendations.models import Ballot, BallotResult, Recommendation, VotingRule
from tests.conftest import Cast
from tests.factories import AssemblyFactory, WeekendFactory
from tests.recommendations.test_ballots import final_recommendation

TODAY = dt.date(2027, 11, 20)


def _assembly(slug: str, *, over: bool, finals: int = 12) -> Assembly:
    assembly = AssemblyFactory(slug=slug)
    first = TODAY - dt.timedelta(weeks=40 if over else 10)
    for number in range(1, 8):
        WeekendFactory(
            assembly=assembly, number=number, starts_on=first + dt.timedelta(weeks=5 * number)
        )
    for number in range(1, finals + 1):
        final_recommendation(assembly, number)
    return assembly


def _counts(assembly: Assembly) -> list[tuple[int, int, int, int, bool | None]]:
    return list(
        BallotResult.objects.filter(ballot__assembly=assembly)
        .order_by("ballot__number")
        .values_list("votes_for", "votes_against", "votes_abstain", "invalid", "adopted")
    )


def test_a_finished_assembly_gets_closed_paper_ballots_and_a_ranked_one(cast: Cast) -> None:
    assembly = _assembly("klaar", over=True)
    started = time.monotonic()
    demo_ballots_seed(
        assembly, today=TODAY, chair=cast.users["chair"], second=cast.users["organiser"]
    )
    assert time.monotonic() - started < 3
    rule = VotingRule.objects.get(assembly=assembly)
    assert (rule.threshold, rule.abstentions_count) == ("three_quarters", False)
    assert rule.locked_at is not None
    ballots = list(Ballot.objects.filter(assembly=assembly).order_by("number"))
    # A finished assembly voted on every final recommendation (12), and once ranked.
    assert [b.status for b in ballots] == ["closed"] * 13
    assert [b.kind for b in ballots].count("ranked") == 1
    results = BallotResult.objects.filter(ballot__assembly=assembly, ballot__kind="recommendation")
    assert results.count() == 12
    adopted = [r.adopted for r in results]
    assert True in adopted and False in adopted
    for result in results:
        voters = result.votes_for + result.votes_against + result.votes_abstain + result.invalid
        assert 150 <= voters <= 175
    exact = [
        r for r in results if Fraction(r.votes_for, r.votes_for + r.votes_against) == Fraction(3, 4)
    ]
    assert len(exact) == 1 and exact[0].adopted is True
    statuses = set(
        Recommendation.objects.filter(assembly=assembly).values_list("status", flat=True)
    )
    assert statuses == {"adopted", "not_adopted"}  # none left without a result
    ranked = BallotResult.objects.get(ballot__assembly=assembly, ballot__kind="ranked")
    assert len(ranked.rounds) == 3
    assert ranked.rounds[-1]["counts"] == {"1": 78, "3": 79}
    assert ranked.winner_position == 3
    last_weekend = max(w.ends_on for w in assembly.weekends.all())
    assert all(b.closed_at is not None and b.closed_at.date() == last_weekend for b in ballots)


def test_a_running_assembly_gets_one_open_electronic_ballot(cast: Cast) -> None:
    assembly = _assembly("loopt", over=False, finals=6)
    demo_ballots_seed(
        assembly, today=TODAY, chair=cast.users["chair"], second=cast.users["organiser"]
    )
    open_ballots = Ballot.objects.filter(assembly=assembly, status="open")
    assert [(b.method, b.kind) for b in open_ballots] == [("electronic", "recommendation")]
    assert not Ballot.objects.filter(assembly=assembly, kind="ranked").exists()
    without_recommendations = _assembly("leeg", over=False, finals=0)
    demo_ballots_seed(
        without_recommendations,
        today=TODAY,
        chair=cast.users["chair"],
        second=cast.users["organiser"],
    )
    only = Ballot.objects.get(assembly=without_recommendations)
    assert (only.status, only.method, only.kind) == ("open", "electronic", "ranked")


def test_the_demo_is_repeatable_and_runs_once(cast: Cast) -> None:
    first, second = _assembly("een", over=True), _assembly("twee", over=True)
    for assembly in (first, second):
        demo_ballots_seed(
            assembly, today=TODAY, chair=cast.users["chair"], second=cast.users["organiser"]
        )
    assert _counts(first) == _counts(second)
    demo_ballots_seed(first, today=TODAY, chair=cast.users["chair"], second=cast.users["organiser"])
    assert Ballot.objects.filter(assembly=first).count() == 13
