"""Redis down while citizens register: the registration succeeds, its
confirmation e-mail waits in the outbox, and goes out exactly once when the
queue is back and the beat's sweep runs on a real worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from celery.result import AsyncResult
from django.test import Client

from assembly.models import OutboxEmail
from assembly.tasks import outbox_sweep_task
from config.celery_app import app
from participants.models import Invitation
from tests.conftest import Cast
from tests.participants.test_registration import (  # noqa: F401 (a fixture)
    CaptureCallbacks,
    invitation,
    register,
)
from tests.services.conftest import Mailbox, Worker, wait_for

pytestmark = pytest.mark.services

# A port nothing listens on: connecting is refused at once, as with Redis stopped.
DEAD_BROKER = "redis://127.0.0.1:9/0"


def _use_broker(url: str) -> None:
    """Point this process's Celery app at ``url``. (kombu keeps one pool per
    broker address, so the old one is there again when the address comes back.)"""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[Callable[[], None]]:
    """The web side loses its broker (the worker keeps its own); calling the
    fixture's value brings it back."""
    previous = app.conf.broker_url
    _use_broker(DEAD_BROKER)
    try:
        yield lambda: _use_broker(previous)
    finally:
        _use_broker(previous)


def test_registration_succeeds_and_its_email_goes_out_once_when_redis_is_back(
    cast: Cast,
    invitation: Invitation,  # noqa: F811
    celery_worker: Worker,
    smtp_server: tuple[Mailbox, int],
    django_capture_on_commit_callbacks: CaptureCallbacks,
    broker_down: Callable[[], None],
) -> None:
    mailbox, _port = smtp_server
    registration = register(Client(), cast.assembly, django_capture_on_commit_callbacks)
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.REGISTERED
    waiting = OutboxEmail.objects.get(ref=f"participants.Registration:{registration.pk}")
    assert waiting.sent_at is None and mailbox.to(registration.email) == []

    broker_down()  # Redis is back: the beat's sweep runs on the worker.
    outbox_sweep_task.delay()
    wait_for(lambda: len(mailbox.to(registration.email)) == 1, what="the confirmation e-mail")
    again = outbox_sweep_task.apply_async(ignore_result=False)
    assert AsyncResult(again.id, backend=celery_worker.results).get(timeout=30) == 0
    assert len(mailbox.to(registration.email)) == 1
    waiting.refresh_from_db()
    assert waiting.sent_at is not None and waiting.body == ""
