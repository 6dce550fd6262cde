"""Who may use the attendance pages.

- Checking members in (the day list with its search, the check-in button, the
  times with the undo, the scan of a member's QR code): organisers and the
  desk (balie). The desk is for volunteers at the entrance: they see a
  member's name, code and whether they are checked in, nothing else.
  The desk changes today's list only; a day that is over (what allowances
  are paid on) is corrected by organisers.
- The overviews (per weekend, absences): organisers and the chair.
- Nobody else; a member opens only their own QR code page.
"""

from __future__ import annotations

import datetime as dt

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for

CHECK_IN_ROLES = frozenset({RoleKind.ORGANISER, RoleKind.DESK})
OVERVIEW_ROLES = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR})


def get_assembly_for_check_in(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=CHECK_IN_ROLES)


def get_assembly_for_overview(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=OVERVIEW_ROLES)


def may_see_overview(*, user: User, assembly: Assembly) -> bool:
    """Whether the check-in pages may link to the attendance overview."""
    return user.is_superuser or bool(role_kinds_for(user=user, assembly=assembly) & OVERVIEW_ROLES)


def may_change_day(*, user: User, assembly: Assembly, day: dt.date, today: dt.date) -> bool:
    """Whether the user may check members in, undo, or set times for ``day``.
    Nobody checks in ahead of the day (the services refuse that too)."""
    if day > today:
        return False
    if day == today or user.is_superuser:
        return True
    return RoleKind.ORGANISER in role_kinds_for(user=user, assembly=assembly)
