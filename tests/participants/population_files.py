"""Small BRP extracts for the population tests, written the way offices write them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "population" / "brp_sample.csv"

HEADER = [
    "persoonsnummer", "voornamen", "voorvoegsel", "geslachtsnaam", "straatnaam", "huisnummer",
    "huisletter", "huisnummertoevoeging", "postcode", "woonplaats", "gemeente", "geboortedatum",
    "email",
]


def person(ref: str, **changes: str) -> list[str]:
    """One valid row; keyword arguments (BRP column names) change a cell."""
    row = {
        "persoonsnummer": ref, "voornamen": "Chloë", "voorvoegsel": "van der",
        "geslachtsnaam": "Berg", "straatnaam": "Kerkstraat", "huisnummer": "12",
        "huisletter": "", "huisnummertoevoeging": "", "postcode": "3511 AB",
        "woonplaats": "Utrecht", "gemeente": "Utrecht", "geboortedatum": "01-02-1980",
        "email": "",
    }
    row.update(changes)
    return [row[name] for name in HEADER]


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = HEADER,
    sep: str = ";",
    encoding: str = "cp1252",
    newline: str = "\r\n",
) -> bytes:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]], *, header: Sequence[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_wrong_dimension(xlsx: bytes) -> bytes:
    """The same workbook, with the sheet's used range written as "A1", as some
    exporting programs do: a reader that trusts it sees only column A."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', content)
            target.writestr(item, content)
    return buffer.getvalue()
