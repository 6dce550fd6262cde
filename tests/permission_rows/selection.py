"""Permission rows for the lottery pages: organisers run, commit and draw;
once a run is committed, its page, record and quota table are public; its
respondents go to the organisers, the chair and the griffie only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from participants.models import SelectionRun
from tests.conftest import Cast
from tests.permission import ALL, SLUG, Row, staff_only

_POOL = "id,geslacht,huishouden\n1,vrouw,\n2,man,\n"
_QUOTAS = "category,name,min,max\ngeslacht,vrouw,0,1\ngeslacht,man,0,1\n"


def _run(cast: Cast, *, committed: bool) -> SelectionRun:
    return SelectionRun.objects.create(
        assembly=cast.assembly,
        panel_size=1,
        quotas_csv=_QUOTAS,
        pool_csv=_POOL,
        status=SelectionRun.Status.DONE if committed else SelectionRun.Status.QUEUED,
        record={"probabilities": {"1": 0.5, "2": 0.5}} if committed else None,
        committed_at=timezone.now() if committed else None,
    )


def _queued(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _run(cast, committed=False).pk}


def _committed(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _run(cast, committed=True).pk}


ORGANISER = staff_only({"organiser"})

ROWS: dict[str, Row] = {
    "participants:selection_list": Row(ORGANISER, kwargs=SLUG),
    "participants:selection_detail": Row(ORGANISER, kwargs=_queued),
    "participants:selection_status": Row(ORGANISER, kwargs=_queued),
    # A queued run cannot be committed: the organiser is sent back with a message.
    "participants:selection_commit": Row(
        staff_only({"organiser"}, status=302), kwargs=_queued, method="post"
    ),
    # No number: the form is refused (400) for the organiser, nobody else gets that far.
    "participants:selection_draw": Row(
        staff_only({"organiser"}, status=400), kwargs=_queued, method="post"
    ),
    "participants:lottery_public": Row(ALL, kwargs=SLUG),
    "participants:selection_record": Row(ALL, kwargs=_committed),
    # One row per respondent, with their answers: the chair and the griffie check the lottery.
    "participants:selection_pool_file": Row(
        staff_only({"organiser", "chair", "griffie"}), kwargs=_committed
    ),
    "participants:selection_quota_file": Row(ALL, kwargs=_committed),
}
