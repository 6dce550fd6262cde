"""A secret electronic ballot on real PostgreSQL: 150 members vote at the same
time, each from a thread with its own database connection (as the web
workers would), and every member tries a second time at once. Then the
ballot is closed by the beat task on a real Celery worker.

Afterwards: 150 marks, 150 votes, the counts are exactly the choices made,
each receipt code finds its own vote, and nothing in the database joins a
vote to a member: the two tables share no column but the ballot (and an "id"
that is a random UUID on the vote side), and the vote table has no time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from celery.result import AsyncResult
from django.db import connection
from django.utils import timezone

from recommendations import selectors_ballots as selectors
from recommendations.models import Ballot, BallotResult, ElectronicVote, VoterMark
from recommendations.services import ballots as services
from recommendations.tasks_ballots import ballots_close_due_task
from tests.recommendations.test_ballots import final_recommendation, rule, voters
from tests.services.conftest import Worker

MEMBERS = 150
# PostgreSQL allows 100 connections and other tests share it: 40 at once.
THREADS = 40
CHOICES = ("for", "against", "abstain")


def _choice(index: int) -> str:
    # 110 for, 30 against, 10 abstain.
    return "for" if index < 110 else ("against" if index < 140 else "abstain")


def _columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
            [table],
        )
        return dict(cursor.fetchall())


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ccu.table_name FROM information_schema.table_constraints tc
            JOIN information_schema.constraint_column_usage ccu
              ON tc.constraint_name = ccu.constraint_name
            WHERE tc.table_name = %s AND tc.constraint_type = 'FOREIGN KEY'
            """,
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_150_members_vote_at_once_each_counted_once_and_none_linkable(
    celery_worker: Worker,
) -> None:
    from tests.factories import AssemblyFactory, UserFactory, WeekendFactory

    assembly = AssemblyFactory(slug="geheim")
    WeekendFactory(assembly=assembly, number=1)
    members = voters(assembly, MEMBERS)
    rule(assembly)
    chair = UserFactory()
    ballot = services.ballot_create_for_recommendation(
        assembly=assembly,
        recommendation=final_recommendation(assembly),
        method="electronic",
        actor=chair,
    )
    ballot = services.ballot_open(ballot=ballot, actor=chair)

    def vote(index: int) -> tuple[int, str, str]:
        """One attempt; each member makes two at the same time."""
        member_index = index % MEMBERS
        try:
            code = services.electronic_vote_cast(
                ballot=ballot, member=members[member_index], choice=_choice(member_index)
            )
            return member_index, "ok", code
        except services.BallotRefused as refused:
            return member_index, "refused", str(refused)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        attempts = list(pool.map(vote, range(2 * MEMBERS)))

    accepted = [a for a in attempts if a[1] == "ok"]
    refused = [a for a in attempts if a[1] == "refused"]
    assert len(accepted) == MEMBERS
    assert sorted(a[0] for a in accepted) == list(range(MEMBERS))
    assert len(refused) == MEMBERS
    assert all("al gestemd" in a[2] for a in refused)
    assert VoterMark.objects.filter(ballot=ballot).count() == MEMBERS
    assert ElectronicVote.objects.filter(ballot=ballot).count() == MEMBERS
    assert Counter(ElectronicVote.objects.values_list("choice", flat=True)) == Counter(
        _choice(i) for i in range(MEMBERS)
    )

    # Each receipt finds its own vote, with the choice that member made.
    for member_index, _status, code in accepted:
        found = selectors.vote_by_receipt(assembly=assembly, code=code)
        assert found is not None
        assert found.choice == _choice(member_index)
    assert len({code for _m, _s, code in accepted}) == MEMBERS

    # Nothing joins a vote to a member.
    votes, marks = _columns("recommendations_electronicvote"), _columns("recommendations_votermark")
    assert set(votes) == {"id", "ballot_id", "choice", "ranking", "receipt_hash"}
    assert set(votes) & set(marks) == {"id", "ballot_id"}
    assert votes["id"] == "uuid" and marks["id"] != "uuid"
    assert not [c for c, kind in votes.items() if "time" in kind or kind == "date"]
    assert _foreign_keys("recommendations_electronicvote") == {"recommendations_ballot"}
    assert all(
        uuid.UUID(str(pk)).version == 4
        for pk in ElectronicVote.objects.values_list("id", flat=True)
    )

    # The beat task closes it on the worker once the closing time has passed.
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    first = ballots_close_due_task.apply_async(ignore_result=False)
    second = ballots_close_due_task.apply_async(ignore_result=False)
    closed = [
        AsyncResult(r.id, backend=celery_worker.results).get(timeout=60) for r in (first, second)
    ]
    assert sorted(closed) == [0, 1]

    # Stored in the order members voted, the votes would line up with the
    # marks (who voted, when); after closing they are stored in a random order.
    hash_of = {i: services.receipt_hash(code) for i, _status, code in accepted}
    member_index = {m.pk: i for i, m in enumerate(members)}
    voting_order = [
        hash_of[member_index[pk]]
        for pk in VoterMark.objects.filter(ballot=ballot)
        .order_by("voted_at", "pk")
        .values_list("member_id", flat=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT receipt_hash FROM recommendations_electronicvote WHERE ballot_id = %s"
            " ORDER BY ctid",
            [ballot.pk],
        )
        stored_order = [row[0] for row in cursor.fetchall()]
    assert sorted(stored_order) == sorted(voting_order)
    assert stored_order != voting_order
    result = BallotResult.objects.get(ballot=ballot)
    assert (result.votes_for, result.votes_against, result.votes_abstain) == (110, 30, 10)
    assert result.adopted is True  # 110 / 140 = 78.6 %
    assert len(result.counts_hash) == 64
