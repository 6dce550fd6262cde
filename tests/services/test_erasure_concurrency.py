"""Erasure on request and a withdrawal of the same person at the same moment,
on real PostgreSQL, each from a thread with its own connection (as two web
workers would: the organiser erases while the person clicks their private
link).

Both take the assembly's row lock before the registration's, as a run start
and the pool purge do, so one waits for the other and both finish. Erasure
used to write the registration (and a member's seat) first and ask for the
assembly last, inside ``selection_runs_remove_respondent``: with a withdrawal
holding the assembly and waiting for the registration, PostgreSQL found a
deadlock and aborted one of them.

The order is forced: a third connection holds the assembly's lock until both
are queued behind it, in the order the test names.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from assembly.models import Assembly
from participants.models import Invitation, PanelMember, Registration
from participants.selectors_selection import pool_registrations
from participants.services.registration import registration_withdraw
from recommendations.privacy import subject_find
from recommendations.services.privacy import subject_erase
from tests.participants.test_panel import make_panel

# make_panel: people 0-2 on the panel, 3 an alternate, 4-5 never drawn.
UNDRAWN, MEMBER = 4, 0


def _waiting_for_a_lock(pid: int) -> bool:
    # pg_locks is read live (pg_stat_activity would be a snapshot inside a transaction).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone() is not None


def _wait_until_waiting(pids: dict[str, int], name: str, future: Future[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if future.done():
            pytest.fail(f"{name} did not wait for the assembly's lock: {future.result()}")
        if name in pids and _waiting_for_a_lock(pids[name]):
            return
        time.sleep(0.02)
    pytest.fail(f"{name} never waited for a lock")


@pytest.mark.parametrize("first", ["withdrawal", "erasure"])
@pytest.mark.parametrize("person", [UNDRAWN, MEMBER], ids=["never drawn", "member"])
def test_an_erasure_and_a_withdrawal_at_once_wait_for_each_other(
    transactional_db: None, first: str, person: int
) -> None:
    panel = make_panel(size=6, panel=(0, 1, 2), alternates=(3,))
    assembly = panel.assembly
    registration = panel.people[person]
    subject = subject_find(assembly=assembly, email=registration.email)
    pids: dict[str, int] = {}

    def erase() -> None:
        subject_erase(subject=subject, actor=None, reason="verzoek")

    def withdraw() -> None:
        registration_withdraw(registration_id=registration.pk)

    steps: dict[str, Callable[[], None]] = {"erasure": erase, "withdrawal": withdraw}
    order = [first, *(name for name in steps if name != first)]

    def run(name: str) -> str:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[name] = cursor.fetchone()[0]
            steps[name]()
            return "ok"
        except Exception as error:  # a deadlock arrives as a DatabaseError
            return f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures: dict[str, Future[str]] = {}
        with transaction.atomic():
            Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
            for name in order:
                futures[name] = pool.submit(run, name)
                _wait_until_waiting(pids, name, futures[name])
            # Both wait for the assembly and neither holds the person's rows yet.
            with transaction.atomic():
                Registration.objects.select_for_update(nowait=True).get(pk=registration.pk)
                PanelMember.objects.select_for_update(nowait=True).filter(
                    registration=registration
                ).first()
        outcomes = {name: future.result(timeout=60) for name, future in futures.items()}

    assert outcomes == {"withdrawal": "ok", "erasure": "ok"}
    registration.refresh_from_db()
    assert registration.email.startswith("gewist-") and registration.full_name == ""
    assert registration not in pool_registrations(assembly=assembly)
    assert Invitation.objects.get(pk=registration.invitation_id).status == (
        Invitation.Status.DECLINED
    )
    if person == UNDRAWN:
        assert registration.status == Registration.Status.WITHDRAWN
        assert registration.attitude_answers == {}
        assert not PanelMember.objects.filter(registration=registration).exists()
    else:
        # Withdrawn by the link before or after the erasure: the seat is open either way.
        assert panel.member(MEMBER).status == PanelMember.Status.WITHDRAWN
