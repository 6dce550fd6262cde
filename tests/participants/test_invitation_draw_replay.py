"""An invitation draw can be made again from its recorded seed, also after a new
extract was read, a second draw was made and the first weekend moved: that is
what 'reproducible from a published seed' promises to anyone who checks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from assembly.models import Assembly
from participants.models import InvitationDraw, PopulationImport, Resident
from participants.services import invitations as services
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents

pytestmark = pytest.mark.django_db


def _second_extract(assembly: Assembly, households: int) -> None:
    """New residents, some at addresses of the first extract (a new housemate)."""
    extract = PopulationImport.objects.create(
        assembly=assembly, file_name="brp-2.csv", file_sha256="1" * 64,
        status=PopulationImport.Status.IMPORTED,
    )
    old_keys = list(
        Resident.objects.filter(assembly=assembly).values_list("household_key", flat=True)[:10]
    )
    rows = []
    for number in range(households):
        key = old_keys[number] if number < len(old_keys) else f"3500ZZ{number}"
        rows.append(Resident(
            assembly=assembly, population_import=extract, person_ref=f"N{number:06d}",
            given_names="Nieuw", surname=f"Inwoner{number}", street="Laan",
            house_number=number + 1, postcode="3500ZZ", city="ZEIST", municipality="Zeist",
            birth_date=dt.date(1990, 1, 1), household_key=key,
        ))
    # Seventeen on the first weekend: old enough at 16, not at 18.
    young = assembly.first_weekend.replace(year=assembly.first_weekend.year - 17)
    rows[-1].birth_date = young
    Resident.objects.bulk_create(rows)


def test_a_draw_made_again_later_gives_the_same_people() -> None:
    assembly = AssemblyFactory(slug="opnieuw")
    make_residents(assembly, 60, per_household=2, municipalities={"Ede": 35, "Epe": 25})
    first = services.invitation_draw(
        assembly=assembly, count=12, seed="publiek-1", stratify_by="municipality"
    )
    _second_extract(assembly, 30)
    second = services.invitation_draw(assembly=assembly, count=20, seed="publiek-2")
    # The first weekend moves a month: other people are old enough now.
    Assembly.objects.filter(pk=assembly.pk).update(
        first_weekend=assembly.first_weekend + dt.timedelta(days=30), min_age=18
    )

    for draw in (first, second):
        draw.refresh_from_db()
        replay = services.invitation_draw_replay(draw=draw)
        assert replay.recorded and replay.input_matches and replay.chosen_matches, draw.seed
        assert replay.households == draw.eligible_households

    out = io.StringIO()
    call_command("verify_invitation_draw", "--draw", str(first.pk), stdout=out)
    assert "input sha256:        same" in out.getvalue()
    assert "invitations:         same" in out.getvalue()


def test_a_changed_input_or_other_people_are_reported() -> None:
    assembly = AssemblyFactory(slug="anders")
    make_residents(assembly, 30, per_household=2)
    draw = services.invitation_draw(assembly=assembly, count=8, seed="publiek")
    invitation = draw.invitations.order_by("pk").first()
    assert invitation is not None and invitation.resident is not None
    # Someone gave the letter to the housemate instead of the person drawn.
    housemate = Resident.objects.filter(
        household_key=invitation.resident.household_key
    ).exclude(pk=invitation.resident_id).get()
    invitation.resident = housemate
    invitation.save(update_fields=["resident"])

    replay = services.invitation_draw_replay(draw=draw)
    assert replay.input_matches and not replay.chosen_matches
    with pytest.raises(CommandError, match="other residents"):
        call_command("verify_invitation_draw", "--draw", str(draw.pk), stdout=io.StringIO())

    # A resident the draw chose from is gone (an extract corrected by hand).
    Resident.objects.filter(assembly=assembly).exclude(
        invitation__isnull=False
    ).order_by("pk").first().delete()  # type: ignore[union-attr]
    assert not services.invitation_draw_replay(draw=draw).input_matches


def test_a_queued_draw_records_what_it_chose_from() -> None:
    assembly = AssemblyFactory(slug="wachtrij")
    make_residents(assembly, 20, per_household=1)
    draw = services.invitation_draw_queue(assembly=assembly, count=5, seed="later")
    assert services.invitation_draw_execute(draw_id=draw.pk)
    draw = InvitationDraw.objects.get(pk=draw.pk)
    assert draw.residents_up_to == Resident.objects.order_by("-pk").first().pk  # type: ignore[union-attr]
    assert draw.invitations_up_to == 0
    replay = services.invitation_draw_replay(draw=draw)
    assert replay.input_matches and replay.chosen_matches
