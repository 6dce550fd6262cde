"""A replacement drawn by LEXIMIN is as transparent as the panel's own draw
(LOTTERY.md, "Replacement of drop-outs"): its ticket table is published as
soon as it is computed, a number drawn in public picks the ticket, there is no
second draw, and a proposal drawn in public is set aside only with a reason
that is published next to the draw."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from assembly.models import AuditEvent, RoleKind
from participants.models import Replacement, SelectionRun
from participants.selectors_lottery import in_published_lottery
from participants.services import panel as services
from participants.sortition import verify_draw
from tests.factories import RoleFactory, UserFactory, give_totp
from tests.participants.test_panel import Panel, draw_in_public, make_panel

NUMBER = 1234


def _leximin_replacement() -> tuple[Panel, Replacement]:
    """Member 1 (a man) leaves; both alternates are women, so the alternates
    cannot keep the quota and a new LEXIMIN lottery is computed."""
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="verhuisd", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    assert replacement.method == Replacement.Method.LEXIMIN
    replacement.refresh_from_db()
    return panel, replacement


def _organiser(panel: Panel) -> Client:
    user = UserFactory(email="organiser@example.org")
    RoleFactory(user=user, assembly=panel.assembly, kind=RoleKind.ORGANISER)
    give_totp(user)
    client = Client()
    client.force_login(user)
    return client


def _replacement_url(name: str, replacement: Replacement) -> str:
    return reverse(
        f"participants:{name}",
        kwargs={"slug": replacement.assembly.slug, "pk": replacement.pk},
    )


def _public_page(panel: Panel) -> str:
    response = Client().get(
        reverse("participants:lottery_public", kwargs={"slug": panel.assembly.slug})
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_ticket_table_is_published_before_any_number_is_known() -> None:
    panel, replacement = _leximin_replacement()

    assert replacement.status == Replacement.Status.DRAW
    assert replacement.proposed == []
    run = replacement.run
    assert run is not None and run.kind == SelectionRun.Kind.REPLACEMENT
    assert run.committed_at is not None
    record = run.record
    assert record is not None
    assert len(record["tickets"]) == run.tickets
    # The engine's trial draw with its secret seed is not kept: nothing is
    # picked until the public number is known.
    for key in ("public_number", "ticket_drawn", "panel", "replacements", "new_panel"):
        assert key not in record
    event = AuditEvent.objects.get(action="replacement.published")
    assert event.detail["ticket_table_sha256"] == record["ticket_table_sha256"]
    page = _public_page(panel)
    assert record["ticket_table_sha256"] in page
    assert "Het openbare getal is nog niet getrokken." in page
    # Everyone's row in that pool is now in a published lottery.
    assert in_published_lottery(assembly_id=panel.assembly.pk, registration_id=panel.people[9].pk)


@pytest.mark.django_db
def test_the_public_number_picks_the_ticket_and_anyone_can_check_it(tmp_path: Path) -> None:
    panel, replacement = _leximin_replacement()
    run = replacement.run
    assert run is not None and run.record is not None
    tickets = run.record["tickets"]
    expected = run.record["distribution"][tickets[NUMBER % len(tickets)]]["panel"]

    replacement = draw_in_public(replacement, NUMBER)

    assert replacement.status == Replacement.Status.PROPOSED
    assert replacement.proposed == [str(pid) for pid in expected]
    draw = services.replacement_public_draw(replacement=replacement)
    assert draw is not None and draw.ticket == NUMBER % len(tickets)
    assert verify_draw(draw.record) == []
    page = _public_page(panel)
    assert f"Het openbare getal was {NUMBER}. Dat wijst lot {draw.ticket} aan." in page
    assert "drie dobbelstenen" in page

    # The published record, checked with the command anyone can run.
    record_url = reverse(
        "participants:selection_record", kwargs={"slug": panel.assembly.slug, "pk": run.pk}
    )
    published = json.loads(Client().get(record_url).content)
    assert published["public_number"] == NUMBER
    assert published["panel"] == replacement.proposed
    record_file = tmp_path / "record.json"
    record_file.write_text(json.dumps(published), encoding="utf-8")
    out = StringIO()
    call_command("verify_selection", str(record_file), stdout=out)
    assert "Alles klopt" in out.getvalue()
    # With the respondents and quotas (the chair and the griffie may download
    # them): the reduced quotas, every ticket and a fresh LEXIMIN agree.
    pool_file = tmp_path / "pool.csv"
    pool_file.write_text(run.pool_csv, encoding="utf-8")
    quota_file = tmp_path / "quota.csv"
    quota_file.write_text(run.quotas_csv, encoding="utf-8")
    out = StringIO()
    call_command(
        "verify_selection",
        str(record_file),
        respondents=str(pool_file),
        categories=str(quota_file),
        stdout=out,
    )
    assert "Alles klopt" in out.getvalue()
    # A record that names someone else as drawn does not pass.
    others = [pid for pid in published["probabilities"] if pid not in published["panel"]]
    published["panel"] = [others[0]]
    record_file.write_text(json.dumps(published), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("verify_selection", str(record_file), stdout=StringIO())


@pytest.mark.django_db
def test_there_is_one_draw_per_replacement() -> None:
    _panel, replacement = _leximin_replacement()
    first = services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )
    # The same number again (a double click) is that draw.
    again = services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )
    assert again.pk == first.pk
    # Another number is refused: no drawing until the result suits.
    with pytest.raises(services.PanelRefused, match="al een getal getrokken"):
        services.replacement_draw(
            replacement=replacement, number=NUMBER + 1, how_drawn="", actor=None
        )
    assert AuditEvent.objects.filter(action="replacement.drawn").count() == 1


@pytest.mark.django_db
def test_a_proposal_from_the_alternates_has_no_draw() -> None:
    panel = make_panel()
    services.panel_member_withdraw(member=panel.member(0), reason="ziek", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(0)], actor=None
    )
    assert replacement.method == Replacement.Method.ALTERNATES
    with pytest.raises(services.PanelRefused):
        services.replacement_draw(replacement=replacement, number=7, how_drawn="", actor=None)
    # It is set aside without a reason: nothing was drawn in public.
    services.replacement_discard(replacement=replacement, actor=None)
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED


@pytest.mark.django_db
def test_a_proposal_drawn_in_public_is_set_aside_only_with_a_published_reason() -> None:
    panel, replacement = _leximin_replacement()
    replacement = draw_in_public(replacement, NUMBER)
    with pytest.raises(services.PanelRefused, match="Schrijf op waarom"):
        services.replacement_discard(replacement=replacement, actor=None, reason="  ")
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED

    services.replacement_discard(
        replacement=replacement, actor=None, reason="De vervanger is verhuisd naar het buitenland."
    )

    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED
    page = _public_page(panel)
    assert "Dit lot is niet gebruikt. Reden: De vervanger is verhuisd naar het buitenland." in page
    # The seat is open again for a new request.
    assert services.open_seats(assembly=panel.assembly) == [panel.member(1)]


@pytest.mark.django_db
def test_the_organiser_draws_and_sets_aside_on_the_replacement_page() -> None:
    panel, replacement = _leximin_replacement()
    client = _organiser(panel)
    page = client.get(_replacement_url("replacement_detail", replacement)).content.decode()
    assert "Het openbare getal invoeren" in page
    assert replacement.run is not None and replacement.run.record is not None
    assert replacement.run.record["ticket_table_sha256"] in page

    # "1.000" is refused in words, next to the field; nothing is drawn.
    response = client.post(
        _replacement_url("replacement_draw", replacement),
        {"number": "1.000", "how_drawn": "dobbelstenen"},
    )
    assert response.status_code == 400
    assert 'id="id_number_error"' in response.content.decode()
    assert services.replacement_public_draw(replacement=replacement) is None

    response = client.post(
        _replacement_url("replacement_draw", replacement),
        {"number": str(NUMBER), "how_drawn": "drie dobbelstenen, in het openbaar"},
    )
    assert response.status_code == 302
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED
    page = client.get(_replacement_url("replacement_detail", replacement)).content.decode()
    assert f"het openbare getal {NUMBER} wijst lot" in page
    assert "Voorstel niet gebruiken" in page

    # Setting it aside without a reason: the error stands beside the field.
    response = client.post(_replacement_url("replacement_discard", replacement), {"reason": ""})
    assert response.status_code == 400
    assert 'id="id_reason_error"' in response.content.decode()
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED

    response = client.post(
        _replacement_url("replacement_discard", replacement), {"reason": "Niet bereikbaar."}
    )
    assert response.status_code == 302
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED
    assert replacement.discard_reason == "Niet bereikbaar."


@pytest.mark.django_db
def test_a_published_table_is_set_aside_only_with_a_reason_even_before_the_number() -> None:
    # Otherwise an organiser who saw the dice could set the table aside before
    # typing the number, and ask again for a table with other tickets.
    panel, replacement = _leximin_replacement()
    assert replacement.status == Replacement.Status.DRAW
    with pytest.raises(services.PanelRefused, match="Schrijf op waarom"):
        services.replacement_discard(replacement=replacement, actor=None)

    services.replacement_discard(
        replacement=replacement, actor=None, reason="De trekking kon niet doorgaan."
    )

    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED
    page = _public_page(panel)
    assert "Er is geen getal voor getrokken. Reden: De trekking kon niet doorgaan." in page


@pytest.mark.django_db
def test_an_impossible_replacement_says_when_another_seat_is_still_being_filled() -> None:
    panel, first = _leximin_replacement()  # waits for its public number
    services.panel_member_withdraw(member=panel.member(2), reason="ziek", actor=None)
    second = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(2)], actor=None
    )
    Replacement.objects.filter(pk=second.pk).update(
        status=Replacement.Status.IMPOSSIBLE,
        problem={"code": "infeasible_quotas", "nl": "Te weinig vrouwen.", "en": "Too few women."},
    )
    client = _organiser(panel)

    page = client.get(_replacement_url("replacement_detail", second)).content.decode()
    assert "er loopt nog een vervanging voor een andere plaats" in page

    services.replacement_discard(replacement=first, actor=None, reason="Samen opnieuw.")
    page = client.get(_replacement_url("replacement_detail", second)).content.decode()
    assert "er loopt nog een vervanging voor een andere plaats" not in page
