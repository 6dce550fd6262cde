"""A member's own pages (allowance, claims, needs): the member role in the
assembly and a seat on its panel, or PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from assembly import access
from assembly.models import Assembly, RoleKind, User
from participants.models import PanelMember
from participants.selectors_money import member_for_user


def get_own_seat(*, user: User, slug: str) -> tuple[Assembly, PanelMember]:
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.MEMBER})
    )
    member = member_for_user(assembly=assembly, user=user)
    if member is None:
        raise PermissionDenied
    return assembly, member
