"""URLs of attendance: the organiser's check-in per day and its overviews, the
scan of a member's QR code, and the member's own QR code page."""

from __future__ import annotations

import datetime as dt

from django.urls import URLPattern, path, register_converter

from participants.views import attendance as views


class IsoDayConverter:
    """A day as yyyy-mm-dd; anything that is not a real date does not match."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(value) from error

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)


register_converter(IsoDayConverter, "attendance_day")

_BASE = "b/<slug:slug>/beheer/aanwezig/"
_DAY = f"{_BASE}<whole:weekend>/<attendance_day:day>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.attendance_overview, name="attendance_overview"),
    path(f"{_BASE}scan/<str:token>/", views.attendance_scan, name="attendance_scan"),
    path(f"{_BASE}<whole:weekend>/", views.attendance_weekend, name="attendance_weekend"),
    path(_DAY, views.attendance_day, name="attendance_day"),
    path(f"{_DAY}<whole:member>/", views.attendance_times, name="attendance_times"),
    path(f"{_DAY}<whole:member>/aanwezig/", views.attendance_check_in, name="attendance_check_in"),
    path(f"{_DAY}<whole:member>/ongedaan/", views.attendance_undo, name="attendance_undo"),
    path("b/<slug:slug>/mijn/aanmelden-qr/", views.member_check_in_qr, name="member_check_in_qr"),
]
