"""Reading quota tables and pools from CSV, and hashing them canonically.

Formats are those of the Sortition Foundation's tools, header names as they
come: quotas ``feature,value,min,max`` (sortition-algorithms),
``category,name,min,max`` and ``category,feature,min,max``
(stratification-app, published research data), optionally ``min_flex,max_flex``.
The pool has an id column ``id`` or ``nationbuilder_id`` (else the data row
number, starting at 1, is the id), one column per category, optional household
columns, and extra columns that are carried along.

Every problem becomes a :class:`~.errors.SortitionError` naming file, row
(the line number in the file, the header being line 1) and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path

from .errors import SortitionError
from .model import Instance, Quota, Respondent

ID_COLUMNS = ("id", "nationbuilder_id")


def _read_rows(path: Path | str, text: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and non-empty rows; ``text`` given: parse it, ``path`` only names it."""
    name = str(path)
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError as exc:
            raise SortitionError("file_not_found", file=name) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SortitionError("file_encoding", file=name) from exc
    text = text.removeprefix("\ufeff")
    try:
        # newline="": the csv module itself handles \r, \n and \r\n, also inside quotes.
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise SortitionError("csv_malformed", file=name, detail=str(exc)) from exc
    if not rows:
        raise SortitionError("empty_file", file=name)
    header = [cell.strip() for cell in rows[0]]
    return header, rows[1:]


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _integer(file: str, row: int, column: str, text: str) -> int:
    if not re.fullmatch(r"\d+", text):
        raise SortitionError("not_an_integer", file=file, row=row, column=column, value=text)
    return int(text)


def read_quotas(path: Path | str, text: str | None = None) -> tuple[Quota, ...]:
    """Read a quota table in any of the three header styles (from ``text`` if given)."""
    file = str(path)
    header, rows = _read_rows(path, text)
    lower = [name.lower() for name in header]
    if "value" in lower and "feature" in lower:
        category_col, value_col = lower.index("feature"), lower.index("value")
    elif "category" in lower and "name" in lower:
        category_col, value_col = lower.index("category"), lower.index("name")
    elif "category" in lower and "feature" in lower:
        category_col, value_col = lower.index("category"), lower.index("feature")
    else:
        raise SortitionError("quota_header", file=file)
    for needed in ("min", "max"):
        if needed not in lower:
            raise SortitionError("missing_column", file=file, column=needed)
    min_col, max_col = lower.index("min"), lower.index("max")
    flex_cols = (
        (lower.index("min_flex"), lower.index("max_flex"))
        if "min_flex" in lower and "max_flex" in lower
        else None
    )
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        category, value = _cell(row, category_col), _cell(row, value_col)
        for col, text in ((category_col, category), (value_col, value)):
            if not text:
                raise SortitionError("empty_value", file=file, row=line, column=header[col])
        low = _integer(file, line, header[min_col], _cell(row, min_col))
        high = _integer(file, line, header[max_col], _cell(row, max_col))
        if low > high:
            raise SortitionError(
                "min_above_max",
                file=file,
                row=line,
                min=low,
                max=high,
                category=category,
                value=value,
            )
        if (category, value) in seen:
            raise SortitionError(
                "duplicate_quota",
                file=file,
                row=line,
                category=category,
                value=value,
                first_row=seen[(category, value)],
            )
        seen[(category, value)] = line
        min_flex = max_flex = None
        if flex_cols is not None:
            texts = (_cell(row, flex_cols[0]), _cell(row, flex_cols[1]))
            if texts[0]:
                min_flex = _integer(file, line, header[flex_cols[0]], texts[0])
            if texts[1]:
                max_flex = _integer(file, line, header[flex_cols[1]], texts[1])
        quotas.append(Quota(category, value, low, high, min_flex, max_flex))
    if not quotas:
        raise SortitionError("empty_file", file=file)
    return tuple(quotas)


def household_key(values: Sequence[str]) -> str | None:
    """Normalise address cells so that small typing differences still match."""
    parts = [re.sub(r"\s+", " ", value).strip().casefold() for value in values]
    if not any(parts):
        return None
    return "|".join(parts)


def read_pool(
    path: Path | str,
    quotas: Sequence[Quota],
    household_columns: Sequence[str] = (),
    text: str | None = None,
) -> tuple[Respondent, ...]:
    """Read the pool, checking every value against the quota table (from ``text`` if given)."""
    file = str(path)
    header, rows = _read_rows(path, text)
    allowed: dict[str, set[str]] = {}
    for quota in quotas:
        allowed.setdefault(quota.category, set()).add(quota.value)
    positions = {name: index for index, name in enumerate(header)}
    folded = {name.casefold(): index for index, name in enumerate(header)}

    def column(name: str) -> int:
        if name in positions:
            return positions[name]
        if name.casefold() in folded:
            return folded[name.casefold()]
        raise SortitionError("missing_column", file=file, column=name)

    category_cols = {category: column(category) for category in allowed}
    household_cols = [column(name) for name in household_columns]
    id_col = next((folded[name] for name in ID_COLUMNS if name in folded), None)
    used = {*category_cols.values(), *household_cols, *([id_col] if id_col is not None else [])}
    if not rows:
        raise SortitionError("empty_pool", file=file)
    people: list[Respondent] = []
    first_row: dict[str, int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        if id_col is None:
            person_id = str(offset + 1)
        else:
            person_id = _cell(row, id_col)
            if not person_id:
                raise SortitionError("empty_value", file=file, row=line, column=header[id_col])
            if person_id in first_row:
                raise SortitionError(
                    "duplicate_id",
                    file=file,
                    row=line,
                    column=header[id_col],
                    value=person_id,
                    first_row=first_row[person_id],
                )
        first_row[person_id] = line
        features: dict[str, str] = {}
        for category, col in category_cols.items():
            value = _cell(row, col)
            if value not in allowed[category]:
                raise SortitionError(
                    "unknown_value", file=file, row=line, column=header[col], value=value
                )
            features[category] = value
        extra = {header[i]: _cell(row, i) for i in range(len(header)) if i not in used}
        household = (
            household_key([_cell(row, col) for col in household_cols]) if household_cols else None
        )
        people.append(Respondent(person_id, features, household, extra, line))
    return tuple(people)


def check_instance(instance: Instance, pool_file: str = "") -> None:
    """Checks that need the panel size: k within the pool, quota sums reaching k."""
    k, n = instance.panel_size, len(instance.respondents)
    if n == 0:
        raise SortitionError("empty_pool", file=pool_file or "pool")
    if not 1 <= k <= n:
        raise SortitionError("bad_panel_size", n=n, k=k)
    for category, values in instance.categories.items():
        lows = sum(instance.quota(category, value).min for value in values)
        highs = sum(instance.quota(category, value).max for value in values)
        if lows > k:
            raise SortitionError("quota_sum_too_high", category=category, total=lows, k=k)
        if highs < k:
            raise SortitionError("quota_sum_too_low", category=category, total=highs, k=k)


def load_instance(
    categories_file: Path | str,
    respondents_file: Path | str,
    panel_size: int,
    household_columns: Sequence[str] = (),
) -> Instance:
    """Read and check both files; the one entry point the command line needs."""
    quotas = read_quotas(categories_file)
    people = read_pool(respondents_file, quotas, household_columns)
    instance = Instance(people, quotas, panel_size)
    check_instance(instance, str(respondents_file))
    return instance


def _digest(payload: object) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_pool(instance: Instance) -> list[list[object]]:
    """The pool as selection sees it: id, category values, household; sorted by id.

    Extra columns do not influence the selection and are left out, so the hash
    does not change when an organiser adds a phone number column.
    """
    categories = list(instance.categories)
    return sorted(
        [person.id, [person.features[c] for c in categories], person.household]
        for person in instance.respondents
    )


def canonical_quotas(instance: Instance) -> list[list[object]]:
    """Quota rows sorted by category and value."""
    return sorted(
        [q.category, q.value, q.min, q.max, q.min_flex, q.max_flex] for q in instance.quotas
    )


def pool_sha256(instance: Instance) -> str:
    """SHA-256 of the canonical pool."""
    return _digest(canonical_pool(instance))


def quotas_sha256(instance: Instance) -> str:
    """SHA-256 of the canonical quota table."""
    return _digest(canonical_quotas(instance))


def input_sha256(instance: Instance) -> str:
    """One hash over pool, quotas and panel size: what the run depends on."""
    return _digest([pool_sha256(instance), quotas_sha256(instance), instance.panel_size])
