"""The yearly statement (PDF): per month what was granted and capped, the
expenses, totals, the year's caps and what to do with it; a member gets their
own, an organiser anyone's."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assembly.models import AllowanceMode, AllowanceYear, Assembly
from participants.models import PanelMember
from participants.selectors_payments import year_figures
from participants.services import payments as services
from tests.conftest import Cast
from tests.participants.test_payments import (
    approve_allowance,
    approve_claim,
    exported_batch,
    panel_members,
)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _rules() -> None:
    """Rules that give the two days of _member_with_money: 40 euro, then 30
    because the monthly cap of 70 is reached (filling a batch recomputes)."""
    AllowanceYear.objects.update_or_create(
        year=2027,
        defaults={
            "day_allowance": Decimal("40.00"),
            "hourly_cap": Decimal("10.00"),
            "hourly_cap_under_21": Decimal("10.00"),
            "monthly_cap": Decimal("70.00"),
            "yearly_cap": Decimal("2100.00"),
            "km_rate": Decimal("0.23"),
        },
    )


def _member_with_money(cast: Cast) -> PanelMember:
    _rules()
    member = panel_members(cast.assembly, 2)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    approve_allowance(member, day_offset=0, amount="40.00")
    approve_allowance(member, day_offset=1, amount="30.00", gross="40.00", capped_by="monthly")
    approve_claim(member, "12.35")
    batch = exported_batch(cast.assembly, [member], approve=False)
    services.payment_batch_mark_paid(batch=batch, actor=None, paid_on=timezone.localdate())
    return member


def test_the_figures_add_up_per_month(cast: Cast) -> None:
    member = _member_with_money(cast)
    figures = year_figures(member=member, year=2027)
    assert [m.month for m in figures.months] == [3]  # weekend 1 of the cast: March 2027
    assert (figures.days, figures.gross, figures.granted, figures.capped) == (
        2,
        Decimal("80.00"),
        Decimal("70.00"),
        Decimal("10.00"),
    )
    assert figures.expenses == Decimal("12.35")
    assert figures.paid == Decimal("82.35")
    assert figures.rules is not None


def test_the_member_downloads_their_own_statement(cast: Cast) -> None:
    member = _member_with_money(cast)
    client = Client()
    client.force_login(cast.users["member"])
    page = client.get(reverse("participants:my_payments", kwargs={"slug": cast.assembly.slug}))
    assert "Jaaroverzicht 2027" in page.content.decode()

    response = client.get(
        reverse("participants:my_statement_pdf", kwargs={"slug": cast.assembly.slug, "year": 2027})
    )

    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert member.registration.full_name in text
    assert "Dorpsstraat" in text and "1234 AB" in text
    assert "Jaaroverzicht vergoedingen 2027" in text
    assert "Maart" in text
    assert "€ 70,00" in text and "€ 10,00" in text and "€ 12,35" in text
    assert "Maximum per maand" in text
    flat = " ".join(text.split())  # the PDF breaks lines where the text fits
    assert "€ 70,00 per maand en € 2.100,00 per jaar" in flat
    assert "uitkeringsinstantie" in text
    assert "niet op te" in text  # volunteer allowance: not income within the caps


def test_a_fee_is_called_income(cast: Cast) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        allowance_mode=AllowanceMode.FEE, fee_per_day=Decimal("40.00")
    )
    member = _member_with_money(cast)
    member.refresh_from_db()
    from participants.statements import statement_pdf

    text = _text(statement_pdf(year_figures(member=member, year=2027)))
    assert "Dat is inkomen" in text


def test_an_organiser_downloads_any_members_statement(cast: Cast) -> None:
    member = _member_with_money(cast)
    client = Client()
    client.force_login(cast.users["organiser"])
    listing = client.get(
        reverse("participants:payments_statements", kwargs={"slug": cast.assembly.slug}),
        {"jaar": 2027},
    ).content.decode()
    assert member.registration.full_name in listing
    response = client.get(
        reverse(
            "participants:payments_statement_pdf",
            kwargs={"slug": cast.assembly.slug, "member": member.pk, "year": 2027},
        )
    )
    assert member.registration.full_name in _text(response.content)


@pytest.mark.parametrize("persona", ["chair", "griffie", "member", "facilitator"])
def test_nobody_else_opens_a_members_statement(cast: Cast, persona: str) -> None:
    member = _member_with_money(cast)
    client = Client()
    client.force_login(cast.users[persona])
    response = client.get(
        reverse(
            "participants:payments_statement_pdf",
            kwargs={"slug": cast.assembly.slug, "member": member.pk, "year": 2027},
        )
    )
    assert response.status_code == 403


def test_the_other_assemblys_member_gets_no_statement_here(cast: Cast) -> None:
    _member_with_money(cast)
    client = Client()
    client.force_login(cast.users["other_member"])
    response = client.get(
        reverse("participants:my_statement_pdf", kwargs={"slug": cast.assembly.slug, "year": 2027})
    )
    assert response.status_code == 403


def test_an_organiser_gets_no_statement_of_another_assemblys_member(cast: Cast) -> None:
    from tests.factories import WeekendFactory

    WeekendFactory(assembly=cast.other_assembly, number=1)
    foreign = panel_members(cast.other_assembly, 1)[0]
    client = Client()
    client.force_login(cast.users["organiser"])
    response = client.get(
        reverse(
            "participants:payments_statement_pdf",
            kwargs={"slug": cast.assembly.slug, "member": foreign.pk, "year": 2027},
        )
    )
    assert response.status_code == 404


def test_no_empty_statement_for_a_year_still_to_come(cast: Cast) -> None:
    """An empty statement for next year would look real to a benefits office;
    this year's may be empty ("nothing received")."""
    import datetime as dt

    _member_with_money(cast)
    client = Client()
    client.force_login(cast.users["member"])
    this_year = dt.date.today().year

    def status(year: int) -> int:
        url = reverse(
            "participants:my_statement_pdf", kwargs={"slug": cast.assembly.slug, "year": year}
        )
        return client.get(url).status_code

    assert status(this_year + 5) == 404
    assert status(this_year) == 200
