"""A lottery run killed at the hard time limit is not started again without
end: a task that takes over a run whose whole time is used up ends it with the
time-limit message instead of computing it afresh (and being killed again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from assembly.models import Assembly
from participants.models import Replacement, SelectionRun
from participants.services import panel as panel_services
from participants.services import selection as services
from tests.factories import AssemblyFactory
from tests.participants.test_panel import make_panel
from tests.participants.test_selection import make_pool, make_quotas

HOUR = 3600


def _as_if_its_worker_died(run: SelectionRun, *, began_hours_ago: float) -> None:
    """The run was claimed `began_hours_ago`, and its claim has gone stale."""
    now = timezone.now()
    SelectionRun.objects.filter(pk=run.pk).update(
        status=SelectionRun.Status.RUNNING,
        started_at=now - dt.timedelta(hours=began_hours_ago),
        claimed_at=now - services.CLAIM_LEASE - dt.timedelta(seconds=1),
    )


def _queued_panel_run(capture: Any) -> SelectionRun:
    assembly: Assembly = AssemblyFactory(members_target=10, alternates_target=0)
    make_pool(assembly, 40)
    make_quotas(assembly, 10)
    with capture(execute=False):
        run = services.selection_run_start(assembly=assembly, actor=None)
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.QUEUED
    return run


def test_a_run_taken_over_after_its_whole_time_ends_with_the_time_limit_message(
    db: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LOTTERY_TIME_LIMIT = 6 * HOUR
    run = _queued_panel_run(django_capture_on_commit_callbacks)
    _as_if_its_worker_died(run, began_hours_ago=6.2)

    outcome = services.selection_run_execute(run_id=run.pk)

    assert outcome.state == "failed"
    run.refresh_from_db()
    assert run.status == SelectionRun.Status.FAILED
    assert run.error["code"] == "time_limit"
    assert "360 minuten" in run.error["nl"]
    assert run.record is None
    # The sweep does not send it again.
    assert services.selection_runs_requeue(now=timezone.now() + dt.timedelta(hours=1)) == []


def test_a_run_taken_over_with_time_left_is_computed_afresh(
    db: None, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LOTTERY_TIME_LIMIT = 6 * HOUR
    run = _queued_panel_run(django_capture_on_commit_callbacks)
    _as_if_its_worker_died(run, began_hours_ago=1)

    assert services.selection_run_execute(run_id=run.pk).state == "done"

    run.refresh_from_db()
    assert run.status == SelectionRun.Status.DONE
    assert run.record is not None


def test_the_first_claim_marks_when_the_run_began(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    run = _queued_panel_run(django_capture_on_commit_callbacks)
    before = timezone.now()
    services.selection_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.started_at is not None and run.started_at >= before
    assert run.status == SelectionRun.Status.DONE


def test_a_replacement_out_of_time_says_so_instead_of_waiting(
    db: None,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.LOTTERY_TIME_LIMIT = 2 * HOUR
    monkeypatch.setattr(panel_services, "INLINE_POOL_LIMIT", 0)
    panel = make_panel(alternates=(4, 6))
    panel_services.panel_member_withdraw(member=panel.member(1), reason="stop", actor=None)
    with django_capture_on_commit_callbacks(execute=False):
        replacement = panel_services.replacement_propose(
            assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
        )
    assert replacement.run is not None
    _as_if_its_worker_died(replacement.run, began_hours_ago=2.5)

    # The sweep finds it (its claim is stale) and the task ends it.
    assert panel_services.replacement_runs_requeue() == [replacement.pk]

    replacement.refresh_from_db()
    assert replacement.status == Replacement.Status.IMPOSSIBLE
    assert replacement.problem["code"] == "time_limit"
    assert "120 minuten" in replacement.problem["nl"]
    assert panel_services.open_seats(assembly=panel.assembly) == [panel.member(1)]
