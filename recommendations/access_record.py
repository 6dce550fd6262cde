"""Who may do what with the chair's record. Each helper returns the object or
raises (PermissionDenied for a wrong role, Http404 for what does not exist or
is not public yet); tests/permission_rows/record.py walks them all.

- the chair writes and approves minutes and records minority statements;
- organisers may draft minutes, never approve them;
- organisers and the griffie record the government's responses, and correct
  or withdraw one entered wrongly;
- the public reads approved minutes, results and the tracker of a public assembly.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from recommendations.models import GovernmentResponse, MinorityStatement, Minutes, Recommendation

RECORD_STAFF = frozenset({RoleKind.CHAIR, RoleKind.ORGANISER, RoleKind.GRIFFIE})
MINUTES_WRITERS = frozenset({RoleKind.CHAIR, RoleKind.ORGANISER})
CHAIR = frozenset({RoleKind.CHAIR})
RESPONDERS = frozenset({RoleKind.ORGANISER, RoleKind.GRIFFIE})


def get_assembly_for_record(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=RECORD_STAFF)


def get_assembly_for_minutes_writer(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=MINUTES_WRITERS)


def get_minutes_for_writer(*, user: User, slug: str, pk: int) -> Minutes:
    assembly = get_assembly_for_minutes_writer(user=user, slug=slug)
    return get_object_or_404(
        Minutes.objects.select_related("weekend", "session", "assembly"), pk=pk, assembly=assembly
    )


def get_minutes_for_chair(*, user: User, slug: str, pk: int) -> Minutes:
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=CHAIR)
    return get_object_or_404(Minutes.objects.select_related("assembly"), pk=pk, assembly=assembly)


def get_recommendation_for_chair(*, user: User, slug: str, number: int) -> Recommendation:
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=CHAIR)
    return get_object_or_404(
        Recommendation.objects.select_related("assembly"), assembly=assembly, number=number
    )


def get_statement_for_chair(*, user: User, slug: str, pk: int) -> MinorityStatement:
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=CHAIR)
    return get_object_or_404(
        MinorityStatement.objects.select_related("recommendation__assembly"),
        pk=pk,
        recommendation__assembly=assembly,
        removed_at__isnull=True,
    )


def get_recommendation_for_responder(*, user: User, slug: str, number: int) -> Recommendation:
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=RESPONDERS)
    return get_object_or_404(
        Recommendation.objects.select_related("assembly"), assembly=assembly, number=number
    )


def get_response_for_responder(*, user: User, slug: str, pk: int) -> GovernmentResponse:
    """A recorded response, to correct or withdraw (the roles that record them)."""
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=RESPONDERS)
    return get_object_or_404(
        GovernmentResponse.objects.select_related("recommendation__assembly"),
        pk=pk,
        recommendation__assembly=assembly,
    )


def can_approve(*, user: User, assembly: Assembly) -> bool:
    return user.is_superuser or RoleKind.CHAIR in role_kinds_for(user=user, assembly=assembly)


def record_roles(*, user: User, assembly: Assembly) -> set[str]:
    """The record roles the user holds (a superuser acts as chair and organiser)."""
    if user.is_superuser:
        return {RoleKind.CHAIR, RoleKind.ORGANISER}
    return set(role_kinds_for(user=user, assembly=assembly)) & set(RECORD_STAFF)


def get_public_assembly(*, user: User | AnonymousUser, slug: str) -> Assembly:
    return access.get_visible_assembly(user=user, slug=slug)  # type: ignore[arg-type]


def get_published_minutes(*, user: User | AnonymousUser, slug: str, pk: int) -> Minutes:
    assembly = get_public_assembly(user=user, slug=slug)
    minutes = (
        Minutes.objects.select_related("assembly", "weekend", "session", "approved_by")
        .filter(pk=pk, assembly=assembly, approved_at__isnull=False)
        .first()
    )
    if minutes is None:
        raise Http404
    return minutes
