"""django-import-export for finance: a batch's payments out (CSV/XLSX), and the
bank's confirmation back in (``end_to_end_id,paid_on``).

The export's columns include ``end_to_end_id`` and ``paid_on``, so finance can
fill in the dates in the exported file and import that same file. The checks
and the marking are the service's (participants.services.payments): the admin
import and the organiser page refuse the same files for the same reasons, and
a file with one bad row marks nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from assembly.models import Assembly
from assembly.spreadsheets import DecimalCommaWidget, DutchCSV, spreadsheet_text
from participants.iban import format_iban
from participants.models import PaymentItem
from participants.population import storable_text
from participants.resources_quotas import QuotaFileError, read_dataset
from participants.services.payments import Confirmation

FORMATS: dict[str, type[base_formats.Format]] = {
    "csv": DutchCSV,
    "xlsx": base_formats.XLSX,
}
CONFIRMATION_COLUMNS = ("end_to_end_id", "paid_on")


class _PaidOnWidget(widgets.DateWidget):  # type: ignore[misc]
    """``paid_at`` is a moment; finance books the day it falls on here."""

    def __init__(self) -> None:
        super().__init__("%Y-%m-%d")

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date()
        return super().render(value, obj, **kwargs)


class PaymentItemResource(resources.ModelResource):  # type: ignore[misc]
    """One row per transfer, with the columns finance books by."""

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> object:
        # The name is what a citizen typed when signing up: finance opens this
        # file in Excel, where "=HYPERLINK(...)" would run as a formula.
        return spreadsheet_text(super().export_field(field, instance, **kwargs))

    batch = fields.Field(attribute="batch__number", column_name="batch")
    end_to_end_id = fields.Field(attribute="end_to_end_id", column_name="end_to_end_id")
    member_id = fields.Field(attribute="member_id", column_name="member_id")
    name = fields.Field(column_name="name")
    holder_name = fields.Field(attribute="holder_name", column_name="holder_name")
    iban = fields.Field(column_name="iban")
    amount = fields.Field(attribute="amount", column_name="amount", widget=DecimalCommaWidget())
    currency = fields.Field(column_name="currency")
    execution_date = fields.Field(
        attribute="batch__execution_date",
        column_name="execution_date",
        widget=widgets.DateWidget("%Y-%m-%d"),
    )
    remittance = fields.Field(column_name="remittance")
    paid_on = fields.Field(attribute="paid_at", column_name="paid_on", widget=_PaidOnWidget())

    class Meta:
        model = PaymentItem
        fields = (
            "batch",
            "end_to_end_id",
            "member_id",
            "name",
            "holder_name",
            "iban",
            "amount",
            "currency",
            "execution_date",
            "remittance",
            "paid_on",
        )
        export_order = fields
        import_id_fields = ("end_to_end_id",)
        skip_diff = True

    def dehydrate_name(self, item: PaymentItem) -> str:
        return str(item.member.registration.full_name)

    def dehydrate_iban(self, item: PaymentItem) -> str:
        return format_iban(item.iban)

    def dehydrate_currency(self, item: PaymentItem) -> str:
        return "EUR"

    def dehydrate_remittance(self, item: PaymentItem) -> str:
        from participants.services.payments import remittance_text

        return remittance_text(assembly=item.batch.assembly, batch_number=item.batch.number)


def export_file(items: Iterable[PaymentItem], fmt: str) -> bytes:
    """The payments as CSV (as Dutch Excel opens it: see DutchCSV) or XLSX bytes.

    In XLSX, amounts are number cells and dates date cells, so finance can add
    them up and sort them; CSV keeps the text the widgets make: amounts with a
    decimal comma ("70,00"), dates as 2026-11-30.
    """
    file_format = FORMATS[fmt]()
    dataset = PaymentItemResource().export(
        queryset=list(items), force_native_type=file_format.is_binary()
    )
    content = file_format.export_data(dataset)
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # A date typed in Excel is stored as a date cell and read back as
        # midnight: the date is what finance meant.
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    # A NUL (a damaged file) cannot be sent to PostgreSQL, not even in a
    # look-up: it shows as the replacement character, and the row as wrong.
    return storable_text(str(value).strip())


def confirmation_rows(dataset: Any) -> list[Confirmation]:
    """The rows of a confirmation file; QuotaFileError (both languages) when
    the columns are missing."""
    headers = [_cell(name).lower() for name in (dataset.headers or [])]
    for needed in CONFIRMATION_COLUMNS:
        if needed not in headers:
            raise QuotaFileError(
                f"De kolom '{needed}' ontbreekt. Het bestand heeft de kolommen "
                "end_to_end_id en paid_on nodig (in de eerste regel).",
                f"The column '{needed}' is missing. The file needs the columns "
                "end_to_end_id and paid_on (in the first row).",
            )
    id_column, date_column = (headers.index(name) for name in CONFIRMATION_COLUMNS)
    rows = []
    for offset, values in enumerate(dataset):
        cells = [_cell(values[i]) if i < len(values) else "" for i in (id_column, date_column)]
        if not cells[1]:
            # Finance fills in paid_on in the exported file; an empty date is not paid yet.
            continue
        rows.append(Confirmation(row=offset + 2, end_to_end_id=cells[0], paid_on=cells[1]))
    return rows


def read_confirmations(data: bytes, file_name: str = "") -> list[Confirmation]:
    return confirmation_rows(read_dataset(data, file_name))


class PaymentConfirmationResource(resources.ModelResource):  # type: ignore[misc]
    """The admin's import of a confirmation file: all rows checked first, then
    marked paid together by the service; no row is written by import-export itself."""

    end_to_end_id = fields.Field(attribute="end_to_end_id", column_name="end_to_end_id")

    class Meta:
        model = PaymentItem
        fields = ("end_to_end_id",)
        import_id_fields = ("end_to_end_id",)
        use_transactions = True
        skip_diff = True

    def __init__(self, assembly: Assembly | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assembly = assembly

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        from participants.services.payments import (
            ConfirmationsRefused,
            check_confirmations,
            payment_confirmations_import,
        )

        if self.assembly is None:
            raise ValueError("Kies een burgerberaad. / Choose an assembly.")
        try:
            rows = confirmation_rows(dataset)
        except QuotaFileError as error:
            raise ValueError(str(error)) from error
        if kwargs.get("dry_run"):
            _found, problems = check_confirmations(assembly=self.assembly, rows=rows)
            if problems:
                raise ValueError(" | ".join(problems))
        else:
            try:
                payment_confirmations_import(
                    assembly=self.assembly, actor=kwargs.get("user"), rows=rows
                )
            except ConfirmationsRefused as refused:
                raise ValueError(" | ".join(refused.problems)) from refused
        # The service did the work; import-export has no rows left to write.
        del dataset[:]
