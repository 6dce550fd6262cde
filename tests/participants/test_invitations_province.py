"""The invitation draw in proportion per province (issue 4)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from participants.models import Invitation, InvitationDraw, Resident
from participants.municipalities import province_of
from participants.services import invitations as services
from tests.conftest import Cast
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents

OnCommit = Callable[..., Any]
PROVINCE = InvitationDraw.Stratification.PROVINCE

# Households per municipality, written the ways extracts write them. Per
# province: Noord-Holland 40 (Amsterdam, Haarlem, Bergen (NH)), Zuid-Holland
# 41 ('s-Gravenhage twice spelt, Rotterdam), Friesland 14, Zeeland 5.
PLACES = {
    "Amsterdam": 30, "Haarlem": 7, "Bergen (NH)": 3,
    "'s-Gravenhage": 9, "Den Haag": 6, "Rotterdam": 26,
    "Súdwest-Fryslân": 8, "Leeuwarden": 6,
    "Middelburg": 5,
}
SIZES = {"Noord-Holland": 40, "Zuid-Holland": 41, "Friesland": 14, "Zeeland": 5}


def _per_province(draw: InvitationDraw) -> Counter[str | None]:
    names = Invitation.objects.filter(draw=draw).values_list("resident__municipality", flat=True)
    return Counter(province_of(name) for name in names)


def _drawn_refs(draw: InvitationDraw) -> list[str]:
    return sorted(
        Invitation.objects.filter(draw=draw).values_list("resident__person_ref", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", ["1", "publiek", "2027-02-13", "zeeland"])
def test_it_divides_invitations_over_provinces_by_largest_remainder(seed: str) -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 100, per_household=3, municipalities=PLACES)

    draw = services.invitation_draw(assembly=assembly, count=23, seed=seed, stratify_by=PROVINCE)

    # Quotas 9.2, 9.43, 3.22 and 1.15: floors 9, 9, 3, 1; the one seat left
    # goes to Zuid-Holland (.43), whatever the seed.
    expected = {"Noord-Holland": 9, "Zuid-Holland": 10, "Friesland": 3, "Zeeland": 1}
    assert services.apportion(SIZES, 23) == expected
    assert _per_province(draw) == expected
    keys = Invitation.objects.filter(draw=draw).values_list("resident__household_key", flat=True)
    assert len(keys) == len(set(keys)) == 23
    assert (draw.stratify_by, draw.eligible_households, draw.eligible_residents) == (
        PROVINCE, 100, 300
    )


@pytest.mark.django_db
def test_it_draws_the_next_round_per_province_from_the_households_left() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 100, per_household=1, municipalities=PLACES)
    first = services.invitation_draw(assembly=assembly, count=50, seed="a", stratify_by=PROVINCE)
    second = services.invitation_draw(assembly=assembly, count=20, seed="b", stratify_by=PROVINCE)

    left = {
        province: SIZES[province] - _per_province(first)[province] for province in SIZES
    }
    assert _per_province(second) == services.apportion(left, 20)
    assert set(_drawn_refs(first)).isdisjoint(_drawn_refs(second))


@pytest.mark.django_db
def test_it_draws_the_same_households_per_province_from_the_same_seed() -> None:
    one, two = AssemblyFactory(slug="een"), AssemblyFactory(slug="twee")
    make_residents(one, 100, per_household=2, municipalities=PLACES)
    make_residents(two, 100, per_household=2, municipalities=PLACES)

    first = services.invitation_draw(assembly=one, count=30, seed="zelfde", stratify_by=PROVINCE)
    again = services.invitation_draw(assembly=two, count=30, seed="zelfde", stratify_by=PROVINCE)

    assert _drawn_refs(first) == _drawn_refs(again)
    assert first.input_sha256 == again.input_sha256 and len(first.input_sha256) == 64


@pytest.mark.django_db
def test_it_records_the_provinces_in_the_input_hash() -> None:
    # The list of municipalities changes yearly; the record must show which
    # province each household was counted in.
    one, two = AssemblyFactory(slug="een"), AssemblyFactory(slug="twee")
    make_residents(one, 100, per_household=1, municipalities=PLACES)
    make_residents(two, 100, per_household=1, municipalities=PLACES)

    per_province = services.invitation_draw(assembly=one, count=10, seed="1", stratify_by=PROVINCE)
    per_municipality = services.invitation_draw(
        assembly=two, count=10, seed="1", stratify_by=InvitationDraw.Stratification.MUNICIPALITY
    )

    assert per_province.input_sha256 != per_municipality.input_sha256


@pytest.mark.django_db
def test_it_refuses_a_draw_per_province_with_an_unknown_municipality() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 100, per_household=2, municipalities=PLACES)
    Resident.objects.filter(assembly=assembly, person_ref__in=["P000000", "P000001", "P000002"]
                            ).update(municipality="Amsterdm")
    Resident.objects.filter(assembly=assembly, person_ref="P000003").update(municipality="")

    with pytest.raises(services.InvitationDrawUnknownMunicipalities) as refusal:
        services.invitation_draw(assembly=assembly, count=10, seed="1", stratify_by=PROVINCE)

    message = str(refusal.value)
    assert "“Amsterdm”" in message and "(geen gemeente)" in message
    assert "4 inwoners" in message
    assert "Amsterdam”" not in message
    assert not InvitationDraw.objects.exists()
    assert not Invitation.objects.exists()
    # The other ways to divide still work with the same residents.
    services.invitation_draw(assembly=assembly, count=10, seed="1")
    assert Invitation.objects.count() == 10


@pytest.mark.django_db
def test_it_names_at_most_ten_unknown_municipalities() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 100, per_household=1, municipalities=PLACES)
    amsterdam = Resident.objects.filter(municipality="Amsterdam").order_by("pk")
    amsterdam = list(amsterdam.values_list("pk", flat=True))
    for number, pk in enumerate(amsterdam[:13]):
        Resident.objects.filter(pk=pk).update(municipality=f"Plaats {number:02d}")

    with pytest.raises(services.InvitationDrawUnknownMunicipalities) as refusal:
        services.invitation_draw(assembly=assembly, count=10, seed="1", stratify_by=PROVINCE)

    message = str(refusal.value)
    assert "“Plaats 09”" in message and "“Plaats 10”" not in message
    assert "en 3 meer" in message and "13 inwoners" in message


@pytest.mark.django_db
def test_it_ignores_unknown_municipalities_of_households_invited_before() -> None:
    assembly = AssemblyFactory()
    make_residents(assembly, 10, per_household=1, municipalities={"Nergenshuizen": 10})
    assert services.unknown_municipalities(assembly=assembly) == {"Nergenshuizen": 10}
    services.invitation_draw(assembly=assembly, count=10, seed="alle")
    # A second extract adds five households in Zwolle.
    template = Resident.objects.filter(assembly=assembly).first()
    assert template is not None
    for number in range(5):
        template.pk = None
        template.person_ref, template.household_key = f"Z{number}", f"8000ZW{number}"
        template.municipality = "Zwolle"
        template.save()

    assert services.unknown_municipalities(assembly=assembly) == {}
    draw = services.invitation_draw(assembly=assembly, count=5, seed="rest", stratify_by=PROVINCE)
    assert _per_province(draw) == {"Overijssel": 5}


def test_it_fails_a_queued_draw_when_a_municipality_became_unknown(cast: Cast) -> None:
    make_residents(cast.assembly, 20, per_household=1, municipalities={"Ede": 12, "Epe": 8})
    draw = services.invitation_draw_queue(
        assembly=cast.assembly, count=5, seed="laat", stratify_by=PROVINCE
    )
    # Between the page and the worker, an extract with a misspelt name came in.
    Resident.objects.filter(municipality="Epe").update(municipality="Eppe")

    assert services.invitation_draw_execute(draw_id=draw.pk) is True

    draw.refresh_from_db()
    assert draw.status == InvitationDraw.Status.FAILED
    assert "“Eppe”" in draw.error and "8 inwoners" in draw.error
    assert not draw.invitations.exists()


# ----------------------------------------------------------------------- command


@pytest.mark.django_db
def test_the_command_draws_per_province() -> None:
    assembly = AssemblyFactory(slug="commando")
    make_residents(assembly, 100, per_household=1, municipalities=PLACES)
    out = io.StringIO()

    call_command(
        "draw_invitations", "--assembly", "commando", "--count", "23", "--seed", "2027",
        "--stratify", "province", stdout=out,
    )

    draw = InvitationDraw.objects.get(assembly=assembly)
    assert draw.stratify_by == PROVINCE
    assert "stratification:      province" in out.getvalue()
    assert _per_province(draw) == services.apportion(SIZES, 23)


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_municipality_by_name() -> None:
    assembly = AssemblyFactory(slug="commando")
    make_residents(assembly, 10, per_household=1, municipalities={"Utrecht": 8, "Utreg": 2})

    with pytest.raises(CommandError, match="Utreg"):
        call_command(
            "draw_invitations", "--assembly", "commando", "--count", "5", "--seed", "1",
            "--stratify", "province", stdout=io.StringIO(),
        )
    assert not InvitationDraw.objects.exists()


@pytest.mark.django_db
def test_the_command_still_takes_per_municipality() -> None:
    assembly = AssemblyFactory(slug="commando")
    make_residents(assembly, 10, per_household=1, municipalities={"Ede": 6, "Epe": 4})
    call_command(
        "draw_invitations", "--assembly", "commando", "--count", "5", "--seed", "1",
        "--stratify", "municipality", stdout=io.StringIO(),
    )
    assert InvitationDraw.objects.get().stratify_by == InvitationDraw.Stratification.MUNICIPALITY
    with pytest.raises(CommandError):
        call_command(
            "draw_invitations", "--assembly", "commando", "--count", "1", "--seed", "2",
            "--stratify", "gemeente", stdout=io.StringIO(),
        )


# ------------------------------------------------------------------ organiser page


def _url(cast: Cast, name: str = "participants:invitation_draw") -> str:
    return reverse(name, kwargs={"slug": cast.assembly.slug})


def test_the_organiser_draws_per_province_from_the_page(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 100, per_household=2, municipalities=PLACES)
    client.force_login(cast.users["organiser"])
    page = client.get(_url(cast)).content.decode()
    assert '<option value="province">Naar rato per provincie</option>' in page

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(_url(cast), {"count": "23", "seed": "pagina", "stratify_by": "province"})

    assert done.status_code == 302
    draw = InvitationDraw.objects.get(assembly=cast.assembly)
    assert (draw.status, draw.stratify_by) == (InvitationDraw.Status.DONE, PROVINCE)
    assert _per_province(draw) == services.apportion(SIZES, 23)
    hub = client.get(_url(cast, "participants:invitations")).content.decode()
    assert "Naar rato per provincie" in hub and draw.input_sha256 in hub


def test_the_page_names_the_unknown_municipality_and_queues_nothing(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: OnCommit
) -> None:
    make_residents(cast.assembly, 20, per_household=1, municipalities={"Utrecht": 17, "Utreg": 3})
    client.force_login(cast.users["organiser"])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused = client.post(_url(cast), {"count": "5", "seed": "1", "stratify_by": "province"})

    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Deze gemeenten kennen we niet: “Utreg”" in text and "3 inwoners" in text
    assert 'id="id_stratify_by_error"' in text
    assert callbacks == []
    assert not InvitationDraw.objects.exists()
