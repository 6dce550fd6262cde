"""Permission rows for the quota pages and the pool check: organisers only."""

from __future__ import annotations

from typing import Any

from tests.conftest import Cast
from tests.permission import SLUG, Row, staff_only

ORGANISER = staff_only({"organiser"})


def _export_kwargs(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "fmt": "csv"}


ROWS: dict[str, Row] = {
    "participants:quota_list": Row(ORGANISER, kwargs=SLUG),
    "participants:quota_import": Row(ORGANISER, kwargs=SLUG),
    "participants:quota_export": Row(ORGANISER, kwargs=_export_kwargs),
    "participants:quota_propose": Row(ORGANISER, kwargs=SLUG),
    "participants:pool_check": Row(ORGANISER, kwargs=SLUG),
}
