"""Writes about assemblies and roles. Views call these; nothing else writes."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assembly.models import Assembly, AuditEvent, Role, RoleKind, User, offered_language
from assembly.outbox import outbox_queue

logger = logging.getLogger(__name__)


@transaction.atomic
def assembly_create(
    *,
    slug: str,
    name: str,
    question: str,
    first_weekend: dt.date,
    name_en: str = "",
    question_en: str = "",
    members_target: int = 175,
    alternates_target: int = 25,
    min_age: int = 16,
    created_by: User | None = None,
) -> Assembly:
    """Create an empty assembly; its creator becomes its first organiser."""
    assembly = Assembly.objects.create(
        slug=slug,
        name=name,
        name_en=name_en,
        question=question,
        question_en=question_en,
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
        _role_email_queue(role)
    logger.info("role granted id=%s kind=%s assembly=%s", role.pk, kind, assembly.pk)
    return role


@transaction.atomic
def role_revoke(*, role: Role, revoked_by: User) -> None:
    """Take a role away. The last organiser stays: without one, nobody can give
    roles in the assembly any more."""
    if role.kind == RoleKind.ORGANISER:
        # The assembly's lock: two organisers revoking each other at the same
        # moment would otherwise each see the other one still there.
        Assembly.objects.select_for_update().filter(pk=role.assembly_id).first()
        others = Role.objects.filter(assembly_id=role.assembly_id, kind=RoleKind.ORGANISER)
        if not others.exclude(pk=role.pk).exists():
            raise ValidationError(
                _(
                    "Dit is de laatste organisator van dit burgerberaad. Geef eerst iemand "
                    "anders de rol Organisatie. Daarna kunt u deze rol intrekken."
                )
            )
    logger.info("role revoked id=%s by user=%s", role.pk, revoked_by.pk)
    role.delete()


def _role_email_queue(role: Role) -> None:
    """The 'you have a role' e-mail, in the person's language, through the outbox:
    it commits with the role, so neither the queue (Redis) being down nor a
    worker dying can lose it, and it is sent once (assembly.outbox)."""
    with translation.override(role.user.mail_language):
        context = {
            "role": role,
            "login_url": settings.SITE_URL + reverse("account_login"),
            "uses_password": role.is_staff_role,
        }
        subject = render_to_string("assembly/email/role_granted_subject.txt", context).strip()
        body = render_to_string("assembly/email/role_granted.txt", context)
    outbox_queue(
        to=role.user.email, subject=subject, body=body, kind="role", ref=f"assembly.Role:{role.pk}"
    )
    role.notified_at = timezone.now()
    role.save(update_fields=["notified_at"])


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
