"""Reads about assemblies and roles."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db.models import Count, Model, QuerySet

from assembly.models import (
    ROLES_GIVEN_BY_HAND,
    STAFF_ROLES,
    Assembly,
    AuditEvent,
    MailboxMessage,
    Role,
    RoleKind,
    User,
)

Row = TypeVar("Row", bound=Model)

# Set on a row that submitted_before gives back (see sent_again).
_SENT_AGAIN = "_sent_again"


def submitted_before(
    rows: QuerySet[Row], submission: uuid.UUID | None, *, same: Mapping[str, Any] | None = None
) -> Row | None:
    """What the same form created the first time (see ``OneTimeForm``), or None.
    Call it under the lock its writer takes, so a second request waits for the
    first one's commit and then finds its row.

    ``same``: the look-up for a row with exactly what this form would create.
    The browser's Back button loads the form again with a new number but keeps
    the typed text, so sending it again looks like a new form: a row with the
    same content counts as made by this form then. Only for a form (a number
    given): a script that calls a service twice means two rows."""
    if submission is None:
        return None
    earlier = rows.filter(submission=submission).first()
    if earlier is None and same:
        earlier = rows.filter(**same).order_by("-pk").first()
    if earlier is not None:
        # For the page: "was already sent" instead of "saved" (sent_again).
        setattr(earlier, _SENT_AGAIN, True)
    return earlier


def sent_again(row: Model) -> bool:
    """Whether a service gave ``row`` back from ``submitted_before``: the form
    had been sent before, and nothing new was made this time."""
    return getattr(row, _SENT_AGAIN, False) is True


def assembly_list_public() -> QuerySet[Assembly]:
    return Assembly.objects.filter(is_public=True)


def role_kinds_for(*, user: User, assembly: Assembly) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Role.objects.filter(user=user, assembly=assembly).values_list("kind", flat=True))


def assemblies_with_roles_for(*, user: User) -> list[tuple[Assembly, list[str]]]:
    """The assemblies in which the user holds a role, each with the role labels."""
    by_assembly: dict[int, list[str]] = defaultdict(list)
    assemblies: dict[int, Assembly] = {}
    for role in Role.objects.filter(user=user).select_related("assembly"):
        assemblies[role.assembly_id] = role.assembly
        by_assembly[role.assembly_id].append(str(role.get_kind_display()))
    return [(assemblies[pk], sorted(labels)) for pk, labels in by_assembly.items()]


def role_list_for(*, assembly: Assembly) -> QuerySet[Role]:
    """The roles given by hand; members are listed on the panel's own page."""
    return (
        Role.objects.filter(assembly=assembly, kind__in=ROLES_GIVEN_BY_HAND)
        .select_related("user")
        .order_by("kind", "user__email")
    )


def is_staff_member(*, user: User) -> bool:
    """Organisers, chairs, the griffie and Django admin users: they log in with
    a password and TOTP, never with an e-mailed code alone."""
    return (
        user.is_staff
        or user.is_superuser
        or Role.objects.filter(user=user, kind__in=STAFF_ROLES).exists()
    )


def role_held(*, assembly: Assembly, email: str, kind: str) -> bool:
    """Whether the person with this address (any case) already has this role here."""
    return Role.objects.filter(
        assembly=assembly, kind=kind, user__email__iexact=User.objects.normalize_email(email)
    ).exists()


def role_counts_for(*, assembly: Assembly) -> dict[str, int]:
    """Number of people per role, keyed by role kind; no personal data."""
    counts = {kind.value: 0 for kind in RoleKind}
    rows = Role.objects.filter(assembly=assembly).values("kind").annotate(n=Count("id"))
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts


def is_organiser_anywhere(*, user: User) -> bool:
    if not user.is_authenticated:
        return False
    return (
        bool(user.is_superuser) or Role.objects.filter(user=user, kind=RoleKind.ORGANISER).exists()
    )


def mailbox_message_list() -> QuerySet[MailboxMessage]:
    return MailboxMessage.objects.all()


def audit_events_for(*, assembly: Assembly, action_prefix: str = "") -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(assembly=assembly).select_related("actor")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-created_at", "-id")
