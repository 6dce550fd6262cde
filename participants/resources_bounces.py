"""Reading a list of bounced e-mail addresses (CSV or XLSX, through
django-import-export's formats) into rows for ``participants.services.bounces``.

Mail providers and mail programs name the column differently; the names below
cover the common exports. A file of addresses alone, one per line without a
header, is read too: its first line is then an address, not a column name.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from participants.population import storable_text
from participants.resources_quotas import QuotaFileError, read_dataset
from participants.services.bounces import BounceRow

EMAIL_COLUMNS = (
    "email",
    "e-mail",
    "e-mailadres",
    "emailadres",
    "email address",
    "e-mail address",
    "email_address",
    "recipient",
    "ontvanger",
    "address",
    "adres",
)


def _cell(value: Any) -> str:
    # A NUL (a damaged file) cannot go to PostgreSQL, not even in a look-up.
    return "" if value is None else storable_text(str(value).strip())


def _is_address(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def bounce_rows(dataset: Any) -> list[BounceRow]:
    """The addresses in the file, each with its line; empty lines are skipped.
    QuotaFileError (both languages) when no column holds the addresses."""
    headers = [_cell(name) for name in (dataset.headers or [])]
    lowered = [name.lower() for name in headers]
    column = next((lowered.index(name) for name in EMAIL_COLUMNS if name in lowered), None)
    rows: list[BounceRow] = []
    if column is None:
        if len(headers) == 1 and _is_address(headers[0]):
            # No header: the first line is the first address.
            column = 0
            rows.append(BounceRow(row=1, email=headers[0]))
        else:
            shown = ", ".join(name for name in headers if name) or "—"
            raise QuotaFileError(
                "Het bestand heeft een kolom ‘email’ nodig, in de eerste regel. "
                f"Gevonden kolommen: {shown}.",
                "The file needs a column ‘email’, in the first row. "
                f"Columns found: {shown}.",
            )
    for offset, values in enumerate(dataset):
        email = _cell(values[column]) if column < len(values) else ""
        if email:
            rows.append(BounceRow(row=offset + 2, email=email))
    return rows


def read_bounces(data: bytes, file_name: str = "") -> list[BounceRow]:
    return bounce_rows(read_dataset(data, file_name))
