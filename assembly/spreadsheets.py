"""Text for CSV and spreadsheet files that people open in Excel or LibreOffice."""

from __future__ import annotations

import decimal
from typing import Any

from import_export import widgets
from import_export.formats import base_formats

# A cell that starts with one of these is run as a formula by a spreadsheet
# (CSV injection): "=HYPERLINK(...)", or a Dutch bullet "- minder handhaving"
# that shows as #NAME?.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a CSV file without a byte order mark as Windows-1252, so "Özlem"
# shows as "Ã–zlem". With it, Excel reads UTF-8; other programs skip it.
CSV_BOM = "\ufeff"

# Excel splits a CSV file it opens on the list separator of the computer's
# region: in the Netherlands a semicolon, as the comma is the decimal sign. A
# comma-separated file opens there as one column. With the semicolon an
# amount keeps its decimal comma ("70,00") and needs no quotes.
CSV_SEPARATOR = ";"


def spreadsheet_text(value: object) -> object:
    """Text that a spreadsheet would run as a formula, with an apostrophe in
    front (spreadsheets hide it and show the text); anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_separator(text: str) -> str:
    """The separator of a CSV text, from its first line: a semicolon (Dutch
    Excel, and the files this site makes) or a comma (elsewhere)."""
    header = text.lstrip(CSV_BOM).split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


class DutchCSV(base_formats.CSV):  # type: ignore[misc]
    """django-import-export's CSV as Dutch Excel opens it in columns: UTF-8
    with a byte order mark, semicolons between the columns. Reading takes a
    file with either separator, with or without the mark: finance may send
    back the file saved by Excel, or by another program."""

    def export_data(self, dataset: Any, **kwargs: Any) -> str:
        kwargs.setdefault("delimiter", CSV_SEPARATOR)
        return CSV_BOM + str(super().export_data(dataset, **kwargs))

    def create_dataset(self, in_stream: bytes | str, **kwargs: Any) -> Any:
        text = in_stream.decode("utf-8-sig") if isinstance(in_stream, bytes) else in_stream
        text = text.lstrip(CSV_BOM)
        kwargs.setdefault("delimiter", csv_separator(text))
        return super().create_dataset(text, **kwargs)


class DecimalCommaWidget(widgets.DecimalWidget):  # type: ignore[misc]
    """An amount in a CSV file with a decimal comma and two decimals ("1234,50"),
    whatever the language of the person who downloads it: the file means the
    same to everyone, and Dutch Excel reads it as a number. No thousands
    separator: "1.234,50" reads as 1.2345 in a program set to English. In
    XLSX (``force_native_type``) the amount stays a number cell."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        if kwargs.get("force_native_type"):
            return value
        if value is None:
            return ""
        amount = decimal.Decimal(value).quantize(decimal.Decimal("0.01"))
        return f"{amount:f}".replace(".", ",")
