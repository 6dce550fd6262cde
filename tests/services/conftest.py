"""The service tier: real PostgreSQL, Redis, a Celery worker process and an SMTP server.

Runs when DATABASE_URL points at PostgreSQL and CELERY_BROKER_URL at Redis:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make test
Without them it is skipped; with REQUIRE_SERVICES=1 a skip is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from celery._state import _set_task_join_will_block
from celery.app.backends import by_url
from django.db import connection

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/services/" in str(item.fspath):
            item.add_marker(pytest.mark.services)


@pytest.fixture(autouse=True)
def _services_required() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not broker_url.startswith(
        "redis://"
    ):
        skip_or_fail(
            "service tier needs PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
            "CELERY_BROKER_URL=redis://... (see README, 'Tests')",
            "REQUIRE_SERVICES",
        )


@pytest.fixture(autouse=True)
def _test_process_is_not_a_task() -> None:
    """Celery keeps "we are inside a task, never wait for a result" in one
    process-wide flag. An eager task run (CELERY_TASK_ALWAYS_EAGER) sets it and
    puts back what it found; two runs at once in a live server's threads (the
    browser tests) can put back each other's value and leave it set. The test
    process then waits for a real worker's result as a client, not as a task."""
    _set_task_join_will_block(False)


@dataclass
class Mailbox:
    """What the SMTP server received."""

    messages: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving_smtp(mailbox: Mailbox) -> Iterator[int]:
    """A real SMTP server on a free loopback port that hands each message to `mailbox`."""
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    with serving_smtp(mailbox) as port:
        yield mailbox, port


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    queue: str
    log: Path
    # The worker's result store, for tests that wait on a task's return value.
    # (The app's own backend is cached from its first use, which may have been
    # an in-process test without one.)
    results: Any = None


def _test_database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def celery_worker(
    transactional_db: None, smtp_server: tuple[Mailbox, int], tmp_path: Path
) -> Iterator[Worker]:
    """A real Celery worker in its own process, on a queue of its own, on the test database."""
    from config.celery_app import app

    _mailbox, smtp_port = smtp_server
    queue = f"test-{uuid.uuid4().hex[:8]}"
    result_backend = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/15"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_RESULT_BACKEND": result_backend,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = tmp_path / "worker.log"
    node = f"{queue}@localhost"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
             "--queues", queue, "--hostname", node, "--without-gossip", "--without-mingle",
             "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    previous = (app.conf.task_default_queue, app.conf.result_backend, app.conf.task_ignore_result)
    app.conf.task_default_queue = queue
    app.conf.result_backend = result_backend
    app.conf.task_ignore_result = False
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker exited early:\n{log.read_text()}")
            if app.control.ping(destination=[node], timeout=0.5):
                break
        else:
            pytest.fail(f"worker did not answer within 60 s:\n{log.read_text()}")
        backend_cls, url = by_url(result_backend, app.loader)
        yield Worker(process=process, queue=queue, log=log, results=backend_cls(app=app, url=url))
    finally:
        stop_process(process)
        app.conf.task_default_queue, app.conf.result_backend, app.conf.task_ignore_result = previous


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker politely (SIGTERM: a warm shutdown), and kill it after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(condition: Any, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")
