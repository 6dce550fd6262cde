"""An extract of 50,000 residents uploaded on the organiser's page, read by a real
Celery worker through Redis: the residents arrive, the page could follow the
progress while the worker wrote them, a second delivery of the task does
nothing, and the stored file (BRP data) is gone afterwards."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from participants.models import PopulationImport, Resident
from participants.tasks import population_import_task
from tests.conftest import Cast
from tests.participants.population_files import csv_bytes, person
from tests.services.conftest import Worker

ROWS = 50_000


@pytest.fixture
def celery_worker_media(monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker process must find the upload where this process stored it.
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.fixture
def worker(celery_worker_media: None, celery_worker: Worker) -> Worker:
    """The conftest's worker, started after MEDIA_ROOT is set for it."""
    return celery_worker


def _extract() -> bytes:
    return csv_bytes([
        person(f"P{number:06d}", postcode=f"{1000 + number // 400} AB",
               huisnummer=str(number % 200 + 1))
        for number in range(ROWS)
    ])


def _stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "population"
    return [path for path in folder.rglob("*") if path.is_file()]


def test_an_uploaded_extract_is_read_by_the_worker_once_and_then_deleted(
    worker: Worker, cast: Cast
) -> None:
    for path in _stored_files():
        path.unlink()
    client = Client()
    client.force_login(cast.users["organiser"])
    page = f"/b/{cast.assembly.slug}/beheer/bevolking/"

    response = client.post(page, {"file": SimpleUploadedFile("brp.csv", _extract())})
    assert response.status_code == 302
    record = PopulationImport.objects.get(assembly=cast.assembly)
    assert response["Location"] == f"{page}{record.pk}/"
    # The same message once more, as Redis does after a worker died.
    second = population_import_task.apply_async((record.pk,), ignore_result=False)

    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(f"{page}{record.pk}/status.json").json()
        if state["status"] == "running":
            seen.add(state["done"])
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.02)
    else:
        pytest.fail(f"the worker did not finish the import:\n{worker.log.read_text()}")

    record.refresh_from_db()
    assert record.status == PopulationImport.Status.IMPORTED, (record.error, worker.log.read_text())
    assert (record.rows_total, record.rows_imported, record.progress) == (ROWS, ROWS, 100)
    assert Resident.objects.filter(assembly=cast.assembly, population_import=record).count() == ROWS
    # The bar moved while the residents were written, inside their one transaction.
    assert any(40 < percent < 100 for percent in seen), sorted(seen)
    assert AsyncResult(second.id, backend=worker.results).get(timeout=60) is False
    assert Resident.objects.count() == ROWS and PopulationImport.objects.count() == 1
    assert record.upload.name == "" and _stored_files() == []
    report = client.get(f"{page}{record.pk}/").content.decode()
    assert "Geen problemen gevonden." in report and "data-progress-url" not in report
