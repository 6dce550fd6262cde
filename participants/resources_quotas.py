"""django-import-export for quota tables, in the Sortition Foundation's formats.

Reading accepts the three header styles of their tools (``feature,value,min,max``,
``category,name,min,max``, ``category,feature,min,max``; ``min_flex,max_flex``
may follow and are ignored), CSV in UTF-8 with or without a BOM, comma or
semicolon, and XLSX. Writing gives ``category,name,min,max``: what
stratification-app and our own engine read (participants.sortition.io).

The checks on the rows are the service's (participants.services.quotas): the
admin import and the organiser page refuse the same files for the same reasons.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from import_export import fields, resources, widgets
from import_export.formats import base_formats

from assembly.models import Assembly
from assembly.spreadsheets import csv_separator
from participants.models import Quota

# (category column, value column) per header style, in the order they are tried.
HEADER_STYLES: tuple[tuple[str, str], ...] = (
    ("feature", "value"),
    ("category", "name"),
    ("category", "feature"),
)
EXPORT_HEADER = ("category", "name", "min", "max")
FORMATS: dict[str, type[base_formats.Format]] = {
    "csv": base_formats.CSV,
    "xlsx": base_formats.XLSX,
}


class QuotaFileError(Exception):
    """The file cannot be read as a quota table (both languages, for the organiser)."""

    def __init__(self, nl: str, en: str) -> None:
        super().__init__(f"{nl} / {en}")
        self.nl = nl
        self.en = en


@dataclass(frozen=True)
class RawQuotaRow:
    """One data row as it stands in the file; ``row`` counts the header as row 1."""

    row: int
    category: str
    value: str
    min: str
    max: str


def _cell(value: Any) -> str:
    """Text of a cell; Excel gives 12 as 12.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_dataset(data: bytes, file_name: str = "") -> Any:
    """A tablib Dataset from CSV (UTF-8, BOM or not, ``,`` or ``;``) or XLSX bytes."""
    if data.startswith(b"PK\x03\x04") or file_name.lower().endswith(".xlsx"):
        try:
            return base_formats.XLSX().create_dataset(data)
        except Exception as error:  # openpyxl raises many kinds on a broken file
            raise QuotaFileError(
                "Dit Excel-bestand kunnen we niet lezen. Sla het opnieuw op als .xlsx of CSV.",
                "We cannot read this Excel file. Save it again as .xlsx or CSV.",
            ) from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise QuotaFileError(
            "Het bestand is geen UTF-8-tekst. Sla het op als CSV (UTF-8) of als .xlsx.",
            "The file is not UTF-8 text. Save it as CSV (UTF-8) or as .xlsx.",
        ) from error
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise QuotaFileError("Het bestand is leeg.", "The file is empty.")
    delimiter = csv_separator(text)
    _check_row_lengths(text, delimiter)
    return base_formats.CSV().create_dataset(text, delimiter=delimiter)


def _check_row_lengths(text: str, delimiter: str) -> None:
    """Every row as wide as the header (tablib would refuse without saying where)."""
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, [])
    for number, row in enumerate(rows, start=2):
        if row and len(row) != len(header):
            raise QuotaFileError(
                f"Rij {number} heeft {len(row)} kolommen, maar de kopregel heeft er "
                f"{len(header)}. Controleer de scheidingstekens in die rij.",
                f"Row {number} has {len(row)} columns, but the header has {len(header)}. "
                "Check the separators in that row.",
            )


def quota_rows(dataset: Any) -> list[RawQuotaRow]:
    """The data rows under any of the header styles; empty rows are skipped."""
    headers = [_cell(name).lower() for name in (dataset.headers or [])]
    style = next(
        (pair for pair in HEADER_STYLES if pair[0] in headers and pair[1] in headers), None
    )
    if style is None:
        raise QuotaFileError(
            "Het bestand heeft de kolommen feature,value,min,max of category,name,min,max "
            "of category,feature,min,max nodig (in de eerste regel).",
            "The file needs the columns feature,value,min,max or category,name,min,max "
            "or category,feature,min,max (in the first row).",
        )
    for needed in ("min", "max"):
        if needed not in headers:
            raise QuotaFileError(
                f"De kolom '{needed}' ontbreekt.", f"The column '{needed}' is missing."
            )
    columns = [headers.index(name) for name in (*style, "min", "max")]
    rows: list[RawQuotaRow] = []
    for offset, values in enumerate(dataset):
        cells = [_cell(values[index]) if index < len(values) else "" for index in columns]
        if not any(cells):
            continue
        rows.append(RawQuotaRow(offset + 2, *cells))
    if not rows:
        raise QuotaFileError("Er staan geen quota in het bestand.", "The file holds no quotas.")
    return rows


class QuotaResource(resources.ModelResource):  # type: ignore[misc]
    """Quota rows of one assembly under the ``category,name,min,max`` header.

    Importing replaces the assembly's whole table: the rows are checked together
    first, and any problem stops the import before anything is written.
    """

    category = fields.Field(attribute="category", column_name="category")
    value = fields.Field(attribute="value", column_name="name")
    min = fields.Field(attribute="min", column_name="min", widget=widgets.IntegerWidget())
    max = fields.Field(attribute="max", column_name="max", widget=widgets.IntegerWidget())

    class Meta:
        model = Quota
        fields = ("category", "value", "min", "max")
        export_order = ("category", "value", "min", "max")
        import_id_fields = ("category", "value")
        use_transactions = True
        skip_diff = True

    def __init__(self, assembly: Assembly | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assembly = assembly
        self._position = 0

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        # Imported here: the service reads files through this module.
        from participants.services.quotas import QuotaRow, quota_rows_check

        if self.assembly is None:
            raise ValueError("Kies een burgerberaad. / Choose an assembly.")
        try:
            raw = quota_rows(dataset)
        except QuotaFileError as error:
            raise ValueError(str(error)) from error
        checked, problems = quota_rows_check(
            assembly=self.assembly,
            rows=[QuotaRow(r.category, r.value, r.min, r.max, row=r.row) for r in raw],
        )
        if problems:
            raise ValueError(" | ".join(str(problem) for problem in problems))
        # Every style under the export header, so the fields find their columns.
        dataset.headers = list(EXPORT_HEADER)
        del dataset[:]
        for row in checked:
            dataset.append([row.category, row.value, row.min, row.max])
        if not kwargs.get("dry_run"):
            Quota.objects.filter(assembly=self.assembly).delete()

    def get_instance(self, instance_loader: Any, row: Any) -> None:
        return None  # the table is replaced as a whole

    def import_instance(self, instance: Quota, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        assert self.assembly is not None  # before_import refuses to start without one
        instance.assembly = self.assembly
        instance.position = self._position
        self._position += 1


def export_file(quotas: Iterable[Quota], fmt: str) -> bytes:
    """The quota table as CSV (UTF-8) or XLSX bytes, header ``category,name,min,max``."""
    file_format = FORMATS[fmt]()
    # In XLSX, min and max are number cells that Excel can add up.
    dataset = QuotaResource().export(
        queryset=list(quotas), force_native_type=file_format.is_binary()
    )
    content = file_format.export_data(dataset)
    return content.encode("utf-8") if isinstance(content, str) else bytes(content)
