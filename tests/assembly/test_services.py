from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from assembly.models import Role, RoleKind, User
from assembly.services import assembly_create, role_grant
from tests.factories import AssemblyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_makes_the_creator_the_first_organiser() -> None:
    creator = UserFactory()
    assembly = assembly_create(
        slug="wonen", name="Burgerberaad Wonen", question="Hoe wonen we in 2040?",
        first_weekend=dt.date(2027, 9, 4), created_by=creator,
    )
    assert Role.objects.filter(assembly=assembly, user=creator, kind=RoleKind.ORGANISER).exists()


def test_it_grants_a_role_to_a_new_person_who_logs_in_by_code(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assembly = AssemblyFactory(name="Nationaal Burgerberaad Drugsbeleid")
    with django_capture_on_commit_callbacks(execute=True):
        role = role_grant(assembly=assembly, email="Anna@Example.ORG", kind=RoleKind.MEMBER)
    user = User.objects.get(pk=role.user_id)
    assert user.email == "anna@example.org"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna@example.org"]
    assert "Nationaal Burgerberaad Drugsbeleid" in mail.outbox[0].subject
    assert "code" in mail.outbox[0].body


def test_it_tells_staff_to_set_a_password(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(assembly=AssemblyFactory(), email="chair@example.org", kind=RoleKind.CHAIR)
    assert "Wachtwoord vergeten" in mail.outbox[0].body


def test_it_gives_one_person_roles_in_two_assemblies() -> None:
    first, second = AssemblyFactory(), AssemblyFactory()
    role_grant(assembly=first, email="p@example.org", kind=RoleKind.MEMBER, notify=False)
    role_grant(assembly=second, email="p@example.org", kind=RoleKind.EXPERT, notify=False)
    user = User.objects.get(email="p@example.org")
    assert set(user.roles.values_list("kind", flat=True)) == {"member", "expert"}


def test_it_does_not_duplicate_a_role_granted_twice(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assembly = AssemblyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(assembly=assembly, email="p@example.org", kind=RoleKind.MEMBER)
        role_grant(assembly=assembly, email="P@example.org", kind=RoleKind.MEMBER)
    assert Role.objects.filter(assembly=assembly).count() == 1
    assert len(mail.outbox) == 1


def test_the_role_email_commits_with_the_role_and_survives_a_queue_outage(
    django_capture_on_commit_callbacks: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from assembly.models import OutboxEmail
    from assembly.outbox import outbox_sweep
    from assembly.tasks import outbox_send_task

    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(outbox_send_task, "apply_async", redis_down)
    # A citizen's "yes" grants the member role: no error page while Redis is down.
    with django_capture_on_commit_callbacks(execute=True):
        role = role_grant(assembly=AssemblyFactory(), email="p@example.org", kind=RoleKind.MEMBER)
    assert mail.outbox == []
    waiting = OutboxEmail.objects.get(ref=f"assembly.Role:{role.pk}")
    assert waiting.sent_at is None and waiting.to == "p@example.org"
    role.refresh_from_db()
    assert role.notified_at is not None
    # The sweep sends it once.
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    assert [m.to for m in mail.outbox] == [["p@example.org"]]


def test_nothing_is_sent_for_a_role_granted_without_notice() -> None:
    from assembly.models import OutboxEmail

    role = role_grant(
        assembly=AssemblyFactory(), email="p@example.org", kind=RoleKind.MEMBER, notify=False
    )
    assert role.notified_at is None
    assert not OutboxEmail.objects.exists()


def test_the_role_email_is_written_in_the_persons_language(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from assembly.services import user_get_or_create

    user_get_or_create(email="en@example.org", full_name="Ann", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        role_grant(assembly=AssemblyFactory(), email="en@example.org", kind=RoleKind.EXPERT)
        role_grant(assembly=AssemblyFactory(), email="nl@example.org", kind=RoleKind.EXPERT)
    english = next(m for m in mail.outbox if m.to == ["en@example.org"])
    dutch = next(m for m in mail.outbox if m.to == ["nl@example.org"])
    assert english.body.startswith("Dear Ann") and "Log in:" in english.body
    assert dutch.body.startswith("Beste") and "Inloggen:" in dutch.body


def test_it_deletes_expired_sessions_and_keeps_live_ones() -> None:
    import datetime as _dt

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from assembly.tasks import sessions_clear_expired

    live, old = SessionStore(), SessionStore()
    live["answers"] = old["answers"] = {"houding": "Het mag soepeler"}
    live.create()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - _dt.timedelta(minutes=1)
    )
    sessions_clear_expired.delay()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
