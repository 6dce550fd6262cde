"""Ballots: the organisation and the chair set the rule and prepare ballots;
only the chair opens, closes, enters paper counts, fixes and corrects results;
a second person (organisation or chair) confirms a count; the griffie reads;
members vote and check their receipt; a fixed result is public
(tests/recommendations/test_ballots.py checks what each of them can change)."""

from __future__ import annotations

from typing import Any

from recommendations.models import Ballot, Recommendation, VotingRule
from recommendations.services import ballots as services
from recommendations.services.ballots import Counts
from tests.conftest import Cast
from tests.permission import ALL, SLUG, Row, staff_only

PREPARERS = {"organiser", "chair"}
READERS = {"organiser", "chair", "griffie"}


def _ballot(cast: Cast, *, method: str = "electronic", open_it: bool = True) -> Ballot:
    VotingRule.objects.get_or_create(assembly=cast.assembly)
    recommendation = Recommendation.objects.create(
        assembly=cast.assembly,
        number=1,
        title="Preventie op school",
        text="Meer voorlichting op scholen.",
        status=Recommendation.Status.FINAL,
    )
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly, recommendation=recommendation, method=method, actor=None
    )
    if open_it:
        ballot = services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    return ballot


def _kwargs(ballot: Ballot) -> dict[str, Any]:
    return {"slug": ballot.assembly.slug, "number": ballot.number}


def _open(cast: Cast) -> dict[str, Any]:
    return _kwargs(_ballot(cast))


def _prepared(cast: Cast) -> dict[str, Any]:
    return _kwargs(_ballot(cast, open_it=False))


def _closed_paper(cast: Cast) -> dict[str, Any]:
    ballot = _ballot(cast, method="paper")
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    return _kwargs(ballot)


def _pending_count(cast: Cast) -> dict[str, Any]:
    ballot = _ballot(cast, method="paper")
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    count = services.paper_count_enter(
        ballot=ballot, counts=Counts(3, 1, 0), actor=cast.users["chair"]
    )
    return {**_kwargs(ballot), "count_id": count.pk}


def _confirmed_count(cast: Cast) -> dict[str, Any]:
    kwargs = _pending_count(cast)
    count = Ballot.objects.get(assembly=cast.assembly).paper_counts.get()
    services.paper_count_confirm(count=count, actor=cast.users["organiser"])
    return {"slug": kwargs["slug"], "number": kwargs["number"]}


def _closed_electronic(cast: Cast) -> dict[str, Any]:
    ballot = _ballot(cast)
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    return _kwargs(ballot)


def _counts(cast: Cast) -> dict[str, Any]:
    return {"votes_for": 3, "votes_against": 1, "votes_abstain": 0, "invalid": 0}


CHAIR_REDIRECT = staff_only({"chair"}, status=302)

ROWS: dict[str, Row] = {
    "recommendations:ballot_rule": Row(staff_only(PREPARERS), kwargs=SLUG),
    "recommendations:ballot_list": Row(staff_only(READERS), kwargs=SLUG),
    "recommendations:ballot_new": Row(staff_only(PREPARERS), kwargs=SLUG),
    "recommendations:ballot_new_ranked": Row(staff_only(PREPARERS), kwargs=SLUG),
    "recommendations:ballot_detail": Row(staff_only(READERS), kwargs=_open),
    "recommendations:ballot_live": Row(staff_only(READERS), kwargs=_open),
    "recommendations:ballot_cancel": Row(
        staff_only(PREPARERS, status=302), kwargs=_prepared, method="post"
    ),
    # Only the chair opens, closes, counts, fixes and corrects.
    "recommendations:ballot_open": Row(
        CHAIR_REDIRECT, kwargs=_prepared, method="post", data=lambda c: {"confirm": "on"}
    ),
    "recommendations:ballot_close": Row(
        CHAIR_REDIRECT, kwargs=_open, method="post", data=lambda c: {"confirm": "on"}
    ),
    "recommendations:paper_count_enter": Row(
        CHAIR_REDIRECT, kwargs=_closed_paper, method="post", data=_counts
    ),
    # The second pair of eyes: organisation or chair (the service refuses the one who entered it).
    "recommendations:paper_count_confirm": Row(
        staff_only(PREPARERS, status=302), kwargs=_pending_count, method="post"
    ),
    "recommendations:ballot_record": Row(CHAIR_REDIRECT, kwargs=_confirmed_count, method="post"),
    "recommendations:ballot_correct": Row(staff_only({"chair"}), kwargs=_closed_electronic),
    # Members of this assembly; the other assembly's member is refused.
    "recommendations:vote_list": Row(staff_only({"member"}), kwargs=SLUG),
    "recommendations:receipt_check": Row(staff_only({"member"}), kwargs=SLUG),
    "recommendations:vote": Row(staff_only({"member"}), kwargs=_open),
    # The member persona has no seat in the panel: the vote is refused with a message.
    "recommendations:vote_cast": Row(
        staff_only({"member"}, status=302),
        kwargs=_open,
        method="post",
        data=lambda c: {"choice": "for"},
    ),
    # A fixed result is public.
    "recommendations:ballot_result": Row(ALL, kwargs=_closed_electronic),
}
