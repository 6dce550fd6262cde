"""Permission rows for the schedule: organisers build it; people taking part read
their programme; the public programme and the calendars are open (the private
feed by its signed link)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from sessions.models import Session, Weekend
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.permission import ALL, IN_ASSEMBLY, SLUG, Row, staff_only

_AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def _weekend(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "number": 1}


def _session(cast: Cast) -> dict[str, Any]:
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    hour = 10 + Session.objects.filter(weekend=weekend).count()
    session = Session.objects.create(
        weekend=weekend,
        title="Opening",
        kind=Session.Kind.PLENARY,
        starts_at=dt.datetime.combine(weekend.starts_on, dt.time(hour), tzinfo=_AMS),
        ends_at=dt.datetime.combine(weekend.starts_on, dt.time(hour, 30), tzinfo=_AMS),
    )
    return {"slug": cast.assembly.slug, "number": 1, "session_id": session.pk}


def _two_sessions(cast: Cast) -> dict[str, Any]:
    _session(cast)
    return _session(cast)


def _cancelled_session(cast: Cast) -> dict[str, Any]:
    kwargs = _session(cast)
    Session.objects.filter(pk=kwargs["session_id"]).update(cancelled_at=dt.datetime.now(dt.UTC))
    return kwargs


def _token(cast: Cast) -> dict[str, Any]:
    user = cast.users["member"]
    return {
        "slug": cast.assembly.slug,
        "token": calendar_token(user_id=user.pk, assembly_id=cast.assembly.pk),
    }


ORGANISER = staff_only({"organiser"})
ORGANISER_POST = staff_only({"organiser"}, status=302)
TAKING_PART = staff_only(IN_ASSEMBLY - {"griffie"})

ROWS: dict[str, Row] = {
    "programme:weekend_list": Row(ORGANISER, kwargs=SLUG),
    "programme:reminder_schedule": Row(ORGANISER, kwargs=SLUG),
    "programme:weekend_manage": Row(ORGANISER, kwargs=_weekend),
    "programme:weekend_venue": Row(ORGANISER, kwargs=_weekend),
    "programme:weekend_publish": Row(ORGANISER_POST, kwargs=_weekend, method="post"),
    "programme:session_add": Row(ORGANISER, kwargs=_weekend),
    "programme:session_edit": Row(ORGANISER, kwargs=_session),
    "programme:session_delete": Row(ORGANISER, kwargs=_session),
    "programme:session_move": Row(
        ORGANISER_POST, kwargs=_two_sessions, method="post", data=lambda cast: {"direction": "up"}
    ),
    "programme:session_restore": Row(
        ORGANISER_POST, kwargs=_cancelled_session, method="post"
    ),
    "programme:my_programme": Row(TAKING_PART, kwargs=SLUG),
    "programme:calendar_link_renew": Row(
        staff_only(IN_ASSEMBLY - {"griffie"}, status=302), kwargs=SLUG, method="post"
    ),
    "programme:public_programme": Row(ALL, kwargs=SLUG),
    "programme:weekend_ics": Row(ALL, kwargs=_weekend),
    "programme:public_feed": Row(ALL, kwargs=SLUG),
    "programme:private_feed": Row(ALL, kwargs=_token),
}
