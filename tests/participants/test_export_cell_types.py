"""Finance and organisers open the exports in Excel: in XLSX, amounts and
counts are number cells and dates are date cells (so a column adds up and
sorts); a CSV starts with a byte order mark, so Excel reads "Özlem" as UTF-8."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from participants.models import PaymentItem, Registration
from participants.resources_payments import export_file
from participants.selectors_selection import quota_list
from participants.services import quotas as quota_services
from participants.services.quotas import QuotaRow
from tests.conftest import Cast
from tests.participants.test_payments import exported_batch, give_account, panel_members

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def _sheet(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _column(sheet: Worksheet, name: str) -> list[object]:
    header = [cell.value for cell in sheet[1]]
    return [row[header.index(name)] for row in sheet.iter_rows(min_row=2)]


def _batch_with_one_paid(cast: Cast) -> tuple[int, dt.date]:
    first, second = panel_members(cast.assembly, 2)
    Registration.objects.filter(pk=first.registration_id).update(full_name="Özlem Yılmaz")
    give_account(first, holder="Özlem Yılmaz")
    batch = exported_batch(cast.assembly, [first, second])
    paid = timezone.localdate()
    PaymentItem.objects.filter(batch=batch, member=first).update(
        paid_at=timezone.make_aware(dt.datetime.combine(paid, dt.time(23, 30)))
    )
    return batch.number, paid


def test_the_payments_xlsx_has_number_cells_for_amounts_and_date_cells_for_dates(
    cast: Cast,
) -> None:
    number, paid = _batch_with_one_paid(cast)
    url = reverse(
        "participants:payments_batch_xlsx", kwargs={"slug": cast.assembly.slug, "number": number}
    )
    sheet = _sheet(_organiser(cast).get(url).content)

    amounts = _column(sheet, "amount")
    assert [cell.data_type for cell in amounts] == ["n", "n"]  # type: ignore[attr-defined]
    total = sum(cell.value for cell in amounts)  # type: ignore[attr-defined]
    assert total == sum(item.amount for item in PaymentItem.objects.all())
    for cell in _column(sheet, "execution_date"):
        assert cell.is_date and cell.value.date() == timezone.localdate()  # type: ignore[attr-defined]
    # The day it was paid here (23:30 local time), not in UTC; unpaid is empty.
    paid_on = sorted(_column(sheet, "paid_on"), key=lambda cell: cell.value is None)  # type: ignore[attr-defined]
    assert paid_on[0].is_date and paid_on[0].value.date() == paid  # type: ignore[attr-defined]
    assert paid_on[1].value is None  # type: ignore[attr-defined]


def test_the_payments_csv_opens_in_columns_in_dutch_excel(cast: Cast) -> None:
    """Dutch Excel splits a CSV file on semicolons: the file is UTF-8 with a
    byte order mark, a semicolon between columns, and amounts with a decimal
    comma that needs no quotes."""
    number, paid = _batch_with_one_paid(cast)
    PaymentItem.objects.filter(batch__number=number, paid_at=None).update(amount=Decimal("1234.5"))
    url = reverse(
        "participants:payments_batch_csv", kwargs={"slug": cast.assembly.slug, "number": number}
    )
    content = _organiser(cast).get(url).content

    assert content.startswith(
        BOM + b"batch;end_to_end_id;member_id;name;holder_name;iban;amount;currency;"
        b"execution_date;remittance;paid_on\r\n"
    )
    lines = content.decode("utf-8-sig").splitlines()
    rows = list(csv.reader(lines, delimiter=";"))
    assert len(rows) == 3 and {len(row) for row in rows} == {11}
    amounts = sorted(row[6] for row in rows[1:])
    assert amounts == ["1234,50", "40,00"]  # no thousands point: 1.234,50 reads as 1.2345
    assert b";40,00;EUR;" in content and b";1234,50;EUR;" in content
    assert b'"' not in content  # nothing needed quotes: no cell holds a separator
    assert "Özlem Yılmaz" in content.decode("utf-8-sig")
    assert paid.isoformat() in content.decode("utf-8-sig")


def test_the_payments_csv_is_the_same_for_an_organiser_who_reads_english(cast: Cast) -> None:
    number, _paid = _batch_with_one_paid(cast)
    items = PaymentItem.objects.filter(batch__number=number)
    with translation.override("nl"):
        dutch = export_file(items, "csv")
    with translation.override("en"):
        english = export_file(items, "csv")
    assert english == dutch and b";40,00;" in english


def test_the_needs_csv_opens_in_columns_in_dutch_excel(cast: Cast) -> None:
    from tests.participants.test_attendance import confirmed_members

    (member,) = confirmed_members(cast.assembly, 1)
    Registration.objects.filter(pk=member.registration_id).update(
        needs_mobility=True, diet="geen vlees, geen vis"
    )
    url = reverse("participants:needs_export", kwargs={"slug": cast.assembly.slug, "fmt": "csv"})
    content = _organiser(cast).get(url).content

    assert content.startswith(
        BOM + b"code;naam;hulp_bij_lopen;opvang_kinderen;hulp_met_taal;eten;iets_anders\r\n"
    )
    rows = list(csv.reader(content.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1][2] == "ja" and rows[1][5] == "geen vlees, geen vis"


def test_the_quota_xlsx_has_number_cells_for_min_and_max(cast: Cast) -> None:
    quota_services.quota_table_replace(
        assembly=cast.assembly,
        rows=[QuotaRow("geslacht", "vrouw", 80, 95), QuotaRow("geslacht", "man", 80, 95)],
        actor=None,
    )
    url = reverse("participants:quota_export", kwargs={"slug": cast.assembly.slug, "fmt": "xlsx"})
    sheet = _sheet(_organiser(cast).get(url).content)

    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [["geslacht", "vrouw", 80, 95], ["geslacht", "man", 80, 95]]
    assert len(rows) == quota_list(assembly=cast.assembly).count()
