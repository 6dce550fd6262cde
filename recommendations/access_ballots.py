"""Who may do what with ballots. Each helper returns the object or raises.

- the voting rule: the organisation or the chair, until the first ballot opens;
- preparing (and withdrawing a prepared) ballot: the organisation or the chair;
- opening, closing, entering a paper count, fixing and correcting a result:
  the chair only (the organisation cannot change a result);
- confirming or rejecting a paper count: a second person with the role chair
  or organisation, not the one who entered it (checked in the service);
- reading ballots and results inside the assembly: organisation, chair, griffie;
- voting and checking a receipt: members (the service checks their seat and
  today's check-in); a fixed result: anyone who may see the assembly.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404

from assembly import access
from assembly.models import Assembly, RoleKind, User
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
