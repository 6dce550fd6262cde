"""Attendance: organisers and the desk (balie) check members in (the list per
day, the times, the scan of a member's QR code) and the desk nothing else;
the chair may look at the overviews; a member opens only their own QR code
page. That the token opens nothing in another assembly is tested in
tests/participants/test_attendance.py."""

from __future__ import annotations

from typing import Any

from participants.models import PanelMember
from participants.services.attendance import check_in_token
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_attendance import confirmed_members
from tests.permission import SLUG, Row, staff_only


def _first_weekend(cast: Cast) -> Weekend:
    return Weekend.objects.filter(assembly=cast.assembly).order_by("number")[0]


def _weekend(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "weekend": _first_weekend(cast).number}


def _day(cast: Cast) -> dict[str, Any]:
    weekend = _first_weekend(cast)
    return {"slug": cast.assembly.slug, "weekend": weekend.number, "day": weekend.starts_on}


def _member_day(cast: Cast) -> dict[str, Any]:
    member = confirmed_members(cast.assembly, 1)[0]
    return {**_day(cast), "member": member.pk}


def _token(cast: Cast) -> dict[str, Any]:
    member = confirmed_members(cast.assembly, 1)[0]
    return {"slug": cast.assembly.slug, "token": check_in_token(member_id=member.pk)}


def _own_member(cast: Cast) -> dict[str, Any]:
    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    return {"slug": cast.assembly.slug}


CHECK_IN = staff_only({"organiser", "desk"})
CHECK_IN_REDIRECT = staff_only({"organiser", "desk"}, status=302)

ROWS: dict[str, Row] = {
    "participants:attendance_overview": Row(staff_only({"organiser", "chair"}), kwargs=SLUG),
    "participants:attendance_weekend": Row(staff_only({"organiser", "chair"}), kwargs=_weekend),
    "participants:attendance_day": Row(CHECK_IN, kwargs=_day),
    "participants:attendance_times": Row(CHECK_IN, kwargs=_member_day),
    "participants:attendance_check_in": Row(CHECK_IN_REDIRECT, kwargs=_member_day, method="post"),
    "participants:attendance_undo": Row(CHECK_IN_REDIRECT, kwargs=_member_day, method="post"),
    # The QR code's URL: only an organiser's or the desk's session makes it do anything.
    "participants:attendance_scan": Row(CHECK_IN, kwargs=_token),
    "participants:member_check_in_qr": Row(staff_only({"member"}), kwargs=_own_member),
}
