"""The chair's record: the chair writes and approves minutes and records
minority statements; organisers draft minutes; organisers and the griffie
record the government's responses; everyone reads the results, approved
minutes and the response tracker of a public assembly
(tests/recommendations/test_record.py checks the content)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from recommendations.models import GovernmentResponse, MinorityStatement, Minutes
from sessions.models import Weekend
from tests.conftest import Cast
from tests.permission import ALL, SLUG, Row, staff_only
from tests.recommendations.test_results import make_recommendation, make_result


def _weekend(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "weekend": 1}


def _minutes(cast: Cast, *, approved: bool = False) -> Minutes:
    return Minutes.objects.create(
        assembly=cast.assembly,
        weekend=Weekend.objects.get(assembly=cast.assembly, number=1),
        title="Verslag zaterdag",
        body="De voorzitter opent.",
        approved_at=timezone.now() if approved else None,
    )


def _draft(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _minutes(cast).pk}


def _published(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "pk": _minutes(cast, approved=True).pk}


def _seen(cast: Cast) -> dict[str, Any]:
    minutes = Minutes.objects.get(assembly=cast.assembly)
    return {"seen": minutes.updated_at.isoformat()}


def _decided(cast: Cast) -> dict[str, Any]:
    recommendation = make_recommendation(cast.assembly, 1)
    make_result(recommendation, votes=(120, 20, 5))
    return {"slug": cast.assembly.slug, "number": 1}


def _results(cast: Cast) -> dict[str, Any]:
    _decided(cast)
    return SLUG(cast)


def _statement(cast: Cast) -> dict[str, Any]:
    _decided(cast)
    statement = MinorityStatement.objects.create(
        recommendation=cast.assembly.recommendations.get(number=1), text="Niet eens."
    )
    return {"slug": cast.assembly.slug, "pk": statement.pk}


def _response(cast: Cast) -> dict[str, Any]:
    _decided(cast)
    response = GovernmentResponse.objects.create(
        recommendation=cast.assembly.recommendations.get(number=1),
        status=GovernmentResponse.Status.UNDER_STUDY,
        text="Het kabinet laat dit onderzoeken.",
        responded_on="2026-03-01",
    )
    return {"slug": cast.assembly.slug, "pk": response.pk}


def _withdraw_reason(cast: Cast) -> dict[str, Any]:
    return {"reason": "Hoort bij een andere aanbeveling."}


RECORD_STAFF = staff_only({"chair", "organiser", "griffie"})
WRITERS = staff_only({"chair", "organiser"})

ROWS: dict[str, Row] = {
    "recommendations:record_overview": Row(RECORD_STAFF, kwargs=SLUG),
    "recommendations:record_minutes_new": Row(WRITERS, kwargs=_weekend),
    "recommendations:record_minutes_edit": Row(WRITERS, kwargs=_draft),
    "recommendations:record_minutes_approve": Row(
        staff_only({"chair"}, status=302), kwargs=_draft, method="post", data=_seen
    ),
    "recommendations:record_minority": Row(staff_only({"chair"}), kwargs=_decided),
    "recommendations:record_minority_delete": Row(
        staff_only({"chair"}, status=302), kwargs=_statement, method="post"
    ),
    "recommendations:record_response": Row(staff_only({"organiser", "griffie"}), kwargs=_decided),
    "recommendations:record_response_correct": Row(
        staff_only({"organiser", "griffie"}), kwargs=_response
    ),
    "recommendations:record_response_withdraw": Row(
        staff_only({"organiser", "griffie"}, status=302),
        kwargs=_response,
        method="post",
        data=_withdraw_reason,
    ),
    # Public pages of a public assembly (a hidden one: tests/recommendations/test_results.py).
    "recommendations:record_results": Row(ALL, kwargs=_results),
    "recommendations:record_results_csv": Row(ALL, kwargs=SLUG),
    "recommendations:record_results_json": Row(ALL, kwargs=SLUG),
    "recommendations:record_minutes_list": Row(ALL, kwargs=SLUG),
    "recommendations:record_minutes_detail": Row(ALL, kwargs=_published),
    "recommendations:record_tracker": Row(ALL, kwargs=_results),
    "recommendations:record_tracker_detail": Row(ALL, kwargs=_decided),
}
