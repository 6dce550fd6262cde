"""Subgroup tables: organisers make, change, publish and print them; a member
and a gespreksleider each see their own table on "Mijn tafel"; nobody opens
another assembly's tables (tests/test_permission_matrix.py walks the other
assembly's member; tests/participants/test_tables.py checks the content)."""

from __future__ import annotations

from typing import Any

from participants.models import PanelMember
from participants.services.tables import table_round_make
from sessions.models import Weekend
from tests.conftest import Cast
from tests.participants.test_panel import make_panel
from tests.permission import SLUG, Row, staff_only


def _weekend(cast: Cast) -> dict[str, Any]:
    return {"slug": cast.assembly.slug, "weekend": 1}


def _with_tables(cast: Cast) -> dict[str, Any]:
    panel = make_panel(cast.assembly, size=8, panel=tuple(range(8)), alternates=())
    PanelMember.objects.filter(assembly=cast.assembly).update(status=PanelMember.Status.CONFIRMED)
    PanelMember.objects.filter(pk=panel.member(0).pk).update(user=cast.users["member"])
    table_round_make(
        weekend=Weekend.objects.get(assembly=cast.assembly, number=1),
        actor=None,
        seed=1,
        steps_per_person=5,
    )
    return _weekend(cast)


def _my_table(cast: Cast) -> dict[str, Any]:
    _with_tables(cast)
    return SLUG(cast)


def _first_member(cast: Cast) -> dict[str, Any]:
    member = PanelMember.objects.filter(assembly=cast.assembly).order_by("pk").first()
    assert member is not None
    return {"member": member.pk, "table": 1}


ORGANISER_REDIRECT = staff_only({"organiser"}, status=302)

ROWS: dict[str, Row] = {
    "participants:tables_overview": Row(staff_only({"organiser"}), kwargs=SLUG),
    "participants:tables_weekend": Row(staff_only({"organiser"}), kwargs=_with_tables),
    "participants:tables_make": Row(
        ORGANISER_REDIRECT, kwargs=_with_tables, method="post", data=lambda c: {"confirm": "on"}
    ),
    "participants:tables_move": Row(
        ORGANISER_REDIRECT,
        kwargs=_with_tables,
        method="post",
        data=_first_member,
    ),
    "participants:tables_facilitator": Row(
        ORGANISER_REDIRECT,
        kwargs=_with_tables,
        method="post",
        data=lambda c: {"table": 1, "facilitator": ""},
    ),
    "participants:tables_publish": Row(ORGANISER_REDIRECT, kwargs=_with_tables, method="post"),
    "participants:tables_lists_pdf": Row(staff_only({"organiser"}), kwargs=_with_tables),
    "participants:tables_cards_pdf": Row(staff_only({"organiser"}), kwargs=_with_tables),
    # Members and gespreksleiders of this assembly; the other assembly's member is refused.
    "participants:my_table": Row(staff_only({"member", "facilitator"}), kwargs=_my_table),
}
