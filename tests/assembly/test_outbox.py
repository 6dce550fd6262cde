"""The outbox: an e-mail commits with its change and goes out once."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Sequence

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from assembly.models import OutboxEmail
from assembly.outbox import GIVE_UP_AFTER, outbox_queue, outbox_send, outbox_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def _queue(to: str = "ria@example.org") -> OutboxEmail:
    with transaction.atomic():
        email = outbox_queue(to=to, subject="Bevestiging", body="Dank u.", kind="test", ref="x.Y:1")
    assert email is not None
    return email


def test_it_queues_nothing_for_an_erased_address() -> None:
    # An erased member can still hold a seat: reminders about it must not
    # go to the stand-in address, only to bounce.
    with transaction.atomic():
        assert outbox_queue(
            to="gewist-12@Invalid.Example", subject="Herinnering", body="B", kind="test"
        ) is None
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_it_sends_after_the_commit_and_erases_the_body() -> None:
    email = _queue()
    assert [m.to for m in mail.outbox] == [["ria@example.org"]]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1
    assert email.body == "" and email.failed_at is None


def test_nothing_is_sent_when_the_change_rolls_back() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_queue(to="a@example.org", subject="S", body="B", kind="test")
        raise RuntimeError("the registration failed")
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_second_send_and_the_sweep_send_nothing_again() -> None:
    email = _queue()
    assert outbox_send(ids=[email.pk]) == 0
    assert outbox_sweep() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_what_was_never_queued() -> None:
    # Written as the queue would leave it when Redis was down at the commit.
    waiting = OutboxEmail.objects.create(to="b@example.org", subject="S", body="B", kind="t")
    assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["b@example.org"]]
    waiting.refresh_from_db()
    assert waiting.sent_at is not None


class _Refusing:
    """A mail server that refuses (permanently or for now) every message."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def prepare(self, messages: Sequence[EmailMessage]) -> list[Exception | None]:
        return [self.error for _ in messages]

    def finish(self, indices: Sequence[int]) -> list[Exception | None]:
        return [None for _ in indices]

    def close(self) -> None:
        pass


@override_settings(EMAIL_BACKEND="tests.assembly.failing_mail.FailingBackend")
def test_a_mail_server_that_is_down_leaves_the_email_waiting() -> None:
    email = _queue()
    email.refresh_from_db()
    assert email.sent_at is None and email.failed_at is None
    assert email.attempts == 1 and email.last_error == "OSError"
    assert email.body == "Dank u."


def test_a_refused_address_is_marked_failed_and_never_retried() -> None:
    email = OutboxEmail.objects.create(to="x@example.org", subject="S", body="B", kind="t")
    refused = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})
    assert outbox_send(ids=[email.pk], sender_factory=lambda: _Refusing(refused)) == 0
    email.refresh_from_db()
    assert email.failed_at is not None and email.sent_at is None
    assert outbox_sweep() == 0
    assert mail.outbox == []


def test_a_full_mailbox_is_tried_again_until_it_has_room() -> None:
    """A 4xx for the address (a full mailbox, greylisting) is not a bounce."""
    email = OutboxEmail.objects.create(to="x@example.org", subject="S", body="B", kind="t")
    full = smtplib.SMTPRecipientsRefused({"x@example.org": (452, b"mailbox full")})
    assert outbox_send(ids=[email.pk], sender_factory=lambda: _Refusing(full)) == 0
    email.refresh_from_db()
    assert email.failed_at is None and email.sent_at is None
    assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["x@example.org"]]


def test_a_mail_server_outage_of_an_hour_loses_nothing() -> None:
    # The sweep runs every minute: an hour down means some sixty failed tries.
    email = OutboxEmail.objects.create(to="y@example.org", subject="S", body="B", kind="t")
    for _ in range(60):
        outbox_send(ids=[email.pk], sender_factory=lambda: _Refusing(OSError("down")))
    email.refresh_from_db()
    assert email.failed_at is None and email.sent_at is None
    assert email.attempts == 60 and email.last_error == "OSError"
    # The server is back: the next sweep delivers it, once.
    assert outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [["y@example.org"]]
    assert outbox_sweep() == 0


def test_it_gives_up_on_an_email_still_failing_after_a_day() -> None:
    email = OutboxEmail.objects.create(to="y@example.org", subject="S", body="B", kind="t")
    OutboxEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - GIVE_UP_AFTER - dt.timedelta(minutes=1)
    )
    outbox_send(ids=[email.pk], sender_factory=lambda: _Refusing(OSError("down")))
    email.refresh_from_db()
    assert email.failed_at is not None
    assert outbox_sweep() == 0
