"""The reports and the overview: organisers, the chair and the griffie read
them (the chair and the griffie a progress report only once it is shared);
organisers write and share progress reports; only a member with a seat on the
panel sets their own consent to be named. Content and privacy:
tests/recommendations/test_report*.py and test_dashboard.py."""

from __future__ import annotations

from typing import Any

from participants.models import PanelMember
from recommendations.services.report import progress_report_publish, progress_report_save
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_panel import make_panel
from tests.permission import SLUG, Row, staff_only

READERS = {"organiser", "chair", "griffie"}


def _weekend(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "weekend": 1}


def _shared(cast: Cast) -> dict[str, Any]:
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    progress_report_save(weekend=weekend, summary="Een goed weekend.", next_steps="", actor=None)
    progress_report_publish(weekend=weekend, actor=None)
    return _weekend(cast)


def _seated(cast: Cast) -> dict[str, Any]:
    make_panel(cast.assembly, size=4, panel=(0, 1), alternates=())
    member = PanelMember.objects.filter(assembly=cast.assembly).order_by("pk").first()
    assert member is not None
    member.user = cast.users["member"]
    member.status = PanelMember.Status.CONFIRMED
    member.save(update_fields=["user", "status"])
    return SLUG(cast)


ROWS: dict[str, Row] = {
    "recommendations:report_overview": Row(staff_only(READERS), kwargs=SLUG),
    "recommendations:report_final": Row(staff_only(READERS), kwargs=SLUG),
    "recommendations:report_final_pdf": Row(staff_only(READERS), kwargs=SLUG),
    "recommendations:report_final_zip": Row(staff_only(READERS), kwargs=SLUG),
    "recommendations:report_progress_list": Row(staff_only(READERS), kwargs=SLUG),
    # Not shared yet: the organisers only.
    "recommendations:report_progress": Row(staff_only({"organiser"}), kwargs=_weekend),
    "recommendations:report_progress_pdf": Row(staff_only(READERS), kwargs=_shared),
    "recommendations:report_progress_zip": Row(staff_only(READERS), kwargs=_shared),
    "recommendations:report_progress_edit": Row(staff_only({"organiser"}), kwargs=_weekend),
    "recommendations:report_progress_publish": Row(
        staff_only({"organiser"}, status=302), kwargs=_shared, method="post"
    ),
    "recommendations:report_name_consent": Row(staff_only({"member"}), kwargs=_seated),
}
