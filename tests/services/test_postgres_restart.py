"""PostgreSQL restarted during traffic: while it is down the site answers a
polite 503 (with Retry-After, never a 500 or a dropped connection), and when
it is back the same gunicorn answers normally again, with nobody restarting
anything.

The test runs its own PostgreSQL cluster on a free port (initdb into a
temporary folder), so that stopping it disturbs nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.conftest import skip_or_fail
from tests.services.conftest import ROOT, _free_port

pytestmark = pytest.mark.services


@dataclass
class Cluster:
    folder: Path
    port: int
    pg_ctl: str

    def ctl(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", self.pg_ctl, "-D", str(self.folder), *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[Cluster]:
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries or os.geteuid() != 0 or shutil.which("runuser") is None:
        skip_or_fail("needs root, runuser and PostgreSQL's initdb", "REQUIRE_SERVICES")
    bin_dir = Path(binaries[-1]).parent
    folder = Path(f"/tmp/pg-restart-{os.getpid()}-{tmp_path.name}")
    folder.mkdir()
    shutil.chown(folder, "postgres", "postgres")
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(bin_dir / "initdb"),
            "-D",
            str(folder),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    cluster = Cluster(folder=folder, port=_free_port(), pg_ctl=str(bin_dir / "pg_ctl"))
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Answer:
    at: float
    status: int
    body: str
    retry_after: str


def _get(url: str) -> Answer:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http on loopback)
            return Answer(time.monotonic(), response.status, response.read().decode(), "")
    except urllib.error.HTTPError as error:
        body = error.read().decode()
        return Answer(time.monotonic(), error.code, body, error.headers.get("Retry-After", ""))


def test_the_site_answers_politely_while_postgres_restarts_and_recovers_alone(
    own_cluster: Cluster, tmp_path: Path
) -> None:
    with psycopg.connect(
        f"host=127.0.0.1 port={own_cluster.port} user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute("CREATE DATABASE site")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{own_cluster.port}/site",
        "DEBUG": "0",
        "CELERY_BROKER_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import datetime; from assembly.models import Assembly; "
            "Assembly.objects.create(slug='herstart', name='Herstart', question='Vraag?', "
            "first_weekend=datetime.date(2027, 1, 9))",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/b/herstart/"
    answers: list[Answer] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            answers.append(_get(url))
            time.sleep(0.05)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(url).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")
            time.sleep(0.2)
        worker = threading.Thread(target=traffic)
        worker.start()
        time.sleep(1)
        own_cluster.stop()
        down_from = time.monotonic()
        time.sleep(2)
        own_cluster.start()
        up_from = time.monotonic()
        time.sleep(3)
        stop.set()
        worker.join(timeout=30)
        assert server.poll() is None, "gunicorn died"
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=20)

    statuses = {answer.status for answer in answers}
    assert statuses <= {200, 503}, f"unexpected answers: {statuses}\n{log.read_text()}"
    during = [a for a in answers if down_from + 0.2 < a.at < up_from - 0.2]
    assert during and all(a.status == 503 for a in during)
    assert all("Even niet bereikbaar" in a.body and a.retry_after == "30" for a in during)
    after = [a for a in answers if a.at > up_from + 1]
    assert after and all(a.status == 200 for a in after)
    assert "Herstart" in after[-1].body
