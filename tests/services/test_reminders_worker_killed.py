"""Reminders when the worker dies mid-run: a real worker sends the reminder
of the day to 300 invitees through a slow SMTP server, is killed (SIGKILL)
in the middle, and a new worker takes the redelivered task over and finishes.

Nobody gets two. The one reminder that was in flight when the worker died
(claimed, no answer from the server yet) is not sent again; it is recorded
as uncertain, and it is the only one that may be missing."""

from __future__ import annotations

import datetime as dt
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from participants.models import Invitation, InvitationReminder
from participants.services import invitations as invitation_services
from participants.tasks import reminders_send_task
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents
from tests.services.conftest import Mailbox, Worker, stop_process, wait_for
from tests.services.test_invitation_run import (  # noqa: F401 (the slow server fixture)
    _start_second_worker,
    smtp_server,
)

pytestmark = pytest.mark.services

INVITEES = 300


def _invitees() -> tuple[int, list[str]]:
    assembly = AssemblyFactory(
        slug=f"herinner-{uuid.uuid4().hex[:6]}",
        registration_deadline=timezone.localdate() + dt.timedelta(days=2),
    )
    make_residents(assembly, INVITEES, per_household=1)
    draw = invitation_services.invitation_draw(assembly=assembly, count=INVITEES, seed="herinner")
    # E-mailed a week ago: a reminder never comes within two days of the invitation.
    Invitation.objects.filter(draw=draw).update(
        status=Invitation.Status.EMAILED, emailed_at=timezone.now() - dt.timedelta(days=7)
    )
    addresses = sorted(
        Invitation.objects.filter(draw=draw).values_list("resident__email", flat=True)
    )
    return assembly.pk, addresses


def _received(mailbox: Mailbox) -> Counter[str]:
    with mailbox.lock:
        return Counter(str(message["To"]) for message in mailbox.messages)


def test_every_invitee_gets_the_reminder_once_when_the_worker_is_killed(
    celery_worker: Worker,
    smtp_server: tuple[Mailbox, int],  # noqa: F811
    tmp_path: Path,
) -> None:
    mailbox, smtp_port = smtp_server
    assembly_id, addresses = _invitees()
    reminders_send_task.apply_async(args=(assembly_id, [7, 2]))
    reminders = InvitationReminder.objects.filter(invitation__assembly_id=assembly_id)

    wait_for(lambda: len(mailbox.messages) >= 60, timeout=60, what="the reminders to be under way")
    celery_worker.process.send_signal(signal.SIGKILL)
    celery_worker.process.wait(timeout=10)
    before = len(mailbox.messages)
    assert 0 < before < INVITEES, "the kill must land in the middle of the run"

    second = _start_second_worker(celery_worker.queue, smtp_port, tmp_path / "worker-2.log")
    try:
        wait_for(
            lambda: (
                reminders.count() == INVITEES
                and reminders.filter(delivered=True).count() >= INVITEES - 1
            ),
            timeout=120,
            what="the second worker to go through everyone",
        )
        time.sleep(1)  # the last one may still be on its way to the server
    finally:
        stop_process(second)

    received = _received(mailbox)
    assert {address: n for address, n in received.items() if n > 1} == {}, "nobody got two"
    assert reminders.count() == INVITEES, "the run went through everyone"
    uncertain = set(
        reminders.filter(delivered=False).values_list("invitation__resident__email", flat=True)
    )
    assert len(uncertain) <= 1, "only the reminder in flight at the kill is uncertain"
    missing = set(addresses) - set(received)
    assert missing <= uncertain, "a missing reminder is one counted as uncertain"
    assert len(received) >= INVITEES - 1
