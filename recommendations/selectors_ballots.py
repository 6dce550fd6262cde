"""Reads for ballots: the list for the chair and the organisation, the live
count while a ballot is open, the open ballots a member can vote on, a
receipt check, and a result ready to show (counts, shares, threshold, chart,
instant-runoff rounds, corrections)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assembly.models import Assembly, User
from participants.models import CheckIn, PanelMember
from participants.selectors_selection import confirmed_members_on_paper
from recommendations import counting
from recommendations.models import (
    Ballot,
    BallotOption,
    BallotResult,
    ElectronicVote,
    PaperCount,
    Recommendation,
    VoterMark,
    VotingRule,
)
from recommendations.services.ballots import VOTABLE, normalise_receipt, receipt_hash

CHART_WIDTH = 280  # the bars' full width in the SVG's own units
# Each bar has its label above it, so long option names fit on a phone.
ROW_HEIGHT = 48


def percent(share: Fraction) -> Decimal:
    """One decimal, rounded down: 74.96 % must never read as 75.0 %."""
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_DOWN
    )


def voting_rule_for(*, assembly: Assembly) -> VotingRule | None:
    return VotingRule.objects.filter(assembly=assembly).first()


def member_for(*, user: User, assembly: Assembly) -> PanelMember | None:
    """The user's seat in the assembly, if they take part now."""
    return (
        PanelMember.objects.filter(
            assembly=assembly,
            user=user,
            kind=PanelMember.Kind.MEMBER,
            status=PanelMember.Status.CONFIRMED,
        )
        .order_by("pk")
        .first()
    )


def checked_in_today(*, assembly: Assembly) -> int:
    return CheckIn.objects.filter(
        member__assembly=assembly,
        member__kind=PanelMember.Kind.MEMBER,
        member__status=PanelMember.Status.CONFIRMED,
        day=timezone.localdate(),
    ).count()


def checked_in_on_paper_today(*, assembly: Assembly) -> int:
    """Members in the room today who take part on paper: without an account,
    they cannot vote on a phone, so they are not waited for in an electronic vote."""
    return CheckIn.objects.filter(
        member__in=confirmed_members_on_paper(assembly=assembly), day=timezone.localdate()
    ).count()


def members_on_paper(*, assembly: Assembly) -> int:
    """Members taking part on paper (no account): they can vote only on paper."""
    return confirmed_members_on_paper(assembly=assembly).count()


def checked_in_on_ballot_day(*, ballot: Ballot) -> tuple[dt.date, int] | None:
    """The day the ballot opened and how many members were checked in on it."""
    if ballot.opened_at is None:
        return None
    day = timezone.localtime(ballot.opened_at).date()
    present = CheckIn.objects.filter(
        member__assembly_id=ballot.assembly_id,
        member__kind=PanelMember.Kind.MEMBER,
        day=day,
    ).count()
    return day, present


def is_checked_in(*, member: PanelMember) -> bool:
    return CheckIn.objects.filter(member=member, day=timezone.localdate()).exists()


def votes_cast(*, ballot: Ballot) -> int:
    return VoterMark.objects.filter(ballot=ballot).count()


def votable_recommendations(*, assembly: Assembly) -> QuerySet[Recommendation]:
    """Final recommendations without a ballot that is prepared, open or closed."""
    return (
        Recommendation.objects.filter(assembly=assembly, status__in=VOTABLE)
        .exclude(
            ballots__status__in=[Ballot.Status.PREPARED, Ballot.Status.OPEN, Ballot.Status.CLOSED]
        )
        .order_by("position", "number")
    )


@dataclass(frozen=True)
class BallotRow:
    ballot: Ballot
    result: BallotResult | None
    marks: int


def ballot_rows(*, assembly: Assembly) -> list[BallotRow]:
    current = Prefetch(
        "results",
        queryset=BallotResult.objects.filter(superseded_by__isnull=True).order_by("-recorded_at"),
        to_attr="current_results",
    )
    ballots = (
        Ballot.objects.filter(assembly=assembly)
        .select_related("recommendation")
        .prefetch_related(current)
        .annotate(mark_count=Count("marks", distinct=True))
        .order_by("-number")
    )
    rows = []
    for b in ballots:
        results: list[BallotResult] = b.current_results
        rows.append(
            BallotRow(
                ballot=b,
                result=results[0] if results else None,
                marks=b.mark_count,
            )
        )
    return rows


def ballot_options(*, ballot: Ballot) -> list[BallotOption]:
    return list(BallotOption.objects.filter(ballot=ballot).order_by("position"))


def paper_counts(*, ballot: Ballot) -> list[PaperCount]:
    return list(
        PaperCount.objects.filter(ballot=ballot)
        .select_related("entered_by", "confirmed_by")
        .order_by("-entered_at", "-pk")
    )


def pending_count(*, ballot: Ballot) -> PaperCount | None:
    return (
        PaperCount.objects.filter(
            ballot=ballot, confirmed_at__isnull=True, rejected_at__isnull=True
        )
        .select_related("entered_by")
        .order_by("-entered_at", "-pk")
        .first()
    )


def result_history(*, ballot: Ballot) -> list[BallotResult]:
    """Every result of the ballot, the first one first; later ones are corrections."""
    return list(
        BallotResult.objects.filter(ballot=ballot)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    )


# ---------------------------------------------------------------- members


@dataclass(frozen=True)
class OpenBallot:
    ballot: Ballot
    voted: bool


def open_ballots_for(*, assembly: Assembly, member: PanelMember | None) -> list[OpenBallot]:
    now = timezone.now()
    ballots = list(
        Ballot.objects.filter(
            assembly=assembly, status=Ballot.Status.OPEN, method=Ballot.Method.ELECTRONIC
        ).order_by("number")
    )
    ballots = [b for b in ballots if b.closes_at is None or b.closes_at > now]
    voted: set[int] = set()
    if member is not None:
        voted = set(
            VoterMark.objects.filter(member=member, ballot__in=ballots).values_list(
                "ballot_id", flat=True
            )
        )
    return [OpenBallot(ballot=b, voted=b.pk in voted) for b in ballots]


def has_voted(*, ballot: Ballot, member: PanelMember) -> bool:
    return VoterMark.objects.filter(ballot=ballot, member=member).exists()


def vote_by_receipt(*, assembly: Assembly, code: str) -> ElectronicVote | None:
    if len(normalise_receipt(code)) < 8:
        return None
    return (
        ElectronicVote.objects.filter(ballot__assembly=assembly, receipt_hash=receipt_hash(code))
        .select_related("ballot")
        .first()
    )


def ranking_labels(*, vote: ElectronicVote) -> list[str]:
    labels = {o.position: o.label for o in ballot_options(ballot=vote.ballot)}
    return [labels.get(int(p), str(p)) for p in vote.ranking]


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: Decimal | None  # of the base; None when not part of the base
    width: int  # in chart units
    y: int
    sign: str = ""  # a word shown with the bar (e.g. "afgevallen"), never colour alone


@dataclass
class RoundView:
    number: int
    bars: list[Bar]
    counted: int
    exhausted: int
    eliminated: str
    tie_break: str
    tied: list[str]
    winner: str
    height: int = 0


@dataclass
class ResultView:
    ballot: Ballot
    result: BallotResult
    outcome: counting.Outcome | None
    bars: list[Bar] = field(default_factory=list)
    threshold_x: int = 0
    threshold_words: str = ""
    threshold_mark: str = ""
    share_percent: Decimal | None = None
    rounds: list[RoundView] = field(default_factory=list)
    winner: str = ""
    payload: str = ""
    chart_height: int = 0

    @property
    def total(self) -> int:
        r = self.result
        if self.ballot.kind == Ballot.Kind.RANKED:
            return (self.rounds[0].counted + self.rounds[0].exhausted) if self.rounds else 0
        return r.votes_for + r.votes_against + r.votes_abstain


# The share a rule needs, in words and as the chart's mark. Not as a rounded
# percentage: two thirds would read "66.6 %", and a share of 66.6 % that is not
# adopted would look as if it had reached it.
_REQUIRED_WORDS = {
    counting.MAJORITY: gettext_lazy("meer dan de helft (50%)"),
    counting.TWO_THIRDS: gettext_lazy("ten minste twee derde (2/3)"),
    counting.THREE_QUARTERS: gettext_lazy("ten minste drie kwart (75%)"),
}
_REQUIRED_MARK = {
    counting.MAJORITY: "> 50%",
    counting.TWO_THIRDS: "2/3",
    counting.THREE_QUARTERS: "75%",
}


def result_view(*, ballot: Ballot, result: BallotResult, labels: dict[str, str]) -> ResultView:
    """``labels``: the translated names for "for", "against", "abstain", "out"."""
    ref = f"{ballot.assembly.slug}/{ballot.number}"
    if ballot.kind == Ballot.Kind.RANKED:
        return _ranked_view(ballot=ballot, result=result, ref=ref, labels=labels)
    outcome = counting.support(
        result.votes_for,
        result.votes_against,
        result.votes_abstain,
        result.threshold,
        result.abstentions_count,
    )
    base = outcome.base
    rows = [
        (labels["for"], result.votes_for, True),
        (labels["against"], result.votes_against, True),
        (labels["abstain"], result.votes_abstain, result.abstentions_count),
    ]
    bars = []
    for index, (label, votes, in_base) in enumerate(rows):
        share = Fraction(votes, base) if base and in_base else None
        bars.append(
            Bar(
                label=label,
                count=votes,
                percent=percent(share) if share is not None else None,
                width=int(share * CHART_WIDTH) if share is not None else 0,
                y=index * ROW_HEIGHT,
            )
        )
    payload = counting.canonical_json(
        counting.recommendation_counts(
            ballot=ref,
            votes_for=result.votes_for,
            votes_against=result.votes_against,
            votes_abstain=result.votes_abstain,
            invalid=result.invalid,
            threshold=result.threshold,
            abstentions_count=result.abstentions_count,
        )
    )
    return ResultView(
        ballot=ballot,
        result=result,
        outcome=outcome,
        bars=bars,
        threshold_x=int(counting.REQUIRED_SHARE[result.threshold] * CHART_WIDTH),
        threshold_words=str(_REQUIRED_WORDS[result.threshold]),
        threshold_mark=_REQUIRED_MARK[result.threshold],
        share_percent=percent(outcome.share) if base else None,
        payload=payload,
        chart_height=len(bars) * ROW_HEIGHT + 30,
    )


def _ranked_view(
    *, ballot: Ballot, result: BallotResult, ref: str, labels: dict[str, str]
) -> ResultView:
    names = {str(o.position): o.label for o in ballot_options(ballot=ballot)}
    rounds: list[RoundView] = []
    stored = result.rounds if isinstance(result.rounds, list) else []
    total = 0
    if stored:
        first = stored[0]
        total = sum(int(v) for v in first["counts"].values()) + int(first["exhausted"])
    for entry in stored:
        counts = {str(k): int(v) for k, v in entry["counts"].items()}
        counted = sum(counts.values())
        eliminated = [str(p) for p in entry.get("eliminated", [])]
        bars = []
        for index, (position, votes) in enumerate(
            sorted(counts.items(), key=lambda kv: int(kv[0]))
        ):
            share = Fraction(votes, counted) if counted else None
            bars.append(
                Bar(
                    label=names.get(position, position),
                    count=votes,
                    percent=percent(share) if share is not None else None,
                    width=int(Fraction(votes, total) * CHART_WIDTH) if total else 0,
                    y=index * ROW_HEIGHT,
                    sign=labels["out"] if position in eliminated else "",
                )
            )
        winner = entry.get("winner")
        rounds.append(
            RoundView(
                number=int(entry["round"]),
                bars=bars,
                counted=counted,
                exhausted=int(entry["exhausted"]),
                eliminated=", ".join(names.get(p, p) for p in eliminated),
                tie_break=str(entry.get("tie_break", "")),
                tied=[names.get(str(p), str(p)) for p in entry.get("tied", [])],
                winner=names.get(str(winner), "") if winner is not None else "",
                height=len(bars) * ROW_HEIGHT + 6,
            )
        )
    payload = counting.canonical_json(
        counting.ranked_counts(
            ballot=ref, invalid=result.invalid, rounds=stored, winner=result.winner_position
        )
    )
    return ResultView(
        ballot=ballot,
        result=result,
        outcome=None,
        rounds=rounds,
        winner=names.get(str(result.winner_position), "")
        if result.winner_position is not None
        else "",
        payload=payload,
    )


def closed_result(*, ballot: Ballot) -> BallotResult | None:
    return (
        BallotResult.objects.filter(ballot=ballot, superseded_by__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )
