"""Writes about assemblies and roles. Views call these; nothing else writes."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assembly.models import Assembly, AuditEvent, Role, RoleKind, User, offered_language

logger = logging.getLogger(__name__)


@transaction.atomic
def assembly_create(
    *,
    slug: str,
    name: str,
    question: str,
    first_weekend: dt.date,
    members_target: int = 175,
    alternates_target: int = 25,
    min_age: int = 16,
    created_by: User | None = None,
) -> Assembly:
    """Create an empty assembly; its creator becomes its first organiser."""
    assembly = Assembly.objects.create(
        slug=slug,
        name=name,
        question=question,
        first_weekend=first_weekend,
        members_target=members_target,
        alternates_target=alternates_target,
        min_age=min_age,
    )
    if created_by is not None:
        Role.objects.create(
            user=created_by, assembly=assembly, kind=RoleKind.ORGANISER, created_by=created_by
        )
    logger.info("assembly created id=%s", assembly.pk)
    return assembly


def assembly_update(*, assembly: Assembly, fields: dict[str, object]) -> Assembly:
    for name, value in fields.items():
        setattr(assembly, name, value)
    assembly.save(update_fields=list(fields))
    return assembly


def user_get_or_create(*, email: str, full_name: str = "", language: str = "") -> User:
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, full_name=full_name, language=language or settings.LANGUAGE_CODE
        )
    elif full_name and not user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the site language someone chose: their e-mails are written in it."""
    if offered_language(language) == language and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


@transaction.atomic
def role_grant(
    *,
    assembly: Assembly,
    email: str,
    kind: str,
    full_name: str = "",
    granted_by: User | None = None,
    notify: bool = True,
) -> Role:
    """Give a person a role in an assembly; they get an e-mail telling them how to log in."""
    user = user_get_or_create(email=email, full_name=full_name)
    role, created = Role.objects.get_or_create(
        user=user, assembly=assembly, kind=kind, defaults={"created_by": granted_by}
    )
    if created and notify:
        from assembly.tasks import role_notify_task

        role_id = role.pk
        transaction.on_commit(lambda: role_notify_task.delay(role_id))
    logger.info("role granted id=%s kind=%s assembly=%s", role.pk, kind, assembly.pk)
    return role


def role_revoke(*, role: Role, revoked_by: User) -> None:
    logger.info("role revoked id=%s by user=%s", role.pk, revoked_by.pk)
    role.delete()


def role_notify(*, role_id: int) -> bool:
    """Send the 'you have a role' e-mail once. Returns False if it was already sent.

    The update on notified_at claims the work: a second run (a retried task, a
    second worker) finds no row to claim and sends nothing.
    """
    claimed = Role.objects.filter(pk=role_id, notified_at=None).update(notified_at=timezone.now())
    if claimed != 1:
        return False
    role = Role.objects.select_related("user", "assembly").get(pk=role_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "role": role,
                "login_url": settings.SITE_URL + reverse("account_login"),
                "uses_password": role.is_staff_role,
            }
            subject = render_to_string("assembly/email/role_granted_subject.txt", context).strip()
            body = render_to_string("assembly/email/role_granted.txt", context)
        send_mail(subject, body, None, [role.user.email])
    except Exception:
        # Sending failed: release the claim so that a retry can send it.
        Role.objects.filter(pk=role_id).update(notified_at=None)
        raise
    logger.info("role notification sent role=%s", role_id)
    return True


def audit_record(
    *,
    action: str,
    assembly: Assembly | None = None,
    actor: User | None = None,
    target: models.Model | None = None,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    """Write one line in the audit log (ids and counts only: no personal data)."""
    label = f"{target._meta.label}:{target.pk}" if target is not None else ""
    return AuditEvent.objects.create(
        assembly=assembly, actor=actor, action=action, target=label, detail=detail or {}
    )
