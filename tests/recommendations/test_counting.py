"""The counting rules on constructed ballot sets with known results."""

from __future__ import annotations

from fractions import Fraction

import pytest

from recommendations import counting
from recommendations.counting import (
    MAJORITY,
    THREE_QUARTERS,
    TWO_THIRDS,
    instant_runoff,
    support,
)

# ------------------------------------------------------------------ thresholds


@pytest.mark.parametrize(
    ("votes", "threshold", "adopted"),
    [
        # 75 %: exactly at the threshold adopts, one vote less does not.
        ((75, 25, 0), THREE_QUARTERS, True),
        ((74, 26, 0), THREE_QUARTERS, False),
        ((120, 40, 0), THREE_QUARTERS, True),
        ((119, 41, 0), THREE_QUARTERS, False),
        # Two thirds: exactly 2/3 adopts.
        ((100, 50, 0), TWO_THIRDS, True),
        ((99, 51, 0), TWO_THIRDS, False),
        ((2, 1, 0), TWO_THIRDS, True),
        # Majority: exactly half is not a majority; one more is.
        ((50, 50, 0), MAJORITY, False),
        ((51, 50, 0), MAJORITY, True),
        ((1, 0, 0), MAJORITY, True),
    ],
)
def test_it_applies_each_threshold_at_the_edge(
    votes: tuple[int, int, int], threshold: str, adopted: bool
) -> None:
    outcome = support(*votes, threshold=threshold, abstentions_count=False)
    assert outcome.adopted is adopted


def test_it_reports_exactly_at_the_threshold() -> None:
    at = support(120, 40, 7, THREE_QUARTERS, False)
    assert at.share == Fraction(3, 4)
    assert at.at_threshold and at.adopted
    assert at.votes_needed == 120
    half = support(80, 80, 0, MAJORITY, False)
    assert half.at_threshold and not half.adopted
    assert half.votes_needed == 81


def test_it_counts_abstentions_in_the_base_only_when_the_rule_says_so() -> None:
    without = support(75, 25, 10, THREE_QUARTERS, abstentions_count=False)
    assert without.base == 100
    assert without.adopted
    with_abstentions = support(75, 25, 10, THREE_QUARTERS, abstentions_count=True)
    assert with_abstentions.base == 110
    assert with_abstentions.share == Fraction(75, 110)
    assert not with_abstentions.adopted
    # Abstentions can also be what stops a majority.
    assert support(60, 40, 0, MAJORITY, True).adopted
    assert not support(60, 40, 20, MAJORITY, True).adopted


def test_it_adopts_nothing_with_a_zero_base() -> None:
    for threshold in (MAJORITY, TWO_THIRDS, THREE_QUARTERS):
        outcome = support(0, 0, 12, threshold, abstentions_count=False)
        assert outcome.base == 0
        assert not outcome.adopted
        assert outcome.share == 0
    assert not support(0, 0, 0, MAJORITY, True).adopted


def test_it_uses_exact_fractions_not_floats() -> None:
    # 2/3 of 3,000,000 exactly; a float would compare 0.666… with 0.6666….
    assert support(2_000_000, 1_000_000, 0, TWO_THIRDS, False).adopted
    assert not support(1_999_999, 1_000_001, 0, TWO_THIRDS, False).adopted


def test_it_refuses_unknown_thresholds_and_negative_counts() -> None:
    with pytest.raises(ValueError):
        support(1, 0, 0, "most", False)
    with pytest.raises(ValueError):
        support(-1, 0, 0, MAJORITY, False)


# ------------------------------------------------------------------ instant-runoff


def test_it_counts_an_irish_style_final_round_of_39_to_38() -> None:
    """Four models, 80 ballots (3 exhausted by the end); the final round is 39–38."""
    piles = [
        ((1, 2), 30),  # model 1, then 2
        ((2, 1), 20),
        ((3, 2, 1), 12),
        ((3, 1), 9),
        ((4, 2), 6),
        ((4,), 3),  # ranks only model 4: exhausted once it is out
    ]
    result = instant_runoff(piles, options=[1, 2, 3, 4])
    rounds = [r.as_dict() for r in result.rounds]
    assert [r["counts"] for r in rounds] == [
        {"1": 30, "2": 20, "3": 21, "4": 9},
        {"1": 30, "2": 26, "3": 21},
        {"1": 39, "2": 38},
    ]
    assert [r["eliminated"] for r in rounds] == [[4], [3], []]
    assert [r["exhausted"] for r in rounds] == [0, 3, 3]
    assert result.winner == 1
    assert result.ballots == 80
    assert rounds[-1]["winner"] == 1


def test_it_wins_in_the_first_round_with_more_than_half() -> None:
    result = instant_runoff([((1,), 51), ((2,), 49)], options=[1, 2])
    assert len(result.rounds) == 1
    assert result.winner == 1


def test_exactly_half_is_not_a_first_round_win() -> None:
    # 50 of 100 for option 1: no majority, option 3 (fewest) goes, its votes go to 2.
    piles = [((1,), 50), ((2,), 30), ((3, 2), 20)]
    result = instant_runoff(piles, options=[1, 2, 3])
    assert result.rounds[0].winner is None
    assert result.rounds[1].tallies == {1: 50, 2: 50}
    # 50–50 in round 2: still no majority. Option 2 had fewer first preferences
    # (30 against 50), so it goes, and option 1 wins in round 3.
    assert [r.eliminated for r in result.rounds] == [3, 2, None]
    assert result.rounds[1].tie_break == counting.TIE_FIRST_PREFERENCES
    assert result.winner == 1
    assert result.rounds[2].tallies == {1: 50}
    assert result.rounds[2].exhausted == 50


def test_a_tie_for_last_place_goes_by_first_preferences() -> None:
    # Round 2: options 2 and 3 both at 25; option 3 had fewer first preferences.
    piles = [((1,), 40), ((2,), 25), ((3,), 20), ((4, 3), 5), ((5, 4, 3), 3)]
    result = instant_runoff(piles, options=[1, 2, 3, 4, 5])
    assert result.rounds[0].eliminated == 5
    assert result.rounds[1].eliminated == 4
    assert result.rounds[2].tallies == {1: 40, 2: 25, 3: 28}
    assert result.rounds[2].eliminated == 2
    assert result.rounds[2].tie_break == counting.TIE_NONE
    tied = instant_runoff([((1,), 40), ((2,), 25), ((3,), 20), ((4, 3), 5)], [1, 2, 3, 4])
    assert tied.rounds[1].tallies == {1: 40, 2: 25, 3: 25}
    assert tied.rounds[1].tied == (2, 3)
    assert tied.rounds[1].eliminated == 3
    assert tied.rounds[1].tie_break == counting.TIE_FIRST_PREFERENCES


def test_a_tie_on_first_preferences_goes_by_earlier_rounds_backwards() -> None:
    # First preferences: 2 and 3 both 20. Round 2 (after 5 goes): 2 has 24, 3 has 22.
    # Round 3 (after 4 goes): 2 and 3 both at 26; round 2 decides: 3 goes.
    piles = [
        ((1,), 45),
        ((2,), 20),
        ((3,), 20),
        ((4, 3), 4),
        ((4, 2), 2),
        ((5, 2), 4),
        ((5, 3), 2),
        ((5,), 1),
    ]
    result = instant_runoff(piles, options=[1, 2, 3, 4, 5])
    first = result.rounds[0].tallies
    assert first == {1: 45, 2: 20, 3: 20, 4: 6, 5: 7}
    assert result.rounds[0].eliminated == 4
    assert result.rounds[1].tallies == {1: 45, 2: 22, 3: 24, 5: 7}
    assert result.rounds[1].eliminated == 5
    assert result.rounds[2].tallies == {1: 45, 2: 26, 3: 26}
    assert result.rounds[2].exhausted == 1
    assert result.rounds[2].eliminated == 2
    assert result.rounds[2].tie_break == counting.TIE_EARLIER_ROUNDS


def test_a_complete_tie_goes_by_the_published_position() -> None:
    result = instant_runoff([((1,), 10), ((2,), 10), ((3,), 10)], options=[1, 2, 3])
    assert result.rounds[0].eliminated == 3
    assert result.rounds[0].tie_break == counting.TIE_POSITION
    assert result.rounds[0].tied == (1, 2, 3)
    assert result.rounds[1].eliminated == 2
    assert result.winner == 1


def test_partial_rankings_exhaust_and_are_reported() -> None:
    piles = [((1,), 4), ((2,), 3), ((3,), 2), ((3, 2), 1), ((), 2)]
    result = instant_runoff(piles, options=[1, 2, 3])
    assert result.rounds[0].exhausted == 2  # the empty ballots
    assert result.rounds[0].eliminated == 3
    assert result.rounds[1].tallies == {1: 4, 2: 4}
    assert result.rounds[1].exhausted == 4
    assert result.ballots == 12


def test_no_preferences_means_no_winner() -> None:
    result = instant_runoff([((), 5)], options=[1, 2])
    assert result.winner is None
    assert result.rounds[0].exhausted == 5


def test_it_refuses_bad_rankings() -> None:
    with pytest.raises(ValueError, match="twice"):
        instant_runoff([((1, 1), 1)], [1, 2])
    with pytest.raises(ValueError, match="unknown"):
        instant_runoff([((9,), 1)], [1, 2])
    with pytest.raises(ValueError):
        instant_runoff([((1,), 1)], [1])


# ------------------------------------------------------------------ check number


def test_the_hash_is_sha256_over_canonical_json() -> None:
    import hashlib

    payload = counting.recommendation_counts(
        ballot="drugsbeleid/3",
        votes_for=120,
        votes_against=40,
        votes_abstain=7,
        invalid=1,
        threshold=THREE_QUARTERS,
        abstentions_count=False,
    )
    text = (
        '{"abstain":7,"abstentions_count":false,"against":40,"ballot":"drugsbeleid/3",'
        '"for":120,"invalid":1,"kind":"recommendation","threshold":"three_quarters"}'
    )
    assert counting.canonical_json(payload) == text
    assert counting.counts_hash(payload) == hashlib.sha256(text.encode()).hexdigest()
    changed = {**payload, "for": 121}
    assert counting.counts_hash(changed) != counting.counts_hash(payload)
