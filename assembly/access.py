"""Authorisation helpers: each returns the object or raises.

Views call one of these before doing anything, so every rule about who may see
what lives here and is tested as a matrix (tests/test_permission_matrix.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404

from assembly.models import (
    ROLES_GIVEN_BY_HAND,
    TAKING_PART,
    Assembly,
    MailboxMessage,
    Role,
    RoleKind,
    User,
)
from assembly.selectors import is_organiser_anywhere, role_kinds_for
from assembly.services import audit_record

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a request behind @login_required, typed as our User."""
    user = request.user
    assert isinstance(user, User)
    return user


def get_assembly_for_roles(*, user: User, slug: str, roles: frozenset[str]) -> Assembly:
    """The assembly if the user holds one of `roles` in it; 404 if it does not exist."""
    assembly = get_object_or_404(Assembly, slug=slug)
    if user.is_superuser:
        return assembly
    if not role_kinds_for(user=user, assembly=assembly) & roles:
        raise PermissionDenied
    return assembly


def get_assembly_for_any_role(*, user: User, slug: str) -> Assembly:
    """The assembly for anyone who takes part in its work (all roles but the desk)."""
    return get_assembly_for_roles(user=user, slug=slug, roles=TAKING_PART)


def get_assembly_for_role_holder(*, user: User, slug: str) -> Assembly:
    """The assembly for anyone with a role in it, the desk too: their home
    page and their own data."""
    return get_assembly_for_roles(user=user, slug=slug, roles=frozenset(RoleKind.values))


def get_assembly_for_organiser(*, user: User, slug: str) -> Assembly:
    return get_assembly_for_roles(user=user, slug=slug, roles=frozenset({RoleKind.ORGANISER}))


def get_visible_assembly(*, user: User, slug: str) -> Assembly:
    """A public assembly for anyone; a non-public one only for people with a role in it."""
    assembly = get_object_or_404(Assembly, slug=slug)
    if assembly.is_public or user.is_superuser or role_kinds_for(user=user, assembly=assembly):
        return assembly
    raise Http404


def get_role_for_organiser(*, user: User, slug: str, role_id: int) -> Role:
    """A role the roles page manages: a member's comes and goes with the panel."""
    assembly = get_assembly_for_organiser(user=user, slug=slug)
    return get_object_or_404(Role, pk=role_id, assembly=assembly, kind__in=ROLES_GIVEN_BY_HAND)


def check_can_create_assembly(*, user: User) -> None:
    if not is_organiser_anywhere(user=user):
        raise PermissionDenied


def check_can_read_mailbox(*, user: User) -> None:
    """The development mailbox exists only without a real mail server."""
    if not settings.DEV_MAILBOX:
        raise Http404
    if not is_organiser_anywhere(user=user):
        raise PermissionDenied


def get_mailbox_message(*, user: User, pk: int) -> MailboxMessage:
    check_can_read_mailbox(user=user)
    return get_object_or_404(MailboxMessage, pk=pk)


def personal_data_view(view: View) -> View:
    """Mark a page that shows members' or residents' personal data (names,
    addresses, contact details): every time someone opens it successfully,
    the audit log records who, which page and when (ids only)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and isinstance(request.user, User):
            match = request.resolver_match
            audit_record(
                action="personal_data.viewed",
                assembly=Assembly.objects.filter(slug=kwargs.get("slug", "")).first(),
                actor=request.user,
                detail={
                    "page": match.view_name if match else request.path,
                    "args": {k: str(v) for k, v in kwargs.items() if k != "token"},
                },
            )
        return response

    return wrapper  # type: ignore[return-value]
