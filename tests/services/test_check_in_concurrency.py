"""Two desks check the same member in at the same moment, on real PostgreSQL,
each from a thread with its own connection (as two web workers would: two
phones scan the member's QR code, or one scans while the other taps the
list).

The second desk's insert waits on the unique (member, day) index until the
first commits; it must then find that check-in and say "was al aangemeld",
not fail with an error at the door, and the day counts once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assembly.models import AuditEvent
from participants.models import CheckIn
from participants.services.attendance import (
    AttendanceRefused,
    check_in_record,
    check_in_times_set,
    check_in_undo,
)
from tests.factories import AssemblyFactory, WeekendFactory
from tests.participants.test_attendance import confirmed_members


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone() is not None


def test_two_desks_checking_in_the_same_member_at_once_count_one_day(
    transactional_db: None,
) -> None:
    assembly = AssemblyFactory()
    today = timezone.localdate()
    WeekendFactory(assembly=assembly, number=1, starts_on=today, ends_on=today)
    member = confirmed_members(assembly, 1)[0]
    first_done = threading.Event()
    release_first = threading.Event()
    pids: dict[str, int] = {}

    def desk(name: str) -> bool:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[name] = cursor.fetchone()[0]
            with transaction.atomic():
                _check_in, created = check_in_record(member=member, day=today, actor=None)
                if name == "first":
                    first_done.set()
                    assert release_first.wait(20)
            return created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(desk, "first")
        assert first_done.wait(20)
        second = pool.submit(desk, "second")
        deadline = time.monotonic() + 20
        while not ("second" in pids and _waiting_for_a_lock(pids["second"])):
            if second.done() or time.monotonic() > deadline:
                pytest.fail(f"the second desk did not wait: {second.result()}")
            time.sleep(0.02)
        release_first.set()
        results = (first.result(timeout=20), second.result(timeout=20))

    assert results == (True, False)
    assert CheckIn.objects.filter(member=member, day=today).count() == 1
    assert AuditEvent.objects.filter(action="attendance.checked_in").count() == 1


def test_saving_times_while_another_desk_takes_the_check_in_back_says_so(
    transactional_db: None,
) -> None:
    """One desk takes a check-in back (it holds the row) while another saves
    the member's times: the second desk waits, then hears that the check-in
    was just taken back, instead of an error page."""
    assembly = AssemblyFactory()
    today = timezone.localdate()
    WeekendFactory(assembly=assembly, number=1, starts_on=today, ends_on=today)
    member = confirmed_members(assembly, 1)[0]
    check_in_record(member=member, day=today, actor=None)
    undo_done = threading.Event()
    release_undo = threading.Event()
    pids: dict[str, int] = {}

    def undo() -> bool:
        try:
            with transaction.atomic():
                undone = check_in_undo(member=member, day=today, actor=None)
                undo_done.set()
                assert release_undo.wait(20)
            return undone
        finally:
            connection.close()

    def times() -> str:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids["times"] = cursor.fetchone()[0]
            try:
                check_in_times_set(
                    member=member,
                    day=today,
                    arrived_late_at=dt.time(10, 15),
                    left_early_at=None,
                    note="",
                    actor=None,
                )
            except AttendanceRefused as refused:
                return str(refused)
            return "saved"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(undo)
        assert undo_done.wait(20)
        second = pool.submit(times)
        deadline = time.monotonic() + 20
        while not ("times" in pids and _waiting_for_a_lock(pids["times"])):
            if second.done() or time.monotonic() > deadline:
                pytest.fail(f"saving the times did not wait: {second.result()}")
            time.sleep(0.02)
        release_undo.set()
        results = (first.result(timeout=20), second.result(timeout=20))

    assert results[0] is True
    assert results[1].startswith("Deze aanmelding is net weggehaald")
    assert not CheckIn.objects.filter(member=member, day=today).exists()
    assert not AuditEvent.objects.filter(action="attendance.times_noted").exists()
