"""Text for CSV and spreadsheet files that people open in Excel or LibreOffice."""

from __future__ import annotations

# A cell that starts with one of these is run as a formula by a spreadsheet
# (CSV injection): "=HYPERLINK(...)", or a Dutch bullet "- minder handhaving"
# that shows as #NAME?.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Excel reads a CSV file without a byte order mark as Windows-1252, so "Özlem"
# shows as "Ã–zlem". With it, Excel reads UTF-8; other programs skip it.
CSV_BOM = "\ufeff"


def spreadsheet_text(value: object) -> object:
    """Text that a spreadsheet would run as a formula, with an apostrophe in
    front (spreadsheets hide it and show the text); anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value
