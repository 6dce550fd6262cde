"""A selection run on 2,000 respondents through Redis and a real Celery worker,
then the commitment, a public draw, and the published record checked with
``verify_selection`` against the published inputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import RoleKind
from participants.models import PanelMember, SelectionRun
from participants.services import selection as services
from tests.factories import RoleFactory, give_totp
from tests.participants.test_selection import lottery_assembly
from tests.services.conftest import ROOT, Worker, _test_database_url, stop_process, wait_for

RESPONDENTS = 2_000
PANEL = 150
ALTERNATES = 25


def _status(run: SelectionRun, seen: set[int]) -> str:
    run.refresh_from_db()
    if run.status == SelectionRun.Status.RUNNING:
        seen.add(run.progress)
    return run.status


def test_it_runs_draws_and_verifies_a_lottery_of_2000(
    celery_worker: Worker, tmp_path: Path
) -> None:
    assembly = lottery_assembly(
        respondents=RESPONDENTS,
        panel=PANEL,
        alternates=ALTERNATES,
        slug=f"loting-{uuid.uuid4().hex[:6]}",
    )
    run = services.selection_run_start(
        assembly=assembly, actor=None, seed=2027, tickets=1000, compare_legacy=True
    )
    seen: set[int] = set()

    wait_for(
        lambda: _status(run, seen) in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED),
        timeout=600,
        what="the worker to finish the run",
    )

    assert run.status == SelectionRun.Status.DONE, (run.error, celery_worker.log.read_text())
    assert run.progress == 100 and run.claimed_at is not None
    assert run.record is not None and len(run.record["probabilities"]) == RESPONDENTS
    assert run.min_probability is not None and 0 < run.min_probability <= PANEL / RESPONDENTS
    assert run.legacy_summary is not None
    assert run.legacy_summary["min_probability"] <= run.min_probability + 1e-9
    assert "public_number" not in run.record

    run = services.selection_run_commit(run=run, actor=None)
    draw = services.selection_draw(
        run=run, number=31_415, how_drawn="Drie dobbelstenen, in het openbaar", actor=None
    )
    assert draw.ticket == 415
    assert PanelMember.objects.filter(draw=draw, kind=PanelMember.Kind.MEMBER).count() == PANEL
    alternates = PanelMember.objects.filter(draw=draw, kind=PanelMember.Kind.ALTERNATE)
    assert list(alternates.order_by("alternate_rank").values_list("alternate_rank", flat=True)) == (
        list(range(1, ALTERNATES + 1))
    )

    # Download what the public page offers, as anyone would, and the
    # respondents (not public: they hold everyone's answers) as the chair.
    chair = Client()
    chair_role = RoleFactory(assembly=assembly, kind=RoleKind.CHAIR)
    give_totp(chair_role.user)  # staff log in with a second step
    chair.force_login(chair_role.user)
    files: dict[str, Path] = {}
    for name, file_name, client in (
        ("selection_record", "verslag.json", Client()),
        ("selection_pool_file", "pool.csv", chair),
        ("selection_quota_file", "quota.csv", Client()),
    ):
        response = client.get(
            reverse(f"participants:{name}", kwargs={"slug": assembly.slug, "pk": run.pk})
        )
        assert response.status_code == 200, name
        files[name] = tmp_path / file_name
        files[name].write_bytes(response.content)

    out = StringIO()
    call_command(
        "verify_selection",
        str(files["selection_record"]),
        "--respondents",
        str(files["selection_pool_file"]),
        "--categories",
        str(files["selection_quota_file"]),
        stdout=out,
    )
    output = out.getvalue()
    assert "FOUT" not in output, output
    assert "Alles klopt" in output and "ticket 415" in output


_SECOND_WORKER = """
import sys
import datetime as dt
from config.celery_app import app
# Messages a dead worker had taken come back after 3 s instead of ten minutes,
# and a claim counts as stale after 2 s instead of three minutes.
app.conf.broker_transport_options = {
    "visibility_timeout": 3, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
import django
django.setup()
from participants import tasks_selection
from participants.services import selection
selection.CLAIM_LEASE = dt.timedelta(seconds=2)
tasks_selection.BUSY_RETRY_SECONDS = 1
app.worker_main(sys.argv[1:])
"""


def _start_second_worker(queue: str, log: Path) -> subprocess.Popen[bytes]:
    from config.celery_app import app

    node = f"{queue}-2@localhost"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _SECOND_WORKER,
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--hostname",
                node,
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"second worker exited early:\n{log.read_text()}")
        if app.control.ping(destination=[node], timeout=0.5):
            return process
    process.kill()
    pytest.fail(f"second worker did not answer within 60 s:\n{log.read_text()}")


def test_it_finishes_a_run_whose_worker_was_killed(celery_worker: Worker, tmp_path: Path) -> None:
    assembly = lottery_assembly(
        respondents=RESPONDENTS,
        panel=PANEL,
        alternates=ALTERNATES,
        slug=f"loting-{uuid.uuid4().hex[:6]}",
    )
    run = services.selection_run_start(
        assembly=assembly, actor=None, seed=5, tickets=1000, compare_legacy=True
    )
    seen: set[int] = set()
    wait_for(
        lambda: _status(run, seen) == SelectionRun.Status.RUNNING,
        timeout=60,
        what="the worker to start the run",
    )
    celery_worker.process.send_signal(signal.SIGKILL)
    celery_worker.process.wait(timeout=10)
    assert _status(run, seen) == SelectionRun.Status.RUNNING, "the kill must land mid-run"
    first_claim = run.claimed_at

    second = _start_second_worker(celery_worker.queue, tmp_path / "worker-2.log")
    try:
        wait_for(
            lambda: _status(run, seen) in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED),
            timeout=600,
            what="the new worker to finish the run",
        )
    finally:
        stop_process(second)

    assert run.status == SelectionRun.Status.DONE, (tmp_path / "worker-2.log").read_text()
    assert run.record is not None and run.legacy_summary is not None
    assert first_claim is not None and run.claimed_at is not None
    assert run.claimed_at > first_claim


def test_it_renews_the_claim_from_a_heartbeat_thread(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assembly = lottery_assembly(respondents=20, panel=4, alternates=1, slug="hartslag")
    claim = timezone.now()
    run = SelectionRun.objects.create(
        assembly=assembly,
        panel_size=4,
        quotas_csv="",
        pool_csv="",
        status=SelectionRun.Status.RUNNING,
        claimed_at=claim,
    )
    monkeypatch.setattr(services, "HEARTBEAT_EVERY", 0.05)
    writer = services.ProgressWriter(run.pk, claim)

    with services._Heartbeat(writer):
        wait_for(lambda: writer.claim > claim, timeout=10, what="a heartbeat")

    run.refresh_from_db()
    assert run.claimed_at == writer.claim and not writer.lost
