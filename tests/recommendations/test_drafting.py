"""Drafting and the plenary: versions, privacy of a table's drafts, submission,
amendments with their counts, feedback, the final text, withdrawal, merging,
the order of the plenary, and the side-by-side comparison."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, User
from participants.models import PanelMember, Table, TableRound, TableSeat
from participants.services.tables import table_round_make, table_round_publish
from recommendations import diff
from recommendations.models import Amendment, Recommendation
from recommendations.models import RecommendationVersion as Version
from recommendations.services import drafting as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import form_number
from tests.participants.test_panel import make_panel
from tests.participants.test_tables import members_taking_part

Status = Recommendation.Status


@dataclass
class World:
    cast: Cast
    table_round: TableRound
    led: Table  # led by the facilitator persona; the member persona sits here
    other: Table  # another table, without that facilitator or member

    @property
    def slug(self) -> str:
        return self.cast.assembly.slug

    def user(self, persona: str) -> User:
        return self.cast.users[persona]


def drafting_world(cast: Cast, *, members: int = 14) -> World:
    """Two published tables in weekend 1: the facilitator persona leads table 1
    and the member persona sits at it."""
    members_taking_part(cast.assembly, members)
    table_round = table_round_make(
        weekend=Weekend.objects.get(assembly=cast.assembly, number=1),
        actor=None,
        seed=1,
        steps_per_person=5,
    )
    table_round_publish(table_round=table_round, actor=None)
    led = Table.objects.get(round=table_round, number=1)
    other = Table.objects.get(round=table_round, number=2)
    Table.objects.filter(pk=led.pk).update(facilitator=cast.users["facilitator"])
    Table.objects.filter(pk=other.pk).update(facilitator=None)
    seat = TableSeat.objects.filter(table=led).order_by("member_id").first()
    assert seat is not None
    PanelMember.objects.filter(pk=seat.member_id).update(user=cast.users["member"])
    led.refresh_from_db()
    return World(cast=cast, table_round=table_round, led=led, other=other)


def seated_table(cast: Cast) -> Table:
    """One published table in weekend 1, led by the facilitator persona, with the
    member persona at it: quicker than drafting_world when a test needs no mix."""
    panel = make_panel(cast.assembly, size=2, panel=(0, 1), alternates=())
    member = panel.member(0)
    PanelMember.objects.filter(pk=member.pk).update(
        user=cast.users["member"], status=PanelMember.Status.CONFIRMED
    )
    table_round = TableRound.objects.create(
        weekend=Weekend.objects.get(assembly=cast.assembly, number=1),
        published_at=timezone.now(),
    )
    table = Table.objects.create(round=table_round, number=1, facilitator=cast.users["facilitator"])
    TableSeat.objects.create(round=table_round, table=table, member=member)
    return table


def draft(
    world: World, *, table: Table | None = None, title: str = "Les over drugs"
) -> Recommendation:
    return services.recommendation_create(
        table=table or world.led,
        title=title,
        text="Elke school geeft les over drugs.",
        rationale="Jongeren weten te weinig.",
        topic="preventie",
        actor=world.user("facilitator"),
    )


def submitted(world: World, **kwargs: object) -> Recommendation:
    recommendation = draft(world, **kwargs)  # type: ignore[arg-type]
    return services.recommendation_submit(recommendation=recommendation, actor=None)


def client_for(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def url(name: str, world: World, recommendation: Recommendation | None = None, **extra: int) -> str:
    kwargs: dict[str, object] = {"slug": world.slug, **extra}
    if recommendation is not None:
        kwargs["number"] = recommendation.number
    return reverse(f"recommendations:{name}", kwargs=kwargs)


@pytest.fixture
def world(cast: Cast) -> World:
    return drafting_world(cast)


# ------------------------------------------------------------------ services


def test_it_numbers_drafts_per_assembly_and_keeps_the_first_version(world: World) -> None:
    first = draft(world)
    second = draft(world, table=world.other, title="Sneller hulp")
    assert (first.number, second.number) == (1, 2)
    assert first.weekend_id == world.table_round.weekend_id
    version = Version.objects.get(recommendation=first)
    assert (version.number, version.reason, version.author_id) == (
        1,
        Version.Reason.DRAFTED,
        world.user("facilitator").pk,
    )


def test_an_edit_is_a_new_version_and_the_old_text_stays(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title="Les over drugs",
        text="Elke middelbare school geeft les over drugs.",
        rationale="",
        base_version=1,
        actor=world.user("member"),
    )
    versions = list(Version.objects.filter(recommendation=recommendation).order_by("number"))
    assert [v.text for v in versions] == [
        "Elke school geeft les over drugs.",
        "Elke middelbare school geeft les over drugs.",
    ]
    assert versions[1].reason == Version.Reason.EDITED
    assert versions[1].author_id == world.user("member").pk


def test_an_edit_on_an_outdated_version_or_without_change_is_refused(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation, title="T", text="Nieuw", base_version=1, actor=None
    )
    with pytest.raises(services.DraftingRefused, match="net aangepast"):
        services.recommendation_edit(
            recommendation=recommendation, title="T", text="Anders", base_version=1, actor=None
        )
    with pytest.raises(services.DraftingRefused, match="niets veranderd"):
        services.recommendation_edit(
            recommendation=recommendation, title="T", text="Nieuw", base_version=2, actor=None
        )
    assert Version.objects.filter(recommendation=recommendation).count() == 2


def test_submitting_puts_it_last_in_the_plenary_and_ends_editing(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other)
    assert (first.position, second.position) == (1, 2)
    assert second.status == Status.SUBMITTED and second.submitted_at is not None
    with pytest.raises(services.DraftingRefused, match="status"):
        services.recommendation_edit(recommendation=first, title="X", text="Y", actor=None)


def test_one_open_amendment_counts_once_however_many_versions_there_are(
    world: World,
) -> None:
    from recommendations import access_drafting, selectors_drafting

    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation, title="T", text="Nieuw", base_version=1, actor=None
    )
    services.recommendation_submit(recommendation=recommendation, actor=None)
    services.amendment_propose(
        recommendation=recommendation,
        proposed_text="Anders",
        table=world.other,
        actor=world.user("chair"),
    )
    viewer = access_drafting.viewer_for(user=world.user("chair"), assembly=recommendation.assembly)
    [shown] = selectors_drafting.overview(viewer=viewer).plenary
    assert (shown.version_count, shown.open_amendments) == (2, 1)


def test_an_accepted_amendment_becomes_the_text_as_a_new_version(world: World) -> None:
    recommendation = submitted(world)
    amendment = services.amendment_propose(
        recommendation=recommendation,
        proposed_text="Elke school geeft vanaf groep 8 les over drugs.",
        table=world.other,
        actor=world.user("chair"),
    )
    services.amendment_decide(
        amendment=amendment,
        accepted=True,
        counts=services.Counts(votes_for=9, votes_against=3, votes_abstain=2),
        actor=world.user("chair"),
    )
    recommendation.refresh_from_db()
    amendment.refresh_from_db()
    assert recommendation.status == Status.AMENDED
    assert recommendation.text == "Elke school geeft vanaf groep 8 les over drugs."
    assert (amendment.status, amendment.votes_for, amendment.votes_against) == ("accepted", 9, 3)
    latest = Version.objects.filter(recommendation=recommendation).order_by("-number").first()
    assert latest is not None and latest.reason == Version.Reason.AMENDED
    assert latest.note == "Amendement 1"


def test_a_rejected_amendment_keeps_the_text_and_cannot_be_decided_again(world: World) -> None:
    recommendation = submitted(world)
    amendment = services.amendment_propose(
        recommendation=recommendation, proposed_text="Iets anders.", actor=None
    )
    services.amendment_decide(amendment=amendment, accepted=False, actor=None)
    recommendation.refresh_from_db()
    assert recommendation.text == "Elke school geeft les over drugs."
    assert recommendation.status == Status.SUBMITTED
    with pytest.raises(services.DraftingRefused, match="al besloten"):
        services.amendment_decide(amendment=amendment, accepted=True, actor=None)
    amendment.refresh_from_db()
    assert amendment.status == "rejected" and amendment.votes_for is None


@pytest.mark.parametrize(
    ("accepted", "counts", "message"),
    [
        (True, services.Counts(votes_for=3, votes_against=5), "niet aangenomen"),
        (False, services.Counts(votes_for=6, votes_against=5), "aangenomen"),
        (True, services.Counts(votes_for=3), "voor én tegen"),
        (True, services.Counts(votes_for=150, votes_against=40), "meer dan"),
    ],
)
def test_a_count_must_be_complete_possible_and_agree(
    world: World, accepted: bool, counts: services.Counts, message: str
) -> None:
    world.cast.assembly.members_target = 175
    world.cast.assembly.save(update_fields=["members_target"])
    amendment = services.amendment_propose(
        recommendation=submitted(world), proposed_text="Nieuw.", actor=None
    )
    with pytest.raises(services.DraftingRefused, match=message):
        services.amendment_decide(amendment=amendment, accepted=accepted, counts=counts, actor=None)
    amendment.refresh_from_db()
    assert amendment.status == "proposed"


def test_the_final_text_waits_for_every_amendment(world: World) -> None:
    recommendation = submitted(world)
    amendment = services.amendment_propose(
        recommendation=recommendation, proposed_text="Nieuw.", actor=None
    )
    with pytest.raises(services.DraftingRefused, match="amendement 1"):
        services.recommendation_finalise(
            recommendation=recommendation, title="T", text="Definitief.", actor=None
        )
    services.amendment_withdraw(amendment=amendment, actor=None)
    services.recommendation_finalise(
        recommendation=recommendation, title="T", text="Definitief.", actor=world.user("chair")
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.FINAL and recommendation.finalised_at is not None
    assert recommendation.versions.order_by("-number").first().reason == "finalised"  # type: ignore[union-attr]


def test_merging_into_a_new_recommendation_keeps_every_history(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other, title="Voorlichting op school")
    services.amendment_propose(recommendation=second, proposed_text="Open.", actor=None)
    merged = services.recommendation_merge(
        sources=[first, second],
        into=None,
        title="Les en voorlichting over drugs",
        text="Samen.",
        actor=world.user("organiser"),
    ).recommendation
    assert merged.number == 3 and merged.status == Status.SUBMITTED
    assert merged.position == 1  # takes the place of the first
    for source in (first, second):
        source.refresh_from_db()
        assert source.status == Status.MERGED and source.merged_into_id == merged.pk
        assert source.versions.filter(reason="merged").exists()
        assert source.versions.filter(reason="drafted").exists()
    assert merged.versions.get().note == "Samengevoegd uit aanbeveling 1, 2"
    assert Amendment.objects.get(recommendation=second).status == "withdrawn"


def test_merging_into_one_of_them_and_refusing_drafts(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other)
    result = services.recommendation_merge(
        sources=[first, second], into=first, title="T", text="Samen.", actor=None
    ).recommendation
    assert result.pk == first.pk
    assert first.versions.order_by("-number").first().reason == "merged"  # type: ignore[union-attr]
    with pytest.raises(services.DraftingRefused, match="status"):
        services.recommendation_merge(
            sources=[result, draft(world)], into=None, title="T", text="X", actor=None
        )
    with pytest.raises(services.DraftingRefused, match="twee"):
        services.recommendation_merge(sources=[result], into=None, title="T", text="X", actor=None)


def test_withdrawing_needs_a_reason_and_lapses_open_amendments(world: World) -> None:
    recommendation = submitted(world)
    services.amendment_propose(recommendation=recommendation, proposed_text="Ander.", actor=None)
    with pytest.raises(services.DraftingRefused, match="waarom"):
        services.recommendation_withdraw(recommendation=recommendation, reason=" ", actor=None)
    services.recommendation_withdraw(
        recommendation=recommendation, reason="Staat al in aanbeveling 4.", actor=None
    )
    recommendation.refresh_from_db()
    assert recommendation.status == Status.WITHDRAWN
    assert recommendation.amendments.get().status == "withdrawn"


def test_moving_swaps_with_the_neighbour_and_renumbers(world: World) -> None:
    items = [submitted(world, title=f"A{n}") for n in range(3)]
    services.recommendation_move(recommendation=items[2], up=True, actor=None)
    order = list(
        Recommendation.objects.filter(status="submitted")
        .order_by("position")
        .values_list("title", "position")
    )
    assert order == [("A0", 1), ("A2", 2), ("A1", 3)]
    with pytest.raises(services.DraftingRefused, match="bovenaan"):
        services.recommendation_move(recommendation=items[0], up=True, actor=None)


def test_the_audit_log_holds_numbers_not_texts(world: World) -> None:
    recommendation = submitted(world)
    services.recommendation_withdraw(
        recommendation=recommendation, reason="Een geheime reden", actor=None
    )
    events = AuditEvent.objects.filter(action__startswith="recommendation.")
    assert {e.action for e in events} >= {
        "recommendation.drafted",
        "recommendation.submitted",
        "recommendation.withdrawn",
    }
    for event in events:
        assert "geheime" not in str(event.detail) and "drugs" not in str(event.detail)


# ------------------------------------------------------------------ the diff


def test_the_diff_marks_words_on_each_side() -> None:
    result = diff.compare("Elke school geeft les.", "Elke middelbare school geeft geen les.")
    assert [(p.kind, p.text) for p in result.new] == [
        ("same", "Elke "),
        ("added", "middelbare"),
        ("same", " school geeft "),
        ("added", "geen"),
        ("same", " les."),
    ]
    assert [p.kind for p in result.old] == ["same"]
    assert (result.removed_words, result.added_words) == (0, 2)
    replaced = diff.compare("twee jaar", "drie jaar")
    assert [(p.kind, p.text) for p in replaced.old] == [("removed", "twee"), ("same", " jaar")]
    assert not diff.compare("gelijk\nnieuw", "gelijk\nnieuw").changed


def test_the_same_word_typed_with_a_separate_accent_is_no_change(world: World) -> None:
    # "café" from a keyboard, and "cafe" + a combining accent from some phones.
    composed, decomposed = (
        "Geen coffeeshop of café bij school.",
        "Geen coffeeshop of cafe\u0301 bij school.",
    )
    assert not diff.compare(composed, decomposed).changed
    recommendation = submitted(world)
    services.amendment_propose(recommendation=recommendation, proposed_text=composed, actor=None)
    recommendation.refresh_from_db()
    services.amendment_decide(amendment=recommendation.amendments.get(), accepted=True, actor=None)
    with pytest.raises(services.DraftingRefused, match="gelijk"):
        services.amendment_propose(
            recommendation=recommendation, proposed_text=decomposed, actor=None
        )


# ------------------------------------------------------------------ views


def test_a_facilitator_drafts_and_submits_through_the_pages(world: World) -> None:
    client = client_for(world, "facilitator")
    response = client.post(
        url("create", world),
        {"table": world.led.pk, "title": "Naloxon", "text": "Hulpverleners hebben naloxon."},
    )
    recommendation = Recommendation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == recommendation.get_absolute_url()
    assert recommendation.created_by == world.user("facilitator")
    response = client.post(url("submit", world, recommendation))
    recommendation.refresh_from_db()
    assert recommendation.status == Status.SUBMITTED


def test_a_draft_form_error_names_the_field_and_saves_nothing(world: World) -> None:
    response = client_for(world, "member").post(
        url("create", world), {"table": world.led.pk, "title": "", "text": "Tekst"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_title_error"' in html
    assert 'aria-describedby="id_title_helptext id_title_error"' in html
    assert not Recommendation.objects.exists()


def test_nobody_drafts_for_a_table_they_do_not_sit_at(world: World) -> None:
    response = client_for(world, "facilitator").post(
        url("create", world), {"table": world.other.pk, "title": "T", "text": "X"}
    )
    assert response.status_code == 200
    assert not Recommendation.objects.exists()


def test_a_draft_is_private_to_its_table_until_it_is_submitted(world: World) -> None:
    mine = draft(world)
    theirs = draft(world, table=world.other, title="Van de andere tafel")
    expected = {"member": 200, "facilitator": 200, "chair": 200, "organiser": 200, "expert": 403}
    for persona, status in expected.items():
        assert client_for(world, persona).get(url("detail", world, mine)).status_code == status
    # The facilitator of table 1 neither opens nor sees table 2's draft.
    client = client_for(world, "facilitator")
    assert client.get(url("detail", world, theirs)).status_code == 403
    assert "Van de andere tafel" not in client.get(url("list", world)).content.decode()
    services.recommendation_submit(recommendation=theirs, actor=None)
    for persona in ("facilitator", "member", "expert", "griffie"):
        assert client_for(world, persona).get(url("detail", world, theirs)).status_code == 200
    assert "Van de andere tafel" in client.get(url("list", world)).content.decode()


def test_a_member_edits_a_draft_of_their_table_but_not_after_submission(world: World) -> None:
    recommendation = draft(world)
    client = client_for(world, "member")
    response = client.post(
        url("edit", world, recommendation),
        {"title": "Les", "text": "Nieuwe tekst.", "base_version": 1, "note": "korter"},
    )
    assert response.status_code == 302
    assert recommendation.versions.count() == 2
    services.recommendation_submit(recommendation=recommendation, actor=None)
    assert client.get(url("edit", world, recommendation)).status_code == 403


def test_the_chair_records_feedback_and_decides_an_amendment(world: World) -> None:
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    response = chair.post(url("feedback", world, recommendation), {"text": ""})
    assert response.status_code == 200
    assert 'id="id_text_error"' in response.content.decode()
    chair.post(url("feedback", world, recommendation), {"text": "Veel steun in de zaal."})
    assert recommendation.feedback.get().text == "Veel steun in de zaal."
    response = chair.post(
        url("amendment_propose", world, recommendation),
        {"on_behalf": str(world.other.pk), "proposed_text": "Elke school, ook het mbo."},
    )
    amendment = Amendment.objects.get()
    assert amendment.table_id == world.other.pk and amendment.proposed_by_id is None
    decide = url("amendment_decide", world, recommendation, amendment=amendment.number)
    assert chair.get(decide).status_code == 200
    response = chair.post(decide, {"decision": "accepted", "votes_for": "10", "votes_against": "2"})
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert (amendment.status, amendment.votes_for, amendment.votes_abstain) == ("accepted", 10, 0)
    # The organisation never changes a recorded vote.
    assert client_for(world, "organiser").post(decide, {"decision": "rejected"}).status_code == 403


def test_a_member_proposes_an_amendment_in_their_own_name(world: World) -> None:
    recommendation = submitted(world)
    response = client_for(world, "member").post(
        url("amendment_propose", world, recommendation),
        {"proposed_text": "Elke school en elke sportclub.", "rationale": "Sport is belangrijk."},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.proposed_by_id == world.user("member").pk and amendment.table_id is None


def _merge_seen(organiser: Client, world: World) -> str:
    """The hidden versions the merge page shows now."""
    page = organiser.get(url("merge", world)).content.decode()
    found = re.search(r'name="seen" value="([^"]*)"', page)
    assert found is not None
    return found.group(1)


def test_the_organiser_merges_and_orders_through_the_pages(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other)
    organiser = client_for(world, "organiser")
    seen = _merge_seen(organiser, world)
    response = organiser.post(
        url("merge", world),
        {"sources": [first.number], "into": "new", "title": "T", "text": "Samen.", "seen": seen},
    )
    assert response.status_code == 200
    assert 'id="id_sources_error"' in response.content.decode()
    response = organiser.post(
        url("merge", world),
        {
            "sources": [first.number, second.number],
            "into": str(second.number),
            "title": "Samen",
            "text": "Samen.",
            "seen": seen,
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.title == "Samen"
    third = submitted(world, title="Derde")
    organiser.post(url("move", world, third), {"direction": "up"})
    order = [
        r.number for r in Recommendation.objects.filter(status="submitted").order_by("position")
    ]
    assert order == [third.number, second.number]


def test_the_comparison_shows_removed_and_added_words_with_text_markers(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title=recommendation.title,
        text="Elke middelbare school geeft les over drugs.",
        actor=None,
    )
    response = client_for(world, "member").get(
        url("compare", world, recommendation) + "?old=1&new=2"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in html and "Toegevoegd:" in html and "middelbare" in html
    assert (
        client_for(world, "member")
        .get(url("compare", world, recommendation) + "?old=1&new=9")
        .status_code
        == 404
    )


def test_the_chair_walks_the_plenary_from_item_to_item(world: World) -> None:
    first = submitted(world, title="Eerste")
    second = submitted(world, title="Tweede")
    response = client_for(world, "chair").get(url("detail", world, first))
    html = response.content.decode()
    assert "Punt 1 van 2" in html and second.get_absolute_url() in html
    assert client_for(world, "chair").get(url("plenary", world)).status_code == 200
    assert client_for(world, "member").get(url("plenary", world)).status_code == 403


def test_the_detail_page_reads_in_constant_queries(world: World) -> None:
    recommendation = submitted(world)
    client = client_for(world, "chair")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("detail", world, recommendation)).status_code == 200
        return len(captured)

    services.amendment_propose(recommendation=recommendation, proposed_text="A1.", actor=None)
    before = queries()
    for n in range(4):
        services.amendment_propose(
            recommendation=recommendation,
            proposed_text=f"A{n + 2}.",
            proposed_by=world.user("member"),
            actor=None,
        )
        services.feedback_record(recommendation=recommendation, text=f"F{n}", actor=None)
    assert queries() == before


def test_members_submit_only_where_their_table_has_no_gespreksleider(world: World) -> None:
    recommendation = draft(world)
    member = client_for(world, "member")
    assert member.post(url("submit", world, recommendation)).status_code == 403
    Table.objects.filter(pk=world.led.pk).update(facilitator=None)
    assert member.post(url("submit", world, recommendation)).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Status.SUBMITTED


def test_feedback_and_decisions_name_the_plenary_session(world: World) -> None:

    from sessions.models import Session

    weekend = world.table_round.weekend
    now = timezone.now()
    session = Session.objects.create(
        weekend=weekend,
        title="Plenair: de aanbevelingen",
        kind=Session.Kind.PLENARY,
        starts_at=now - dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(minutes=30),
    )
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    page = chair.get(url("detail", world, recommendation)).content.decode()
    assert f'<option value="{session.pk}" selected>' in page
    chair.post(
        url("feedback", world, recommendation), {"text": "Steun.", "session": str(session.pk)}
    )
    assert recommendation.feedback.get().session == session
    other = Session.objects.create(
        weekend=Weekend.objects.get(assembly=world.cast.other_assembly, number=1)
        if Weekend.objects.filter(assembly=world.cast.other_assembly).exists()
        else Weekend.objects.create(
            assembly=world.cast.other_assembly,
            number=1,
            starts_on=weekend.starts_on,
            ends_on=weekend.ends_on,
        ),
        title="Elders",
        kind=Session.Kind.PLENARY,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )
    amendment = services.amendment_propose(
        recommendation=recommendation, proposed_text="Nieuw.", actor=None
    )
    with pytest.raises(services.DraftingRefused, match="bijeenkomst"):
        services.amendment_decide(amendment=amendment, accepted=True, session=other, actor=None)


def test_a_members_first_name_shows_only_at_their_table_and_to_staff(world: World) -> None:
    # A first name no other person of the world has: the factories draw names
    # at random, and a facilitator called "Nathan Merkx" (shown by name, as
    # staff) once made a member called Nathan look leaked.
    member = world.user("member")
    member.full_name = "Wubbo Zeldzaamnaam"
    member.save(update_fields=["full_name"])
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title=recommendation.title,
        text="Elke middelbare school.",
        actor=world.user("member"),
    )
    services.recommendation_submit(recommendation=recommendation, actor=None)
    first = world.user("member").full_name.split()[0]
    shown = {
        persona: client_for(world, persona)
        .get(url("detail", world, recommendation))
        .content.decode()
        for persona in ("facilitator", "chair", "expert", "griffie")
    }
    assert f"{first} (deelnemer)" in shown["facilitator"]
    assert f"{first} (deelnemer)" in shown["chair"]
    for persona in ("expert", "griffie"):
        assert first not in shown[persona] and "een deelnemer" in shown[persona]


# ------------------------------------------------- the same form sent twice


def test_a_draft_form_sent_twice_drafts_one_recommendation(world: World) -> None:
    client = client_for(world, "facilitator")
    number = form_number(client.get(url("create", world)).content.decode())
    form = {"table": world.led.pk, "title": "Naloxon", "text": "Hulpverleners hebben naloxon."}
    # A double click on "Opslaan".
    first = client.post(url("create", world), {**form, "submission": number})
    second = client.post(url("create", world), {**form, "submission": number})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Recommendation.objects.count() == 1
    assert Recommendation.objects.get().versions.count() == 1
    # A fresh form with another draft makes a new one, with the next number.
    fresh = form_number(client.get(url("create", world)).content.decode())
    assert fresh != number
    client.post(url("create", world), {**form, "title": "Naloxon 2", "submission": fresh})
    assert sorted(Recommendation.objects.values_list("number", flat=True)) == [1, 2]


def test_an_amendment_form_sent_twice_proposes_one_amendment(world: World) -> None:
    recommendation = submitted(world)
    client = client_for(world, "member")
    page = client.get(url("amendment_propose", world, recommendation)).content.decode()
    form = {"proposed_text": "Elke school en elke sportclub.", "submission": form_number(page)}
    first = client.post(url("amendment_propose", world, recommendation), form)
    second = client.post(url("amendment_propose", world, recommendation), form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert list(Amendment.objects.values_list("number", flat=True)) == [1]


def _shown_messages(response: Any) -> list[str]:
    """The messages the next page would show (the test client keeps the request)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_amendment_sent_again_after_the_back_button_proposes_one_amendment(
    world: World,
) -> None:
    """Back loads the form again with a new number, and the browser keeps the
    typed text: sending it again shows the amendment already made."""
    recommendation = submitted(world)
    client = client_for(world, "member")
    address = url("amendment_propose", world, recommendation)
    form = {"proposed_text": "Elke school en elke sportclub.", "rationale": "Ook sport."}
    first = client.post(
        address, {**form, "submission": form_number(client.get(address).content.decode())}
    )
    assert _shown_messages(first) == ["Amendement 1 is ingediend."]
    again = client.post(
        address, {**form, "submission": form_number(client.get(address).content.decode())}
    )
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert _shown_messages(again) == [
        "Dit amendement was al ingediend, als amendement 1. Het staat er één keer."
    ]
    assert list(Amendment.objects.values_list("number", flat=True)) == [1]
    assert AuditEvent.objects.filter(action="amendment.proposed").count() == 1
    # Another text, or the same text from someone else, is a new amendment.
    chair = client_for(world, "chair")  # from the floor
    chair.post(address, {**form, "submission": form_number(chair.get(address).content.decode())})
    client.post(
        address,
        {
            **form,
            "proposed_text": "Elke school en elk mbo.",
            "submission": form_number(client.get(address).content.decode()),
        },
    )
    assert list(Amendment.objects.values_list("number", flat=True)) == [1, 2, 3]
    # Once withdrawn, proposing the same text again is a new amendment.
    services.amendment_withdraw(amendment=Amendment.objects.get(number=1), actor=None)
    client.post(address, {**form, "submission": form_number(client.get(address).content.decode())})
    assert Amendment.objects.count() == 4


def test_an_amendment_sent_twice_says_it_was_there_already(world: World) -> None:
    recommendation = submitted(world)
    client = client_for(world, "member")
    address = url("amendment_propose", world, recommendation)
    form = {
        "proposed_text": "Elke school.",
        "submission": form_number(client.get(address).content.decode()),
    }
    client.get(client.post(address, form)["Location"])  # the first page shows its message
    assert _shown_messages(client.post(address, form)) == [
        "Dit amendement was al ingediend, als amendement 1. Het staat er één keer."
    ]


def test_a_draft_sent_again_after_the_back_button_drafts_one_recommendation(
    world: World,
) -> None:
    client = client_for(world, "facilitator")
    form = {"table": world.led.pk, "title": "Naloxon", "text": "Hulpverleners hebben naloxon."}
    for _twice in range(2):
        number = form_number(client.get(url("create", world)).content.decode())
        response = client.post(url("create", world), {**form, "submission": number})
        assert response.status_code == 302
    assert _shown_messages(response) == [
        "Deze aanbeveling was al opgeslagen, als aanbeveling 1. Er is geen tweede gemaakt."
    ]
    assert Recommendation.objects.count() == 1
    # Once handed to the plenary, the same text again is a new draft.
    services.recommendation_submit(recommendation=Recommendation.objects.get(), actor=None)
    number = form_number(client.get(url("create", world)).content.decode())
    client.post(url("create", world), {**form, "submission": number})
    assert Recommendation.objects.count() == 2


def test_feedback_sent_again_after_the_back_button_is_recorded_once(world: World) -> None:
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    form = {"text": "Veel steun in de zaal."}
    for _twice in range(2):
        page = chair.get(url("detail", world, recommendation)).content.decode()
        response = chair.post(
            url("feedback", world, recommendation), {**form, "submission": form_number(page)}
        )
    assert _shown_messages(response) == [
        "Deze terugkoppeling was al vastgelegd. Ze staat er één keer."
    ]
    assert recommendation.feedback.count() == 1


def test_feedback_sent_twice_is_recorded_once(world: World) -> None:
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    page = chair.get(url("detail", world, recommendation)).content.decode()
    form = {"text": "Veel steun in de zaal.", "submission": form_number(page)}
    for _twice in range(2):
        assert chair.post(url("feedback", world, recommendation), form).status_code == 302
    assert recommendation.feedback.count() == 1
    # The next feedback, from the page shown again, is a second row.
    page = chair.get(url("detail", world, recommendation)).content.decode()
    chair.post(
        url("feedback", world, recommendation),
        {"text": "Twijfel over de kosten.", "submission": form_number(page)},
    )
    assert recommendation.feedback.count() == 2


def test_the_services_give_back_what_the_same_form_made(world: World) -> None:
    """Without a form number (the demo, a script) every call makes a row."""
    number = uuid.uuid4()
    kwargs = {"title": "Les", "text": "Elke school.", "actor": None, "submission": number}
    first = services.recommendation_create(table=world.led, **kwargs)  # type: ignore[arg-type]
    again = services.recommendation_create(table=world.led, **kwargs)  # type: ignore[arg-type]
    assert first.pk == again.pk
    services.recommendation_submit(recommendation=first, actor=None)
    feedback = services.feedback_record(
        recommendation=first, text="Steun.", actor=None, submission=number
    )
    assert (
        services.feedback_record(recommendation=first, text="Steun.", actor=None, submission=number)
        == feedback
    )
    services.feedback_record(recommendation=first, text="Steun.", actor=None)
    services.feedback_record(recommendation=first, text="Steun.", actor=None)
    assert first.feedback.count() == 3


def _hidden_inputs(page: str) -> dict[str, str]:
    import re

    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }


def test_a_final_text_from_a_page_shown_before_an_amendment_does_not_undo_it(
    world: World,
) -> None:
    """The chair opens the final-text page, then (in another tab, or at the
    chair's table) an amendment is accepted; the text sent from the old page
    must not silently drop the amendment from what the assembly votes on."""
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    page = chair.get(url("finalise", world, recommendation)).content.decode()
    amendment = services.amendment_propose(
        recommendation=recommendation, proposed_text="Elke school, ook het mbo.", actor=None
    )
    services.amendment_decide(amendment=amendment, accepted=True, actor=world.user("chair"))

    response = chair.post(
        url("finalise", world, recommendation),
        {
            **_hidden_inputs(page),
            "title": recommendation.title,
            "text": "Elke school geeft les over drugs.",
            "rationale": recommendation.rationale,
        },
    )

    assert response.status_code == 200
    assert "versie 2" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.status == Status.AMENDED
    assert recommendation.text == "Elke school, ook het mbo."
    # From the page shown again, the chair makes the amended text final.
    page = chair.get(url("finalise", world, recommendation)).content.decode()
    response = chair.post(
        url("finalise", world, recommendation),
        {
            **_hidden_inputs(page),
            "title": recommendation.title,
            "text": recommendation.text,
            "rationale": recommendation.rationale,
        },
    )
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.status == Status.FINAL
    assert recommendation.text == "Elke school, ook het mbo."


# ------------------------------------------------------------------ typed text is never lost


def textarea_tag(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page)
    assert match is not None
    return match.group(0)


def _edit_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Les over drugs",
        "text": "Elke school geeft elk jaar les over drugs.",
        "rationale": "Jongeren weten te weinig.",
        "topic": "preventie",
        "base_version": 1,
        "note": "",
    }
    data.update(changes)
    return data


def test_a_double_click_on_save_saves_once_and_says_it_is_saved(world: World) -> None:
    recommendation = draft(world)
    client = client_for(world, "member")
    first = client.post(url("edit", world, recommendation), _edit_data())
    second = client.post(url("edit", world, recommendation), _edit_data())
    # The second answer is what the browser shows: not "someone else changed it".
    assert (first.status_code, second.status_code) == (302, 302)
    assert recommendation.versions.count() == 2


def test_an_edit_on_a_newer_version_keeps_the_text_and_shows_what_changed(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title="Les over drugs",
        text="Elke school geeft les over drugs en alcohol.",
        base_version=1,
        actor=world.user("facilitator"),
    )
    client = client_for(world, "member")
    mine = _edit_data(text="Elke school geeft les over drugs, ook aan ouders.")
    response = client.post(url("edit", world, recommendation), mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert recommendation.versions.count() == 2
    # The member's text is still in the form, beside the newest version.
    assert "Elke school geeft les over drugs, ook aan ouders.</textarea>" in page
    assert 'id="conflict-heading"' in page and "alcohol" in page
    assert 'name="base_version" value="2"' in page
    # Sending it again is now a choice made with version 2 in view: it saves.
    response = client.post(url("edit", world, recommendation), {**mine, "base_version": 2})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Elke school geeft les over drugs, ook aan ouders."
    assert recommendation.versions.count() == 3


def test_an_edit_sent_after_the_table_submitted_keeps_the_text(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_submit(recommendation=recommendation, actor=None)
    response = client_for(world, "member").post(
        url("edit", world, recommendation), _edit_data(text="Mijn lange nieuwe tekst.")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mijn lange nieuwe tekst.</textarea>" in page
    assert "Kopieer hem als u hem wilt bewaren." in page
    assert "Nieuwe versie opslaan" not in page
    assert recommendation.versions.count() == 1
    # Someone who was never at the table still gets no form.
    response = client_for(world, "expert").post(url("edit", world, recommendation), _edit_data())
    assert response.status_code == 403


def test_an_amendment_on_a_text_that_changed_meanwhile_is_refused_and_kept(
    world: World,
) -> None:
    recommendation = submitted(world)
    first = services.amendment_propose(
        recommendation=recommendation,
        proposed_text="Elke school geeft vanaf groep 8 les over drugs.",
        table=world.other,
        actor=world.user("chair"),
    )
    # The member opened the form on version 1 ...
    client = client_for(world, "member")
    page = client.get(url("amendment_propose", world, recommendation)).content.decode()
    assert 'name="base_version" value="1"' in page
    # ... and meanwhile the plenary accepted amendment 1 (version 2).
    services.amendment_decide(amendment=first, accepted=True, actor=world.user("chair"))
    mine = {
        "proposed_text": "Elke school en elke sportclub geeft les over drugs.",
        "base_version": 1,
        "submission": form_number(page),
    }
    response = client.post(url("amendment_propose", world, recommendation), mine)
    page = response.content.decode()
    # Accepted as it is, it would undo amendment 1 without anyone seeing it.
    assert response.status_code == 200
    assert recommendation.amendments.count() == 1
    assert "Elke school en elke sportclub geeft les over drugs.</textarea>" in page
    assert 'name="base_version" value="2"' in page and "groep 8" in page
    response = client.post(
        url("amendment_propose", world, recommendation), {**mine, "base_version": 2}
    )
    assert response.status_code == 302
    assert recommendation.amendments.count() == 2
    with pytest.raises(services.VersionConflict):
        services.amendment_propose(
            recommendation=recommendation, proposed_text="Anders.", base_version=1, actor=None
        )


def test_an_amendment_sent_after_the_text_was_made_final_keeps_the_text(world: World) -> None:
    recommendation = submitted(world)
    services.recommendation_finalise(
        recommendation=recommendation, title="Les", text="Elke school.", actor=None
    )
    response = client_for(world, "member").post(
        url("amendment_propose", world, recommendation),
        {"proposed_text": "Mijn voorstel voor een betere tekst.", "base_version": 2},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mijn voorstel voor een betere tekst.</textarea>" in page
    assert "Kopieer hem als u hem wilt bewaren." in page
    assert not recommendation.amendments.exists()


def test_a_double_click_on_make_final_says_it_is_final(world: World) -> None:
    recommendation = submitted(world)
    chair = client_for(world, "chair")
    data = {"title": "Les over drugs", "text": "Elke school.", "base_version": 1}
    first = chair.post(url("finalise", world, recommendation), data)
    second = chair.post(url("finalise", world, recommendation), data)
    assert (first.status_code, second.status_code) == (302, 302)
    assert recommendation.versions.count() == 2


def test_a_text_over_the_limit_is_refused_on_the_server_not_cut_by_the_browser(
    world: World,
) -> None:
    recommendation = draft(world)
    client = client_for(world, "member")
    page = client.get(url("edit", world, recommendation)).content.decode()
    # A browser cuts a pasted text at maxlength without a word.
    assert "maxlength" not in textarea_tag(page, "text")
    response = client.post(url("edit", world, recommendation), _edit_data(text="woord " * 1001))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in textarea_tag(page, "text")
    assert 'id="id_text_error"' in page
    assert recommendation.versions.count() == 1


def test_a_form_with_errors_sums_them_up_for_a_screen_reader(world: World) -> None:
    recommendation = draft(world)
    response = client_for(world, "member").post(
        url("edit", world, recommendation), _edit_data(title="")
    )
    page = response.content.decode()
    assert "<title>Fout:" in page
    summary = page.split('class="error-summary" role="alert"')[1].split("</div>")[0]
    assert 'href="#id_title"' in summary


def test_a_merge_page_opened_before_an_amendment_was_accepted_does_not_lose_it(
    world: World,
) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other, title="Voorlichting op school")
    organiser = client_for(world, "organiser")
    page = organiser.get(url("merge", world)).content.decode()
    assert 'name="seen" value="1:1,2:1"' in page
    # While the organiser writes the merged text, the plenary changes the first one.
    amendment = services.amendment_propose(
        recommendation=first,
        proposed_text="Elke school geeft les over drugs en gokken.",
        actor=None,
    )
    services.amendment_decide(amendment=amendment, accepted=True, actor=None)
    data = {
        "sources": ["1", "2"],
        "into": "new",
        "title": "Les en voorlichting",
        "text": "Elke school geeft les en voorlichting over drugs.",
        "seen": "1:1,2:1",
    }
    response = organiser.post(url("merge", world), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Aanbeveling 1 is veranderd" in page and "gokken" in page
    assert "Elke school geeft les en voorlichting over drugs.</textarea>" in page
    assert 'name="seen" value="1:2,2:1"' in page
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    # Sent again with the new text in view, it merges.
    assert organiser.post(url("merge", world), {**data, "seen": "1:2,2:1"}).status_code == 302


@pytest.mark.parametrize("seen", [None, "", "1:1,2", "1:x,2:1", "tampered"])
def test_a_merge_page_without_its_seen_versions_is_outdated_not_unchecked(
    world: World, seen: str | None
) -> None:
    first = submitted(world)
    submitted(world, table=world.other, title="Voorlichting op school")
    organiser = client_for(world, "organiser")
    # While the page is open, the plenary changes the first one.
    amendment = services.amendment_propose(
        recommendation=first, proposed_text="Elke school geeft les over gokken.", actor=None
    )
    services.amendment_decide(amendment=amendment, accepted=True, actor=None)
    data = {"sources": ["1", "2"], "into": "new", "title": "Samen", "text": "Samen."}
    if seen is not None:
        data["seen"] = seen
    response = organiser.post(url("merge", world), data)
    assert response.status_code == 200
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert "De pagina is verouderd. Laad hem opnieuw" in summary
    assert not Recommendation.objects.filter(status=Status.MERGED).exists()


def test_an_amendment_proposed_before_another_was_accepted_does_not_undo_it_unseen(
    world: World,
) -> None:
    recommendation = submitted(world)
    first, second = (
        services.amendment_propose(recommendation=recommendation, proposed_text=text, actor=None)
        for text in (
            "Elke school geeft vanaf groep 8 les over drugs.",
            "Elke school en elke sportclub geeft les over drugs.",
        )
    )
    services.amendment_decide(amendment=first, accepted=True, actor=None)
    chair = client_for(world, "chair")
    decide = url("amendment_decide", world, recommendation, amendment=second.number)
    response = chair.post(decide, {"decision": "accepted"})
    page = response.content.decode()
    # Accepted as it is, amendment 2 would take "vanaf groep 8" out of the text.
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.status == Amendment.Status.PROPOSED
    assert 'id="id_replace_newer_error"' in page
    assert 'role="alert"' in page and 'href="#id_replace_newer"' in page
    checkbox = re.search(r'<input[^>]*name="replace_newer"[^>]*>', page)
    assert checkbox is not None and "id_replace_newer_error" in checkbox.group(0)
    # Rejecting needs no extra step; accepting does, as the chair's explicit choice.
    response = chair.post(decide, {"decision": "accepted", "replace_newer": "on"})
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Elke school en elke sportclub geeft les over drugs."
    third, fourth = (
        services.amendment_propose(recommendation=recommendation, proposed_text=text, actor=None)
        for text in ("Elke school, elk jaar.", "Elke school en elke sportclub, elk jaar.")
    )
    services.amendment_decide(amendment=fourth, accepted=True, actor=None)
    with pytest.raises(services.OutdatedAmendment):
        services.amendment_decide(amendment=third, accepted=True, actor=None)
    services.amendment_decide(amendment=third, accepted=False, actor=None)


# ------------------------------------------ merges, comparison and errors (review)


def test_the_merge_page_says_which_open_amendments_lapse(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other, title="Voorlichting op school")
    for text in ("Open een.", "Open twee."):
        services.amendment_propose(recommendation=second, proposed_text=text, actor=None)
    page = client_for(world, "organiser").get(url("merge", world)).content.decode()
    assert f"Aanbeveling {second.number}: 2 open amendementen" in page
    assert f"Aanbeveling {first.number}:" not in page
    assert "vervallen" in page


def test_after_a_merge_the_organiser_reads_how_many_open_amendments_lapsed(
    world: World,
) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other, title="Voorlichting op school")
    for text in ("Open een.", "Open twee."):
        services.amendment_propose(recommendation=second, proposed_text=text, actor=None)
    organiser = client_for(world, "organiser")
    data = {
        "sources": [first.number, second.number],
        "title": "Samen",
        "text": "Samen.",
        "seen": _merge_seen(organiser, world),
    }
    page = organiser.post(
        url("merge", world), {**data, "into": str(first.number)}, follow=True
    ).content.decode()
    assert f"samengevoegd in aanbeveling {first.number}." in page
    assert "2 open amendementen zijn vervallen." in page
    # Without open amendments the message says nothing about them.
    third = submitted(world, title="Derde")
    data["sources"] = [first.number, third.number]
    data["seen"] = _merge_seen(organiser, world)
    page = organiser.post(
        url("merge", world), {**data, "into": str(first.number)}, follow=True
    ).content.decode()
    assert f"samengevoegd in aanbeveling {first.number}." in page
    assert "vervallen." not in page


def test_an_amendment_lapsed_by_a_merge_says_why(world: World) -> None:
    first = submitted(world)
    second = submitted(world, table=world.other, title="Voorlichting op school")
    gone = services.amendment_propose(recommendation=second, proposed_text="Weg.", actor=None)
    services.amendment_withdraw(amendment=gone, actor=None)
    services.amendment_propose(
        recommendation=second, proposed_text="Open.", table=world.led, actor=None
    )
    merged = services.recommendation_merge(
        sources=[first, second], into=None, title="Samen", text="Samen.", actor=None
    ).recommendation
    page = client_for(world, "member").get(url("detail", world, second)).content.decode()
    lapsed = page.split('id="amendement-2"')[1].split("</article>")[0]
    withdrawn = page.split('id="amendement-1"')[1].split("</article>")[0]
    assert f"Vervallen door samenvoegen met aanbeveling {merged.number}" in lapsed
    assert "Vervallen" not in withdrawn and "Ingetrokken" in withdrawn


def test_an_amendment_lapsed_by_a_withdrawal_says_why(world: World) -> None:
    recommendation = submitted(world)
    services.amendment_propose(recommendation=recommendation, proposed_text="Open.", actor=None)
    services.recommendation_withdraw(recommendation=recommendation, reason="Dubbel.", actor=None)
    page = client_for(world, "member").get(url("detail", world, recommendation)).content.decode()
    assert "Amendement 1: Vervallen, want de aanbeveling is ingetrokken" in page


def test_the_comparison_shows_a_change_of_only_the_title_or_rationale(world: World) -> None:
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title="Voorlichting over gokken",
        text=recommendation.text,
        rationale="Ouders vragen erom.",
        base_version=1,
        actor=world.user("facilitator"),
    )
    # The member saw version 1 and changes only the text.
    response = client_for(world, "member").post(
        url("edit", world, recommendation), _edit_data(text="Elke school, elk jaar.")
    )
    conflict = response.content.decode().split('id="conflict-heading"')[1].split("</section>")[0]
    assert "gokken" in conflict and "erom." in conflict
    page = (
        client_for(world, "member")
        .get(url("compare", world, recommendation) + "?old=1&new=2")
        .content.decode()
    )
    assert "Niet veranderd:" not in page.split('id="compare-title"')[1].split("</section>")[0]
    assert "erom." in page.split('id="compare-rationale"')[1].split("</section>")[0]


def test_a_change_of_only_spacing_is_not_called_unchanged(world: World) -> None:
    assert diff.compare("twee  woorden", "twee\nwoorden").only_spacing
    assert not diff.compare("twee woorden", "twee woorden").only_spacing
    assert not diff.compare("twee woorden", "drie woorden").only_spacing
    recommendation = draft(world)
    services.recommendation_edit(
        recommendation=recommendation,
        title=recommendation.title,
        text="Elke school geeft les\n\nover drugs.",
        actor=None,
    )
    page = (
        client_for(world, "member")
        .get(url("compare", world, recommendation) + "?old=1&new=2")
        .content.decode()
    )
    text = page.split('id="compare-text"')[1].split("</section>")[0]
    assert "Alleen witruimte of regels veranderd" in text and "Niet veranderd" not in text


def test_the_feedback_form_sums_up_its_errors(world: World) -> None:
    recommendation = submitted(world)
    response = client_for(world, "chair").post(url("feedback", world, recommendation), {"text": ""})
    page = response.content.decode()
    assert "<title>Fout:" in page
    summary = page.split('class="error-summary" role="alert"')[1].split("</div>")[0]
    assert 'href="#id_text"' in summary


@pytest.mark.parametrize("version", [None, "x", "-1"])
def test_a_missing_or_broken_version_number_says_reload_and_keeps_the_text(
    world: World, version: str | None
) -> None:
    recommendation = draft(world)
    data = _edit_data(text="Mijn nieuwe tekst.")
    if version is None:
        del data["base_version"]
    else:
        data["base_version"] = version
    response = client_for(world, "member").post(url("edit", world, recommendation), data)
    page = response.content.decode()
    assert response.status_code == 200
    summary = page.split('class="error-summary" role="alert"')[1].split("</div>")[0]
    assert "De pagina is verouderd. Laad hem opnieuw; uw tekst staat hieronder." in summary
    assert "Mijn nieuwe tekst.</textarea>" in page
    assert recommendation.versions.count() == 1
    submitted_one = submitted(world, table=world.other)
    response = client_for(world, "chair").post(
        url("amendment_propose", world, submitted_one),
        {"proposed_text": "Mijn voorstel.", "base_version": "x"},
    )
    page = response.content.decode()
    assert "De pagina is verouderd." in page and "Mijn voorstel.</textarea>" in page
