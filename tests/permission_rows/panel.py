"""After the draw: the member list is for organisers and the chair (what the
chair sees on it, without contact details or quota values, is tested on the
content in tests/participants/test_panel.py); its actions are for organisers;
a member's own page opens with the signed link from their e-mail or letter."""

from __future__ import annotations

from typing import Any

from participants.models import Replacement
from participants.services.panel import panel_respond_token
from tests.conftest import Cast
from tests.participants.test_panel import answer_by, make_panel
from tests.permission import ALL, SLUG, Row, staff_only


def _member(cast: Cast) -> dict[str, Any]:
    panel = make_panel(cast.assembly)
    return {"slug": cast.assembly.slug, "pk": panel.member(0).pk}


def _replacement(cast: Cast) -> dict[str, Any]:
    panel = make_panel(cast.assembly)
    replacement = Replacement.objects.create(assembly=cast.assembly, proposed=[panel.pid(4)])
    replacement.dropped.set([panel.member(0)])
    return {"slug": cast.assembly.slug, "pk": replacement.pk}


def _token(cast: Cast) -> dict[str, Any]:
    panel = make_panel(cast.assembly)
    return {"slug": cast.assembly.slug, "token": panel_respond_token(member_id=panel.member(0).pk)}


def _with_panel(cast: Cast) -> dict[str, Any]:
    make_panel(cast.assembly)
    return {"slug": cast.assembly.slug}


def _notified(cast: Cast) -> dict[str, Any]:
    """A panel whose messages went out: the letters by post carry the date to answer by."""
    make_panel(cast.assembly)
    answer_by(cast.assembly)
    return {"slug": cast.assembly.slug}


ORGANISER_REDIRECT = staff_only({"organiser"}, status=302)


def _own_seat(cast: Cast) -> dict[str, Any]:
    from participants.models import PanelMember
    from tests.participants.test_attendance import confirmed_members

    member = confirmed_members(cast.assembly, 1)[0]
    PanelMember.objects.filter(pk=member.pk).update(user=cast.users["member"])
    return SLUG(cast)


ROWS: dict[str, Row] = {
    # A member's own needs; the member persona needs a seat on the panel.
    "participants:my_needs": Row(staff_only({"member"}), kwargs=_own_seat),
    # A member's own phone number and address: only their own seat, never another's
    # (tests/participants/test_details.py).
    "participants:my_contact_details": Row(staff_only({"member"}), kwargs=_own_seat),
    "participants:needs_overview": Row(staff_only({"organiser"}), kwargs=SLUG),
    "participants:needs_export": Row(
        staff_only({"organiser"}), kwargs=lambda cast: {**SLUG(cast), "fmt": "csv"}
    ),
    "participants:panel_list": Row(staff_only({"organiser", "chair"}), kwargs=_with_panel),
    "participants:panel_notify": Row(
        ORGANISER_REDIRECT,
        kwargs=_with_panel,
        method="post",
        data=lambda cast: {"response_days": 14},
    ),
    "participants:panel_letters": Row(staff_only({"organiser"}), kwargs=_notified),
    # Weekend 1 is not published: the organiser is sent back to the list with why.
    "participants:programme_letters": Row(
        ORGANISER_REDIRECT, kwargs=lambda cast: {"slug": cast.assembly.slug, "number": 1}
    ),
    "participants:panel_member_withdraw": Row(staff_only({"organiser"}), kwargs=_member),
    "participants:panel_member_answer": Row(staff_only({"organiser"}), kwargs=_member),
    "participants:panel_member_email_add": Row(staff_only({"organiser"}), kwargs=_member),
    # A member's phone number, address and needs, changed by the secretariat for
    # them; another assembly's member is a 404 (tests/participants/test_details_by_organiser.py).
    "participants:member_details_by_organiser": Row(staff_only({"organiser"}), kwargs=_member),
    "participants:replacement_request": Row(ORGANISER_REDIRECT, kwargs=SLUG, method="post"),
    "participants:replacement_detail": Row(staff_only({"organiser"}), kwargs=_replacement),
    "participants:replacement_status": Row(staff_only({"organiser"}), kwargs=_replacement),
    # An empty number: the organiser gets the form back with the error.
    "participants:replacement_draw": Row(
        staff_only({"organiser"}, status=400), kwargs=_replacement, method="post"
    ),
    "participants:replacement_confirm": Row(ORGANISER_REDIRECT, kwargs=_replacement, method="post"),
    "participants:replacement_discard": Row(ORGANISER_REDIRECT, kwargs=_replacement, method="post"),
    "participants:pool_purge": Row(staff_only({"organiser"}), kwargs=_with_panel),
    # The signed link is the key: whoever holds it sees that one person's page.
    "participants:panel_respond": Row(ALL, kwargs=_token),
}
