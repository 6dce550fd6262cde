"""Review of the public draw of a LEXIMIN replacement: what the organiser and
the public see when two people act at once, and what the public page may show."""

from __future__ import annotations

from typing import Any

import pytest

from assembly.models import AuditEvent
from participants.models import Replacement, SelectionRun
from participants.services import panel as services
from participants.services.registration import registration_withdraw
from tests.participants.test_panel import make_panel
from tests.participants.test_replacement_draw import (
    NUMBER,
    _leximin_replacement,
    _organiser,
    _public_page,
    _replacement_url,
)


@pytest.mark.django_db
def test_a_refused_second_number_shows_the_draw_that_was_made() -> None:
    """Two organisers at the public draw: one types the number, the other
    (with the page still open) types another. The second one must be told
    why nothing happened, and see the draw that stands and the proposal to
    decide on (before: a bare 400 page without the refusal)."""
    panel, replacement = _leximin_replacement()
    client = _organiser(panel)
    services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )

    response = client.post(
        _replacement_url("replacement_draw", replacement),
        {"number": str(NUMBER + 1), "how_drawn": "dobbelstenen"},
        follow=True,
    )

    page = response.content.decode()
    assert "Een tweede trekking kan niet." in page
    assert "Wacht op het openbare getal" not in page
    assert "Het openbare getal invoeren" not in page
    assert "Voorstel bevestigen" in page
    assert "Voorstel niet gebruiken" in page
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED


@pytest.mark.django_db
def test_a_replacement_set_aside_while_it_is_computed_is_not_published(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The organiser sets a replacement aside while its LEXIMIN run is still
    being computed (on a worker). The run finishing afterwards must not
    publish a ticket table for a replacement nobody will draw."""
    panel = make_panel(alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="verhuisd", actor=None)
    real = services.replace_dropouts

    def set_aside_meanwhile(*args: Any, **kwargs: Any) -> Any:
        replacement = Replacement.objects.get(assembly=panel.assembly)
        services.replacement_discard(replacement=replacement, actor=None)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "replace_dropouts", set_aside_meanwhile)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )

    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.DISCARDED
    assert replacement.run is not None
    assert replacement.run.committed_at is None
    assert not SelectionRun.objects.filter(
        kind=SelectionRun.Kind.REPLACEMENT, committed_at__isnull=False
    ).exists()
    assert not AuditEvent.objects.filter(action="replacement.published").exists()
    assert "Vervanging, loting" not in _public_page(panel)


@pytest.mark.django_db
def test_a_published_discard_reason_may_not_name_the_people_of_the_replacement() -> None:
    """The reason stands on the public lottery page: the name of someone on
    the ticket (or of the member who left) must not get there."""
    panel, replacement = _leximin_replacement()
    client = _organiser(panel)
    services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )
    replacement.refresh_from_db()
    incoming = next(p for p in panel.people if str(p.pk) in replacement.proposed)
    leaving = panel.people[1]

    for reason in (
        f"{incoming.full_name} is verhuisd.",
        f"{incoming.full_name.split()[-1].upper()} is niet bereikbaar.",
        f"Het quotum klopt niet sinds {leaving.full_name} stopte.",
    ):
        with pytest.raises(services.PanelRefused, match="naam"):
            services.replacement_discard(replacement=replacement, actor=None, reason=reason)
        response = client.post(
            _replacement_url("replacement_discard", replacement), {"reason": reason}
        )
        assert response.status_code == 400
        assert 'id="id_reason_error"' in response.content.decode()
    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.PROPOSED

    response = client.post(
        _replacement_url("replacement_discard", replacement),
        {"reason": "De vervanger is verhuisd naar het buitenland."},
    )
    assert response.status_code == 302
    page = _public_page(panel)
    assert "De vervanger is verhuisd naar het buitenland." in page
    for person in panel.people:
        assert person.full_name not in page


@pytest.mark.django_db
def test_the_discard_form_says_the_reason_is_public_and_names_no_one() -> None:
    panel, replacement = _leximin_replacement()
    client = _organiser(panel)
    services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )
    page = client.get(_replacement_url("replacement_detail", replacement)).content.decode()
    assert "Noem geen namen" in page


@pytest.mark.django_db
def test_the_organiser_sees_that_someone_drawn_withdrew_after_the_table_was_published() -> None:
    """The table is published days before the public draw; meanwhile someone
    on a ticket withdraws. When that ticket is drawn, the page must say so,
    instead of offering a confirmation that can only fail."""
    panel, replacement = _leximin_replacement()
    client = _organiser(panel)
    services.replacement_draw(
        replacement=replacement, number=NUMBER, how_drawn="dobbelstenen", actor=None
    )
    replacement.refresh_from_db()
    incoming = next(p for p in panel.people if str(p.pk) in replacement.proposed)
    registration_withdraw(registration_id=incoming.pk)

    page = client.get(_replacement_url("replacement_detail", replacement)).content.decode()

    assert "heeft zich afgemeld" in page
    assert "Iemand in dit voorstel heeft zich afgemeld." in page
    with pytest.raises(services.PanelRefused, match="afgemeld"):
        services.replacement_confirm(replacement=replacement, actor=None)
