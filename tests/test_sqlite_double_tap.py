"""The demo's database (SQLite) takes a double tap: two writes at once queue
instead of failing with "database is locked", a server error after the first
had saved.

Runs a separate process on a file database with the project's settings, two
threads each reading and then writing in one transaction, the way a form post
does. The same run with SQLite's default (deferred) transactions fails, so
the test shows the settings are what makes the difference."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_TWO_TAPS = textwrap.dedent(
    """
    import os, sys, threading, time
    sys.path.insert(0, os.getcwd())
    import django
    django.setup()
    from django.conf import settings
    from django.db import OperationalError, connection, transaction

    if sys.argv[1] == "deferred":
        settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE taps (n integer)")
    errors = []

    def tap(delay):
        time.sleep(delay)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM taps")
                time.sleep(0.3)
                cursor.execute("INSERT INTO taps VALUES (1)")
                time.sleep(0.3)
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(delay,)) for delay in (0, 0.1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM taps")
        print(cursor.fetchone()[0], errors)
    """
)


def _two_taps(tmp_path: Path, mode: str) -> str:
    database = tmp_path / f"{mode}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", _TWO_TAPS, mode],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return result.stdout.strip()


def test_two_writes_at_once_both_save(tmp_path: Path) -> None:
    assert _two_taps(tmp_path, "settings") == "2 []"


def test_without_the_setting_the_second_write_fails(tmp_path: Path) -> None:
    assert _two_taps(tmp_path, "deferred") == "1 ['database is locked']"
