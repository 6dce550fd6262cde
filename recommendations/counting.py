"""The counting rules for ballots, as pure Python (no Django), so they can be
read, tested and re-run by anyone who wants to check a result.

Support for a recommendation (``support``)
    The base is for + against, or for + against + abstain when the assembly
    decided that abstentions count. The share of support is for / base, as an
    exact fraction (no rounding anywhere):

    - ``majority``: adopted when the share is MORE than 1/2 (exactly half is
      not a majority);
    - ``two_thirds``: adopted when the share is AT LEAST 2/3;
    - ``three_quarters``: adopted when the share is AT LEAST 3/4 (the
      Burgerberaad Klimaat's rule: exactly 75 % adopts).

    A base of zero (nobody voted for or against) adopts nothing.

Choosing between options (``instant_runoff``)
    Each ballot ranks some or all options (a partial ranking is valid). Every
    round counts each ballot for its highest-ranked option still in the race.
    An option with more than half of the votes counted in that round wins. If
    none has, one option is eliminated and its ballots pass to their next
    preference; a ballot with no preference left is exhausted and reported per
    round. With one option left, it wins.

    Which option is eliminated, when several share the fewest votes (the
    tie-break, applied in this order until one option remains):

    1. fewest first preferences (the votes in round 1);
    2. fewest votes in the earlier rounds, going backwards from the round
       before the current one;
    3. the option listed last on the ballot (highest position). The position
       order is published with the ballot before voting starts, so it serves
       as the lot drawn in advance.

    Each round records which of these rules decided (``tie_break``).

The check number (``counts_hash``)
    SHA-256 over the canonical JSON of the counts: keys sorted, no spaces,
    UTF-8. Anyone with the published counts can recompute it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

MAJORITY = "majority"
TWO_THIRDS = "two_thirds"
THREE_QUARTERS = "three_quarters"

REQUIRED_SHARE: dict[str, Fraction] = {
    MAJORITY: Fraction(1, 2),
    TWO_THIRDS: Fraction(2, 3),
    THREE_QUARTERS: Fraction(3, 4),
}
# Thresholds where the share must exceed the fraction; the others need it reached.
STRICTLY_MORE = frozenset({MAJORITY})

# How a tie for elimination was settled (stored with each round).
TIE_NONE = ""
TIE_FIRST_PREFERENCES = "first_preferences"
TIE_EARLIER_ROUNDS = "earlier_rounds"
TIE_POSITION = "position"


@dataclass(frozen=True)
class Outcome:
    votes_for: int
    votes_against: int
    votes_abstain: int
    threshold: str
    abstentions_count: bool
    base: int
    share: Fraction  # for / base; 0 when the base is 0
    required: Fraction
    adopted: bool

    @property
    def at_threshold(self) -> bool:
        """Exactly at the required share (adopted under 2/3 and 3/4, not under majority)."""
        return self.base > 0 and self.share == self.required

    @property
    def votes_needed(self) -> int:
        """The smallest number of votes for that adopts with this base."""
        if self.base == 0:
            return 0
        needed = self.required * self.base
        whole = needed.numerator // needed.denominator
        if threshold_is_strict(self.threshold):
            return whole + 1
        return whole if needed.denominator == 1 else whole + 1


def threshold_is_strict(threshold: str) -> bool:
    return threshold in STRICTLY_MORE


def support(
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    threshold: str,
    abstentions_count: bool,
) -> Outcome:
    """Whether a recommendation is adopted (see the module docstring)."""
    if threshold not in REQUIRED_SHARE:
        raise ValueError(f"unknown threshold {threshold!r}")
    if min(votes_for, votes_against, votes_abstain) < 0:
        raise ValueError("counts cannot be negative")
    base = votes_for + votes_against + (votes_abstain if abstentions_count else 0)
    required = REQUIRED_SHARE[threshold]
    share = Fraction(votes_for, base) if base else Fraction(0)
    if base == 0:
        adopted = False
    elif threshold in STRICTLY_MORE:
        adopted = share > required
    else:
        adopted = share >= required
    return Outcome(
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        threshold=threshold,
        abstentions_count=abstentions_count,
        base=base,
        share=share,
        required=required,
        adopted=adopted,
    )


# ---------------------------------------------------------------- instant-runoff


@dataclass(frozen=True)
class Round:
    number: int
    tallies: dict[int, int]  # option position -> votes, for the options still in the race
    exhausted: int  # ballots with no preference left among those options
    eliminated: int | None
    tie_break: str  # TIE_* constant: which rule chose the eliminated option
    tied: tuple[int, ...]  # the options that shared the fewest votes (when more than one)
    winner: int | None

    @property
    def counted(self) -> int:
        return sum(self.tallies.values())

    def as_dict(self) -> dict[str, object]:
        """The stored shape (BallotResult.rounds; read by selectors_results)."""
        return {
            "round": self.number,
            "counts": {str(option): votes for option, votes in sorted(self.tallies.items())},
            "exhausted": self.exhausted,
            # A list, so a count that eliminates several options at once fits the same shape.
            "eliminated": [] if self.eliminated is None else [self.eliminated],
            "tie_break": self.tie_break,
            "tied": list(self.tied),
            "winner": self.winner,
        }


@dataclass(frozen=True)
class RunoffResult:
    options: tuple[int, ...]
    rounds: tuple[Round, ...] = field(default_factory=tuple)
    winner: int | None = None
    ballots: int = 0


def check_ranking(ranking: Sequence[int], options: Sequence[int]) -> None:
    """A ranking names known options, each at most once. Raises ValueError."""
    known = set(options)
    seen: set[int] = set()
    for option in ranking:
        if option not in known:
            raise ValueError(f"unknown option {option!r}")
        if option in seen:
            raise ValueError(f"option {option!r} ranked twice")
        seen.add(option)


def _eliminate(lowest: list[int], history: list[dict[int, int]]) -> tuple[int, str]:
    """Pick the option to eliminate among those tied on the fewest votes."""
    candidates = sorted(lowest)
    if len(candidates) == 1:
        return candidates[0], TIE_NONE
    first = history[0]
    fewest = min(first[o] for o in candidates)
    candidates = [o for o in candidates if first[o] == fewest]
    if len(candidates) == 1:
        return candidates[0], TIE_FIRST_PREFERENCES
    # history[-1] is the current round; walk back from the one before it to round 2.
    for earlier in reversed(history[1:-1]):
        fewest = min(earlier[o] for o in candidates)
        candidates = [o for o in candidates if earlier[o] == fewest]
        if len(candidates) == 1:
            return candidates[0], TIE_EARLIER_ROUNDS
    return max(candidates), TIE_POSITION


def instant_runoff(
    piles: Sequence[tuple[Sequence[int], int]], options: Sequence[int]
) -> RunoffResult:
    """Count ranked ballots. ``piles``: (ranking of option positions, number of
    ballots with exactly that ranking). Empty rankings are exhausted from round 1."""
    option_list = tuple(sorted(set(options)))
    if len(option_list) < 2:
        raise ValueError("instant-runoff needs at least two options")
    for ranking, count in piles:
        check_ranking(ranking, option_list)
        if count < 0:
            raise ValueError("counts cannot be negative")
    total = sum(count for _, count in piles)
    continuing = set(option_list)
    history: list[dict[int, int]] = []
    rounds: list[Round] = []
    while True:
        tallies = dict.fromkeys(sorted(continuing), 0)
        exhausted = 0
        for ranking, count in piles:
            choice = next((o for o in ranking if o in continuing), None)
            if choice is None:
                exhausted += count
            else:
                tallies[choice] += count
        history.append(tallies)
        counted = sum(tallies.values())
        number = len(rounds) + 1
        if counted == 0:
            # Nobody expressed a preference: there is nothing to decide.
            rounds.append(Round(number, tallies, exhausted, None, TIE_NONE, (), None))
            return RunoffResult(option_list, tuple(rounds), None, total)
        leader = max(tallies, key=lambda o: (tallies[o], -o))
        if 2 * tallies[leader] > counted or len(continuing) == 1:
            rounds.append(Round(number, tallies, exhausted, None, TIE_NONE, (), leader))
            return RunoffResult(option_list, tuple(rounds), leader, total)
        fewest = min(tallies.values())
        lowest = [o for o in tallies if tallies[o] == fewest]
        out, rule = _eliminate(lowest, history)
        rounds.append(
            Round(
                number,
                tallies,
                exhausted,
                out,
                rule,
                tuple(sorted(lowest)) if len(lowest) > 1 else (),
                None,
            )
        )
        continuing.discard(out)


# ---------------------------------------------------------------- check number


def canonical_json(payload: Mapping[str, object]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def counts_hash(payload: Mapping[str, object]) -> str:
    """SHA-256 (hex) over the canonical JSON of the counts."""
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def recommendation_counts(
    *,
    ballot: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    invalid: int,
    threshold: str,
    abstentions_count: bool,
) -> dict[str, object]:
    """What the check number of a for/against ballot covers; shown on the result page."""
    return {
        "ballot": ballot,
        "kind": "recommendation",
        "for": votes_for,
        "against": votes_against,
        "abstain": votes_abstain,
        "invalid": invalid,
        "threshold": threshold,
        "abstentions_count": abstentions_count,
    }


def ranked_counts(
    *, ballot: str, invalid: int, rounds: Sequence[Mapping[str, object]], winner: int | None
) -> dict[str, object]:
    """What the check number of a ranked ballot covers: every round's tallies."""
    return {
        "ballot": ballot,
        "kind": "ranked",
        "invalid": invalid,
        "rounds": [
            {"round": r["round"], "counts": r["counts"], "exhausted": r["exhausted"]}
            for r in rounds
        ],
        "winner": winner,
    }
