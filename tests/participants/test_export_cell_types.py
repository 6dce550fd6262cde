"""Finance and organisers open the exports in Excel: in XLSX, amounts and
counts are number cells and dates are date cells (so a column adds up and
sorts); a CSV starts with a byte order mark, so Excel reads "Özlem" as UTF-8."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from participants.models import PaymentItem, Registration
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


def test_the_payments_csv_starts_with_a_byte_order_mark_and_keeps_its_text(cast: Cast) -> None:
    number, paid = _batch_with_one_paid(cast)
    url = reverse(
        "participants:payments_batch_csv", kwargs={"slug": cast.assembly.slug, "number": number}
    )
    content = _organiser(cast).get(url).content

    assert content.startswith(BOM + b"batch,")
    text = content.decode("utf-8-sig")
    assert "Özlem Yılmaz" in text
    assert paid.isoformat() in text
    assert '"40,00"' in text  # the Dutch amount, as before


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
