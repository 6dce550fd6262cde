"""Ballots through the services and the pages: the rule, opening and closing,
secret votes with receipts, paper counts with four eyes, fixed results and
corrections, and who may do each of these."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from assembly.models import Assembly, AuditEvent, User
from participants.models import CheckIn, PanelMember, Registration
from recommendations import counting
from recommendations.models import (
    Ballot,
    BallotResult,
    ElectronicVote,
    PaperCount,
    Recommendation,
    VoterMark,
    VotingRule,
)
from recommendations.services import ballots as services
from recommendations.services.ballots import BallotRefused, Counts
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import UserFactory, form_number
from tests.participants.test_panel import make_panel

# ------------------------------------------------------------------ helpers (shared)


def voters(assembly: Assembly, count: int, *, checked_in: bool = True) -> list[PanelMember]:
    """``count`` confirmed members, each with a login, checked in today when asked."""
    make_panel(assembly, size=count, panel=tuple(range(count)), alternates=())
    members = list(PanelMember.objects.filter(assembly=assembly).order_by("pk"))
    weekend = Weekend.objects.filter(assembly=assembly).order_by("number").first()
    for member in members:
        member.status = PanelMember.Status.CONFIRMED
        member.user = UserFactory()
        member.save(update_fields=["status", "user"])
    if checked_in:
        assert weekend is not None
        CheckIn.objects.bulk_create(
            CheckIn(member=m, weekend=weekend, day=timezone.localdate()) for m in members
        )
    return members


def final_recommendation(assembly: Assembly, number: int = 1) -> Recommendation:
    return Recommendation.objects.create(
        assembly=assembly,
        number=number,
        title=f"Aanbeveling {number}",
        text="Het kabinet investeert in preventie op scholen.",
        status=Recommendation.Status.FINAL,
        position=number,
    )


def rule(assembly: Assembly, threshold: str = "three_quarters", abstentions: bool = False) -> None:
    VotingRule.objects.update_or_create(
        assembly=assembly,
        defaults={"threshold": threshold, "abstentions_count": abstentions},
    )


def open_ballot(
    cast: Cast, *, method: str = "electronic", number: int = 1, threshold: str = "three_quarters"
) -> Ballot:
    rule(cast.assembly, threshold)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly, number),
        method=method,
        actor=cast.users["organiser"],
    )
    return services.ballot_open(ballot=ballot, actor=cast.users["chair"])


def ranked_ballot(cast: Cast, method: str = "electronic") -> Ballot:
    rule(cast.assembly)
    ballot = services.ballot_create_ranked(
        assembly=cast.assembly,
        title="Welk drugsbeleid?",
        question="Zet de modellen in volgorde van voorkeur.",
        options=[("Verbod", ""), ("Gedogen", ""), ("Regulering", "")],
        method=method,
        actor=cast.users["chair"],
    )
    return services.ballot_open(ballot=ballot, actor=cast.users["chair"])


def cast_votes(ballot: Ballot, members: list[PanelMember], choices: list[str]) -> list[str]:
    return [
        services.electronic_vote_cast(ballot=ballot, member=m, choice=c)
        for m, c in zip(members, choices, strict=True)
    ]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------ the rule


def test_it_locks_the_rule_when_the_first_ballot_opens(cast: Cast) -> None:
    services.voting_rule_set(
        assembly=cast.assembly,
        threshold="two_thirds",
        abstentions_count=True,
        actor=cast.users["organiser"],
    )
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="paper",
        actor=cast.users["organiser"],
    )
    services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    ballot.refresh_from_db()
    assert ballot.threshold == "two_thirds"
    assert ballot.abstentions_count is True
    assert VotingRule.objects.get(assembly=cast.assembly).locked_at is not None
    with pytest.raises(BallotRefused, match="ligt vast"):
        services.voting_rule_set(
            assembly=cast.assembly,
            threshold="majority",
            abstentions_count=False,
            actor=cast.users["chair"],
        )
    assert VotingRule.objects.get(assembly=cast.assembly).threshold == "two_thirds"


def test_a_ballot_does_not_open_without_a_rule(cast: Cast) -> None:
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="paper",
        actor=None,
    )
    with pytest.raises(BallotRefused, match="stemregel"):
        services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PREPARED


def test_the_rule_page_saves_and_then_shows_it_locked(cast: Cast) -> None:
    url = reverse("recommendations:ballot_rule", kwargs={"slug": cast.assembly.slug})
    client = _client(cast.users["organiser"])
    response = client.post(url, {"threshold": "majority"})
    assert response.status_code == 302
    assert VotingRule.objects.get(assembly=cast.assembly).threshold == "majority"
    VotingRule.objects.filter(assembly=cast.assembly).update(locked_at=timezone.now())
    page = client.get(url).content.decode()
    assert "Stemregel opslaan" not in page
    assert "Vastgezet" in page


# ------------------------------------------------------------------ preparing


def test_only_a_final_recommendation_is_put_to_the_vote_and_only_once(cast: Cast) -> None:
    draft = Recommendation.objects.create(
        assembly=cast.assembly, number=7, title="Concept", text="…", status="amended"
    )
    with pytest.raises(BallotRefused, match="niet definitief"):
        services.ballot_create_for_recommendation(
            assembly=cast.assembly, recommendation=draft, method="paper", actor=None
        )
    final = final_recommendation(cast.assembly, 8)
    services.ballot_create_for_recommendation(
        assembly=cast.assembly, recommendation=final, method="paper", actor=None
    )
    with pytest.raises(BallotRefused, match="al een stemming"):
        services.ballot_create_for_recommendation(
            assembly=cast.assembly, recommendation=final, method="paper", actor=None
        )


def test_opening_puts_the_recommendation_in_the_ballot(cast: Cast) -> None:
    ballot = open_ballot(cast)
    assert ballot.recommendation is not None
    ballot.recommendation.refresh_from_db()
    assert ballot.recommendation.status == Recommendation.Status.BALLOTED
    with pytest.raises(BallotRefused):
        services.ballot_open(ballot=ballot, actor=cast.users["chair"])


def test_closing_stores_the_votes_again_in_an_order_that_says_nothing(cast: Cast) -> None:
    """Votes go in as members vote, and the marks show that order: read back
    in stored order, the votes would pair with the members. After closing
    they are stored again in a random order, with new keys; receipts still work."""
    from django.db import connection

    members = voters(cast.assembly, 12)
    ballot = open_ballot(cast)
    codes = cast_votes(ballot, members, ["for", "against", "abstain"] * 4)
    cast_order = [services.receipt_hash(code) for code in codes]
    keys_before = set(ElectronicVote.objects.values_list("id", flat=True))

    def stored_order() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT receipt_hash FROM recommendations_electronicvote WHERE ballot_id = %s",
                [ballot.pk],
            )
            return [row[0] for row in cursor.fetchall()]

    assert stored_order() == cast_order  # the leak while the ballot is open
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])

    assert sorted(stored_order()) == sorted(cast_order)
    assert stored_order() != cast_order
    assert not keys_before & set(ElectronicVote.objects.values_list("id", flat=True))
    result = BallotResult.objects.get(ballot=ballot)
    assert (result.votes_for, result.votes_against, result.votes_abstain) == (4, 4, 4)
    from recommendations import selectors_ballots

    assert selectors_ballots.vote_by_receipt(assembly=cast.assembly, code=codes[0]) is not None


def test_the_ranked_ballot_form_sent_twice_prepares_one_ballot(cast: Cast) -> None:
    client = _client(cast.users["organiser"])
    url = reverse("recommendations:ballot_new_ranked", kwargs={"slug": cast.assembly.slug})
    number = form_number(client.get(url).content.decode())
    form = {
        "title": "Welk model?",
        "question": "",
        "options": "Regulering\nHuidig beleid",
        "method": "paper",
        "submission": number,
    }
    # A double click on "Klaarzetten".
    first = client.post(url, form)
    second = client.post(url, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Ballot.objects.filter(assembly=cast.assembly, kind=Ballot.Kind.RANKED).count() == 1
    # A fresh form prepares a new ballot.
    assert form_number(client.get(url).content.decode()) != number


def test_the_ranked_ballot_form_sent_again_after_back_prepares_one_ballot(cast: Cast) -> None:
    """The Back button loads the form with a new number but keeps the typed
    text: the same ballot sent again is the first one, and the page says so.
    Other options make a new ballot."""
    client = _client(cast.users["organiser"])
    url = reverse("recommendations:ballot_new_ranked", kwargs={"slug": cast.assembly.slug})
    form = {
        "title": "Welk model?",
        "question": "Welk model past het best?",
        "options": "Regulering\nHuidig beleid",
        "method": "paper",
    }
    first = client.post(url, {**form, "submission": form_number(client.get(url).content.decode())})
    again = client.post(
        url, {**form, "submission": form_number(client.get(url).content.decode())}, follow=True
    )
    ranked = Ballot.objects.filter(assembly=cast.assembly, kind=Ballot.Kind.RANKED)
    assert ranked.count() == 1
    assert again.redirect_chain[0][0] == first["Location"]
    assert "was al klaargezet" in again.content.decode()

    other = {**form, "options": "Regulering\nDecriminalisering\nHuidig beleid"}
    client.post(url, {**other, "submission": form_number(client.get(url).content.decode())})
    assert ranked.count() == 2
    # Once the first is cancelled, the same texts prepare a new ballot.
    services.ballot_cancel(ballot=ranked.order_by("pk").first(), actor=cast.users["organiser"])
    client.post(url, {**form, "submission": form_number(client.get(url).content.decode())})
    assert ranked.count() == 3


def test_a_ranked_ballot_needs_two_distinct_options(cast: Cast) -> None:
    with pytest.raises(BallotRefused, match="twee opties"):
        services.ballot_create_ranked(
            assembly=cast.assembly,
            title="Keuze",
            question="",
            options=[("Alleen", "")],
            method="paper",
            actor=None,
        )
    with pytest.raises(BallotRefused, match="dezelfde naam"):
        services.ballot_create_ranked(
            assembly=cast.assembly,
            title="Keuze",
            question="",
            options=[("A", ""), ("A", "")],
            method="paper",
            actor=None,
        )


def test_a_withdrawn_recommendation_is_never_voted_on(cast: Cast) -> None:
    from recommendations.services.drafting import recommendation_withdraw

    rule(cast.assembly)
    recommendation = final_recommendation(cast.assembly)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly, recommendation=recommendation, method="paper", actor=None
    )
    recommendation_withdraw(
        recommendation=recommendation, reason="Samengevoegd met 2", actor=cast.users["organiser"]
    )
    # Its prepared ballot is cancelled with it, and cannot be opened.
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.CANCELLED
    with pytest.raises(BallotRefused):
        services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.WITHDRAWN


def test_a_ballot_does_not_open_on_a_recommendation_that_left_final(cast: Cast) -> None:
    # As when the withdrawal commits between the chair's page and the click.
    rule(cast.assembly)
    recommendation = final_recommendation(cast.assembly)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly, recommendation=recommendation, method="paper", actor=None
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(
        status=Recommendation.Status.WITHDRAWN
    )
    with pytest.raises(BallotRefused, match="ingetrokken"):
        services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.PREPARED
    assert Recommendation.objects.get(pk=recommendation.pk).status == "withdrawn"


def test_a_prepared_ballot_can_be_withdrawn_but_not_an_open_one(cast: Cast) -> None:
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="paper",
        actor=None,
    )
    services.ballot_cancel(ballot=ballot, actor=cast.users["organiser"])
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.CANCELLED
    # A withdrawn ballot does not block a new one for the same recommendation.
    assert ballot.recommendation is not None
    again = services.ballot_create_for_recommendation(
        assembly=cast.assembly, recommendation=ballot.recommendation, method="paper", actor=None
    )
    rule(cast.assembly)
    services.ballot_open(ballot=again, actor=cast.users["chair"])
    with pytest.raises(BallotRefused):
        services.ballot_cancel(ballot=again, actor=cast.users["organiser"])


# ------------------------------------------------------------------ secret votes


def test_a_vote_needs_a_check_in_today_and_a_confirmed_seat(cast: Cast) -> None:
    members = voters(cast.assembly, 3, checked_in=False)
    ballot = open_ballot(cast)
    with pytest.raises(BallotRefused, match="aangemeld"):
        services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CheckIn.objects.create(member=members[0], weekend=weekend, day=yesterday)
    with pytest.raises(BallotRefused, match="aangemeld"):
        services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    CheckIn.objects.create(member=members[0], weekend=weekend, day=timezone.localdate())
    assert services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    members[1].status = PanelMember.Status.WITHDRAWN
    members[1].save(update_fields=["status"])
    CheckIn.objects.create(member=members[1], weekend=weekend, day=timezone.localdate())
    with pytest.raises(BallotRefused, match="lijst van deelnemers"):
        services.electronic_vote_cast(ballot=ballot, member=members[1], choice="for")
    with pytest.raises(BallotRefused, match="lijst van deelnemers"):
        services.electronic_vote_cast(ballot=ballot, member=None, choice="for")
    assert VoterMark.objects.filter(ballot=ballot).count() == 1
    assert ElectronicVote.objects.filter(ballot=ballot).count() == 1


def test_one_vote_per_member_and_none_after_closing(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    services.electronic_vote_cast(ballot=ballot, member=members[0], choice="against")
    with pytest.raises(BallotRefused, match="al gestemd"):
        services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    with pytest.raises(BallotRefused, match="voor, tegen"):
        services.electronic_vote_cast(ballot=ballot, member=members[1], choice="maybe")
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    with pytest.raises(BallotRefused, match="gesloten"):
        services.electronic_vote_cast(ballot=ballot, member=members[1], choice="for")
    assert ElectronicVote.objects.filter(ballot=ballot).count() == 1


def test_a_vote_after_the_closing_time_is_refused(cast: Cast) -> None:
    members = voters(cast.assembly, 1)
    ballot = open_ballot(cast)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(BallotRefused, match="gesloten"):
        services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")


def test_the_vote_holds_nothing_that_points_to_the_member(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    codes = cast_votes(ballot, members, ["for", "against"])
    vote_fields = {f.name for f in ElectronicVote._meta.get_fields()}
    assert vote_fields == {"id", "ballot", "choice", "ranking", "receipt_hash"}
    assert not any(
        f.get_internal_type() in {"DateTimeField", "DateField"}
        for f in ElectronicVote._meta.concrete_fields
    )
    for code in codes:
        assert not ElectronicVote.objects.filter(receipt_hash=code).exists()
        assert ElectronicVote.objects.filter(receipt_hash=services.receipt_hash(code)).exists()
    # Nothing about the vote in the audit log either.
    assert not AuditEvent.objects.filter(action__icontains="vote").exists()


def test_a_receipt_code_finds_its_own_vote(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    first, second = cast_votes(ballot, members, ["for", "against"])
    from recommendations import selectors_ballots as selectors

    found = selectors.vote_by_receipt(assembly=cast.assembly, code=first.lower().replace("-", ""))
    assert found is not None and found.choice == "for"
    found = selectors.vote_by_receipt(assembly=cast.assembly, code=second)
    assert found is not None and found.choice == "against"
    assert selectors.vote_by_receipt(assembly=cast.assembly, code="AAAA-BBBB-CCCC") is None
    assert selectors.vote_by_receipt(assembly=cast.other_assembly, code=first) is None


def test_closing_fixes_the_result_with_a_hash_exactly_at_75_percent(cast: Cast) -> None:
    members = voters(cast.assembly, 9)
    ballot = open_ballot(cast)
    # 6 for, 2 against, 1 abstain: 6 / 8 = 75 %, abstentions not in the base: adopted.
    cast_votes(ballot, members, ["for"] * 6 + ["against"] * 2 + ["abstain"])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    result = BallotResult.objects.get(ballot=ballot)
    assert (result.votes_for, result.votes_against, result.votes_abstain) == (6, 2, 1)
    assert result.adopted is True
    assert result.threshold == "three_quarters"
    expected = counting.counts_hash(
        counting.recommendation_counts(
            ballot=f"{cast.assembly.slug}/{ballot.number}",
            votes_for=6,
            votes_against=2,
            votes_abstain=1,
            invalid=0,
            threshold="three_quarters",
            abstentions_count=False,
        )
    )
    assert result.counts_hash == expected
    assert ballot.recommendation is not None
    ballot.recommendation.refresh_from_db()
    assert ballot.recommendation.status == Recommendation.Status.ADOPTED


def test_one_vote_under_75_percent_is_not_adopted(cast: Cast) -> None:
    members = voters(cast.assembly, 8)
    ballot = open_ballot(cast)
    cast_votes(ballot, members, ["for"] * 5 + ["against"] * 2 + ["abstain"])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    # 5 / 7 = 71.4 %
    assert BallotResult.objects.get(ballot=ballot).adopted is False
    assert ballot.recommendation is not None
    ballot.recommendation.refresh_from_db()
    assert ballot.recommendation.status == Recommendation.Status.NOT_ADOPTED


def test_a_ranked_electronic_ballot_is_counted_by_instant_runoff(cast: Cast) -> None:
    members = voters(cast.assembly, 7)
    ballot = ranked_ballot(cast)
    rankings = [[1], [1, 2], [1], [2, 3], [3, 2], [3, 2], [2]]
    for member, ranking in zip(members, rankings, strict=True):
        services.electronic_vote_cast(ballot=ballot, member=member, ranking=ranking)
    with pytest.raises(BallotRefused, match="één keer"):
        services.check_vote(ballot=ballot, choice="", ranking=[1, 1])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    result = BallotResult.objects.get(ballot=ballot)
    # Round 1: 3 / 2 / 2, tie for last between 2 and 3 on first preferences too:
    # position decides, 3 goes; its ballots go to 2: 3 / 4 → Gedogen (2) wins.
    assert [r["counts"] for r in result.rounds] == [
        {"1": 3, "2": 2, "3": 2},
        {"1": 3, "2": 4},
    ]
    assert result.rounds[0]["tie_break"] == counting.TIE_POSITION
    assert result.winner_position == 2
    assert result.adopted is None


# ------------------------------------------------------------------ paper and four eyes


def test_a_paper_count_needs_a_second_person_before_the_chair_fixes_it(cast: Cast) -> None:
    voters(cast.assembly, 10, checked_in=False)
    ballot = open_ballot(cast, method="paper")
    chair, organiser = cast.users["chair"], cast.users["organiser"]
    with pytest.raises(BallotRefused, match="Sluit eerst"):
        services.paper_count_enter(ballot=ballot, counts=Counts(5, 1, 0), actor=chair)
    services.ballot_close(ballot=ballot, actor=chair)
    assert not BallotResult.objects.filter(ballot=ballot).exists()
    with pytest.raises(BallotRefused, match="deelnemers"):
        services.paper_count_enter(ballot=ballot, counts=Counts(9, 2, 0), actor=chair)
    count = services.paper_count_enter(ballot=ballot, counts=Counts(6, 3, 1), actor=chair)
    with pytest.raises(BallotRefused, match="Iemand anders"):
        services.paper_count_confirm(count=count, actor=chair)
    with pytest.raises(BallotRefused, match="niet gecontroleerd"):
        services.ballot_result_record(ballot=ballot, actor=chair)
    services.paper_count_reject(count=count, actor=organiser)
    count = services.paper_count_enter(ballot=ballot, counts=Counts(7, 2, 1), actor=chair)
    services.paper_count_confirm(count=count, actor=organiser)
    # Confirming changes nothing: no result until the chair fixes it.
    assert not BallotResult.objects.filter(ballot=ballot).exists()
    result = services.ballot_result_record(ballot=ballot, actor=chair)
    assert (result.votes_for, result.votes_against, result.votes_abstain) == (7, 2, 1)
    assert result.adopted is True  # 7 / 9 = 77.8 %
    assert result.recorded_by == chair
    with pytest.raises(BallotRefused, match="ligt al vast"):
        services.ballot_result_record(ballot=ballot, actor=chair)
    with pytest.raises(BallotRefused, match="ligt al vast"):
        services.paper_count_enter(ballot=ballot, counts=Counts(1, 1, 1), actor=chair)
    assert PaperCount.objects.filter(ballot=ballot).count() == 2


def test_a_count_with_more_papers_than_members_present_is_pointed_out(cast: Cast) -> None:
    members = voters(cast.assembly, 10, checked_in=False)
    weekend = Weekend.objects.filter(assembly=cast.assembly).order_by("number").first()
    CheckIn.objects.bulk_create(
        CheckIn(member=m, weekend=weekend, day=timezone.localdate()) for m in members[:2]
    )
    ballot = open_ballot(cast, method="paper")
    chair = cast.users["chair"]
    services.ballot_close(ballot=ballot, actor=chair)
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    url = reverse("recommendations:ballot_detail", kwargs=kwargs)
    day = formats.date_format(timezone.localdate(), "j F Y")

    count = services.paper_count_enter(ballot=ballot, counts=Counts(6, 3, 0), actor=chair)
    page = _client(cast.users["organiser"]).get(url).content.decode()
    assert f"Let op: dit zijn 9 stembiljetten, maar op {day} waren 2 deelnemers aangemeld" in page
    services.paper_count_reject(count=count, actor=cast.users["organiser"])
    services.paper_count_enter(ballot=ballot, counts=Counts(1, 1, 0), actor=chair)
    assert "Let op: dit zijn" not in _client(chair).get(url).content.decode()


def test_a_ranked_paper_count_is_counted_from_its_piles(cast: Cast) -> None:
    ballot = ranked_ballot(cast, method="paper")
    chair = cast.users["chair"]
    services.ballot_close(ballot=ballot, actor=chair)
    with pytest.raises(BallotRefused, match="Regel 1"):
        services.paper_count_enter(ballot=ballot, counts=Counts(piles=(((4,), 3),)), actor=chair)
    piles = (((1, 2), 30), ((2, 1), 20), ((3, 2), 12), ((3, 1), 9))
    count = services.paper_count_enter(ballot=ballot, counts=Counts(piles=piles), actor=chair)
    services.paper_count_confirm(count=count, actor=cast.users["organiser"])
    result = services.ballot_result_record(ballot=ballot, actor=chair)
    assert [r["counts"] for r in result.rounds] == [
        {"1": 30, "2": 20, "3": 21},
        {"1": 50, "3": 21},
    ]
    assert result.winner_position == 1


# ------------------------------------------------------------------ corrections


def _paper_result(cast: Cast, counts: Counts, members: int = 4) -> Ballot:
    """A closed paper ballot whose count a second person confirmed and the
    chair fixed."""
    voters(cast.assembly, members)
    ballot = open_ballot(cast, method="paper")
    chair = cast.users["chair"]
    services.ballot_close(ballot=ballot, actor=chair)
    count = services.paper_count_enter(ballot=ballot, counts=counts, actor=chair)
    services.paper_count_confirm(count=count, actor=cast.users["organiser"])
    services.ballot_result_record(ballot=ballot, actor=chair)
    return ballot


def test_a_correction_counts_once_a_second_person_confirms_it(cast: Cast) -> None:
    ballot = _paper_result(cast, Counts(3, 1, 0))
    chair = cast.users["chair"]
    first = BallotResult.objects.get(ballot=ballot)
    assert first.adopted is True
    with pytest.raises(BallotRefused, match="waarom"):
        services.ballot_result_correct(
            ballot=ballot, counts=Counts(2, 2, 0), reason=" ", actor=chair
        )
    with pytest.raises(BallotRefused, match="niets te corrigeren"):
        services.ballot_result_correct(
            ballot=ballot, counts=Counts(3, 1, 0), reason="Nog eens", actor=chair
        )

    correction = services.ballot_result_correct(
        ballot=ballot,
        counts=Counts(2, 2, 0),
        reason="Een stem stond bij de verkeerde kolom.",
        actor=chair,
    )
    # Nothing changes until someone else has checked the new numbers.
    assert services.current_result(ballot=ballot) == first
    with pytest.raises(BallotRefused, match="Iemand anders"):
        services.paper_count_confirm(count=correction, actor=chair)
    services.paper_count_confirm(count=correction, actor=cast.users["organiser"])

    second = services.current_result(ballot=ballot)
    assert second is not None and second.supersedes == first
    first.refresh_from_db()
    assert (first.votes_for, first.votes_against, first.adopted) == (3, 1, True)
    assert (second.votes_for, second.votes_against, second.adopted) == (2, 2, False)
    assert second.reason == "Een stem stond bij de verkeerde kolom."
    assert second.counts_hash != first.counts_hash
    assert ballot.recommendation is not None
    ballot.recommendation.refresh_from_db()
    assert ballot.recommendation.status == Recommendation.Status.NOT_ADOPTED
    event = AuditEvent.objects.get(action="ballots.result_correct")
    assert event.detail["supersedes"] == first.pk
    assert "verkeerde" not in str(event.detail)
    assert AuditEvent.objects.filter(action="ballots.correction_enter").count() == 1


def test_a_rejected_correction_leaves_the_result_as_it_was(cast: Cast) -> None:
    ballot = _paper_result(cast, Counts(3, 1, 0))
    first = services.current_result(ballot=ballot)
    correction = services.ballot_result_correct(
        ballot=ballot, counts=Counts(1, 3, 0), reason="Omgedraaid", actor=cast.users["chair"]
    )
    services.paper_count_reject(count=correction, actor=cast.users["organiser"])
    assert services.current_result(ballot=ballot) == first
    assert BallotResult.objects.filter(ballot=ballot).count() == 1


def test_an_electronic_result_is_the_stored_votes_and_nobody_types_it_over(cast: Cast) -> None:
    members = voters(cast.assembly, 4)
    ballot = open_ballot(cast)
    cast_votes(ballot, members[:1], ["against"])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    with pytest.raises(BallotRefused, match="opgeslagen stemmen"):
        services.ballot_result_correct(
            ballot=ballot, counts=Counts(4, 0, 0), reason="Meer stemmen", actor=cast.users["chair"]
        )
    result = services.current_result(ballot=ballot)
    assert result is not None and (result.votes_for, result.votes_against) == (0, 1)

    chair = _client(cast.users["chair"])
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    detail = chair.get(reverse("recommendations:ballot_detail", kwargs=kwargs)).content.decode()
    assert reverse("recommendations:ballot_correct", kwargs=kwargs) not in detail
    page = chair.get(reverse("recommendations:ballot_correct", kwargs=kwargs)).content.decode()
    assert "opgeslagen stemmen" in page and "Correctie vastleggen" not in page


def test_the_ballot_page_shows_a_waiting_correction_to_the_one_who_checks_it(
    cast: Cast,
) -> None:
    ballot = _paper_result(cast, Counts(3, 1, 0))
    services.ballot_result_correct(
        ballot=ballot, counts=Counts(2, 2, 0), reason="Verkeerde kolom", actor=cast.users["chair"]
    )
    url = reverse(
        "recommendations:ballot_detail",
        kwargs={"slug": cast.assembly.slug, "number": ballot.number},
    )
    checker = _client(cast.users["organiser"]).get(url).content.decode()
    assert "Correctie die wacht op controle" in checker and "Verkeerde kolom" in checker
    assert "Klopt: telling bevestigen" in checker
    chair = _client(cast.users["chair"]).get(url).content.decode()
    assert "U hebt deze telling zelf ingevoerd." in chair
    assert "Klopt: telling bevestigen" not in chair


# ------------------------------------------------------------------ the pages


def test_a_member_votes_confirms_and_sees_the_receipt_once(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = open_ballot(cast)
    client = _client(cast.users["member"])
    slug = cast.assembly.slug
    listing = client.get(reverse("recommendations:vote_list", kwargs={"slug": slug}))
    assert "Stem nu" in listing.content.decode()
    url = reverse("recommendations:vote", kwargs={"slug": slug, "number": ballot.number})
    page = client.get(url).content.decode()
    assert "ten minste 75 procent" in page
    missing = client.post(url, {})
    assert missing.status_code == 400
    assert "Kies voor, tegen of onthouding." in missing.content.decode()
    confirm = client.post(url, {"choice": "against"})
    assert "Klopt uw keuze?" in confirm.content.decode()
    assert not ElectronicVote.objects.exists()
    cast_url = reverse("recommendations:vote_cast", kwargs={"slug": slug, "number": ballot.number})
    receipt = client.post(cast_url, {"choice": "against"})
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    vote = ElectronicVote.objects.get()
    assert vote.choice == "against"
    code = receipt.context["code"]
    assert services.receipt_hash(code) == vote.receipt_hash
    again = client.post(cast_url, {"choice": "for"})
    assert again.status_code == 302
    assert ElectronicVote.objects.count() == 1
    check_url = reverse("recommendations:receipt_check", kwargs={"slug": slug})
    checked = client.post(check_url, {"code": code}).content.decode()
    assert "Ja, uw stem is ontvangen" in checked
    assert "Tegen" in checked
    assert "vinden wij niet" not in checked
    wrong = client.post(check_url, {"code": "ZZZZ-ZZZZ-ZZZZ"}).content.decode()
    assert "Deze code vinden wij niet." in wrong


def test_a_count_is_checked_against_the_members_who_could_vote_then(cast: Cast) -> None:
    """All four voted; a week later one stops, and the chair then corrects the count."""
    from participants.services.panel import panel_member_withdraw

    ballot = _paper_result(cast, Counts(votes_for=2, votes_against=2))
    leaver = PanelMember.objects.filter(
        assembly=cast.assembly, status=PanelMember.Status.CONFIRMED
    ).last()
    assert leaver is not None
    panel_member_withdraw(member=leaver, reason="verhuisd", actor=cast.users["organiser"])

    services.ballot_result_correct(
        ballot=ballot,
        counts=Counts(votes_for=3, votes_against=1),
        reason="Een stem verkeerd geteld",
        actor=cast.users["chair"],
    )
    with pytest.raises(BallotRefused, match="4 deelnemers"):
        services.ballot_result_correct(
            ballot=ballot,
            counts=Counts(votes_for=4, votes_against=1),
            reason="Te veel",
            actor=cast.users["chair"],
        )


def test_a_member_the_desk_saw_leave_early_does_not_vote_from_home(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    # Left at the start of the day, so always before now, whatever the test's hour.
    CheckIn.objects.filter(member=members[0]).update(left_early_at=dt.time(0, 0))
    with pytest.raises(BallotRefused, match="eerder bent weggegaan"):
        services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    # Leaving later than now (the desk wrote a planned time) does not stop the vote.
    CheckIn.objects.filter(member=members[1]).update(left_early_at=dt.time(23, 59, 59))
    assert services.electronic_vote_cast(ballot=ballot, member=members[1], choice="for")
    assert ElectronicVote.objects.count() == 1


def test_a_double_tap_on_confirm_still_shows_the_receipt_of_the_one_vote(cast: Cast) -> None:
    """The browser shows the answer to the second request: it must carry the
    code of the vote the first one cast, which is shown nowhere else."""
    import re

    members = voters(cast.assembly, 2)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = open_ballot(cast)
    client = _client(cast.users["member"])
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    confirm = client.post(reverse("recommendations:vote", kwargs=kwargs), {"choice": "for"})
    assert "no-store" in confirm["Cache-Control"]
    offer = re.search(r'name="receipt_offer" value="([^"]+)"', confirm.content.decode())
    assert offer is not None
    form = {"choice": "for", "receipt_offer": offer.group(1)}
    cast_url = reverse("recommendations:vote_cast", kwargs=kwargs)

    first, second = client.post(cast_url, form), client.post(cast_url, form)

    assert first.status_code == second.status_code == 200
    assert first.context["code"] == second.context["code"]
    (vote,) = ElectronicVote.objects.all()
    assert vote.receipt_hash == services.receipt_hash(second.context["code"])
    # Another member's offer, or a forged one, gets no code: only "already voted".
    other = services.receipt_offer(ballot=ballot, member=members[1])
    again = client.post(cast_url, {"choice": "for", "receipt_offer": other})
    assert again.status_code == 302
    forged = client.post(cast_url, {"choice": "for", "receipt_offer": offer.group(1) + "x"})
    assert forged.status_code == 302


def test_the_ranked_vote_form_refuses_the_same_rank_twice(cast: Cast) -> None:
    members = voters(cast.assembly, 1)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = ranked_ballot(cast)
    url = reverse(
        "recommendations:vote", kwargs={"slug": cast.assembly.slug, "number": ballot.number}
    )
    client = _client(cast.users["member"])
    twice = client.post(url, {"rank_1": "1", "rank_2": "1", "rank_3": ""})
    assert twice.status_code == 400
    assert "Keuze 1 hebt u al aan een andere optie gegeven." in twice.content.decode()
    none = client.post(url, {"rank_1": "", "rank_2": "", "rank_3": ""})
    assert "Geef ten minste één optie een keuze." in none.content.decode()
    partial = client.post(url, {"rank_1": "", "rank_2": "2", "rank_3": "1"})
    assert partial.context["ranking"] == [3, 2]
    cast_url = reverse(
        "recommendations:vote_cast", kwargs={"slug": cast.assembly.slug, "number": ballot.number}
    )
    client.post(cast_url, {"rank_2": "2", "rank_3": "1"})
    assert ElectronicVote.objects.get().ranking == [3, 2]


def test_the_chair_opens_closes_and_sees_the_result_and_its_chart(cast: Cast) -> None:
    members = voters(cast.assembly, 4)
    rule(cast.assembly)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="electronic",
        actor=None,
    )
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    chair = _client(cast.users["chair"])
    refused = chair.post(reverse("recommendations:ballot_open", kwargs=kwargs), {})
    assert refused.status_code == 200
    assert "Fout: Zet een vinkje om te bevestigen." in refused.content.decode()
    assert Ballot.objects.get(pk=ballot.pk).status == "prepared"
    # A wrong number of minutes is named as such, with the tick and the number kept.
    wrong = chair.post(
        reverse("recommendations:ballot_open", kwargs=kwargs), {"minutes": "-5", "confirm": "on"}
    )
    page = wrong.content.decode()
    assert wrong.status_code == 200
    assert "Zet een vinkje" not in page
    assert 'value="-5"' in page
    assert "Fout: Vul een aantal minuten in van 1 tot en met 1440 (een dag)" in page
    assert Ballot.objects.get(pk=ballot.pk).status == "prepared"
    chair.post(reverse("recommendations:ballot_open", kwargs=kwargs), {"confirm": "on"})
    assert Ballot.objects.get(pk=ballot.pk).status == "open"
    cast_votes(ballot, members[:1], ["for"])
    one = chair.get(reverse("recommendations:ballot_live", kwargs=kwargs)).json()
    assert one["label"] == "1 van de 4 aanwezige deelnemers heeft gestemd."
    cast_votes(ballot, members[1:3], ["for", "against"])
    live = chair.get(reverse("recommendations:ballot_live", kwargs=kwargs)).json()
    assert live == {
        "done": 3,
        "total": 4,
        "status": "running",
        "label": "3 van de 4 aanwezige deelnemers hebben gestemd.",
    }
    chair.post(reverse("recommendations:ballot_close", kwargs=kwargs), {"confirm": "on"})
    page = chair.get(reverse("recommendations:ballot_detail", kwargs=kwargs)).content.decode()
    result = BallotResult.objects.get(ballot=ballot)
    assert "Niet aangenomen." in page  # 2 / 3 = 66.6 % < 75 %
    assert "2 van de 3 stemmen waren voor: 66,6%. Nodig was ten minste drie kwart (75%)." in page
    assert "nodig: 75%" in page
    assert "<svg" in page
    assert result.counts_hash in page
    public = Client().get(reverse("recommendations:ballot_result", kwargs=kwargs))
    assert public.status_code == 200
    assert result.counts_hash in public.content.decode()


def test_an_electronic_ballot_does_not_wait_for_members_who_take_part_on_paper(
    cast: Cast,
) -> None:
    members = voters(cast.assembly, 5)
    on_paper = members[4]
    PanelMember.objects.filter(pk=on_paper.pk).update(user=None)
    Registration.objects.filter(pk=on_paper.registration_id).update(email="")
    rule(cast.assembly)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="electronic",
        actor=None,
    )
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    chair = _client(cast.users["chair"])
    before = chair.get(reverse("recommendations:ballot_detail", kwargs=kwargs)).content.decode()
    assert "1 deelnemer doet op papier mee, zonder account." in before
    assert "maak een stemming op papier" in before

    services.ballot_open(ballot=ballot, actor=cast.users["chair"])
    cast_votes(ballot, members[:4], ["for", "for", "for", "against"])
    live = chair.get(reverse("recommendations:ballot_live", kwargs=kwargs)).json()
    assert (live["done"], live["total"]) == (4, 4)
    page = chair.get(reverse("recommendations:ballot_detail", kwargs=kwargs)).content.decode()
    assert "4 van de 4 aanwezige deelnemers hebben gestemd." in page
    assert "Niet meegeteld: 1 aanwezige deelnemer doet op papier mee" in page

    # On paper everyone present counts, and nobody is left out.
    paper = open_ballot(cast, method="paper", number=2)
    paper_page = chair.get(
        reverse(
            "recommendations:ballot_detail",
            kwargs={"slug": cast.assembly.slug, "number": paper.number},
        )
    ).content.decode()
    assert "Niet meegeteld" not in paper_page


def test_two_thirds_is_named_as_such_not_as_a_rounded_percentage(cast: Cast) -> None:
    members = voters(cast.assembly, 3)
    ballot = open_ballot(cast, threshold="two_thirds")
    cast_votes(ballot, members, ["for", "for", "against"])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    page = (
        _client(cast.users["chair"])
        .get(reverse("recommendations:ballot_detail", kwargs=kwargs))
        .content.decode()
    )
    assert "Aangenomen." in page  # exactly two thirds reaches "at least two thirds"
    assert "Nodig was ten minste twee derde (2/3)." in page and "nodig: 2/3" in page
    assert "66,6%" in page and "Nodig was 66" not in page


def test_organisers_cannot_open_close_record_or_correct(cast: Cast) -> None:
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    cast_votes(ballot, members, ["for", "for"])
    kwargs = {"slug": cast.assembly.slug, "number": ballot.number}
    organiser = _client(cast.users["organiser"])
    assert (
        organiser.post(
            reverse("recommendations:ballot_close", kwargs=kwargs), {"confirm": "on"}
        ).status_code
        == 403
    )
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    before = list(BallotResult.objects.values())
    correct = reverse("recommendations:ballot_correct", kwargs=kwargs)
    data = {"votes_for": 0, "votes_against": 2, "votes_abstain": 0, "invalid": 0, "reason": "x"}
    assert organiser.post(correct, data).status_code == 403
    assert organiser.get(correct).status_code == 403
    assert list(BallotResult.objects.values()) == before
    # The chair may ask, but an electronic result is the stored votes.
    chair = _client(cast.users["chair"]).post(correct, data)
    assert chair.status_code == 400 and "opgeslagen stemmen" in chair.content.decode()
    assert list(BallotResult.objects.values()) == before


def test_the_paper_count_form_names_the_bad_line(cast: Cast) -> None:
    ballot = ranked_ballot(cast, method="paper")
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    url = reverse(
        "recommendations:paper_count_enter",
        kwargs={"slug": cast.assembly.slug, "number": ballot.number},
    )
    response = _client(cast.users["chair"]).post(
        url, {"rankings": "1, 2 = 10\n2 en 3\n", "invalid": 0}
    )
    assert response.status_code == 400
    assert "Regel 2" in response.content.decode()
    assert not PaperCount.objects.exists()


# ------------------------------------------------------------------ closing by the clock


def test_the_beat_task_closes_due_ballots_once(cast: Cast) -> None:
    from recommendations.tasks_ballots import ballots_close_due_task

    members = voters(cast.assembly, 1)
    ballot = open_ballot(cast)
    services.electronic_vote_cast(ballot=ballot, member=members[0], choice="for")
    assert ballots_close_due_task() == 0
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    assert ballots_close_due_task() == 1
    assert ballots_close_due_task() == 0
    assert BallotResult.objects.filter(ballot=ballot).count() == 1
    assert Ballot.objects.get(pk=ballot.pk).closed_by is None


def test_exactly_half_with_abstentions_in_the_base_is_no_majority(cast: Cast) -> None:
    voters(cast.assembly, 10, checked_in=False)
    rule(cast.assembly, "majority", abstentions=True)
    ballot = services.ballot_create_for_recommendation(
        assembly=cast.assembly,
        recommendation=final_recommendation(cast.assembly),
        method="paper",
        actor=None,
    )
    chair = cast.users["chair"]
    services.ballot_open(ballot=ballot, actor=chair)
    services.ballot_close(ballot=ballot, actor=chair)
    count = services.paper_count_enter(ballot=ballot, counts=Counts(5, 3, 2), actor=chair)
    services.paper_count_confirm(count=count, actor=cast.users["organiser"])
    result = services.ballot_result_record(ballot=ballot, actor=chair)
    # 5 of 10 (abstentions in the base) is half: not more than half.
    assert result.abstentions_count is True
    assert result.adopted is False
    page = _client(chair).get(
        reverse(
            "recommendations:ballot_detail",
            kwargs={"slug": cast.assembly.slug, "number": ballot.number},
        )
    )
    assert "Dat is precies de helft." in page.content.decode()


def test_members_cannot_open_a_paper_ballot_to_vote(cast: Cast) -> None:
    ballot = open_ballot(cast, method="paper")
    url = reverse(
        "recommendations:vote", kwargs={"slug": cast.assembly.slug, "number": ballot.number}
    )
    assert _client(cast.users["member"]).get(url).status_code == 404


def test_a_member_withdrawn_after_their_seat_was_read_cannot_vote(cast: Cast) -> None:
    """The vote's request read the seat; the organiser then recorded the
    withdrawal before the vote was written. The vote must see the withdrawal."""
    from participants.services.panel import panel_member_withdraw

    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    seen = PanelMember.objects.get(pk=members[0].pk)  # as the vote's request read it
    panel_member_withdraw(member=members[0], reason="verhuisd", actor=cast.users["organiser"])
    with pytest.raises(BallotRefused, match="lijst van deelnemers"):
        services.electronic_vote_cast(ballot=ballot, member=seen, choice="for")
    assert not VoterMark.objects.filter(ballot=ballot).exists()
    assert not ElectronicVote.objects.filter(ballot=ballot).exists()


def test_the_vote_error_is_tied_to_the_radio_group(cast: Cast) -> None:
    """WCAG 3.3.1/1.3.1: a screen reader on the radio group hears the error."""
    import re

    members = voters(cast.assembly, 1)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = open_ballot(cast)
    url = reverse(
        "recommendations:vote", kwargs={"slug": cast.assembly.slug, "number": ballot.number}
    )
    page = _client(cast.users["member"]).post(url, {}).content.decode()
    assert 'id="id_choice_error"' in page
    fieldset = re.search(r"<fieldset[^>]*>", page)
    assert fieldset is not None
    assert 'aria-describedby="id_choice_error"' in fieldset.group(0)


def test_a_vote_meeting_a_withdrawal_in_progress_waits_and_is_refused(
    transactional_db: None, cast: Cast
) -> None:
    """PostgreSQL: the organiser's withdrawal holds the seat's lock while the
    member's vote arrives; the vote waits for it and then sees the withdrawal."""
    import threading

    from django.db import close_old_connections, connection, transaction

    from participants.services.panel import panel_member_withdraw
    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL (DATABASE_URL) for row locks", "REQUIRE_SERVICES")
    members = voters(cast.assembly, 2)
    ballot = open_ballot(cast)
    seen = PanelMember.objects.get(pk=members[0].pk)  # the vote's request read the seat
    locked, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def withdraw() -> None:
        try:
            with transaction.atomic():
                panel_member_withdraw(member=members[0], reason="verhuisd", actor=None)
                locked.set()
                release.wait(timeout=30)
        finally:
            close_old_connections()

    def vote() -> None:
        try:
            services.electronic_vote_cast(ballot=ballot, member=seen, choice="for")
            outcome.append("voted")
        except BallotRefused as refused:
            outcome.append(str(refused))
        finally:
            close_old_connections()

    withdrawing = threading.Thread(target=withdraw)
    withdrawing.start()
    assert locked.wait(timeout=30)
    voting = threading.Thread(target=vote)
    voting.start()
    voting.join(timeout=2)
    waited = voting.is_alive()
    release.set()
    withdrawing.join(timeout=30)
    voting.join(timeout=30)
    assert waited, "the vote did not wait for the withdrawal's lock"
    assert len(outcome) == 1 and "lijst van deelnemers" in outcome[0]
    assert not VoterMark.objects.filter(ballot=ballot).exists()
    assert not ElectronicVote.objects.filter(ballot=ballot).exists()


def test_a_member_who_stopped_can_still_check_the_votes_they_cast(cast: Cast) -> None:
    """Stopping takes the member role away, but the votes cast before still
    count: the receipt code must keep working for the person who holds it."""
    from participants.services.panel import panel_member_withdraw

    members = voters(cast.assembly, 2)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    members[0].refresh_from_db()
    ballot = open_ballot(cast)
    code, _other = cast_votes(ballot, members, ["against", "for"])
    services.ballot_close(ballot=ballot, actor=cast.users["chair"])
    panel_member_withdraw(member=members[0], reason="verhuisd", actor=cast.users["organiser"])

    slug = cast.assembly.slug
    former = _client(cast.users["member"])
    vote_list = reverse("recommendations:vote_list", kwargs={"slug": slug})
    assert former.get(vote_list).status_code == 403
    check_url = reverse("recommendations:receipt_check", kwargs={"slug": slug})
    page = former.get(check_url)
    assert page.status_code == 200
    # no link back to a vote list they may no longer open
    assert f'href="{vote_list}"' not in page.content.decode()
    checked = former.post(check_url, {"code": code}).content.decode()
    assert "Ja, uw stem is geteld." in checked
    assert "Tegen" in checked

    result_url = reverse(
        "recommendations:ballot_result", kwargs={"slug": slug, "number": ballot.number}
    )
    assert check_url in former.get(result_url).content.decode()
    # Someone who never sat in this assembly may not use the check, and is not offered it.
    stranger = _client(UserFactory())
    assert stranger.get(check_url).status_code == 403
    assert check_url not in _client(cast.users["organiser"]).get(result_url).content.decode()
