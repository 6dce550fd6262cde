"""Who may do what with ballots. Each helper returns the object or raises.

- the voting rule: the organisation or the chair, until the first ballot opens;
- preparing (and withdrawing a prepared) ballot: the organisation or the chair;
- opening, closing, entering a paper count, fixing and correcting a result:
  the chair only (the organisation cannot change a result);
- confirming or rejecting a paper count: a second person with the role chair
  or organisation, not the one who entered it (checked in the service);
- reading ballots and results inside the assembly: organisation, chair, griffie;
- voting: members (the service checks their seat and today's check-in);
- checking a receipt: members, and people who were members and stopped (their
  votes still count, so they may still check them); a fixed result: anyone who
  may see the assembly.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from participants.models import PanelMember
from recommendations.models import Ballot, PaperCount

PREPARERS = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR})
CHAIR = frozenset({RoleKind.CHAIR})
READERS = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR, RoleKind.GRIFFIE})
CONFIRMERS = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR})
VOTERS = frozenset({RoleKind.MEMBER})


def get_assembly_for_rule(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=PREPARERS)


def get_assembly_for_preparing(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=PREPARERS)


def get_assembly_for_reading(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=READERS)


def get_assembly_for_voting(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=VOTERS)


def may_check_receipts(*, user: User | AnonymousUser, assembly: Assembly) -> bool:
    """Members, and former members: a member who stopped loses the role, but
    the votes they cast still count, and checking them is what the code is for."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or role_kinds_for(user=user, assembly=assembly) & VOTERS:
        return True
    return PanelMember.objects.filter(
        assembly=assembly, user=user, kind=PanelMember.Kind.MEMBER
    ).exists()


def get_assembly_for_receipt_check(*, user: User, slug: str) -> Assembly:
    assembly = get_object_or_404(Assembly, slug=slug)
    if not may_check_receipts(user=user, assembly=assembly):
        raise PermissionDenied
    return assembly


def _ballot(assembly: Assembly, number: int) -> Ballot:
    return get_object_or_404(
        Ballot.objects.select_related("assembly", "recommendation"),
        assembly=assembly,
        number=number,
    )


def get_ballot_for_reading(*, user: User, slug: str, number: int) -> Ballot:
    return _ballot(get_assembly_for_reading(user=user, slug=slug), number)


def get_ballot_for_preparing(*, user: User, slug: str, number: int) -> Ballot:
    return _ballot(get_assembly_for_preparing(user=user, slug=slug), number)


def get_ballot_for_chair(*, user: User, slug: str, number: int) -> Ballot:
    """Open, close, count, fix, correct: the chair's acts."""
    return _ballot(access.get_assembly_for_roles(user=user, slug=slug, roles=CHAIR), number)


def get_paper_count_for_confirming(
    *, user: User, slug: str, number: int, count_id: int
) -> PaperCount:
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=CONFIRMERS)
    ballot = _ballot(assembly, number)
    return get_object_or_404(
        PaperCount.objects.select_related("ballot"), pk=count_id, ballot=ballot
    )


def get_ballot_for_voting(*, user: User, slug: str, number: int) -> Ballot:
    assembly = get_assembly_for_voting(user=user, slug=slug)
    ballot = _ballot(assembly, number)
    if ballot.method != Ballot.Method.ELECTRONIC:
        raise Http404
    return ballot


def get_public_ballot(*, user: User | AnonymousUser, slug: str, number: int) -> Ballot:
    """A closed ballot of a visible assembly (its result is public)."""
    assembly = access.get_visible_assembly(user=user, slug=slug)  # type: ignore[arg-type]
    ballot = _ballot(assembly, number)
    if ballot.status != Ballot.Status.CLOSED:
        raise Http404
    return ballot
