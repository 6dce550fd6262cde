"""Benchmark: the registration pages under gunicorn against PostgreSQL.

Starts gunicorn on loopback with the project's settings (plus a bare view,
bench/registration_site.py), seeds an assembly with invitations, then runs a
closed-loop load generator: USERS concurrent users (processes × threads, each
with http.client), for DURATION seconds per scenario, split into ROUNDS turns
that alternate between the scenarios (other load on the machine then weighs on
each alike). Only requests that finish within a turn count. Prints requests/s
and p50/p99 latency for

  bare       GET  a view that returns "ok" (same server, same middleware)
  code page  GET  /aanmelden/ (the page the QR code opens)
  sign-up    GET /aanmelden/ → POST the code (session written in PostgreSQL)
             → GET step 1 (the consent page), per user, each with its own code

and the ratio to the bare view. Target: ≥ 0.5× the bare view's requests/s and
p99 < 300 ms at 50 concurrent users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_registration \
        .venv/bin/python bench/registration.py [--users 50] [--duration 15] [--rounds 3]

Measured figures, before and after, and where the time goes:
bench/README.registration.md.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _postgres import create_database

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_registration"
CODE_PREFIX = "BN"
CODE_COUNT = 20_000
COOKIE = re.compile(r"(csrftoken|sessionid)=([^;]+)")
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env["DJANGO_SETTINGS_MODULE"] = "registration_site"
    env["PYTHONPATH"] = f"{BENCH}{os.pathsep}{ROOT}"
    env["DB_CONN_MAX_AGE"] = "600"
    env.pop("CACHE_URL", None)
    return env


def _code(number: int) -> str:
    """The bench's code number `number`: a prefix, eight digits of the
    alphabet and the check character, as participants/codes.py makes them."""
    from participants.codes import ALPHABET, code_check_character

    digits = []
    for _ in range(8):
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    body = CODE_PREFIX + "".join(digits)
    return body + code_check_character(body)


def _seed(env: dict[str, str]) -> None:
    """Migrate and seed in a child process with the bench settings."""
    script = f"""
import datetime as dt, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.utils import timezone
from assembly.models import Assembly
from sessions.models import Weekend
from participants.models import AttitudeQuestion, Invitation, InvitationDraw
from django.contrib.sessions.models import Session
import sys
sys.path.insert(0, {str(BENCH)!r})
from registration import _code, CODE_COUNT
assembly, _ = Assembly.objects.update_or_create(slug="bench", defaults=dict(
    name="Bench", question="?", first_weekend=dt.date(2027, 3, 6),
    registration_deadline=timezone.localdate() + dt.timedelta(days=30)))
for n in range(1, 8):
    start = dt.date(2027, 3, 6) + dt.timedelta(weeks=5 * (n - 1))
    Weekend.objects.get_or_create(assembly=assembly, number=n,
        defaults=dict(starts_on=start, ends_on=start + dt.timedelta(days=1)))
AttitudeQuestion.objects.get_or_create(assembly=assembly, key="q",
    defaults=dict(text="Strenger of soepeler?", choices="Strenger\\nZo laten\\nSoepeler"))
draw = InvitationDraw.objects.filter(assembly=assembly).first() or InvitationDraw.objects.create(
    assembly=assembly, seed="b", requested=CODE_COUNT, eligible_households=CODE_COUNT,
    eligible_residents=CODE_COUNT, input_sha256="0" * 64, codes_have_check_character=True)
have = set(Invitation.objects.filter(assembly=assembly).values_list("code", flat=True))
Invitation.objects.bulk_create([Invitation(assembly=assembly, draw=draw, code=_code(i))
    for i in range(CODE_COUNT) if _code(i) not in have], batch_size=2000)
Session.objects.all().delete()
"""
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=600)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "registration_site_wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--backlog", "2048",
         "--preload",
         "--log-level", "warning"],
        env=env, cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


# --- the load generator ---------------------------------------------------------


def _request(
    port: int, method: str, path: str, cookies: dict[str, str], body: str | None = None
) -> tuple[int, str, float]:
    headers = {"Host": "127.0.0.1", "Connection": "close"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}/aanmelden/"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                for name, cookie in COOKIE.findall(value):
                    cookies[name] = cookie
        status = response.status
    finally:
        conn.close()
    return status, text, time.perf_counter() - started


def _count(latencies: list[float], seconds: float, deadline: float) -> None:
    # Only what finished in time counts: a flow begun just before the deadline
    # would otherwise add up to three requests to the slow scenarios' count.
    if time.monotonic() <= deadline:
        latencies.append(seconds)


def _user(
    scenario: str, port: int, deadline: float, user: int, users: int, first_code: int,
    latencies: list[float], errors: list[int], iterations: list[int],
) -> None:
    iteration = 0
    while time.monotonic() < deadline:
        cookies: dict[str, str] = {}
        path = "/bench/bare/" if scenario == "bare" else "/aanmelden/"
        status, text, seconds = _request(port, "GET", path, cookies)
        _count(latencies, seconds, deadline)
        if status != 200:
            errors.append(status)
        if scenario == "sign-up":
            code = _code((first_code + user + iteration * users) % CODE_COUNT)
            token = CSRF_FIELD.search(text)
            form = urlencode({"code": code, "action": "continue",
                              "csrfmiddlewaretoken": token.group(1) if token else ""})
            status, _text, seconds = _request(port, "POST", "/aanmelden/", cookies, form)
            _count(latencies, seconds, deadline)
            if status != 302:
                errors.append(status)
            status, _text, seconds = _request(
                port, "GET", "/aanmelden/stap/toestemming/", cookies
            )
            _count(latencies, seconds, deadline)
            if status != 200:
                errors.append(status)
        iteration += 1
    iterations.append(iteration)


def _process(
    args: tuple[str, int, float, int, int, int, int],
) -> tuple[list[float], list[int], int]:
    scenario, port, deadline_in, first_user, threads, users, first_code = args
    deadline = time.monotonic() + deadline_in
    latencies: list[float] = []
    errors: list[int] = []
    iterations: list[int] = []
    workers = [
        threading.Thread(target=_user, args=(scenario, port, deadline, first_user + t, users,
                                              first_code, latencies, errors, iterations))
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies, errors, max(iterations, default=0)


class _Codes:
    """Hands out invitation codes, so that no sign-up reuses a code of an earlier
    round or of the warm-up (until all CODE_COUNT are used)."""

    next = 0


def _run(
    scenario: str, port: int, users: int, processes: int, duration: float
) -> tuple[list[float], list[int]]:
    per_process = users // processes
    jobs = [(scenario, port, duration, p * per_process, per_process, users, _Codes.next)
            for p in range(processes)]
    with multiprocessing.Pool(processes) as pool:
        results = pool.map(_process, jobs)
    if scenario == "sign-up":
        _Codes.next += users * max(result[2] for result in results)
    return ([x for result in results for x in result[0]],
            [x for result in results for x in result[1]])


def _summary(latencies: list[float], errors: list[int], duration: float) -> dict[str, float]:
    latencies = sorted(latencies)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    return {"requests": count, "rps": count / duration, "p50": pct(0.50), "p99": pct(0.99),
            "errors": len(errors)}


SCENARIOS = ("bare", "code page", "sign-up")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5, help="load generator processes")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per scenario")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the scenarios take turns, DURATION/ROUNDS seconds each time")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers")
    args = parser.parse_args()
    env = _env()
    create_database(env["DATABASE_URL"])
    print(f"seeding {CODE_COUNT} invitations in {env['DATABASE_URL'].rsplit('@', 1)[-1]} …")
    _seed(env)
    port = _free_port()
    load_before = os.getloadavg()[0]
    server = _start_gunicorn(env, port, args.workers)
    try:
        for scenario in SCENARIOS:
            _run(scenario, port, args.users, args.processes, 3.0)  # warm up every worker
        # The scenarios take turns, so that a change in the machine's other
        # load during the run weighs on all of them alike (the ratios count).
        part = args.duration / args.rounds
        latencies: dict[str, list[float]] = {s: [] for s in SCENARIOS}
        errors: dict[str, list[int]] = {s: [] for s in SCENARIOS}
        per_round: dict[str, list[float]] = {s: [] for s in SCENARIOS}
        for _round in range(args.rounds):
            for scenario in SCENARIOS:
                found, failed = _run(scenario, port, args.users, args.processes, part)
                latencies[scenario] += found
                errors[scenario] += failed
                per_round[scenario].append(len(found) / part)
        results = {s: _summary(latencies[s], errors[s], args.duration) for s in SCENARIOS}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    bare_rps = results["bare"]["rps"]
    print(f"\n{args.users} concurrent users, {args.duration:.0f} s per scenario "
          f"in {args.rounds} turns, "
          f"gunicorn {args.workers} sync workers, PostgreSQL, {os.cpu_count()} CPUs "
          f"shared by server and load generator; load average before: {load_before:.1f}\n")
    print(f"{'scenario':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
          f"{'errors':>8}{'× bare':>9}")
    ok = True
    for name, row in results.items():
        ratio = row["rps"] / bare_rps if bare_rps else float("nan")
        print(f"{name:<12}{row['requests']:>10.0f}{row['rps']:>10.1f}{row['p50']:>10.1f}"
              f"{row['p99']:>10.1f}{row['errors']:>8.0f}{ratio:>9.2f}")
        if name != "bare":
            ok &= ratio >= 0.5 and row["p99"] < 300 and row["errors"] == 0
    if args.rounds > 1:
        for name in SCENARIOS[1:]:
            ratios = [r / b for r, b in zip(per_round[name], per_round["bare"], strict=True) if b]
            print(f"{name}: × bare per turn from {min(ratios):.2f} to {max(ratios):.2f}")
    print("\ntarget: ≥ 0.50 × bare req/s and p99 < 300 ms for the registration pages: "
          + ("MET" if ok else "NOT MET"))


if __name__ == "__main__":
    main()
