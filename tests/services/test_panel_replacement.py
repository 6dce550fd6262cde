"""After the draw, through Redis, a real Celery worker and a real SMTP server:
notifications arrive once each even when their tasks run twice, and a
replacement drawn by LEXIMIN on the worker keeps every quota."""

from __future__ import annotations

import pytest
from celery.result import AsyncResult

from assembly.models import OutboxEmail
from assembly.tasks import outbox_send_task
from participants.models import PanelMember, Replacement, SelectionRun
from participants.services import panel as services
from tests.participants.test_panel import Panel, draw_in_public, make_panel
from tests.services.conftest import Mailbox, Worker, wait_for


def _addresses(numbers: list[int], panel: Panel) -> list[str]:
    return [panel.people[n].email for n in numbers]


def test_notifications_arrive_once_each_even_when_sent_twice(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int]
) -> None:
    mailbox, _port = smtp_server
    panel = make_panel()
    notified = services.panel_notify_start(assembly=panel.assembly, actor=None, response_days=10)
    assert (notified.people, notified.by_email) == (6, 6)
    wanted = _addresses([0, 1, 2, 3, 4, 5], panel)
    wait_for(lambda: all(mailbox.to(a) for a in wanted), what="the six e-mails")
    # Each again, and each outbox send again on the worker, as after a
    # redelivered message: nothing new.
    for member in PanelMember.objects.filter(assembly=panel.assembly):
        assert services.panel_member_notify(member_id=member.pk) is False
    emails = OutboxEmail.objects.filter(kind="panel.panel_notification")
    assert emails.count() == 6
    again = [outbox_send_task.apply_async((e.pk,), ignore_result=False) for e in emails]
    assert [AsyncResult(r.id, backend=celery_worker.results).get(timeout=30) for r in again] == [
        0
    ] * 6
    assert [len(mailbox.to(a)) for a in wanted] == [1] * 6
    assert PanelMember.objects.filter(notified_at__isnull=True).count() == 0
    member_mail = mailbox.to(panel.people[0].email)[0]
    assert "ingeloot" in str(member_mail["Subject"])
    alternate_mail = mailbox.to(panel.people[5].email)[0]
    assert "reservelijst" in str(alternate_mail["Subject"])


def test_a_replacement_drawn_on_the_worker_keeps_every_quota(
    celery_worker: Worker, smtp_server: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    mailbox, _port = smtp_server
    # Every pool goes to the worker, however small.
    monkeypatch.setattr(services, "INLINE_POOL_LIMIT", 0)
    # Both alternates are women; a man leaves: the alternates cannot keep the quota.
    panel = make_panel(size=40, alternates=(4, 6))
    services.panel_member_withdraw(member=panel.member(1), reason="verhuisd", actor=None)
    replacement = services.replacement_propose(
        assembly=panel.assembly, dropped_members=[panel.member(1)], actor=None
    )
    assert replacement.method == Replacement.Method.LEXIMIN
    assert replacement.status == Replacement.Status.PENDING

    def decided() -> bool:
        replacement.refresh_from_db()
        return replacement.status != Replacement.Status.PENDING

    wait_for(decided, timeout=120, what="the worker to compute the replacement's tickets")
    replacement = draw_in_public(replacement)
    assert replacement.status == Replacement.Status.PROPOSED, replacement.problem
    assert replacement.run is not None
    replacement.run.refresh_from_db()
    assert replacement.run.status == SelectionRun.Status.DONE
    assert replacement.run.progress == 100
    (chosen,) = replacement.proposed
    men = {panel.pid(n) for n in range(5, 40, 2)} - {panel.pid(1)}
    assert chosen in men
    lines = services.replacement_quota_lines(replacement=replacement)
    assert lines and all(line.holds for line in lines)

    services.replacement_confirm(replacement=replacement, actor=None)
    newcomer = PanelMember.objects.get(registration_id=int(chosen))
    assert newcomer.kind == PanelMember.Kind.MEMBER
    assert newcomer.replaces == panel.member(1)
    wait_for(
        lambda: len(mailbox.to(newcomer.registration.email)) == 1, what="the new member's mail"
    )
    assert "ingeloot" in str(mailbox.to(newcomer.registration.email)[0]["Subject"])
