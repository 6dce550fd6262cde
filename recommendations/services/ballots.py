"""Writes for ballots: the voting rule, preparing, opening and closing
ballots, secret electronic votes, paper counts with four eyes, and the fixed
result with its corrections.

Who may do what is checked in recommendations/access_ballots.py before any of
these is called; the checks here are about the state of the data (a ballot
opens once, a vote is cast once, a confirmed count is confirmed by someone
else). The counting itself is recommendations/counting.py.

A secret vote is written as two rows that share only the ballot: the mark
(who voted) and the vote (what was chosen, with a random key, no time and the
hash of the member's receipt code). Nothing else is written about a vote: no
audit line, no log line with the member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, User
from assembly.selectors import submitted_before
from assembly.services import audit_record
from participants.models import CheckIn, PanelMember
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
from recommendations.models.ballots import Threshold

logger = logging.getLogger(__name__)

# Recommendations that may be put to the vote: only the plenary's final text.
# A submitted or amended text can still change, and members must know exactly
# what they vote on.
VOTABLE = frozenset({Recommendation.Status.FINAL})
# Without I, L, O, U, 0, 1: nothing to misread when a member types it back.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
RECEIPT_LENGTH = 12


class BallotRefused(Exception):
    """The change cannot be made; the message says why, in words for the user."""


@dataclass(frozen=True)
class Counts:
    """Counts as entered or corrected: for/against/abstain, or ranked piles."""

    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    invalid: int = 0
    piles: tuple[tuple[tuple[int, ...], int], ...] = ()

    @property
    def total(self) -> int:
        return (
            self.votes_for
            + self.votes_against
            + self.votes_abstain
            + self.invalid
            + sum(count for _, count in self.piles)
        )


# ---------------------------------------------------------------- the rule


@transaction.atomic
def voting_rule_set(
    *, assembly: Assembly, threshold: str, abstentions_count: bool, actor: User
) -> VotingRule:
    rule, _created = VotingRule.objects.select_for_update().get_or_create(assembly=assembly)
    if rule.locked_at is not None:
        raise BallotRefused(
            _("De stemregel ligt vast sinds de eerste stemming. U kunt hem niet meer wijzigen.")
        )
    if threshold not in Threshold.values:
        raise BallotRefused(_("Kies de benodigde steun."))
    rule.threshold = threshold
    rule.abstentions_count = abstentions_count
    rule.updated_by = actor
    rule.save(update_fields=["threshold", "abstentions_count", "updated_by", "updated_at"])
    audit_record(
        action="ballots.rule_set",
        assembly=assembly,
        actor=actor,
        target=rule,
        detail={"threshold": threshold, "abstentions_count": abstentions_count},
    )
    return rule


# ---------------------------------------------------------------- preparing


def _next_number(assembly: Assembly) -> int:
    highest = Ballot.objects.filter(assembly=assembly).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def check_recommendation_votable(*, recommendation: Recommendation) -> None:
    if recommendation.status not in VOTABLE:
        raise BallotRefused(
            _(
                "Over aanbeveling %(number)s kan nog niet worden gestemd: "
                "de tekst is niet definitief."
            )
            % {"number": recommendation.number}
        )
    live = recommendation.ballots.exclude(status=Ballot.Status.CANCELLED).exists()
    if live:
        raise BallotRefused(
            _("Er is al een stemming over aanbeveling %(number)s.")
            % {"number": recommendation.number}
        )


@transaction.atomic
def ballot_create_for_recommendation(
    *,
    assembly: Assembly,
    recommendation: Recommendation,
    method: str,
    actor: User | None,
    question: str = "",
) -> Ballot:
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    Recommendation.objects.select_for_update().filter(pk=recommendation.pk).first()
    recommendation.refresh_from_db(fields=["status"])
    if recommendation.assembly_id != assembly.pk:
        raise BallotRefused(_("Deze aanbeveling hoort niet bij dit burgerberaad."))
    check_recommendation_votable(recommendation=recommendation)
    if method not in Ballot.Method.values:
        raise BallotRefused(_("Kies hoe er gestemd wordt."))
    ballot = Ballot.objects.create(
        assembly=assembly,
        number=_next_number(assembly),
        kind=Ballot.Kind.RECOMMENDATION,
        method=method,
        recommendation=recommendation,
        title=recommendation.title,
        question=question
        or _("Neemt u aanbeveling %(number)s aan?") % {"number": recommendation.number},
        created_by=actor,
    )
    audit_record(action="ballots.create", assembly=assembly, actor=actor, target=ballot)
    return ballot


@transaction.atomic
def ballot_create_ranked(
    *,
    assembly: Assembly,
    title: str,
    question: str,
    options: Sequence[tuple[str, str]],
    method: str,
    actor: User | None,
    submission: uuid.UUID | None = None,
) -> Ballot:
    """A choice between options (label, explanation), in the published order.
    The same form sent twice (``submission``), also after the Back button (the
    same title, question, method and options from the same organiser while
    the first is still prepared), gives back the first ballot."""
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    labels = [label.strip() for label, _ in options if label.strip()]
    earlier = submitted_before(
        Ballot.objects.filter(assembly=assembly),
        submission,
        same={
            "kind": Ballot.Kind.RANKED,
            "status": Ballot.Status.PREPARED,
            "title": title.strip(),
            "question": question.strip(),
            "method": method,
            "created_by": actor,
        },
    )
    # The same texts with other options is a new ballot, not the form again.
    if earlier is not None and (
        earlier.submission == submission
        or list(earlier.options.order_by("position").values_list("label", flat=True)) == labels
    ):
        return earlier
    if len(labels) < 2:
        raise BallotRefused(_("Een voorkeursstemming heeft ten minste twee opties nodig."))
    if len(set(labels)) != len(labels):
        raise BallotRefused(_("Twee opties hebben dezelfde naam. Geef elke optie een eigen naam."))
    if not title.strip():
        raise BallotRefused(_("Geef de stemming een titel."))
    if method not in Ballot.Method.values:
        raise BallotRefused(_("Kies hoe er gestemd wordt."))
    ballot = Ballot.objects.create(
        assembly=assembly,
        number=_next_number(assembly),
        kind=Ballot.Kind.RANKED,
        method=method,
        title=title.strip(),
        question=question.strip(),
        created_by=actor,
        submission=submission,
    )
    BallotOption.objects.bulk_create(
        BallotOption(ballot=ballot, position=position, label=label.strip(), description=text)
        for position, (label, text) in enumerate(
            ((label, text) for label, text in options if label.strip()), start=1
        )
    )
    audit_record(
        action="ballots.create",
        assembly=assembly,
        actor=actor,
        target=ballot,
        detail={"options": len(labels)},
    )
    return ballot


def _locked(ballot: Ballot) -> Ballot:
    # The ballot's row only: FOR UPDATE over the join would lock the assembly
    # too, and every write that refers to the assembly (an audit line, checked
    # at commit) would then wait for each vote, or deadlock with one that
    # waits for a seat (electronic_vote_cast).
    locked = Ballot.objects.select_for_update(of=("self",)).select_related("assembly")
    return locked.get(pk=ballot.pk)


@transaction.atomic
def ballot_cancel(*, ballot: Ballot, actor: User) -> Ballot:
    """Take back a ballot that has not opened (a mistake in preparing it)."""
    ballot = _locked(ballot)
    if ballot.status != Ballot.Status.PREPARED:
        raise BallotRefused(_("Alleen een stemming die nog niet open is geweest kunt u intrekken."))
    ballot.status = Ballot.Status.CANCELLED
    ballot.save(update_fields=["status"])
    audit_record(action="ballots.cancel", assembly=ballot.assembly, actor=actor, target=ballot)
    return ballot


# ---------------------------------------------------------------- open and close


@transaction.atomic
def ballot_open(*, ballot: Ballot, actor: User, closes_at: dt.datetime | None = None) -> Ballot:
    """Open a ballot; the assembly's rule is copied onto it and locked for good."""
    if ballot.recommendation_id is not None:
        # The recommendation first, then the ballot: the order in which
        # recommendation_withdraw takes them, so the two cannot deadlock.
        recommendation = Recommendation.objects.select_for_update().get(
            pk=ballot.recommendation_id
        )
        if recommendation.status != Recommendation.Status.FINAL:
            raise BallotRefused(
                _("Over deze aanbeveling kan niet meer gestemd worden: zij is ingetrokken"
                  " of al in stemming geweest.")
            )
    ballot = _locked(ballot)
    if ballot.status != Ballot.Status.PREPARED:
        raise BallotRefused(_("Deze stemming is al geopend of gesloten."))
    rule = VotingRule.objects.select_for_update().filter(assembly=ballot.assembly).first()
    if rule is None:
        raise BallotRefused(
            _("Stel eerst de stemregel vast: welke steun is nodig en tellen onthoudingen mee?")
        )
    now = timezone.now()
    if closes_at is not None and closes_at <= now:
        raise BallotRefused(_("De sluitingstijd moet in de toekomst liggen."))
    if rule.locked_at is None:
        rule.locked_at = now
        rule.save(update_fields=["locked_at", "updated_at"])
    ballot.status = Ballot.Status.OPEN
    ballot.threshold = rule.threshold
    ballot.abstentions_count = rule.abstentions_count
    ballot.opened_at = now
    ballot.opened_by = actor
    ballot.closes_at = closes_at
    ballot.save(
        update_fields=[
            "status",
            "threshold",
            "abstentions_count",
            "opened_at",
            "opened_by",
            "closes_at",
        ]
    )
    if ballot.recommendation_id is not None:
        Recommendation.objects.filter(pk=ballot.recommendation_id).update(
            status=Recommendation.Status.BALLOTED, updated_at=now
        )
    audit_record(action="ballots.open", assembly=ballot.assembly, actor=actor, target=ballot)
    return ballot


@transaction.atomic
def ballot_close(*, ballot: Ballot, actor: User | None) -> Ballot:
    """Close the ballot window. An electronic ballot's result is fixed at once;
    a paper ballot's once its count is entered and confirmed.
    ``actor`` None: closed by the clock (tasks_ballots)."""
    ballot = _locked(ballot)
    if ballot.status != Ballot.Status.OPEN:
        raise BallotRefused(_("Deze stemming is niet open."))
    ballot.status = Ballot.Status.CLOSED
    ballot.closed_at = timezone.now()
    ballot.closed_by = actor
    ballot.save(update_fields=["status", "closed_at", "closed_by"])
    audit_record(action="ballots.close", assembly=ballot.assembly, actor=actor, target=ballot)
    if ballot.method == Ballot.Method.ELECTRONIC:
        _shuffle_votes(ballot)
        _fix_result(ballot=ballot, counts=electronic_counts(ballot=ballot), actor=actor)
    return ballot


def _shuffle_votes(ballot: Ballot) -> None:
    """Store the closed ballot's votes again, in a random order under new keys.

    They went in one by one as members voted, and the voter marks show that
    order too (their keys and times): what the database returns without an
    ORDER BY, and what a backup holds, would tie each vote to a member. The
    receipts stay valid (the hashes are kept). While the ballot is open the
    stored order still follows the voting; see SECURITY.md."""
    votes = list(
        ElectronicVote.objects.filter(ballot=ballot).values("choice", "ranking", "receipt_hash")
    )
    secrets.SystemRandom().shuffle(votes)
    ElectronicVote.objects.filter(ballot=ballot).delete()
    ElectronicVote.objects.bulk_create(ElectronicVote(ballot=ballot, **vote) for vote in votes)


def electronic_counts(*, ballot: Ballot) -> Counts:
    votes = ElectronicVote.objects.filter(ballot=ballot)
    if ballot.kind == Ballot.Kind.RANKED:
        piles: dict[tuple[int, ...], int] = {}
        for ranking in votes.values_list("ranking", flat=True):
            key = tuple(int(option) for option in ranking)
            piles[key] = piles.get(key, 0) + 1
        return Counts(piles=tuple(sorted(piles.items())))
    by_choice = dict.fromkeys(ElectronicVote.Choice.values, 0)
    for choice in votes.values_list("choice", flat=True):
        by_choice[choice] += 1
    return Counts(
        votes_for=by_choice[ElectronicVote.Choice.FOR],
        votes_against=by_choice[ElectronicVote.Choice.AGAINST],
        votes_abstain=by_choice[ElectronicVote.Choice.ABSTAIN],
    )


# ---------------------------------------------------------------- the result


def _positions(ballot: Ballot) -> list[int]:
    return list(BallotOption.objects.filter(ballot=ballot).values_list("position", flat=True))


def _ballot_ref(ballot: Ballot) -> str:
    return f"{ballot.assembly.slug}/{ballot.number}"


def result_build(
    *,
    ballot: Ballot,
    counts: Counts,
    actor: User | None,
    supersedes: BallotResult | None = None,
    reason: str = "",
) -> BallotResult:
    """The result row for these counts under the ballot's rule, not yet saved."""
    threshold = ballot.threshold or Threshold.THREE_QUARTERS
    result = BallotResult(
        ballot=ballot,
        invalid=counts.invalid,
        threshold=threshold,
        abstentions_count=ballot.abstentions_count,
        supersedes=supersedes,
        reason=reason,
        recorded_by=actor,
    )
    if ballot.kind == Ballot.Kind.RANKED:
        runoff = counting.instant_runoff(counts.piles, _positions(ballot))
        result.rounds = [r.as_dict() for r in runoff.rounds]
        result.winner_position = runoff.winner
        result.adopted = None
        result.counts_hash = counting.counts_hash(
            counting.ranked_counts(
                ballot=_ballot_ref(ballot),
                invalid=counts.invalid,
                rounds=result.rounds,
                winner=runoff.winner,
            )
        )
    else:
        outcome = counting.support(
            counts.votes_for,
            counts.votes_against,
            counts.votes_abstain,
            threshold,
            ballot.abstentions_count,
        )
        result.votes_for = counts.votes_for
        result.votes_against = counts.votes_against
        result.votes_abstain = counts.votes_abstain
        result.adopted = outcome.adopted
        result.counts_hash = counting.counts_hash(
            counting.recommendation_counts(
                ballot=_ballot_ref(ballot),
                votes_for=counts.votes_for,
                votes_against=counts.votes_against,
                votes_abstain=counts.votes_abstain,
                invalid=counts.invalid,
                threshold=threshold,
                abstentions_count=ballot.abstentions_count,
            )
        )
    return result


def _fix_result(
    *,
    ballot: Ballot,
    counts: Counts,
    actor: User | None,
    supersedes: BallotResult | None = None,
    reason: str = "",
) -> BallotResult:
    result = result_build(
        ballot=ballot, counts=counts, actor=actor, supersedes=supersedes, reason=reason
    )
    result.save()
    if ballot.recommendation_id is not None and (
        supersedes is None or supersedes.adopted != result.adopted
    ):
        Recommendation.objects.filter(pk=ballot.recommendation_id).update(
            status=(
                Recommendation.Status.ADOPTED
                if result.adopted
                else Recommendation.Status.NOT_ADOPTED
            ),
            updated_at=timezone.now(),
        )
    audit_record(
        action="ballots.result_correct" if supersedes else "ballots.result_fix",
        assembly=ballot.assembly,
        actor=actor,
        target=result,
        detail={
            "ballot": ballot.pk,
            "supersedes": supersedes.pk if supersedes else None,
            "counts_hash": result.counts_hash,
            "adopted": result.adopted,
        },
    )
    logger.info("ballot %s result %s fixed", ballot.pk, result.pk)
    return result


def current_result(*, ballot: Ballot) -> BallotResult | None:
    return (
        BallotResult.objects.filter(ballot=ballot, superseded_by__isnull=True)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def _members_then(ballot: Ballot) -> int:
    """How many members could vote in the ballot: those taking part now, and
    those who stopped after it opened (a count entered or corrected later)."""
    taking_part = Q(status=PanelMember.Status.CONFIRMED)
    if ballot.opened_at is not None:
        taking_part |= Q(status=PanelMember.Status.WITHDRAWN, withdrawn_at__gte=ballot.opened_at)
    return PanelMember.objects.filter(
        taking_part, assembly_id=ballot.assembly_id, kind=PanelMember.Kind.MEMBER
    ).count()


def check_counts(*, ballot: Ballot, counts: Counts) -> None:
    """Counts fit the ballot: the right kind, known options, no more ballots than members."""
    if ballot.kind == Ballot.Kind.RANKED:
        if counts.votes_for or counts.votes_against or counts.votes_abstain:
            raise BallotRefused(
                _("Bij een voorkeursstemming telt u volgordes, geen voor of tegen.")
            )
        positions = _positions(ballot)
        for number, (ranking, count) in enumerate(counts.piles, start=1):
            try:
                counting.check_ranking(ranking, positions)
            except ValueError as error:
                raise BallotRefused(
                    _(
                        "Regel %(line)s: deze volgorde klopt niet. "
                        "Gebruik elke optie ten hoogste één keer."
                    )
                    % {"line": number}
                ) from error
            if count < 0:
                raise BallotRefused(
                    _("Regel %(line)s: het aantal kan niet negatief zijn.") % {"line": number}
                )
    elif counts.piles:
        raise BallotRefused(_("Bij deze stemming telt u voor, tegen en onthouding."))
    members = _members_then(ballot)
    if members and counts.total > members:
        raise BallotRefused(
            _(
                "U telt %(total)s stembiljetten, maar het burgerberaad heeft %(members)s "
                "deelnemers. Tel opnieuw."
            )
            % {"total": counts.total, "members": members}
        )


@transaction.atomic
def ballot_result_correct(
    *, ballot: Ballot, counts: Counts, reason: str, actor: User
) -> PaperCount:
    """A correction of a paper ballot's result: a new count with its reason.
    Like the first count, it counts once a second person confirms it
    (paper_count_confirm); then it supersedes the result, and the old row stays.

    An electronic ballot's result is the votes stored in it: nobody types it
    over, or one person could publish votes that were never cast."""
    ballot = _locked(ballot)
    previous = current_result(ballot=ballot)
    if previous is None:
        raise BallotRefused(_("Deze stemming heeft nog geen uitslag om te corrigeren."))
    if ballot.method != Ballot.Method.PAPER:
        raise BallotRefused(
            _(
                "Bij een elektronische stemming telt het systeem de opgeslagen stemmen. "
                "Die uitslag kan niemand met de hand veranderen."
            )
        )
    if not reason.strip():
        raise BallotRefused(_("Schrijf op waarom de uitslag wordt gecorrigeerd."))
    check_counts(ballot=ballot, counts=counts)
    if result_build(ballot=ballot, counts=counts, actor=None).counts_hash == previous.counts_hash:
        raise BallotRefused(
            _("Deze aantallen zijn gelijk aan de uitslag. Er is niets te corrigeren.")
        )
    count = _count_create(ballot=ballot, counts=counts, actor=actor, reason=reason.strip())
    # The reason is public with the result; the log keeps ids only.
    audit_record(
        action="ballots.correction_enter", assembly=ballot.assembly, actor=actor, target=count
    )
    return count


# ---------------------------------------------------------------- paper ballots


@transaction.atomic
def paper_count_enter(*, ballot: Ballot, counts: Counts, actor: User) -> PaperCount:
    ballot = _locked(ballot)
    if ballot.method != Ballot.Method.PAPER:
        raise BallotRefused(_("Dit is geen stemming op papier."))
    if ballot.status != Ballot.Status.CLOSED:
        raise BallotRefused(_("Sluit eerst de stemming. Daarna voert u de telling in."))
    if current_result(ballot=ballot) is not None:
        raise BallotRefused(
            _("De uitslag ligt al vast. Een fout herstelt u met een correctie, met een reden.")
        )
    check_counts(ballot=ballot, counts=counts)
    count = _count_create(ballot=ballot, counts=counts, actor=actor)
    audit_record(
        action="ballots.paper_count_enter", assembly=ballot.assembly, actor=actor, target=count
    )
    return count


def _count_create(*, ballot: Ballot, counts: Counts, actor: User, reason: str = "") -> PaperCount:
    # An earlier count that nobody confirmed is replaced by this one.
    PaperCount.objects.filter(
        ballot=ballot, confirmed_at__isnull=True, rejected_at__isnull=True
    ).update(rejected_at=timezone.now())
    count = PaperCount.objects.create(
        ballot=ballot,
        votes_for=counts.votes_for,
        votes_against=counts.votes_against,
        votes_abstain=counts.votes_abstain,
        invalid=counts.invalid,
        rankings=[{"ranking": list(r), "count": n} for r, n in counts.piles],
        reason=reason,
        entered_by=actor,
    )
    return count


def paper_counts_of(count: PaperCount) -> Counts:
    return Counts(
        votes_for=count.votes_for,
        votes_against=count.votes_against,
        votes_abstain=count.votes_abstain,
        invalid=count.invalid,
        piles=tuple(
            (tuple(int(p) for p in pile["ranking"]), int(pile["count"])) for pile in count.rankings
        ),
    )


def _locked_count(count: PaperCount, actor: User) -> PaperCount:
    count = (
        PaperCount.objects.select_for_update().select_related("ballot__assembly").get(pk=count.pk)
    )
    if count.confirmed_at is not None or count.rejected_at is not None:
        raise BallotRefused(_("Deze telling is al bevestigd of afgekeurd."))
    if count.entered_by_id == actor.pk:
        raise BallotRefused(
            _("Iemand anders moet de telling controleren. U hebt deze telling zelf ingevoerd.")
        )
    return count


@transaction.atomic
def paper_count_confirm(*, count: PaperCount, actor: User) -> PaperCount:
    """A second pair of eyes agrees with the chair's count. A first count
    changes nothing yet: the chair then fixes the result from it. A correction
    supersedes the result now, with the reason the chair gave."""
    ballot = _locked(count.ballot)
    count = _locked_count(count, actor)
    count.confirmed_by = actor
    count.confirmed_at = timezone.now()
    count.save(update_fields=["confirmed_by", "confirmed_at"])
    audit_record(
        action="ballots.paper_count_confirm",
        assembly=count.ballot.assembly,
        actor=actor,
        target=count,
    )
    previous = current_result(ballot=ballot)
    if previous is not None:
        _fix_result(
            ballot=ballot,
            counts=paper_counts_of(count),
            actor=actor,
            supersedes=previous,
            reason=count.reason or _("Correctie van de telling"),
        )
    return count


def confirmed_count(*, ballot: Ballot) -> PaperCount | None:
    return (
        PaperCount.objects.filter(
            ballot=ballot, confirmed_at__isnull=False, rejected_at__isnull=True
        )
        .order_by("-confirmed_at", "-pk")
        .first()
    )


@transaction.atomic
def ballot_result_record(*, ballot: Ballot, actor: User) -> BallotResult:
    """The chair fixes a paper ballot's result from its confirmed count."""
    ballot = _locked(ballot)
    if ballot.method != Ballot.Method.PAPER or ballot.status != Ballot.Status.CLOSED:
        raise BallotRefused(_("Alleen een gesloten stemming op papier krijgt zo een uitslag."))
    if current_result(ballot=ballot) is not None:
        raise BallotRefused(_("De uitslag van deze stemming ligt al vast."))
    count = confirmed_count(ballot=ballot)
    if count is None:
        raise BallotRefused(
            _(
                "De telling is nog niet gecontroleerd. "
                "Een tweede persoon moet haar eerst bevestigen."
            )
        )
    return _fix_result(ballot=ballot, counts=paper_counts_of(count), actor=actor)


@transaction.atomic
def paper_count_reject(*, count: PaperCount, actor: User) -> PaperCount:
    count = _locked_count(count, actor)
    count.rejected_at = timezone.now()
    count.save(update_fields=["rejected_at"])
    audit_record(
        action="ballots.paper_count_reject",
        assembly=count.ballot.assembly,
        actor=actor,
        target=count,
    )
    return count


# ---------------------------------------------------------------- secret votes


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


# A receipt code is drawn when the member checks their choice (step 2) and
# travels, signed, with the confirmation: a confirmation sent twice (a double
# tap) can then show the code of the vote the first one cast. Nothing of it is
# stored but the hash with the vote.
RECEIPT_OFFER_SALT = "recommendations.vote-receipt"


def receipt_offer(*, ballot: Ballot, member: PanelMember) -> str:
    """A fresh receipt code, signed for this ballot and member."""
    return signing.dumps(
        {"code": new_receipt_code(), "ballot": ballot.pk, "member": member.pk},
        salt=RECEIPT_OFFER_SALT,
    )


def receipt_from_offer(offer: str, *, ballot: Ballot, member: PanelMember | None) -> str | None:
    """The code in a signed offer for this ballot and member, or None."""
    try:
        data = signing.loads(offer, salt=RECEIPT_OFFER_SALT, max_age=RECEIPT_OFFER_MAX_AGE)
    except signing.BadSignature:
        return None
    if member is None or data.get("ballot") != ballot.pk or data.get("member") != member.pk:
        return None
    code = data.get("code")
    return code if isinstance(code, str) else None


# Long enough to read the ballot and think; a ballot is open for minutes or hours.
RECEIPT_OFFER_MAX_AGE = 12 * 60 * 60


def vote_with_receipt_exists(*, ballot: Ballot, code: str) -> bool:
    return ElectronicVote.objects.filter(ballot=ballot, receipt_hash=receipt_hash(code)).exists()


def normalise_receipt(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def receipt_hash(code: str) -> str:
    return hashlib.sha256(normalise_receipt(code).encode("ascii", "ignore")).hexdigest()


def check_member_may_vote(*, ballot: Ballot, member: PanelMember | None) -> PanelMember:
    if member is None or member.assembly_id != ballot.assembly_id:
        raise BallotRefused(_("U staat niet op de lijst van deelnemers. U kunt niet stemmen."))
    if member.kind != PanelMember.Kind.MEMBER or member.status != PanelMember.Status.CONFIRMED:
        raise BallotRefused(_("U staat niet op de lijst van deelnemers. U kunt niet stemmen."))
    if ballot.method != Ballot.Method.ELECTRONIC:
        raise BallotRefused(_("Over deze stemming stemt u op papier, in de zaal."))
    if ballot.status != Ballot.Status.OPEN or (
        ballot.closes_at is not None and ballot.closes_at <= timezone.now()
    ):
        raise BallotRefused(_("Deze stemming is gesloten. U kunt niet meer stemmen."))
    now = timezone.localtime()
    check_in = CheckIn.objects.filter(member=member, day=now.date()).first()
    if check_in is None:
        raise BallotRefused(
            _(
                "U bent vandaag nog niet aangemeld bij de ingang. "
                "Meld u eerst aan, dan kunt u stemmen."
            )
        )
    if check_in.left_early_at is not None and check_in.left_early_at <= now.time():
        # Only members in the room vote; the desk clears the time if they come back.
        raise BallotRefused(
            _(
                "Bij de ingang staat dat u vandaag eerder bent weggegaan. Alleen wie er is, "
                "kan stemmen. Bent u terug? Meld dat bij de ingang."
            )
        )
    return member


def check_vote(*, ballot: Ballot, choice: str, ranking: Sequence[int]) -> None:
    if ballot.kind == Ballot.Kind.RANKED:
        if not ranking:
            raise BallotRefused(_("Geef ten minste één optie een plaats."))
        try:
            counting.check_ranking(ranking, _positions(ballot))
        except ValueError as error:
            raise BallotRefused(_("Elke plaats mag maar één keer voorkomen.")) from error
    elif choice not in ElectronicVote.Choice.values:
        raise BallotRefused(_("Kies voor, tegen of onthouding."))


@transaction.atomic
def electronic_vote_cast(
    *,
    ballot: Ballot,
    member: PanelMember | None,
    choice: str = "",
    ranking: Sequence[int] = (),
    code: str | None = None,
) -> str:
    """Cast a member's secret vote; returns the receipt code (shown once, never
    stored): ``code`` where the confirmation brought one (receipt_offer), else a new one."""
    # The lock makes closing wait for votes in progress, and a vote after
    # closing see the closed status.
    ballot = _locked(ballot)
    if member is not None:
        # The seat read again under its lock (the one panel_member_withdraw
        # takes): a withdrawal recorded since the request read the seat is
        # seen, and one being recorded now waits for this vote or it for that.
        member = PanelMember.objects.select_for_update().filter(pk=member.pk).first()
    member = check_member_may_vote(ballot=ballot, member=member)
    check_vote(ballot=ballot, choice=choice, ranking=ranking)
    if VoterMark.objects.filter(ballot=ballot, member=member).exists():
        raise BallotRefused(_("U hebt al gestemd. U kunt maar één keer stemmen."))
    VoterMark.objects.create(ballot=ballot, member=member)
    code = code or new_receipt_code()
    ElectronicVote.objects.create(
        ballot=ballot,
        choice=choice if ballot.kind == Ballot.Kind.RECOMMENDATION else "",
        ranking=list(ranking) if ballot.kind == Ballot.Kind.RANKED else [],
        receipt_hash=receipt_hash(code),
    )
    return code


# ---------------------------------------------------------------- closing by the clock


def ballot_close_by_clock(*, ballot_id: int) -> bool:
    """Close a ballot whose closing time has passed; False if there was nothing to do."""
    ballot = Ballot.objects.filter(
        pk=ballot_id, status=Ballot.Status.OPEN, closes_at__lte=timezone.now()
    ).first()
    if ballot is None:
        return False
    try:
        ballot_close(ballot=ballot, actor=None)
    except BallotRefused:
        # The chair closed it a moment earlier.
        return False
    return True


def ballots_close_due() -> int:
    due = Ballot.objects.filter(
        status=Ballot.Status.OPEN, closes_at__isnull=False, closes_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    return sum(ballot_close_by_clock(ballot_id=pk) for pk in list(due))
