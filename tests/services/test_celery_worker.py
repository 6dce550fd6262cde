"""A task travels through Redis to a real worker, and its result reaches the database."""

from __future__ import annotations

from celery.result import AsyncResult
from django.db import transaction

from assembly.models import OutboxEmail, Role, RoleKind
from assembly.services import role_grant
from assembly.tasks import outbox_send_task
from tests.factories import AssemblyFactory
from tests.services.conftest import Mailbox, Worker, wait_for


def test_it_sends_the_role_email_through_redis_and_a_worker(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp_server
    assembly = AssemblyFactory(slug="drugsbeleid", name="Nationaal Burgerberaad Drugsbeleid")

    role = role_grant(
        assembly=assembly, email="Nieuwe.Deskundige@Example.org", kind=RoleKind.EXPERT
    )

    def notified() -> bool:
        return Role.objects.filter(pk=role.pk, notified_at__isnull=False).exists()

    wait_for(notified, what="the worker to mark the role as notified")
    wait_for(lambda: len(mailbox.to("nieuwe.deskundige@example.org")) == 1, what="the e-mail")
    message = mailbox.to("nieuwe.deskundige@example.org")[0]
    assert "Nationaal Burgerberaad Drugsbeleid" in str(message["Subject"])
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "/accounts/login/" in body.decode()


def test_it_sends_once_when_the_task_runs_twice(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp_server
    assembly = AssemblyFactory(slug="klimaat")
    role = role_grant(assembly=assembly, email="voorzitter@example.org", kind=RoleKind.CHAIR)
    wait_for(lambda: len(mailbox.to("voorzitter@example.org")) == 1, what="the first e-mail")

    # The same send again, as after a redelivered message: the outbox row is sent.
    email = OutboxEmail.objects.get(ref=f"assembly.Role:{role.pk}")
    second = outbox_send_task.apply_async((email.pk,), ignore_result=False)

    assert AsyncResult(second.id, backend=celery_worker.results).get(timeout=30) == 0
    assert len(mailbox.to("voorzitter@example.org")) == 1


def test_it_never_queues_a_task_for_a_rolled_back_grant(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp_server
    assembly = AssemblyFactory(slug="wonen")

    class Abort(Exception):
        pass

    try:
        with transaction.atomic():
            role_grant(assembly=assembly, email="weg@example.org", kind=RoleKind.MEMBER)
            raise Abort
    except Abort:
        pass
    # A grant that does commit, queued after the aborted one, proves the
    # worker has drained the queue past the point where the first would be.
    role_grant(assembly=assembly, email="blijft@example.org", kind=RoleKind.MEMBER)
    wait_for(lambda: len(mailbox.to("blijft@example.org")) == 1, what="the committed e-mail")
    assert mailbox.to("weg@example.org") == []
    assert not Role.objects.filter(user__email="weg@example.org").exists()
