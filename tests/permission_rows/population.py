"""Permission rows for the population-extract pages."""

from __future__ import annotations

from typing import Any

from tests.conftest import Cast
from tests.permission import SLUG, Row, staff_only


def _an_import(cast: Cast) -> dict[str, Any]:
    from participants.models import PopulationImport

    record = PopulationImport.objects.create(
        assembly=cast.assembly, file_name="brp.csv", file_sha256="0" * 64,
        status=PopulationImport.Status.REJECTED,
    )
    return {"slug": cast.assembly.slug, "pk": record.pk}


ROWS: dict[str, Row] = {
    "participants:population": Row(staff_only({"organiser"}), kwargs=SLUG),
    "participants:population_report": Row(staff_only({"organiser"}), kwargs=_an_import),
    "participants:population_import_status": Row(staff_only({"organiser"}), kwargs=_an_import),
    # Without the confirmation the organiser gets the report back with the error.
    "participants:population_import_undo": Row(
        staff_only({"organiser"}, status=400), kwargs=_an_import, method="post"
    ),
}
