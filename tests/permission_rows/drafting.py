"""Drafting and the plenary. A draft is seen and changed by its own table only
(member and gespreksleider; the organisation and the chair see it too); a
submitted recommendation is read by everyone with a role in the assembly; the
chair runs the plenary (feedback, amendment decisions, the final text); the
organisation merges and orders but never decides an amendment (a vote).
tests/recommendations/test_drafting.py checks the content behind each answer."""

from __future__ import annotations

from typing import Any

from recommendations.models import Recommendation
from recommendations.services import drafting as services
from tests.conftest import Cast
from tests.permission import IN_ASSEMBLY, SLUG, Row, staff_only
from tests.recommendations.test_drafting import seated_table


def _recommendation(cast: Cast, *, submit: bool) -> Recommendation:
    recommendation = services.recommendation_create(
        table=seated_table(cast), title="Les over drugs", text="Elke school.", actor=None
    )
    if submit:
        recommendation = services.recommendation_submit(recommendation=recommendation, actor=None)
    return recommendation


def _draft(cast: Cast) -> dict[str, Any]:
    recommendation = _recommendation(cast, submit=False)
    return {"slug": cast.assembly.slug, "number": recommendation.number}


def _submitted(cast: Cast) -> dict[str, Any]:
    recommendation = _recommendation(cast, submit=True)
    return {"slug": cast.assembly.slug, "number": recommendation.number}


def _with_tables(cast: Cast) -> dict[str, Any]:
    seated_table(cast)
    return SLUG(cast)


def _amendment(cast: Cast) -> dict[str, Any]:
    recommendation = _recommendation(cast, submit=True)
    amendment = services.amendment_propose(
        recommendation=recommendation,
        proposed_text="Elke school en elke sportclub.",
        proposed_by=cast.users["member"],
        actor=None,
    )
    return {
        "slug": cast.assembly.slug,
        "number": recommendation.number,
        "amendment": amendment.number,
    }


TABLE = {"member", "facilitator"}

ROWS: dict[str, Row] = {
    "recommendations:list": Row(staff_only(IN_ASSEMBLY), kwargs=_with_tables),
    # Only people at a table draft; the others have no table to draft for.
    "recommendations:create": Row(staff_only(TABLE), kwargs=_with_tables),
    "recommendations:plenary": Row(staff_only({"chair", "organiser"}), kwargs=SLUG),
    "recommendations:merge": Row(staff_only({"organiser"}), kwargs=SLUG),
    "recommendations:detail": Row(staff_only(IN_ASSEMBLY), kwargs=_submitted),
    "recommendations:compare": Row(staff_only(IN_ASSEMBLY), kwargs=_submitted),
    # A draft: its table edits it; the chair and organisation only read it.
    "recommendations:edit": Row(staff_only(TABLE), kwargs=_draft),
    "recommendations:submit": Row(
        staff_only({"facilitator", "organiser"}, status=302), kwargs=_draft, method="post"
    ),
    "recommendations:withdraw": Row(
        staff_only({"facilitator", "chair", "organiser"}), kwargs=_submitted
    ),
    "recommendations:feedback": Row(
        staff_only({"chair"}, status=302),
        kwargs=_submitted,
        method="post",
        data=lambda cast: {"text": "Veel steun."},
    ),
    "recommendations:finalise": Row(staff_only({"chair"}), kwargs=_submitted),
    "recommendations:move": Row(
        staff_only({"chair", "organiser"}, status=302),
        kwargs=_submitted,
        method="post",
        data=lambda cast: {"direction": "up"},
    ),
    "recommendations:amendment_propose": Row(
        staff_only({"member", "facilitator", "chair"}), kwargs=_submitted
    ),
    # Deciding is recording a vote: the chair only, never the organisation.
    "recommendations:amendment_decide": Row(staff_only({"chair"}), kwargs=_amendment),
    "recommendations:amendment_withdraw": Row(
        staff_only({"member", "chair"}, status=302), kwargs=_amendment, method="post"
    ),
}
