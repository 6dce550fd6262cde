"""Production refuses to start half-configured, and passes Django's deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD_KEY = "k" * 20 + "-production-secret-key-for-the-test-only-" + "x" * 20


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tier sets DJANGO_ALLOW_ASYNC_UNSAFE for its own process; a
    # production check must not inherit it (nor a key or hosts from outside).
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120, check=False,
    )


def test_it_refuses_production_without_a_secret_key() -> None:
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="burgerberaad.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_production_without_allowed_hosts() -> None:
    result = _manage("check", DJANGO_ENV="production", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_it_refuses_a_malformed_boolean() -> None:
    result = _manage("check", DEBUG="misschien")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_it_refuses_a_trusted_proxy_that_is_no_address() -> None:
    result = _manage("check", TRUSTED_PROXIES="127.0.0.1, proxy.internal")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "proxy.internal" in result.stderr


def test_it_passes_the_deploy_checks_in_production() -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="burgerberaad.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_it_sends_a_content_security_policy_without_unsafe_inline(client: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_scheduled_task_names_a_task_the_worker_knows(settings: object) -> None:
    # A typo in CELERY_BEAT_SCHEDULE fails silently at run time: beat sends a
    # name no worker has, and the sweep never runs.
    from config.celery_app import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}  # type: ignore[attr-defined]
    assert "participants.tasks_panel.replacement_runs_requeue_task" in scheduled
    assert scheduled - set(app.tasks) == set()


def test_a_silent_mail_server_times_out_in_production() -> None:
    # Without a timeout Django's SMTP sends wait for ever on a hung server.
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.EMAIL_TIMEOUT)",
        DJANGO_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="burgerberaad.example",
        EMAIL_HOST="smtp.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "30"
