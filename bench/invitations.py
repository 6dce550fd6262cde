"""Benchmark: 70,000 invitations from a 200,000-person extract, letters and e-mails.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_invitations \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/invitations.py

Residents are generated deterministically and written with bulk_create. The
draw runs in this process; the letters and e-mails go through Redis to a real
Celery worker (prefork, BENCH_WORKER_CONCURRENCY processes, default 4) and to a
local aiosmtpd SMTP server in this process. The ceiling is a plain smtplib
loop sending the same messages over one connection to the same server.

Targets: the whole run (draw, letters, e-mails) under 10 minutes; mail
throughput at least 0.5x the ceiling. BENCH_RESIDENTS and BENCH_INVITATIONS
make it smaller for a quick look.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from _postgres import create_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "200000"))
INVITATIONS = int(os.environ.get("BENCH_INVITATIONS", "70000"))
CEILING_SAMPLE = min(INVITATIONS, int(os.environ.get("BENCH_CEILING_SAMPLE", "10000")))
SEED = 2027
# The work is mostly waiting on PostgreSQL and the SMTP server, so a few more
# processes than cores keep both cores busy.
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "4"))

MUNICIPALITIES = {
    "Amsterdam": 93, "Rotterdam": 67, "'s-Gravenhage": 56, "Utrecht": 37, "Eindhoven": 24,
    "Groningen": 24, "Tilburg": 23, "Almere": 22, "Breda": 19, "Nijmegen": 18, "Apeldoorn": 17,
    "Arnhem": 17, "Haarlem": 17, "Enschede": 16, "Amersfoort": 16, "Zaanstad": 16,
    "Zwolle": 13, "Leiden": 13, "Maastricht": 12, "Dordrecht": 12, "Ede": 12, "Emmen": 11,
    "Westland": 11, "Delft": 10, "Venlo": 10, "Deventer": 10, "Leeuwarden": 12, "Alkmaar": 11,
    "Sittard-Geleen": 9, "Helmond": 9, "Oss": 9, "Hilversum": 9, "Heerlen": 9, "Súdwest-Fryslân": 9,
    "Purmerend": 9, "Schiedam": 8, "Lelystad": 8, "Roosendaal": 8, "Vlaardingen": 7, "Ameland": 1,
}


def _need_services() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not broker_url.startswith(
        "redis://"
    ):
        sys.exit("set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...")
    return database_url, broker_url


class CountingHandler:
    """The SMTP server: counts what it receives (and keeps nothing)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _generate_residents(assembly: Any) -> int:
    from participants.models import PopulationImport, Resident

    rng = random.Random(SEED)
    extract = PopulationImport.objects.create(
        assembly=assembly, file_name="bench.csv", file_sha256="0" * 64,
        status=PopulationImport.Status.IMPORTED, rows_total=RESIDENTS, rows_imported=RESIDENTS,
    )
    names = list(MUNICIPALITIES)
    weights = list(MUNICIPALITIES.values())
    rows: list[Any] = []
    made = household = 0
    while made < RESIDENTS:
        household += 1
        size = min(rng.choices([1, 2, 3, 4, 5], [38, 33, 12, 12, 5])[0], RESIDENTS - made)
        municipality = rng.choices(names, weights)[0]
        letters = chr(65 + household % 26) + chr(65 + household // 26 % 26)
        postcode = f"{1000 + household // 40 % 9000}{letters}"
        number = household % 200 + 1
        for _person in range(size):
            made += 1
            rows.append(Resident(
                assembly=assembly, population_import=extract, person_ref=f"{made:09d}",
                given_names=rng.choice(["Anna", "Mohamed", "Sanne", "Daan", "Fatima", "Bram"]),
                name_prefix=rng.choice(["", "", "van", "de", "van der"]),
                surname=rng.choice(["Jansen", "de Vries", "Bakker", "Yilmaz", "Visser", "Smit"]),
                street="Hoofdstraat", house_number=number, postcode=postcode,
                city=municipality.upper(), municipality=municipality,
                birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 66)),
                email=f"bewoner{made}@bench.example", household_key=f"{postcode}{number}",
            ))
        if len(rows) >= 10_000:
            Resident.objects.bulk_create(rows, batch_size=5_000)
            rows = []
    Resident.objects.bulk_create(rows, batch_size=5_000)
    return household


def _start_worker(queue: str, smtp_port: int, media: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
    }
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
             "--concurrency", str(CONCURRENCY), "--queues", queue,
             "--hostname", f"{queue}@localhost", "--without-gossip", "--without-mingle",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )


def _wait_done(run: Any, timeout: float) -> float:
    from participants.models import InvitationRun

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        run.refresh_from_db()
        if run.status in (InvitationRun.Status.DONE, InvitationRun.Status.FAILED):
            break
        time.sleep(0.2)
    else:
        sys.exit(f"run {run.pk} did not finish within {timeout} s")
    if run.status != InvitationRun.Status.DONE:
        sys.exit(f"run {run.pk} failed: {run.error}")
    return time.perf_counter() - started


def _ceiling(draw: Any, port: int) -> float:
    """A plain smtplib loop, one connection, sending the same (pre-rendered) messages."""
    from django.conf import settings
    from django.utils import translation

    from participants.letters import letter_text
    from participants.models import Invitation
    from participants.services.invitations import invitation_email

    invitations = list(
        Invitation.objects.filter(draw=draw).select_related("resident").order_by("pk")[
            :CEILING_SAMPLE
        ]
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = letter_text(draw.assembly)
        messages = [invitation_email(invitation, text) for invitation in invitations]
    prepared = [
        ("noreply@burgerberaad.example", message.to, message.message().as_bytes(linesep="\r\n"))
        for message in messages
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, data in prepared:
            smtp.sendmail(sender, recipients, data)
    return len(prepared) / (time.perf_counter() - started)


def main() -> None:
    database_url, _broker_url = _need_services()
    create_database(database_url)
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from assembly.models import Assembly
    from config.celery_app import app
    from participants.models import InvitationDraw, InvitationRun
    from participants.services.invitations import invitation_draw, invitation_run_start

    call_command("migrate", verbosity=0)
    handler = CountingHandler()
    port = int(os.environ.get("BENCH_SMTP_PORT", "8025"))
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    media = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    worker = _start_worker(queue, port, media, media / "worker.log")
    assembly = Assembly.objects.create(
        slug=f"bench-{uuid.uuid4().hex[:8]}", name="Burgerberaad Benchmark",
        question="Is een drugsbeleid mogelijk met minder criminaliteit en minder "
                 "gezondheidsrisico's?",
        first_weekend=dt.date(2027, 2, 13), registration_deadline=dt.date(2027, 1, 20),
    )
    try:
        started = time.perf_counter()
        households = _generate_residents(assembly)
        generated = time.perf_counter() - started
        print(f"extract:  {RESIDENTS:,} residents in {households:,} households, "
              f"written in {generated:.1f} s")

        wall = started = time.perf_counter()
        draw = invitation_draw(
            assembly=assembly, count=INVITATIONS, seed=str(SEED),
            stratify_by=InvitationDraw.Stratification.MUNICIPALITY,
        )
        drawn = time.perf_counter() - started
        print(f"draw:     {INVITATIONS:,} invitations in {drawn:.1f} s "
              f"(input {draw.input_sha256[:16]}…)")

        letters = invitation_run_start(draw=draw, kind=InvitationRun.Kind.LETTERS)
        letter_seconds = _wait_done(letters, timeout=1200)
        letters_per_second = INVITATIONS / letter_seconds
        pdf_bytes = sum(path.stat().st_size for path in media.rglob("*.pdf"))
        print(f"letters:  {INVITATIONS:,} in {letter_seconds:.1f} s = {letters_per_second:,.0f} "
              f"letters/s ({letters.batches.count()} PDFs, {pdf_bytes / 1e6:,.0f} MB)")

        before = handler.count
        mails = invitation_run_start(draw=draw, kind=InvitationRun.Kind.EMAILS)
        mail_seconds = _wait_done(mails, timeout=1200)
        sent = handler.count - before
        mails_per_second = sent / mail_seconds
        print(f"e-mails:  {sent:,} in {mail_seconds:.1f} s = {mails_per_second:,.0f} mails/s "
              f"(run total {mails.total:,})")
        if sent != mails.total:
            print(f"WARNING: the server received {sent:,} e-mails for {mails.total:,} invitees")

        total = time.perf_counter() - wall
        ceiling = _ceiling(draw, port)
        ratio = mails_per_second / ceiling
        print(f"ceiling:  plain smtplib loop, {CEILING_SAMPLE:,} of the same messages: "
              f"{ceiling:,.0f} mails/s")
        print(f"ratio:    {ratio:.2f}x the ceiling (target >= 0.5x): "
              f"{'met' if ratio >= 0.5 else 'NOT met'}")
        print(f"total:    {total:.0f} s from the draw to the last e-mail (target < 600 s): "
              f"{'met' if total < 600 else 'NOT met'}; with writing the extract "
              f"{total + generated:.0f} s")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        controller.stop()
        from django_celery_beat.models import PeriodicTask

        PeriodicTask.objects.filter(name=f"herinneringen-burgerberaad-{assembly.pk}").delete()
        assembly.delete()
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
