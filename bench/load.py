"""Benchmark: the registration rush and a weekend's peak, against the whole stack.

gunicorn (sync workers) + PostgreSQL + Redis + a Celery worker + an SMTP
server (aiosmtpd, in this process), all on loopback. Two loads:

  rush    SIGNUPS complete sign-ups (code, six steps, check, done) by USERS
          concurrent simulated citizens, each with its own invitation code;
          the confirmation e-mails go through the outbox and the worker, and
          the run waits until every one has reached the SMTP server.
  peak    175 logged-in members opening "Mijn programma" and "Stukken" again
          and again for PEAK_SECONDS.
  ballot  150 of them voting in one secret electronic ballot at the same
          moment (ballot page, check page, cast); then the stored votes and
          marks are counted.

Each load is measured next to the bare view (same server, same middleware,
same number of concurrent users, in the same run). Prints p50 and p99 per
page, errors (any status other than the expected one, or a dropped
connection) and the e-mails counted. Target (issue 10): zero errors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/load.py [--signups 5000] [--users 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _postgres import create_database
from aiosmtpd.controller import Controller
from registration import (
    BENCH,
    CSRF_FIELD,
    ROOT,
    _code,
    _free_port,
    _request,
    _seed,
    _start_gunicorn,
)

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/12"
MEMBERS = 175
VOTERS = 150
RADIO = re.compile(r'name="(q_\w+)"[^>]*value="([^"]+)"')
WEEKEND = re.compile(r'name="weekends"[^>]*value="(\d+)"')
Timing = tuple[str, float, bool]  # page, seconds, as expected


class _Counter:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _env(smtp_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env.setdefault("CELERY_BROKER_URL", DEFAULT_BROKER)
    env["DJANGO_SETTINGS_MODULE"] = "registration_site"
    env["PYTHONPATH"] = f"{BENCH}{os.pathsep}{ROOT}"
    env["DB_CONN_MAX_AGE"] = "600"
    env["EMAIL_HOST"] = "127.0.0.1"
    env["EMAIL_PORT"] = str(smtp_port)
    env.pop("CACHE_URL", None)
    return env


def _seed_members(env: dict[str, str], cookie_file: Path) -> None:
    """175 confirmed members, checked in today, each with a logged-in session
    (written to cookie_file), and an open secret ballot for them."""
    script = f"""
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from assembly.models import Assembly, Role, RoleKind, User
from recommendations.services import ballots
from tests.recommendations.test_ballots import final_recommendation, rule, voters
assembly = Assembly.objects.get(slug="bench")
members = voters(assembly, {MEMBERS})
cookies = []
for member in members:
    Role.objects.get_or_create(user=member.user, assembly=assembly, kind=RoleKind.MEMBER)
    store = SessionStore()
    store[SESSION_KEY] = str(member.user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    store.create()
    cookies.append(store.session_key)
chair, _ = User.objects.get_or_create(email="voorzitter@bench.example")
Role.objects.get_or_create(user=chair, assembly=assembly, kind=RoleKind.CHAIR)
rule(assembly)
ballot = ballots.ballot_create_for_recommendation(
    assembly=assembly, recommendation=final_recommendation(assembly), method="electronic",
    actor=chair)
ballots.ballot_open(ballot=ballot, actor=chair)
open({str(cookie_file)!r}, "w").write(json.dumps({{"sessions": cookies, "ballot": ballot.number}}))
"""
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=600)


def _count_votes(env: dict[str, str]) -> tuple[int, int]:
    script = (
        "import django; django.setup(); "
        "from recommendations.models import ElectronicVote, VoterMark; "
        "print(ElectronicVote.objects.count(), VoterMark.objects.count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    votes, marks = result.stdout.split()
    return int(votes), int(marks)


def _vote_process(args: tuple[int, str, int, list[str]]) -> list[Timing]:
    """Each session votes once, all at the same time: ballot, check page, cast."""
    port, slug, ballot, sessions = args
    timings: list[Timing] = []
    path = f"/b/{slug}/stemmingen/{ballot}/"

    def voter(session: str) -> None:
        cookies = {"sessionid": session}
        page = _timed(timings, "ballot", port, "GET", path, cookies)
        token_match = CSRF_FIELD.search(page)
        body = urlencode(
            {"choice": "for", "csrfmiddlewaretoken": token_match.group(1) if token_match else ""}
        )
        _timed(timings, "vote check", port, "POST", path, cookies, body)
        _timed(timings, "vote cast", port, "POST", f"{path}stem/", cookies, body)

    workers = [threading.Thread(target=voter, args=(s,)) for s in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return timings


def _count_pending_outbox(env: dict[str, str]) -> int:
    script = (
        "import django; django.setup(); from assembly.models import OutboxEmail; "
        "print(OutboxEmail.objects.filter(sent_at__isnull=True).count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(result.stdout.strip())


def _timed(
    timings: list[Timing],
    page: str,
    port: int,
    method: str,
    path: str,
    cookies: dict[str, str],
    body: str | None = None,
    expect: int = 200,
) -> str:
    try:
        status, text, seconds = _request(port, method, path, cookies, body)
    except OSError:
        timings.append((page, 0.0, False))
        return ""
    timings.append((page, seconds, status == expect))
    return text


def _sign_up(port: int, code: str, number: int, timings: list[Timing]) -> None:
    cookies: dict[str, str] = {}
    text = _timed(timings, "code page", port, "GET", "/aanmelden/", cookies)
    token_match = CSRF_FIELD.search(text)
    token = token_match.group(1) if token_match else ""

    def post(page: str, path: str, data: dict[str, Any]) -> None:
        body = urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        _timed(timings, page, port, "POST", path, cookies, body, expect=302)

    post("code (POST)", "/aanmelden/", {"code": code, "action": "continue"})
    answers: dict[str, dict[str, Any]] = {
        "toestemming": {"consent": "on"},
        "gegevens": {
            "full_name": f"Burger {number}",
            "email": f"burger{number}@bench.example",
            "phone": "06 12345678",
        },
        "over-u": {
            "birth_date": "1980-05-17",
            "gender": "vrouw",
            "education": "midden",
            "province": "Utrecht",
            "urbanisation": "sterk",
            "migration_background": "geen",
        },
        "mening": {},
        "weekenden": {},
        "hulp": {"diet": "", "needs_other": ""},
    }
    for step, data in answers.items():
        path = f"/aanmelden/stap/{step}/"
        page = _timed(timings, "step", port, "GET", path, cookies)
        if step == "mening":
            data = dict(RADIO.findall(page)[:1])
        if step == "weekenden":
            data = {"weekends": WEEKEND.findall(page)[:3]}
        post("step (POST)", path, data)
    _timed(timings, "check page", port, "GET", "/aanmelden/controleren/", cookies)
    post("submit", "/aanmelden/controleren/", {})
    _timed(timings, "done page", port, "GET", "/aanmelden/klaar/", cookies)


def _rush_process(args: tuple[int, int, int, int, int]) -> list[Timing]:
    port, first_user, threads, users, signups = args
    timings: list[Timing] = []

    def user(number: int) -> None:
        for index in range(number, signups, users):
            _sign_up(port, _code(index), index, timings)

    workers = [threading.Thread(target=user, args=(first_user + t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return timings


def _loop_process(args: tuple[int, str, list[str], float]) -> list[Timing]:
    """Closed loop for `seconds`: each session opens each page, again and again."""
    port, slug, sessions, seconds = args
    timings: list[Timing] = []
    deadline = time.monotonic() + seconds

    def user(session: str) -> None:
        while time.monotonic() < deadline:
            if not session:
                _timed(timings, "bare", port, "GET", "/bench/bare/", {})
                continue
            cookies = {"sessionid": session}
            _timed(timings, "programme", port, "GET", f"/b/{slug}/programma/", cookies)
            _timed(timings, "materials", port, "GET", f"/b/{slug}/stukken/", cookies)

    workers = [threading.Thread(target=user, args=(s,)) for s in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return timings


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[p::parts] for p in range(parts)]


def _gather(pool: Any, work: Callable[[Any], list[Timing]], jobs: list[Any]) -> list[Timing]:
    """Run ``work`` on every job in the pool's processes; all their timings in one list."""
    return [timing for result in pool.map(work, jobs) for timing in result]


def _report(title: str, timings: list[Timing], wall: float) -> int:
    pages: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for page, seconds, ok in timings:
        pages[page].append(seconds)
        if not ok:
            errors[page] += 1
    print(f"\n{title} ({wall:.0f} s)")
    print(f"{'page':<14}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for page, values in sorted(pages.items()):
        values.sort()
        p50 = values[len(values) // 2] * 1000
        p99 = values[min(len(values) - 1, int(0.99 * len(values)))] * 1000
        print(f"{page:<14}{len(values):>10}{p50:>10.1f}{p99:>10.1f}{errors[page]:>8}")
    return sum(errors.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signups", type=int, default=5000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--processes", type=int, default=8, help="load generator processes")
    parser.add_argument("--peak-seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()

    counter = _Counter()
    smtp = Controller(counter, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    env = _env(smtp.port)
    create_database(env["DATABASE_URL"])
    # A fresh database each run: every code unused, no e-mails waiting.
    script = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('flush', interactive=False, verbosity=0)"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.core.management import call_command; "
            "call_command('migrate', verbosity=0)",
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)
    print(f"seeding invitations, {MEMBERS} members with sessions and an open ballot …")
    _seed(env)
    cookie_file = Path(f"/tmp/bench-load-{os.getpid()}.json")
    _seed_members(env, cookie_file)
    seeded = json.loads(cookie_file.read_text())
    cookie_file.unlink()
    sessions: list[str] = seeded["sessions"]

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=env,
        cwd=ROOT,
    )
    port = _free_port()
    server = _start_gunicorn(env, port, args.workers)
    failures = 0
    try:
        per = args.users // args.processes
        started = time.monotonic()
        jobs = [
            (port, p * per, per, per * args.processes, args.signups) for p in range(args.processes)
        ]
        with multiprocessing.Pool(args.processes) as pool:
            rush = _gather(pool, _rush_process, jobs)
        rush_wall = time.monotonic() - started
        with multiprocessing.Pool(args.processes) as pool:
            bare = _gather(
                pool, _loop_process, [(port, "bench", [""] * per, 10.0)] * args.processes
            )
        failures += _report(
            f"registration rush: {args.signups} sign-ups by {per * args.processes} "
            "concurrent citizens",
            rush + bare,
            rush_wall,
        )
        deadline = time.monotonic() + 300
        while counter.count < args.signups and time.monotonic() < deadline:
            time.sleep(1)
        mails_wall = time.monotonic() - started
        pending = _count_pending_outbox(env)
        print(
            f"confirmation e-mails received: {counter.count} of {args.signups} "
            f"({mails_wall:.0f} s after the start); still in the outbox: {pending}"
        )
        failures += abs(args.signups - counter.count) + pending

        started = time.monotonic()
        groups = _split(sessions, args.processes)
        with multiprocessing.Pool(args.processes) as pool:
            peak = _gather(
                pool, _loop_process, [(port, "bench", g, args.peak_seconds) for g in groups]
            )
            bare = _gather(
                pool, _loop_process, [(port, "bench", [""] * len(g), 10.0) for g in groups]
            )
        failures += _report(
            f"weekend peak: {len(sessions)} members on programme and materials",
            peak + bare,
            time.monotonic() - started,
        )

        started = time.monotonic()
        voting = _split(sessions[:VOTERS], args.processes)
        with multiprocessing.Pool(args.processes) as pool:
            votes = _gather(
                pool, _vote_process, [(port, "bench", seeded["ballot"], g) for g in voting]
            )
            bare = _gather(
                pool, _loop_process, [(port, "bench", [""] * len(g), 5.0) for g in voting]
            )
        failures += _report(
            f"secret ballot: {VOTERS} members voting at once",
            votes + bare,
            time.monotonic() - started,
        )
        stored_votes, marks = _count_votes(env)
        print(f"votes stored: {stored_votes}, members marked as voted: {marks} (of {VOTERS})")
        failures += abs(VOTERS - stored_votes) + abs(VOTERS - marks)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        smtp.stop()
    print(
        f"\n{os.cpu_count()} CPUs shared by gunicorn ({args.workers} workers), the Celery worker, "
        "PostgreSQL, Redis and the load generator."
    )
    print("target: zero errors: " + ("MET" if failures == 0 else f"NOT MET ({failures})"))


if __name__ == "__main__":
    main()
