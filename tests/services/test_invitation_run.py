"""An e-mail run of 500 invitations through Redis, real Celery workers and a real SMTP server.

The second test kills the worker (SIGKILL) in the middle of the run, starts a
new one, and checks that every invitee got exactly one e-mail.

Where the kill lands matters. A batch of e-mails is claimed in a transaction
that stays open while the messages go to the server, and is committed just
before the final dots are written (assembly/mail_sending.py). A kill before
that commit leaves the batch unclaimed, so the next worker sends it: exactly
once. A kill in the few writes between the commit and the last dot loses
those e-mails, by design: SMTP offers no way to learn whether the server took
a message, and a second e-mail is the worse mistake (the printed letter still
reaches everyone). The test used to kill "when 120 e-mails had arrived"; an
arrival wakes the server's thread, which on a busy machine could take the CPU
from the worker between two of its dots, so the kill fell in that window about
once in fifteen runs. The server now holds the worker at a known point of the
run instead: it keeps back its answer to a recipient once 120 e-mails have
arrived, with the batch claimed and not committed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from participants.models import Invitation, InvitationRun
from participants.services import invitations as services
from tests.factories import AssemblyFactory
from tests.participants.test_invitations import make_residents
from tests.services.conftest import (
    ROOT,
    Mailbox,
    Worker,
    _test_database_url,
    serving_smtp,
    stop_process,
    wait_for,
)

RUN_SIZE = 500


@dataclass
class SlowMailbox(Mailbox):
    """A mail server that takes a few milliseconds per message, as real ones do.

    It stretches a run of 500 to a few seconds, so the test can kill the worker
    in the middle of it. Like a real mail server (and like the plain Mailbox),
    it has the message once it has read the final dot; the delay comes after,
    before its reply.

    With ``hold_from`` set, the first recipient named after that many messages
    gets no answer: the sender waits there, with its batch claimed in an open
    transaction, until it is killed (the lost connection ends the wait).
    """

    hold_from: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(0.006)
        return reply

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.hold_from is not None and len(self.messages) >= self.hold_from:
            self.holding.set()
            await asyncio.Event().wait()
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    # Overrides the conftest's server for this module, so the worker fixture uses this one.
    mailbox = SlowMailbox()
    with serving_smtp(mailbox) as port:
        yield mailbox, port


_SECOND_WORKER = """
import sys
from config.celery_app import app
# Messages a dead worker had taken come back after 3 s instead of the default hour.
app.conf.broker_transport_options = {
    "visibility_timeout": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.worker_main(sys.argv[1:])
"""


def _start_second_worker(
    queue: str, smtp_port: int, log: Path
) -> subprocess.Popen[bytes]:
    from config.celery_app import app

    node = f"{queue}-2@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-c", _SECOND_WORKER, "worker", "--pool", "solo", "--queues", queue,
             "--hostname", node, "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"second worker exited early:\n{log.read_text()}")
        if app.control.ping(destination=[node], timeout=0.5):
            return process
    process.kill()
    pytest.fail(f"second worker did not answer within 60 s:\n{log.read_text()}")


def _start_run(count: int) -> tuple[InvitationRun, list[str]]:
    assembly = AssemblyFactory(slug=f"run-{uuid.uuid4().hex[:6]}")
    make_residents(assembly, count, per_household=1)
    draw = services.invitation_draw(assembly=assembly, count=count, seed="service-tier")
    addresses = sorted(
        Invitation.objects.filter(draw=draw).values_list("resident__email", flat=True)
    )
    run = services.invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)
    return run, addresses


def _run_status(run: InvitationRun) -> str:
    run.refresh_from_db()
    return run.status


def _received(mailbox: Mailbox) -> Counter[str]:
    with mailbox.lock:
        return Counter(str(message["To"]) for message in mailbox.messages)


def test_it_sends_a_run_of_500_through_redis_and_a_worker(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp_server
    run, addresses = _start_run(RUN_SIZE)

    wait_for(lambda: _run_status(run) == InvitationRun.Status.DONE, timeout=120,
             what="the run to finish")

    received = _received(mailbox)
    assert sorted(received) == addresses
    assert set(received.values()) == {1}
    assert (run.done, run.total) == (RUN_SIZE, RUN_SIZE)
    assert Invitation.objects.filter(
        draw=run.draw, status=Invitation.Status.EMAILED, emailed_at__isnull=False
    ).count() == RUN_SIZE


def test_it_sends_everyone_exactly_one_email_when_the_worker_is_killed(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int], tmp_path: Path
) -> None:
    mailbox, smtp_port = smtp_server
    assert isinstance(mailbox, SlowMailbox)
    mailbox.hold_from = 120
    run, addresses = _start_run(RUN_SIZE)

    wait_for(mailbox.holding.is_set, timeout=60, what="the run to be under way")
    celery_worker.process.send_signal(signal.SIGKILL)
    celery_worker.process.wait(timeout=10)
    mailbox.hold_from = None
    sent_before_kill = len(mailbox.messages)
    assert 0 < sent_before_kill < RUN_SIZE, "the kill must land in the middle of the run"
    assert _run_status(run) == InvitationRun.Status.RUNNING
    # The killed worker's open claim was rolled back with its connection.
    claimed = Invitation.objects.filter(draw=run.draw, emailed_at__isnull=False).count()
    assert claimed == sent_before_kill

    second = _start_second_worker(celery_worker.queue, smtp_port, tmp_path / "worker-2.log")
    try:
        wait_for(lambda: _run_status(run) == InvitationRun.Status.DONE, timeout=120,
                 what="the new worker to finish the run")
    finally:
        stop_process(second)

    received = _received(mailbox)
    assert sorted(received) == addresses, "everyone got an e-mail"
    doubles = {address: n for address, n in received.items() if n > 1}
    assert doubles == {}, "nobody got two"
    assert len(mailbox.messages) == RUN_SIZE
    assert run.done == RUN_SIZE
