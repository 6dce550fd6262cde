"""Demo ballots, through the real services.

A finished assembly gets the 75 % rule and a closed paper ballot for most of
its final recommendations: the chair entered each count, a second person
confirmed it, the chair fixed the result. About 150 to 175 members voted each
time; some recommendations are adopted, some not, and one has exactly 75 %
(adopted). It also gets a ranked ballot between four drug-policy models,
decided in the third round by one vote. An assembly that is still running
gets one OPEN electronic ballot, so a demo member who is checked in today can
vote (members are checked in on the attendance page).

Deterministic: the same assembly gives the same counts. An assembly that
already has ballots is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from assembly.models import Assembly, User
from participants.models import PanelMember
from recommendations.models import (
    Ballot,
    BallotResult,
    PaperCount,
    Recommendation,
    VotingRule,
)
from recommendations.services import ballots as services
from recommendations.services.ballots import Counts
from sessions.models import Weekend

# The recommendation (by its place among the final ones) that lands exactly on 75 %.
EXACTLY_AT_THRESHOLD = 3
# Support for each ballot in turn, in per cent of for + against.
SUPPORT_PATTERN = (88, 81, 64, 75, 93, 71, 79, 52, 85, 74, 90, 68, 83, 77, 59, 96)
MODELS = (
    (
        "Verbieden en handhaven",
        "Bezit, verkoop en productie blijven verboden. Meer geld voor politie en preventie.",
    ),
    (
        "Gedogen met meer preventie",
        "Het beleid van nu, met meer voorlichting op school en in het uitgaansleven.",
    ),
    (
        "Regulering van cannabis",
        "De overheid regelt de teelt en verkoop van cannabis. Andere drugs blijven verboden.",
    ),
    (
        "Regulering van alle drugs",
        "Alle drugs zijn verkrijgbaar onder strenge regels, zoals bij medicijnen.",
    ),
)
# Three rounds: model 4 goes, then model 2; model 3 wins 79 to 78.
MODEL_PILES: tuple[tuple[tuple[int, ...], int], ...] = (
    ((1, 2), 30),
    ((1,), 22),
    ((2, 1), 20),
    ((2, 3), 11),
    ((3, 4), 30),
    ((3,), 18),
    ((4, 3), 20),
    ((4, 2, 1), 6),
    ((4,), 3),
)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _counts(index: int, members: int) -> Counts:
    voters = min(members, 150 + (index * 7) % 26)
    invalid = 1 if index % 5 == 0 else 0
    if index == EXACTLY_AT_THRESHOLD:
        # 120 for, 40 against: exactly three quarters of 160.
        abstain = max(0, min(voters - 160 - invalid, 8))
        return Counts(votes_for=120, votes_against=40, votes_abstain=abstain, invalid=invalid)
    abstain = 3 + index % 9
    base = voters - abstain - invalid
    votes_for = base * SUPPORT_PATTERN[index % len(SUPPORT_PATTERN)] // 100
    return Counts(
        votes_for=votes_for,
        votes_against=base - votes_for,
        votes_abstain=abstain,
        invalid=invalid,
    )


def _paper_ballot(ballot: Ballot, counts: Counts, *, chair: User, second: User) -> None:
    """The whole path through the services: open, close, count, confirm, fix."""
    ballot = services.ballot_open(ballot=ballot, actor=chair)
    services.ballot_close(ballot=ballot, actor=chair)
    count = services.paper_count_enter(ballot=ballot, counts=counts, actor=chair)
    services.paper_count_confirm(count=count, actor=second)
    services.ballot_result_record(ballot=ballot, actor=chair)


def _closed_paper_ballots(
    assembly: Assembly,
    recommendations: list[Recommendation],
    *,
    members: int,
    day: dt.date,
    chair: User,
    second: User,
) -> None:
    """Many closed paper ballots at once, as the services would have left them
    (the same result rows and check numbers, via services.result_build): one
    ballot at a time through every service takes too long for a demo of 40."""
    ballots = []
    for index, recommendation in enumerate(recommendations):
        opened = _at(day, 10) + dt.timedelta(minutes=4 * index)
        ballots.append(
            Ballot(
                assembly=assembly,
                number=index + 1,
                kind=Ballot.Kind.RECOMMENDATION,
                method=Ballot.Method.PAPER,
                status=Ballot.Status.CLOSED,
                recommendation=recommendation,
                title=recommendation.title,
                question=f"Neemt u aanbeveling {recommendation.number} aan?",
                threshold="three_quarters",
                abstentions_count=False,
                opened_at=opened,
                opened_by=chair,
                closed_at=opened + dt.timedelta(minutes=3),
                closed_by=chair,
                created_by=second,
            )
        )
    Ballot.objects.bulk_create(ballots)
    ballots = list(
        Ballot.objects.filter(assembly=assembly).select_related("assembly").order_by("number")
    )
    counts = [_counts(index, members) for index in range(len(ballots))]
    PaperCount.objects.bulk_create(
        PaperCount(
            ballot=ballot,
            votes_for=c.votes_for,
            votes_against=c.votes_against,
            votes_abstain=c.votes_abstain,
            invalid=c.invalid,
            entered_by=chair,
            confirmed_by=second,
        )
        for ballot, c in zip(ballots, counts, strict=True)
    )
    results = BallotResult.objects.bulk_create(
        services.result_build(ballot=ballot, counts=c, actor=chair)
        for ballot, c in zip(ballots, counts, strict=True)
    )
    for ballot in ballots:
        assert ballot.closed_at is not None
        PaperCount.objects.filter(ballot=ballot).update(
            entered_at=ballot.closed_at + dt.timedelta(minutes=2),
            confirmed_at=ballot.closed_at + dt.timedelta(minutes=3),
        )
        BallotResult.objects.filter(ballot=ballot).update(
            recorded_at=ballot.closed_at + dt.timedelta(minutes=4)
        )
    adopted = {
        r.ballot.recommendation_id
        for r in results
        if r.adopted and r.ballot.recommendation_id is not None
    }
    ids = [r.pk for r in recommendations]
    Recommendation.objects.filter(pk__in=ids).update(status=Recommendation.Status.NOT_ADOPTED)
    Recommendation.objects.filter(pk__in=adopted).update(status=Recommendation.Status.ADOPTED)


def _backdate(ballot: Ballot, day: dt.date, minute: int) -> None:
    """Times as on the voting weekend."""
    opened = _at(day, 10) + dt.timedelta(minutes=minute)
    closed = opened + dt.timedelta(minutes=3)
    Ballot.objects.filter(pk=ballot.pk).update(
        opened_at=opened, closed_at=closed, created_at=opened - dt.timedelta(days=1)
    )
    PaperCount.objects.filter(ballot=ballot).update(entered_at=closed + dt.timedelta(minutes=2))
    PaperCount.objects.filter(ballot=ballot, confirmed_at__isnull=False).update(
        confirmed_at=closed + dt.timedelta(minutes=3)
    )
    BallotResult.objects.filter(ballot=ballot).update(recorded_at=closed + dt.timedelta(minutes=4))


@transaction.atomic
def demo_ballots_seed(assembly: Assembly, *, today: dt.date, chair: User, second: User) -> None:
    """Seed the demo ballots of `assembly` (see the module docstring)."""
    if Ballot.objects.filter(assembly=assembly).exists():
        return
    VotingRule.objects.update_or_create(
        assembly=assembly,
        defaults={"threshold": "three_quarters", "abstentions_count": False, "updated_by": chair},
    )
    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("starts_on", "number"))
    running = any(w.ends_on >= today for w in weekends)
    past = [w for w in weekends if w.ends_on < today]
    voting_day = past[-1].ends_on if past else today
    members = PanelMember.objects.filter(
        assembly=assembly, kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.CONFIRMED
    ).count()
    finals = list(
        Recommendation.objects.filter(assembly=assembly, status=Recommendation.Status.FINAL)
        .exclude(ballots__isnull=False)
        .order_by("position", "number")
    )
    # While the assembly runs, most final recommendations get a closed paper
    # ballot and two are left for the chair to try the pages with (one of them
    # open). A completed assembly voted on every one: its report to the Kamer
    # has no recommendation without a result.
    closed = finals[:-2] if running and len(finals) > 4 else finals
    if closed:
        _closed_paper_ballots(
            assembly, closed, members=members or 175, day=voting_day, chair=chair, second=second
        )
        VotingRule.objects.filter(assembly=assembly).update(
            locked_at=_at(voting_day, 10) - dt.timedelta(minutes=1)
        )
    if past and not running:
        ranked = services.ballot_create_ranked(
            assembly=assembly,
            title="Welk model voor drugsbeleid heeft de voorkeur?",
            question="Zet de vier modellen in volgorde van uw voorkeur.",
            options=MODELS,
            method="paper",
            actor=chair,
        )
        _paper_ballot(ranked, Counts(piles=MODEL_PILES), chair=chair, second=second)
        _backdate(ranked, voting_day, 4 * len(closed) + 10)
    if running:
        remaining = finals[len(closed) :]
        if remaining:
            ballot = services.ballot_create_for_recommendation(
                assembly=assembly, recommendation=remaining[0], method="electronic", actor=second
            )
        else:
            ballot = services.ballot_create_ranked(
                assembly=assembly,
                title="Welk model voor drugsbeleid heeft uw voorkeur?",
                question="Zet de modellen in volgorde van uw voorkeur. Een deel is ook goed.",
                options=MODELS,
                method="electronic",
                actor=chair,
            )
        services.ballot_open(ballot=ballot, actor=chair)
