"""Subgroup tables in the site: who sits, the stored round, moves, facilitators,
publication, the members' page, the PDFs and constant query counts."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assembly.models import Assembly, AuditEvent, RoleKind
from participants import selectors_tables as selectors
from participants import tables as algorithm
from participants.models import CheckIn, PanelMember, Quota, Registration, TableRound, TableSeat
from participants.services import tables as services
from sessions.models import Weekend
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.participants.test_panel import make_panel

EDUCATION = ("laag", "midden", "hoog")
PROVINCES = ("Utrecht", "Groningen", "Zeeland", "Limburg")


@pytest.fixture(autouse=True)
def _short_search(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The search's length changes the quality, not what is stored or shown.
    monkeypatch.setattr(services, "STEPS_PER_PERSON", 30)
    yield


def members_taking_part(assembly: Assembly, count: int) -> list[PanelMember]:
    """``count`` confirmed members with mixed education and province, and
    quotas on gender and education (so those are the categories)."""
    panel = make_panel(assembly, size=count, panel=tuple(range(count)), alternates=())
    PanelMember.objects.filter(assembly=assembly).update(status=PanelMember.Status.CONFIRMED)
    for index, registration in enumerate(panel.people):
        Registration.objects.filter(pk=registration.pk).update(
            education=EDUCATION[index % 3], province=PROVINCES[index % 4]
        )
    if not Quota.objects.filter(assembly=assembly).exists():
        for position, (category, value) in enumerate(
            [("geslacht", "vrouw"), ("geslacht", "man"), *(("opleiding", e) for e in EDUCATION)]
        ):
            Quota.objects.create(
                assembly=assembly,
                category=category,
                value=value,
                min=0,
                max=999,
                position=position,
            )
    return list(
        PanelMember.objects.filter(assembly=assembly).select_related("registration").order_by("pk")
    )


def _weekend(assembly: Assembly, number: int = 1) -> Weekend:
    return Weekend.objects.get(assembly=assembly, number=number)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _page_url(cast: Cast, number: int = 1) -> str:
    return reverse(
        "participants:tables_weekend", kwargs={"slug": cast.assembly.slug, "weekend": number}
    )


def _action(cast: Cast, name: str, number: int = 1) -> str:
    return reverse(f"participants:{name}", kwargs={"slug": cast.assembly.slug, "weekend": number})


def _seated(table_round: TableRound) -> set[int]:
    return set(TableSeat.objects.filter(round=table_round).values_list("member_id", flat=True))


# ------------------------------------------------------------------ services


@pytest.mark.django_db
def test_it_seats_all_confirmed_members_before_anyone_is_checked_in(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 20)
    PanelMember.objects.filter(pk=members[0].pk).update(status=PanelMember.Status.WITHDRAWN)
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None, seed=5)
    assert _seated(table_round) == {m.pk for m in members[1:]}
    sizes = sorted(t.seats.count() for t in table_round.tables.all())
    assert sizes == [6, 6, 7]
    assert table_round.seed == 5


@pytest.mark.django_db
def test_it_seats_only_the_members_checked_in_on_the_weekend(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 20)
    weekend = _weekend(cast.assembly)
    for member in members[:14]:
        CheckIn.objects.create(member=member, weekend=weekend, day=weekend.starts_on)
    # Checked in on the second day only: present too.
    CheckIn.objects.create(member=members[14], weekend=weekend, day=weekend.ends_on)
    table_round = services.table_round_make(weekend=weekend, actor=None)
    assert _seated(table_round) == {m.pk for m in members[:15]}


@pytest.mark.django_db
def test_it_gives_tables_a_facilitator_round_robin_and_leaves_the_rest_without(
    cast: Cast,
) -> None:
    members_taking_part(cast.assembly, 30)  # 4 tables
    second = UserFactory(email="gespreksleider2@example.org")
    RoleFactory(user=second, assembly=cast.assembly, kind=RoleKind.FACILITATOR)
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    leaders = [t.facilitator_id for t in table_round.tables.order_by("number")]
    assert sorted(x for x in leaders if x) == sorted([cast.users["facilitator"].pk, second.pk])
    assert leaders[2:] == [None, None]


@pytest.mark.django_db
def test_it_remembers_earlier_weekends_and_counts_repeated_pairs(cast: Cast) -> None:
    members_taking_part(cast.assembly, 16)
    first = services.table_round_make(weekend=_weekend(cast.assembly, 1), actor=None, seed=1)
    assert first.repeated_pairs == 0
    second = services.table_round_make(weekend=_weekend(cast.assembly, 2), actor=None, seed=2)
    # Two tables of 8 after two tables of 8: at least 24 pairs meet again.
    assert second.repeated_pairs >= 24


@pytest.mark.django_db
def test_it_logs_ids_and_counts_never_names(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 14)
    actor = cast.users["organiser"]
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=actor, seed=9)
    other = table_round.tables.exclude(seats__member=members[0]).first()
    assert other is not None
    services.table_seat_move(
        table_round=table_round, member_id=members[0].pk, table_number=other.number, actor=actor
    )
    events = AuditEvent.objects.filter(action__startswith="tables.")
    assert {e.action for e in events} == {"tables.made", "tables.moved"}
    text = str([(e.target, e.detail) for e in events])
    for member in members:
        assert member.registration.full_name not in text
        assert member.registration.email not in text
    made = events.get(action="tables.made")
    assert made.detail["seed"] == 9 and made.detail["seated"] == 14


@pytest.mark.django_db
def test_a_move_changes_the_table_and_the_figures(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 16)
    weekend = _weekend(cast.assembly)
    table_round = services.table_round_make(weekend=weekend, actor=None, seed=3)
    seat = TableSeat.objects.get(round=table_round, member=members[0])
    target = 2 if seat.table.number == 1 else 1
    moved = services.table_seat_move(
        table_round=table_round, member_id=members[0].pk, table_number=target, actor=None
    )
    seat.refresh_from_db()
    assert seat.table.number == target
    tables: dict[int, list[str]] = {}
    for table_id, member_id in TableSeat.objects.values_list("table__number", "member_id"):
        tables.setdefault(table_id, []).append(str(member_id))
    categories = selectors.category_values(assembly=cast.assembly)
    features = selectors.member_features(
        assembly=cast.assembly, members=members, categories=categories
    )
    expected = algorithm.mix_deviation(list(tables.values()), features)
    stored = TableRound.objects.get(pk=table_round.pk)
    assert stored.mix_deviation == pytest.approx(expected) == moved.mix_deviation
    assert sorted(len(t) for t in tables.values()) == [7, 9]
    with pytest.raises(services.TablesRefused):
        services.table_seat_move(
            table_round=table_round, member_id=members[0].pk, table_number=target, actor=None
        )
    with pytest.raises(services.TablesRefused):
        services.table_seat_move(
            table_round=table_round, member_id=members[0].pk, table_number=99, actor=None
        )


@pytest.mark.django_db
def test_it_refuses_a_facilitator_who_is_not_one_in_this_assembly(cast: Cast) -> None:
    members_taking_part(cast.assembly, 8)
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    with pytest.raises(services.TablesRefused):
        services.table_facilitator_set(
            table_round=table_round,
            table_number=1,
            facilitator_id=cast.users["expert"].pk,
            actor=None,
        )
    table = services.table_facilitator_set(
        table_round=table_round, table_number=1, facilitator_id=None, actor=None
    )
    assert table.facilitator_id is None


@pytest.mark.django_db
def test_it_refuses_to_make_tables_without_members(cast: Cast) -> None:
    with pytest.raises(services.TablesRefused):
        services.table_round_make(weekend=_weekend(cast.assembly), actor=None)


# --------------------------------------------------------------------- pages


@pytest.mark.django_db
def test_an_organiser_makes_tables_and_remakes_them_only_after_confirming(cast: Cast) -> None:
    members_taking_part(cast.assembly, 16)
    client = _client(cast, "organiser")
    page = client.get(_page_url(cast)).content.decode()
    assert "Nog niemand is aangemeld" in page
    response = client.post(_action(cast, "tables_make"), follow=True)
    assert "De tafelindeling is gemaakt." in response.content.decode()
    first = TableRound.objects.get(weekend__assembly=cast.assembly)
    client.post(_action(cast, "tables_make"), follow=True)
    assert TableRound.objects.get(weekend__assembly=cast.assembly).pk == first.pk
    client.post(_action(cast, "tables_make"), {"confirm": "on"})
    assert TableRound.objects.get(weekend__assembly=cast.assembly).pk != first.pk


@pytest.mark.django_db
def test_the_page_shows_the_new_balance_after_a_move(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 16)
    services.table_round_make(weekend=_weekend(cast.assembly), actor=None, seed=4)
    client = _client(cast, "organiser")
    page = client.get(_page_url(cast)).content.decode()
    # Nothing inline (the Content-Security-Policy forbids it); the site's
    # own script files are allowed.
    assert "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert members[0].registration.full_name in page
    # Move three of table 1's women to table 2: table 2 gets too many of them.
    women = [
        s.member_id
        for s in TableSeat.objects.filter(table__number=1).select_related("member__registration")
        if s.member.registration.gender == "vrouw"
    ][:3]
    for member_id in women:
        response = client.post(
            _action(cast, "tables_move"), {"member": member_id, "table": 2}, follow=True
        )
    page = response.content.decode()
    assert "Verplaatst naar tafel 2." in page
    table_round = TableRound.objects.get(weekend__assembly=cast.assembly)
    assert table_round.mix_deviation > 1
    assert "⚠" in page and "te veel" in page and "te weinig" in page


@pytest.mark.django_db
def test_an_organiser_changes_a_facilitator_and_publishes(cast: Cast) -> None:
    members_taking_part(cast.assembly, 8)
    services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    client = _client(cast, "organiser")
    client.post(_action(cast, "tables_facilitator"), {"table": 1, "facilitator": ""})
    table_round = TableRound.objects.get(weekend__assembly=cast.assembly)
    assert table_round.tables.get(number=1).facilitator_id is None
    assert "geen gespreksleider" in client.get(_page_url(cast)).content.decode()
    client.post(
        _action(cast, "tables_facilitator"),
        {"table": 1, "facilitator": cast.users["facilitator"].pk},
    )
    assert table_round.tables.get(number=1).facilitator_id == cast.users["facilitator"].pk
    client.post(_action(cast, "tables_publish"))
    table_round.refresh_from_db()
    assert table_round.published_at is not None


@pytest.mark.django_db
def test_one_facilitator_on_two_tables_of_a_round_is_pointed_out(cast: Cast) -> None:
    members_taking_part(cast.assembly, 16)
    services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    client = _client(cast, "organiser")
    leader = cast.users["facilitator"].pk
    for number in (1, 2):
        client.post(_action(cast, "tables_facilitator"), {"table": number, "facilitator": ""})
    first = client.post(
        _action(cast, "tables_facilitator"), {"table": 1, "facilitator": leader}, follow=True
    ).content.decode()
    assert "leidt ook tafel" not in first
    second = client.post(
        _action(cast, "tables_facilitator"), {"table": 2, "facilitator": leader}, follow=True
    ).content.decode()
    assert "Let op: deze gespreksleider leidt ook tafel 1. De tafels praten tegelijk." in second


@pytest.mark.django_db
def test_a_member_sees_their_table_and_first_names_once_published(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 14)
    me = members[0]
    PanelMember.objects.filter(pk=me.pk).update(user=cast.users["member"])
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    url = reverse("participants:my_table", kwargs={"slug": cast.assembly.slug})
    client = _client(cast, "member")
    assert "nog niet bekend" in client.get(url).content.decode()
    services.table_round_publish(table_round=table_round, actor=None)
    page = client.get(url).content.decode()
    seat = TableSeat.objects.select_related("table").get(member=me)
    assert f"U zit aan tafel {seat.table.number}" in page
    mates = TableSeat.objects.filter(table=seat.table).exclude(member=me)
    for mate in mates.select_related("member__registration"):
        full = mate.member.registration.full_name
        assert full.split()[0] in page
        assert full not in page  # first names only
    others = TableSeat.objects.exclude(table=seat.table).select_related("member__registration")
    for other in others:
        assert other.member.registration.full_name.split()[-1] not in page


@pytest.mark.django_db
def test_a_facilitator_sees_their_own_tables(cast: Cast) -> None:
    members_taking_part(cast.assembly, 14)
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    services.table_round_publish(table_round=table_round, actor=None)
    url = reverse("participants:my_table", kwargs={"slug": cast.assembly.slug})
    page = _client(cast, "facilitator").get(url).content.decode()
    led = table_round.tables.get(facilitator=cast.users["facilitator"])
    assert f"Tafel {led.number}" in page
    assert "Uw tafels als gespreksleider" in page


@pytest.mark.django_db
def test_the_pdfs_have_a_page_per_table_and_a_card_per_member(cast: Cast) -> None:
    members_taking_part(cast.assembly, 14)
    services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    client = _client(cast, "organiser")
    lists = client.get(_action(cast, "tables_lists_pdf"))
    assert lists["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(lists.content))
    assert len(reader.pages) == 2
    assert "Tafel 1" in (reader.pages[0].extract_text() or "")
    cards = client.get(_action(cast, "tables_cards_pdf"))
    reader = PdfReader(io.BytesIO(cards.content))
    assert len(reader.pages) == 14
    assert "Persoon" in (reader.pages[0].extract_text() or "")
    assert "Nummer" not in (reader.pages[0].extract_text() or "")


@pytest.mark.django_db
def test_the_page_warns_about_people_checked_in_after_the_tables_were_made(cast: Cast) -> None:
    members = members_taking_part(cast.assembly, 15)
    weekend = _weekend(cast.assembly)
    for member in members[:14]:
        CheckIn.objects.create(member=member, weekend=weekend, day=weekend.starts_on)
    services.table_round_make(weekend=weekend, actor=None)
    CheckIn.objects.create(member=members[14], weekend=weekend, day=weekend.starts_on)
    page = _client(cast, "organiser").get(_page_url(cast)).content.decode()
    assert "1 aanwezige deelnemer heeft nog geen tafel" in page


@pytest.mark.django_db
def test_the_overview_lists_every_weekend(cast: Cast) -> None:
    url = reverse("participants:tables_overview", kwargs={"slug": cast.assembly.slug})
    page = _client(cast, "organiser").get(url).content.decode()
    assert page.count("Nog niet gemaakt") == 7


# ------------------------------------------------------------ query counts


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_pages_keep_a_constant_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    slug = cast.assembly.slug
    organiser = _client(cast, "organiser")
    member = _client(cast, "member")
    facilitator = _client(cast, "facilitator")
    mine = reverse("participants:my_table", kwargs={"slug": slug})
    overview = reverse("participants:tables_overview", kwargs={"slug": slug})

    def grow(count: int) -> None:
        TableRound.objects.filter(weekend__assembly=cast.assembly).delete()
        members = members_taking_part(cast.assembly, count)
        PanelMember.objects.filter(user=cast.users["member"]).update(user=None)
        PanelMember.objects.filter(pk=members[-1].pk).update(user=cast.users["member"])
        for number in (1, 2):
            table_round = services.table_round_make(
                weekend=_weekend(cast.assembly, number), actor=None
            )
            services.table_round_publish(table_round=table_round, actor=None)

    grow(30)
    pages = [(organiser, _page_url(cast, 2)), (organiser, overview), (member, mine)]
    pages.append((facilitator, mine))
    small = [_count(client, url) for client, url in pages]
    grow(145)  # 175 members in all
    assert PanelMember.objects.filter(assembly=cast.assembly).count() == 175
    for (client, url), limit in zip(pages, small, strict=True):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


# --------------------------------------------------------------------- demo


@pytest.mark.django_db
def test_the_demo_makes_and_publishes_past_and_next_weekends_once(cast: Cast) -> None:
    from participants.demo_tables import demo_tables_seed

    members = members_taking_part(cast.assembly, 16)
    first, second = _weekend(cast.assembly, 1), _weekend(cast.assembly, 2)
    for member in members[:14]:
        CheckIn.objects.create(member=member, weekend=first, day=first.starts_on)
    today = second.starts_on - dt.timedelta(days=3)
    assert demo_tables_seed(cast.assembly, today=today) == 2
    rounds = TableRound.objects.filter(weekend__assembly=cast.assembly)
    assert {r.weekend.number for r in rounds} == {1, 2}
    assert all(r.published_at for r in rounds)
    assert len(_seated(rounds.get(weekend=first))) == 14
    assert len(_seated(rounds.get(weekend=second))) == 16
    assert demo_tables_seed(cast.assembly, today=today) == 0


@pytest.mark.django_db
def test_a_member_who_stops_leaves_the_tables_still_to_come(cast: Cast) -> None:
    """No name card, no seat, no first name for the others; a past weekend
    keeps who sat where."""
    from participants.services import panel as panel_services

    members = members_taking_part(cast.assembly, 14)
    coming = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    services.table_round_publish(table_round=coming, actor=None)
    past_weekend = _weekend(cast.assembly, 2)
    past = services.table_round_make(weekend=past_weekend, actor=None)
    Weekend.objects.filter(pk=past_weekend.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=8),
        ends_on=timezone.localdate() - dt.timedelta(days=7),
    )
    leaver = members[3]

    panel_services.panel_member_withdraw(member=leaver, reason="verhuisd", actor=None)

    assert not TableSeat.objects.filter(round=coming, member=leaver).exists()
    assert TableSeat.objects.filter(round=coming).count() == 13
    assert TableSeat.objects.filter(round=past, member=leaver).exists()
    cards = _client(cast, "organiser").get(_action(cast, "tables_cards_pdf"))
    assert len(PdfReader(io.BytesIO(cards.content)).pages) == 13


def test_table_names_tell_apart_people_who_share_a_first_name() -> None:
    assert selectors.table_names(
        ["Priya Kumar", "Priya Bakker", "Jan de Vries", "jan van Dijk", "Henk Smit", "Henk Smit"]
    ) == ["Priya K.", "Priya B.", "Jan V.", "jan D.", "Henk S.", "Henk S."]
    assert selectors.table_names(["Fatima", "Fatima El Amrani"]) == ["Fatima", "Fatima A."]


@pytest.mark.django_db
def test_two_people_with_one_first_name_at_a_table_get_different_cards(cast: Cast) -> None:
    """Two cards reading "Priya" at one table, and "Priya, Priya" in the list
    the members see, left people guessing who is who."""
    members = members_taking_part(cast.assembly, 14)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    table_round = services.table_round_make(weekend=_weekend(cast.assembly), actor=None)
    services.table_round_publish(table_round=table_round, actor=None)
    seat = TableSeat.objects.get(member=members[0])
    mates = list(TableSeat.objects.filter(table=seat.table).exclude(pk=seat.pk).order_by("pk"))
    for mate, name in zip(mates[:2], ["Priya Kumar", "Priya Bakker"], strict=True):
        Registration.objects.filter(pk=mate.member.registration_id).update(full_name=name)

    page = _client(cast, "member").get(
        reverse("participants:my_table", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert "Priya K." in page and "Priya B." in page
    assert "Kumar" not in page and "Bakker" not in page  # an initial, not the surname

    cards = _client(cast, "organiser").get(_action(cast, "tables_cards_pdf"))
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(cards.content)).pages)
    assert "Priya K." in text and "Priya B." in text
