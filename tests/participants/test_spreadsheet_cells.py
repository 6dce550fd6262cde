"""Files that organisers, finance and the mail house open in Excel never hold
a cell that runs as a formula (CSV injection): a name a citizen typed at
sign-up, or a name or street from the register, that starts with "=", "+",
"-" or "@" gets an apostrophe in front, which spreadsheets hide."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from participants.models import InvitationDraw, PaymentItem, Registration, Resident
from participants.resources import ResidentResource
from participants.resources_payments import export_file
from tests.conftest import Cast
from tests.participants.test_invitations import drawn  # noqa: F401 (a fixture)
from tests.participants.test_payments import exported_batch, give_account, panel_members

FORMULA = '=HYPERLINK("https://example.org/x","Klik hier")'

pytestmark = pytest.mark.django_db


def _cells_starting_a_formula(rows: list[list[Any]]) -> list[str]:
    return [str(c) for row in rows for c in row if isinstance(c, str) and c.startswith("=")]


def test_the_payments_file_shows_a_name_as_text(cast: Cast) -> None:
    (member,) = panel_members(cast.assembly, 1)
    give_account(member, holder="Jan Jansen")
    Registration.objects.filter(pk=member.registration_id).update(full_name=FORMULA)
    batch = exported_batch(cast.assembly, [member])
    items = PaymentItem.objects.filter(batch=batch)

    rows = list(
        csv.reader(io.StringIO(export_file(items, "csv").decode("utf-8-sig")), delimiter=";")
    )
    assert _cells_starting_a_formula(rows) == []
    assert f"'{FORMULA}" in rows[1]
    sheet = load_workbook(io.BytesIO(export_file(items, "xlsx"))).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert _cells_starting_a_formula(values) == []
    assert f"'{FORMULA}" in values[1]


def test_the_invitation_export_shows_a_register_street_as_text(
    cast: Cast,
    drawn: InvitationDraw,  # noqa: F811
    client: Client,
) -> None:
    invited = drawn.invitations.select_related("resident").first()
    assert invited is not None and invited.resident is not None
    Resident.objects.filter(pk=invited.resident.pk).update(street="+31 Dorpsstraat")
    client.force_login(cast.users["organiser"])

    response = client.get(
        reverse("participants:invitation_export", kwargs={"slug": cast.assembly.slug})
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [c for row in rows for c in row if c.startswith(("=", "+", "-", "@"))] == []
    assert any(cell.startswith("'+31 Dorpsstraat") for row in rows for cell in row)


def test_the_register_export_shows_a_street_as_text(
    cast: Cast,
    drawn: InvitationDraw,  # noqa: F811
) -> None:
    resident = Resident.objects.filter(assembly=cast.assembly).first()
    assert resident is not None
    Resident.objects.filter(pk=resident.pk).update(street="-Dorpsstraat")

    dataset = ResidentResource().export(queryset=Resident.objects.filter(pk=resident.pk))

    assert "'-Dorpsstraat" in dataset.csv
    assert ",-Dorpsstraat" not in dataset.csv
