"""Reads for the outcomes of an assembly: every recommendation with its final
text, its vote (counts, shares over the rule's base, threshold, adopted or
not), the minority statements, the ranked ballots with their rounds, and the
government's current response with its history.

One function, ``assembly_results``, answers all of it in a fixed number of
queries whatever the number of recommendations; the public results page, its
CSV and JSON exports, the government-response tracker and the report to the
Kamer all read it. Shares are exact fractions; ``percentage`` turns one into
the figure people read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy

from assembly.models import Assembly
from recommendations import counting
from recommendations.models import (
    Ballot,
    BallotOption,
    BallotResult,
    GovernmentResponse,
    MinorityStatement,
    Minutes,
    Recommendation,
)
from recommendations.models.ballots import Threshold
from sessions.models import Weekend

# Recommendations shown publicly although no ballot decided them.
SET_ASIDE = frozenset({Recommendation.Status.WITHDRAWN, Recommendation.Status.MERGED})
NO_RESPONSE = "none"
NO_RESPONSE_LABEL = gettext_lazy("Nog geen reactie")
RESPONSE_SYMBOLS: dict[str, str] = {
    GovernmentResponse.Status.ADOPTED: "✔",
    GovernmentResponse.Status.PARTLY: "◐",
    GovernmentResponse.Status.REJECTED: "✖",
    GovernmentResponse.Status.UNDER_STUDY: "…",
    NO_RESPONSE: "–",
}


# ---------------------------------------------------------------- the base


def vote_base(
    *, votes_for: int, votes_against: int, votes_abstain: int, abstentions_count: bool
) -> int:
    """The number a share is taken of, as the counting rules define it
    (recommendations/counting.py: for + against, plus abstentions when the
    rule counts them). The threshold does not change the base."""
    return counting.support(
        votes_for, votes_against, votes_abstain, counting.MAJORITY, abstentions_count
    ).base


def vote_share(count: int, base: int) -> Fraction | None:
    """``count`` as an exact share of ``base``; None when nobody voted."""
    return Fraction(count, base) if base else None


def percentage(share: Fraction | None) -> Decimal | None:
    """A share as a percentage with one decimal, rounded down: a share just
    under the threshold (74.96 %) must never read as reaching it (75.0 %)."""
    if share is None:
        return None
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_DOWN
    )


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class RankedRound:
    """One instant-runoff round: the count per option (in option order) and
    the options dropped after it."""

    number: int
    counts: list[tuple[str, int]]
    eliminated: list[str]
    exhausted: int


@dataclass(frozen=True)
class BallotOutcome:
    """The current (not superseded) result of one closed ballot."""

    ballot_id: int
    number: int
    title: str
    kind: str
    method: str
    method_label: str
    closed_at: dt.datetime | None
    votes_for: int
    votes_against: int
    votes_abstain: int
    invalid: int
    threshold: str
    threshold_label: str
    abstentions_count: bool
    base: int
    share_for: Fraction | None
    share_against: Fraction | None
    share_abstain: Fraction | None
    adopted: bool | None
    counts_hash: str
    corrected: bool
    correction_reason: str
    # The smallest number of votes for that would have adopted it (0 for ranked ballots).
    votes_needed: int = 0
    options: list[str] = field(default_factory=list)
    rounds: list[RankedRound] = field(default_factory=list)
    winner: str = ""
    question: str = ""  # what a ranked ballot asked

    @property
    def percentage_for(self) -> Decimal | None:
        return percentage(self.share_for)

    @property
    def percentage_against(self) -> Decimal | None:
        return percentage(self.share_against)

    @property
    def percentage_abstain(self) -> Decimal | None:
        return percentage(self.share_abstain)

    @property
    def total_votes(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstain


@dataclass(frozen=True)
class MinorityView:
    text: str
    supporters: int | None
    recorded_at: dt.datetime
    pk: int


@dataclass(frozen=True)
class RemovedMinorityView:
    """That a statement was removed, when and why (not its text)."""

    removed_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class CorrectionView:
    """That a response was corrected, when and why (the text now shown is the corrected one)."""

    corrected_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class WithdrawnResponseView:
    """That a response was withdrawn (entered for the wrong recommendation),
    when and why; not its text."""

    withdrawn_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class ResponseView:
    status: str
    status_label: str
    text: str
    responded_on: dt.date
    source_title: str
    source_url: str
    recorded_at: dt.datetime
    pk: int = 0
    # Oldest first.
    corrections: tuple[CorrectionView, ...] = ()
    # When the row last changed (what a correction form remembers as seen).
    changed_at: dt.datetime | None = None

    @property
    def symbol(self) -> str:
        return response_symbols()[self.status]


@dataclass(frozen=True)
class RecommendationResult:
    recommendation_id: int
    number: int
    title: str
    text: str
    rationale: str
    topic: str
    status: str
    status_label: str
    merged_into_number: int | None
    withdrawn_reason: str
    weekend_number: int | None
    ballot: BallotOutcome | None
    minority_statements: list[MinorityView]
    # Oldest first; the last is the government's current position.
    responses: list[ResponseView]
    # Statements the chair took out: shown as removed, with the reason.
    removed_minority_statements: list[RemovedMinorityView] = field(default_factory=list)
    # Responses withdrawn as entered for the wrong recommendation: shown as
    # withdrawn, with the reason; they are not in ``responses``.
    withdrawn_responses: list[WithdrawnResponseView] = field(default_factory=list)

    @property
    def response(self) -> ResponseView | None:
        return self.responses[-1] if self.responses else None

    @property
    def response_status(self) -> str:
        return self.responses[-1].status if self.responses else NO_RESPONSE

    @property
    def response_label(self) -> str:
        return self.responses[-1].status_label if self.responses else str(NO_RESPONSE_LABEL)

    @property
    def response_symbol(self) -> str:
        return response_symbols()[self.response_status]

    @property
    def set_aside(self) -> bool:
        return self.status in SET_ASIDE


@dataclass(frozen=True)
class AssemblyResults:
    recommendations: list[RecommendationResult]
    # Ranked ballots (a choice between models), with their rounds.
    ranked: list[BallotOutcome]

    @property
    def adopted(self) -> list[RecommendationResult]:
        return [r for r in self.recommendations if r.ballot is not None and r.ballot.adopted]


def _rounds(raw: object, labels: dict[int, str]) -> list[RankedRound]:
    """Rounds as the ballot count stores them: a list of
    ``{"counts": {position: votes}, "eliminated": [positions], "exhausted": n}``."""
    rounds: list[RankedRound] = []
    if not isinstance(raw, list):
        return rounds
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            continue
        counts_raw = entry.get("counts", {})
        counts: dict[int, int] = {}
        if isinstance(counts_raw, dict):
            counts = {int(k): int(v) for k, v in counts_raw.items()}
        elif isinstance(counts_raw, list):
            counts = {int(c["position"]): int(c["count"]) for c in counts_raw}
        eliminated_raw = entry.get("eliminated", [])
        if not isinstance(eliminated_raw, list):
            eliminated_raw = [] if eliminated_raw is None else [eliminated_raw]
        rounds.append(
            RankedRound(
                number=int(entry.get("round", index)),
                counts=[
                    (labels.get(position, str(position)), count)
                    for position, count in sorted(counts.items())
                ],
                eliminated=[labels.get(int(p), str(p)) for p in eliminated_raw],
                exhausted=int(entry.get("exhausted", 0) or 0),
            )
        )
    return rounds


def _outcome(ballot: Ballot, result: BallotResult) -> BallotOutcome:
    base = vote_base(
        votes_for=result.votes_for,
        votes_against=result.votes_against,
        votes_abstain=result.votes_abstain,
        abstentions_count=result.abstentions_count,
    )
    needed = (
        counting.support(
            result.votes_for,
            result.votes_against,
            result.votes_abstain,
            result.threshold,
            result.abstentions_count,
        ).votes_needed
        if result.threshold in counting.REQUIRED_SHARE and ballot.kind != Ballot.Kind.RANKED
        else 0
    )
    options: list[BallotOption] = list(ballot.options.all())
    labels = {option.position: option.label for option in options}
    return BallotOutcome(
        ballot_id=ballot.pk,
        number=ballot.number,
        title=ballot.title,
        kind=ballot.kind,
        method=ballot.method,
        method_label=str(ballot.get_method_display()),
        closed_at=ballot.closed_at,
        votes_for=result.votes_for,
        votes_against=result.votes_against,
        votes_abstain=result.votes_abstain,
        invalid=result.invalid,
        threshold=result.threshold,
        threshold_label=str(Threshold(result.threshold).label) if result.threshold else "",
        abstentions_count=result.abstentions_count,
        base=base,
        share_for=vote_share(result.votes_for, base),
        share_against=vote_share(result.votes_against, base),
        share_abstain=vote_share(result.votes_abstain, base) if result.abstentions_count else None,
        adopted=result.adopted,
        counts_hash=result.counts_hash,
        corrected=result.supersedes_id is not None,
        votes_needed=needed,
        correction_reason=result.reason,
        options=[option.label for option in options],
        rounds=_rounds(result.rounds, labels),
        question=ballot.question,
        winner=labels.get(result.winner_position, "") if result.winner_position is not None else "",
    )


def _closed_ballots(assembly: Assembly) -> list[tuple[Ballot, BallotResult]]:
    current = BallotResult.objects.filter(superseded_by__isnull=True).order_by("-recorded_at")
    ballots = (
        Ballot.objects.filter(assembly=assembly, status=Ballot.Status.CLOSED)
        .prefetch_related(
            Prefetch("results", queryset=current, to_attr="current_results"),
            Prefetch("options", queryset=BallotOption.objects.order_by("position")),
        )
        .order_by("number")
    )
    pairs: list[tuple[Ballot, BallotResult]] = []
    for ballot in ballots:
        results: list[BallotResult] = ballot.current_results
        if results:
            pairs.append((ballot, results[0]))
    return pairs


def assembly_results(*, assembly: Assembly, decided_only: bool = True) -> AssemblyResults:
    """Every recommendation of the assembly with its outcome, in the plenary's order.

    ``decided_only``: only what the public may see as an outcome: a
    recommendation whose ballot is closed with a result, or one that was
    withdrawn or merged. Without it, every recommendation (for staff and the
    report). Six queries, whatever the number of recommendations.
    """
    by_recommendation: dict[int, BallotOutcome] = {}
    ranked: list[BallotOutcome] = []
    for ballot, result in _closed_ballots(assembly):
        outcome = _outcome(ballot, result)
        if ballot.kind == Ballot.Kind.RANKED:
            ranked.append(outcome)
        elif ballot.recommendation_id is not None:
            # A later ballot on the same recommendation (a re-vote) is the one that counts.
            by_recommendation[ballot.recommendation_id] = outcome

    recommendations = (
        Recommendation.objects.filter(assembly=assembly)
        .select_related("merged_into", "weekend")
        # A draft its table withdrew before the plenary saw it stays with the
        # table (access_drafting.PRIVATE): it has no outcome to report.
        .exclude(status__in=SET_ASIDE, submitted_at__isnull=True)
    )
    if decided_only:
        recommendations = recommendations.filter(
            Q(pk__in=list(by_recommendation)) | Q(status__in=SET_ASIDE)
        )
    rows = list(recommendations.order_by("position", "number"))
    ids = [row.pk for row in rows]

    statements: dict[int, list[MinorityView]] = defaultdict(list)
    removed: dict[int, list[RemovedMinorityView]] = defaultdict(list)
    for statement in MinorityStatement.objects.filter(recommendation_id__in=ids).order_by(
        "created_at", "pk"
    ):
        if statement.removed_at is not None:
            removed[statement.recommendation_id].append(
                RemovedMinorityView(statement.removed_at, statement.removed_reason)
            )
            continue
        statements[statement.recommendation_id].append(
            MinorityView(
                text=statement.text,
                supporters=statement.supporters,
                recorded_at=statement.created_at,
                pk=statement.pk,
            )
        )
    responses: dict[int, list[ResponseView]] = defaultdict(list)
    withdrawn: dict[int, list[WithdrawnResponseView]] = defaultdict(list)
    for response in GovernmentResponse.objects.filter(recommendation_id__in=ids).order_by(
        "responded_on", "created_at", "pk"
    ):
        if response.withdrawn_at is not None:
            withdrawn[response.recommendation_id].append(
                WithdrawnResponseView(response.withdrawn_at, response.withdrawn_reason)
            )
            continue
        responses[response.recommendation_id].append(
            ResponseView(
                status=response.status,
                status_label=str(response.get_status_display()),
                text=response.text,
                responded_on=response.responded_on,
                source_title=response.source_title,
                source_url=response.source_url,
                recorded_at=response.created_at,
                pk=response.pk,
                corrections=_corrections(response.corrections),
                changed_at=response.changed_at,
            )
        )
    for traces in withdrawn.values():
        traces.sort(key=lambda trace: trace.withdrawn_at)

    return AssemblyResults(
        recommendations=[
            RecommendationResult(
                recommendation_id=row.pk,
                number=row.number,
                title=row.title,
                text=row.text,
                rationale=row.rationale,
                topic=row.topic,
                status=row.status,
                status_label=str(row.get_status_display()),
                merged_into_number=row.merged_into.number if row.merged_into else None,
                withdrawn_reason=row.withdrawn_reason,
                weekend_number=row.weekend.number if row.weekend else None,
                ballot=by_recommendation.get(row.pk),
                minority_statements=statements.get(row.pk, []),
                removed_minority_statements=removed.get(row.pk, []),
                responses=responses.get(row.pk, []),
                withdrawn_responses=withdrawn.get(row.pk, []),
            )
            for row in rows
        ],
        ranked=ranked,
    )


def _corrections(raw: object) -> tuple[CorrectionView, ...]:
    """The public traces as government_response_correct stores them."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        CorrectionView(dt.datetime.fromisoformat(str(entry["at"])), str(entry.get("reason", "")))
        for entry in raw
        if isinstance(entry, dict) and entry.get("at")
    )


def recommendation_result(*, assembly: Assembly, number: int) -> RecommendationResult | None:
    """One recommendation's outcome (for its tracker history page); None if not public."""
    for result in assembly_results(assembly=assembly).recommendations:
        if result.number == number:
            return result
    return None


# ------------------------------------------------------------ the tracker


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    symbol: str
    count: int
    # Bar geometry for the SVG chart (pixels).
    y: int = 0
    width: int = 0
    text_y: int = 0
    value_x: int = 0


def response_symbols() -> dict[str, str]:
    """A sign next to each status word, so the state never rests on colour."""
    return RESPONSE_SYMBOLS


CHART_LABEL_WIDTH = 190
CHART_BAR_MAX = 220
CHART_ROW = 40


def tracker_rows(results: AssemblyResults) -> list[RecommendationResult]:
    """What the tracker follows: the adopted recommendations, and any other
    the government answered anyway (also when that answer was withdrawn:
    the trace stays public)."""
    return [
        r
        for r in results.recommendations
        if (r.ballot is not None and r.ballot.adopted) or r.responses or r.withdrawn_responses
    ]


def status_counts(rows: list[RecommendationResult]) -> list[StatusCount]:
    symbols = response_symbols()
    labels: list[tuple[str, str]] = [
        (str(value), str(label)) for value, label in GovernmentResponse.Status.choices
    ]
    labels.append((NO_RESPONSE, str(NO_RESPONSE_LABEL)))
    tally: dict[str, int] = defaultdict(int)
    for row in rows:
        tally[row.response_status] += 1
    largest = max(tally.values(), default=0)
    counts: list[StatusCount] = []
    for index, (status, label) in enumerate(labels):
        count = tally.get(status, 0)
        width = round(CHART_BAR_MAX * count / largest) if largest else 0
        counts.append(
            StatusCount(
                status=status,
                label=label,
                symbol=symbols[status],
                count=count,
                y=index * CHART_ROW + 6,
                width=width,
                text_y=index * CHART_ROW + 25,
                value_x=CHART_LABEL_WIDTH + width + 8,
            )
        )
    return counts


# ----------------------------------------------------------------- minutes


@dataclass(frozen=True)
class WeekendMinutes:
    weekend_id: int
    number: int
    title: str
    starts_on: dt.date
    minutes: list[Minutes]


def minutes_by_weekend(*, assembly: Assembly, published_only: bool) -> list[WeekendMinutes]:
    """The minutes per weekend, in programme order (two queries)."""
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("number"))
    minutes = Minutes.objects.filter(assembly=assembly).select_related("session")
    if published_only:
        minutes = minutes.filter(approved_at__isnull=False)
    grouped: dict[int, list[Minutes]] = defaultdict(list)
    for item in minutes.order_by("weekend__number", "session__starts_at", "pk"):
        grouped[item.weekend_id].append(item)
    return [
        WeekendMinutes(
            weekend_id=weekend.pk,
            number=weekend.number,
            title=weekend.title,
            starts_on=weekend.starts_on,
            minutes=grouped.get(weekend.pk, []),
        )
        for weekend in weekends
    ]
