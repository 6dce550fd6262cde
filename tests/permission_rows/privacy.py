"""Requests under the AVG: only organisers look people up, download their data
and erase it; everyone with a role, the desk too, downloads their own copy
(tests/recommendations/test_privacy.py checks the content)."""

from __future__ import annotations

from tests.permission import SLUG, WITH_A_ROLE, Row, staff_only

ROWS: dict[str, Row] = {
    "recommendations:privacy_requests": Row(staff_only({"organiser"}), kwargs=SLUG),
    "recommendations:privacy_request_download": Row(
        staff_only({"organiser"}),
        kwargs=lambda c: {"slug": c.assembly.slug, "fmt": "json"},
        method="post",
        data=lambda c: {"email": c.users["member"].email},
    ),
    # Without the confirmation box the organiser is sent back and nothing is erased.
    "recommendations:privacy_request_erase": Row(
        staff_only({"organiser"}, status=302),
        kwargs=SLUG,
        method="post",
        data=lambda c: {"email": c.users["member"].email, "reason": "test"},
    ),
    "recommendations:my_data": Row(staff_only(WITH_A_ROLE), kwargs=SLUG),
    "recommendations:my_data_download": Row(
        staff_only(WITH_A_ROLE), kwargs=lambda c: {"slug": c.assembly.slug, "fmt": "pdf"}
    ),
}
