"""The organiser's population page, the admin import and the management command."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import tempfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assembly.models import AuditEvent, User
from participants import population as population_parser
from participants.models import PopulationImport, Resident
from participants.services import population as population_service
from participants.services.population import population_import
from participants.views import population as population_views
from tests.conftest import Cast
from tests.factories import give_totp
from tests.participants.population_files import SAMPLE, csv_bytes, person, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/b/drugsbeleid/beheer/bevolking/"
OnCommit = Callable[..., Any]


def _organiser(client: Client, cast: Cast) -> Client:
    client.force_login(cast.users["organiser"])
    return client


@pytest.fixture
def upload(
    client: Client, cast: Cast, django_capture_on_commit_callbacks: OnCommit
) -> Callable[..., Any]:
    """POST a file as the organiser; the queued task runs (in-process) unless run_task=False."""
    _organiser(client, cast)

    def post(data: bytes, name: str = "brp.csv", skip: bool = False,
             run_task: bool = True) -> Any:
        payload: dict[str, object] = {"file": SimpleUploadedFile(name, data)}
        if skip:
            payload["skip_invalid"] = "on"
        with django_capture_on_commit_callbacks(execute=run_task):
            return client.post(URL, payload)

    return post


def _stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "population"
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.fixture(autouse=True)
def _no_stored_files_before() -> None:
    # The media folder is shared by the session's tests: start each test from an empty one.
    for path in _stored_files():
        path.unlink()


def _status_url(record: PopulationImport) -> str:
    return f"{URL}{record.pk}/status.json"


def test_it_shows_the_upload_form_with_skipping_off(client: Client, cast: Cast) -> None:
    text = _organiser(client, cast).get(URL).content.decode()
    assert 'type="file"' in text and 'enctype="multipart/form-data"' in text
    assert "Foute regels overslaan" in text
    assert "u kunt de pagina verlaten" in text
    checkbox = re.search(r'<input[^>]*name="skip_invalid"[^>]*>', text)
    assert checkbox is not None and "checked" not in checkbox.group(0)
    assert "<caption" in text and 'scope="col"' in text


def test_it_imports_an_upload_and_shows_the_report(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    response = upload(SAMPLE.read_bytes(), name=SAMPLE.name)
    record = PopulationImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{record.pk}/"
    # Celery runs in-process in these tests: the POST ends with the import done.
    assert (record.status, record.progress) == (PopulationImport.Status.IMPORTED, 100)
    assert record.uploaded_by == cast.users["organiser"]
    assert record.started_at is not None and record.finished_at is not None
    assert record.file_sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert Resident.objects.filter(assembly=cast.assembly).count() == record.rows_imported > 0
    assert record.upload.name == "" and _stored_files() == []  # the BRP data is not kept
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Geen problemen gevonden." in report
    assert "data-progress-url" not in report
    page = client.get(URL).content.decode()
    assert SAMPLE.name in page
    households = Resident.objects.values("household_key").distinct().count()
    assert f"<dd>{households}</dd>" in page


def test_an_upload_while_redis_is_down_fails_with_a_message_to_try_again(
    client: Client, cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from participants import tasks

    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.population_import_task, "apply_async", redis_down)
    response = upload(SAMPLE.read_bytes(), name=SAMPLE.name)
    assert response.status_code == 302  # no error page: the upload is saved, then failed
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.FAILED
    assert "Probeer het over een paar minuten opnieuw" in record.error
    assert not Resident.objects.exists()


def test_it_has_imported_the_file_when_the_page_answers_without_a_queue(
    transactional_db: None, client: Client, cast: Cast
) -> None:
    """Without a broker (development, the demo) Celery runs the task as soon as the
    upload is committed, inside the request: the organiser lands on the report."""
    _organiser(client, cast)
    good = client.post(URL, {"file": SimpleUploadedFile("goed.csv", csv_bytes([person("P1")]))},
                       follow=True).content.decode()
    assert "Het uittreksel is ingelezen." in good and "Geen problemen gevonden." in good
    assert Resident.objects.count() == 1 and _stored_files() == []
    bad = client.post(URL, {"file": SimpleUploadedFile("fout.csv", csv_bytes([person("P2"),
                      person("P3", postcode="12")]))}, follow=True).content.decode()
    assert "Het bestand is niet ingelezen. Hieronder staat wat er fout is." in bad
    assert "De postcode ‘12’ klopt niet." in bad
    assert Resident.objects.count() == 1 and _stored_files() == []


def test_it_shows_the_progress_of_a_queued_import_until_it_is_done(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    from participants.tasks import population_import_task

    response = upload(csv_bytes([person("P1"), person("P2")]), run_task=False)
    record = PopulationImport.objects.get()
    assert (record.status, record.progress) == (PopulationImport.Status.QUEUED, 0)
    assert not Resident.objects.exists()
    [stored] = _stored_files()
    assert stored.read_bytes() == csv_bytes([person("P1"), person("P2")])
    assert stored.name != "brp.csv" and record.file_name == "brp.csv"

    report = client.get(response["Location"]).content.decode()
    assert "We hebben het bestand ontvangen." in report
    assert f'data-progress-url="{_status_url(record)}"' in report
    assert report.count("js/progress.js") == 1
    assert '<progress max="100" value="0"' in report
    assert "U kunt deze pagina verlaten." in report
    assert "Het bestand wacht op zijn beurt." in report
    assert "Problemen" not in report
    assert client.get(_status_url(record)).json() == {
        "done": 0, "total": 100, "status": "queued",
        "label": "Het bestand wacht op zijn beurt. Het inlezen begint zo.",
    }

    # What the page shows while a worker reads the file.
    PopulationImport.objects.filter(pk=record.pk).update(
        status=PopulationImport.Status.RUNNING, progress=40
    )
    report = client.get(response["Location"]).content.decode()
    assert '<progress max="100" value="40"' in report
    assert "Het is voor 40 procent klaar." in report
    assert client.get(_status_url(record)).json() == {
        "done": 40, "total": 100, "status": "running",
        "label": "We lezen het bestand in. Het is voor 40 procent klaar.",
    }
    assert "Bezig: 40 procent klaar" in client.get(URL).content.decode()
    PopulationImport.objects.filter(pk=record.pk).update(
        status=PopulationImport.Status.QUEUED, progress=0
    )

    # The worker gets to it.
    assert population_import_task.apply(args=(record.pk,)).get() is True

    state = client.get(_status_url(record)).json()
    assert state == {"done": 100, "total": 100, "status": "done",
                     "label": "Het bestand is ingelezen."}
    assert Resident.objects.count() == 2 and _stored_files() == []
    report = client.get(response["Location"]).content.decode()
    assert "data-progress-url" not in report and "Geen problemen gevonden." in report


def test_it_keeps_a_waiting_upload_readable_by_the_server_user_only(
    upload: Callable[..., Any],
) -> None:
    upload(csv_bytes([person("P1")]), run_task=False)
    [stored] = _stored_files()
    assert stored.stat().st_mode & 0o777 == 0o600


def test_it_reports_its_progress_while_it_reads_and_writes(
    cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL writes the progress through a second connection, which a "
                    "test transaction hides; tests/services/test_population_upload_worker.py "
                    "watches it there")
    monkeypatch.setattr(population_parser, "PROGRESS_EVERY", 4)
    monkeypatch.setattr(population_service, "BATCH_SIZE", 4)
    with CaptureQueriesContext(connection) as queries:
        upload(csv_bytes([person(f"P{number}") for number in range(40)]))
    steps = [int(match.group(1)) for query in queries.captured_queries
             if (match := re.search(r'SET "progress" = (\d+) WHERE', query["sql"]))]
    assert steps == sorted(set(steps)) and len(steps) >= 10, steps
    assert steps[0] == 3 and 3 < steps[len(steps) // 2] < 97, steps
    assert PopulationImport.objects.get().progress == 100


def test_it_shows_every_problem_in_the_active_language(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="12"),
                      person("P3", geboortedatum="01-01-2099")])
    upload(data)
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.REJECTED
    assert Resident.objects.count() == 0
    assert _stored_files() == []
    dutch = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Dit bestand is niet ingelezen: er staan fouten in." in dutch
    assert "De postcode ‘12’ klopt niet." in dutch
    assert "ligt in de toekomst" in dutch
    assert '<th scope="row">3</th>' in dutch and '<th scope="row">4</th>' in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{URL}{record.pk}/").content.decode()
    assert "The postcode ‘12’ is not valid." in english
    assert "is in the future" in english
    assert "klopt niet" not in english


def test_it_names_the_skipped_rows(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    data = csv_bytes([person("P1"), person("P2", huisnummer=""), person("P3", postcode="x")])
    upload(data, skip=True)
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.IMPORTED and record.rows_skipped == 2
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Deze regels zijn niet ingelezen: 3, 4" in report


def test_it_imports_the_same_through_the_page_as_at_once(
    cast: Cast, upload: Callable[..., Any]
) -> None:
    cast.assembly.min_age = 16
    cast.assembly.first_weekend = dt.date(2027, 2, 13)
    cast.assembly.save(update_fields=["min_age", "first_weekend"])
    cast.other_assembly.min_age = 16
    cast.other_assembly.first_weekend = dt.date(2027, 2, 13)
    cast.other_assembly.save(update_fields=["min_age", "first_weekend"])
    data = csv_bytes([
        person("P1"), person("P2", geboortedatum="14-02-2011"),
        person("P3", geboortedatum="13-02-2011"), person("P4", postcode="99"),
        person("P1"), ["P5", "Jan"],
    ])
    at_once = population_import(assembly=cast.other_assembly, file_name="brp.csv", data=data,
                                uploaded_by=None, skip_invalid=True)

    upload(data, skip=True)

    queued = PopulationImport.objects.get(assembly=cast.assembly)
    fields = ("status", "rows_total", "rows_imported", "rows_skipped", "rows_underage",
              "problems", "file_sha256", "skip_invalid")
    assert [getattr(queued, name) for name in fields] == [getattr(at_once, name) for name in fields]
    assert (queued.rows_imported, queued.rows_underage) == (2, 1)
    assert sorted(Resident.objects.filter(assembly=cast.assembly)
                  .values_list("person_ref", flat=True)) == ["P1", "P3"]


def test_it_imports_once_when_the_task_runs_twice(
    cast: Cast, upload: Callable[..., Any]
) -> None:
    from participants.tasks import population_import_task

    upload(csv_bytes([person("P1"), person("P2")]), run_task=False)
    record = PopulationImport.objects.get()

    assert population_import_task.apply(args=(record.pk,)).get() is True
    assert population_import_task.apply(args=(record.pk,)).get() is False

    record.refresh_from_db()
    assert record.status == PopulationImport.Status.IMPORTED and record.rows_imported == 2
    assert Resident.objects.count() == 2
    assert PopulationImport.objects.count() == 1 and _stored_files() == []


def test_it_no_longer_waits_for_an_import_whose_worker_died(
    cast: Cast, upload: Callable[..., Any]
) -> None:
    upload(csv_bytes([person("A1")]), run_task=False)
    upload(csv_bytes([person("B1")]), run_task=False)
    upload(csv_bytes([person("D1")]), run_task=False)
    stuck, busy, lost = PopulationImport.objects.order_by("pk")
    long_ago = timezone.now() - dt.timedelta(minutes=31)
    PopulationImport.objects.filter(pk=stuck.pk).update(
        status=PopulationImport.Status.RUNNING, started_at=long_ago
    )
    # Its message never reached a worker.
    PopulationImport.objects.filter(pk=lost.pk).update(created_at=long_ago)
    # Still within the half hour: left alone.
    PopulationImport.objects.filter(pk=busy.pk).update(
        status=PopulationImport.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=29),
    )
    assert len(_stored_files()) == 3

    upload(csv_bytes([person("C1")]))

    for record in (stuck, busy, lost):
        record.refresh_from_db()
    for record in (stuck, lost):
        assert record.status == PopulationImport.Status.FAILED
        assert "niet op tijd klaargekomen" in record.error and record.upload.name == ""
        assert population_service.population_import_execute(import_id=record.pk) is False
    assert busy.status == PopulationImport.Status.RUNNING
    assert list(Resident.objects.values_list("person_ref", flat=True)) == ["C1"]
    assert _stored_files() == [Path(settings.MEDIA_ROOT) / busy.upload.name]


def test_it_fails_an_import_without_writing_half_of_it(
    client: Client, cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_insert = population_service._insert_residents

    def broken(*args: Any, **kwargs: Any) -> None:
        real_insert(*args, **kwargs)
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(population_service, "_insert_residents", broken)
        response = upload(csv_bytes([person("P1"), person("P2")]))

    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.FAILED
    assert "Probeer het opnieuw" in record.error and record.finished_at is not None
    assert not Resident.objects.exists()  # the transaction took the residents back
    assert (record.rows_imported, record.problems) == (0, [])
    assert _stored_files() == []
    report = client.get(response["Location"]).content.decode()
    assert "Het inlezen is mislukt. Er is niets opgeslagen." in report
    assert "Probeer het opnieuw" in report and "data-progress-url" not in report
    state = client.get(_status_url(record)).json()
    assert state["status"] == "failed" and "Probeer het opnieuw" in state["label"]

    upload(csv_bytes([person("P1"), person("P2")]))
    assert Resident.objects.count() == 2


def test_it_logs_a_failure_without_the_values_the_database_quotes(
    cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def copy_fails(*args: Any, **kwargs: Any) -> None:
        # What PostgreSQL says when COPY meets a value it cannot store.
        raise RuntimeError(
            "value too long for type character varying(200)\nCONTEXT:  COPY "
            'participants_resident, line 1, column surname: "Zwanenburg"'
        )

    monkeypatch.setattr(population_service, "_insert_residents", copy_fails)
    with caplog.at_level(logging.INFO, logger="participants"):
        upload(csv_bytes([person("P1", geslachtsnaam="Zwanenburg")]))
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.FAILED
    assert f"population import failed id={record.pk}" in caplog.text
    assert "RuntimeError" in caplog.text  # what and where, for the administrator
    assert "Zwanenburg" not in caplog.text


def test_it_stops_showing_progress_for_an_import_whose_worker_died(
    client: Client, cast: Cast, upload: Callable[..., Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    """Nobody uploads again: the organiser only looks at the page."""
    upload(csv_bytes([person("P1")]), run_task=False)
    record = PopulationImport.objects.get()
    PopulationImport.objects.filter(pk=record.pk).update(
        status=PopulationImport.Status.RUNNING, progress=40,
        started_at=timezone.now() - dt.timedelta(minutes=31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        state = client.get(_status_url(record)).json()
    assert state["status"] == "failed" and "niet op tijd klaargekomen" in state["label"]
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "data-progress-url" not in report and "niet op tijd klaargekomen" in report
    assert "Bezig" not in client.get(URL).content.decode()
    # The extract (names, addresses) does not stay on disk.
    assert _stored_files() == []


def test_it_fails_a_stale_import_when_the_list_is_opened(
    client: Client, cast: Cast, upload: Callable[..., Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    upload(csv_bytes([person("P1")]), run_task=False)
    PopulationImport.objects.update(created_at=timezone.now() - dt.timedelta(minutes=31))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(URL).content.decode()
    assert "In de wachtrij" not in page and "Mislukt" in page
    assert _stored_files() == []


def test_the_beat_task_fails_a_stale_import_when_nobody_looks(
    client: Client, cast: Cast, upload: Callable[..., Any],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    from participants.tasks import population_imports_stale_task

    upload(csv_bytes([person("P1")]), run_task=False)
    upload(csv_bytes([person("P2")]), run_task=False)
    stale, fresh = PopulationImport.objects.order_by("pk")
    PopulationImport.objects.filter(pk=stale.pk).update(
        status=PopulationImport.Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert population_imports_stale_task.delay().get() == [stale.pk]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == PopulationImport.Status.FAILED
    assert fresh.status == PopulationImport.Status.QUEUED
    assert not stale.upload and fresh.upload
    assert len(_stored_files()) == 1


def test_it_fails_the_import_when_the_queue_is_down(
    cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kombu.exceptions import OperationalError

    from participants.tasks import population_import_task

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(population_import_task, "apply_async", refuse)
    upload(csv_bytes([person("P1")]))

    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.FAILED
    assert "Probeer het over een paar minuten opnieuw." in record.error
    assert _stored_files() == [] and not Resident.objects.exists()


def test_it_does_not_serve_a_stored_upload(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    upload(csv_bytes([person("P1")]), run_task=False)
    record = PopulationImport.objects.get()
    assert record.upload.name.startswith("population/")
    assert client.get(f"{settings.MEDIA_URL}{record.upload.name}").status_code == 404


def test_it_refuses_a_file_that_is_too_large(
    cast: Cast, upload: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population_views, "MAX_UPLOAD_BYTES", 100)
    response = upload(csv_bytes([person("P1"), person("P2")]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Het bestand is te groot" in text
    assert 'id="id_file_error"' in text
    assert PopulationImport.objects.count() == 0 and _stored_files() == []


def test_it_refuses_a_file_of_another_kind(cast: Cast, upload: Callable[..., Any]) -> None:
    response = upload(b"%PDF-1.4", name="brief.pdf")
    assert "Kies een CSV-bestand" in response.content.decode()
    assert PopulationImport.objects.count() == 0 and _stored_files() == []


def test_it_hides_an_import_of_another_assembly(client: Client, cast: Cast) -> None:
    foreign = population_import(assembly=cast.other_assembly, file_name="k.csv",
                                data=csv_bytes([person("K1")]), uploaded_by=None,
                                skip_invalid=False)
    _organiser(client, cast)
    assert client.get(f"{URL}{foreign.pk}/").status_code == 404
    assert client.get(_status_url(foreign)).status_code == 404


def test_it_lets_an_organiser_import_excel(cast: Cast, upload: Callable[..., Any]) -> None:
    upload(xlsx_bytes([person("X1")]), name="brp.xlsx")
    assert Resident.objects.filter(person_ref="X1").exists()
    assert _stored_files() == []


# --------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client: Client, cast: Cast) -> Client:
    admin = User.objects.create_superuser("beheer@example.org", "een-lang-wachtwoord-2027")
    give_totp(admin)
    client.force_login(admin)
    return client


ADMIN_IMPORT = "/admin/participants/resident/import/"


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder, where django-import-export keeps the previewed file."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _admin_import(client: Client, cast: Cast, data: bytes) -> str:
    response = client.post(ADMIN_IMPORT, {
        "import_file": SimpleUploadedFile("brp.csv", data),
        "format": "0",
        "resource": "0",
        "assembly": cast.assembly.pk,
    })
    assert response.status_code == 200
    return response.content.decode()


def test_it_imports_through_the_admin_with_the_same_checks(
    admin_client: Client, cast: Cast, private_tmp: Path
) -> None:
    preview = _admin_import(admin_client, cast, SAMPLE.read_bytes())
    assert 'name="import_file_name"' in preview, preview[:3000]
    assert Resident.objects.count() == 0  # the preview is a dry run
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', preview))
    response = admin_client.post("/admin/participants/resident/process_import/", {
        name: fields[name] for name in
        ("import_file_name", "original_file_name", "format", "resource", "assembly")
    })
    assert response.status_code == 302
    record = PopulationImport.objects.get()
    assert record.assembly == cast.assembly and record.rows_total == 308
    assert Resident.objects.filter(assembly=cast.assembly).count() == record.rows_imported
    assert Resident.objects.get(person_ref="P100213").postcode == "9139EX"
    # No copy of the extract stays behind, and Django's admin log, which is
    # never purged, holds no person numbers.
    assert list(private_tmp.iterdir()) == []
    assert not LogEntry.objects.filter(object_repr="P100213").exists()


def test_it_names_row_and_column_of_each_error_in_the_admin(
    admin_client: Client, cast: Cast, private_tmp: Path
) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="99"),
                      person("P3", geboortedatum="01-01-2099")])
    text = _admin_import(admin_client, cast, data)
    assert "rij 3, kolom postcode" in text
    assert "rij 4, kolom geboortedatum" in text
    assert 'name="import_file_name"' not in text  # no confirm button
    assert Resident.objects.count() == 0
    # Without a confirmation nothing else would remove the preview's copy.
    assert list(private_tmp.iterdir()) == []


def test_it_names_a_missing_column_in_the_admin(admin_client: Client, cast: Cast) -> None:
    text = _admin_import(admin_client, cast, b"persoonsnummer;voornamen\r\nP1;Jan\r\n")
    assert "kolom geslachtsnaam" in text
    assert Resident.objects.count() == 0


def test_it_exports_residents_from_the_admin(admin_client: Client, cast: Cast) -> None:
    population_import(assembly=cast.assembly, file_name="a.csv",
                      data=csv_bytes([person("P1", postcode="1234 ab")]), uploaded_by=None,
                      skip_invalid=False)
    response = admin_client.post("/admin/participants/resident/export/", {
        "format": "0", "resource": "0",
        **{f"residentresource_{name}": "on" for name in (
            "person_ref", "postcode", "birth_date", "household_key")},
    })
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "persoonsnummer" in body and "P1" in body and "1234AB" in body
    assert "01-02-1980" in body


# --------------------------------------------------------------- the command


def test_it_imports_from_the_command_line(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "brp.csv"
    path.write_bytes(csv_bytes([person("P1"), person("P2", postcode="99")]))
    out = StringIO()
    call_command("import_population", "--assembly", "drugsbeleid", str(path), "--skip-invalid",
                 stdout=out)
    text = out.getvalue()
    assert "ingelezen / imported: 1" in text
    assert "rij 3, kolom postcode: De postcode ‘99’ klopt niet." in text
    assert "row 3, column postcode: The postcode ‘99’ is not valid." in text
    assert Resident.objects.count() == 1


def test_it_fails_the_command_when_the_file_is_rejected(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "brp.csv"
    path.write_bytes(csv_bytes([person("P1", huisnummer="")]))
    out = StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_population", "--assembly", "drugsbeleid", str(path), stdout=out)
    assert "rij 2, kolom huisnummer: Het huisnummer ontbreekt." in out.getvalue()
    assert Resident.objects.count() == 0
    with pytest.raises(CommandError, match="unknown assembly"):
        call_command("import_population", "--assembly", "bestaat-niet", str(path))


def test_it_rolls_back_a_real_admin_import_with_an_invalid_row(cast: Cast) -> None:
    from participants.resources import BrpFile, ResidentResource

    dataset = BrpFile().create_dataset(csv_bytes([person("P1"), person("P2", postcode="9")]))
    result = ResidentResource(assembly=cast.assembly).import_data(
        dataset, dry_run=False, use_transactions=True
    )
    assert result.has_errors() or result.has_validation_errors()
    assert Resident.objects.count() == 0
    assert PopulationImport.objects.count() == 0


# --- taking a wrong extract back -----------------------------------------------


def test_the_organiser_takes_a_wrong_extract_back_before_anyone_is_invited(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    upload(csv_bytes([person("P1"), person("P2"), person("P3")]))
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.IMPORTED
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Verkeerd bestand ingelezen?" in report

    # Without ticking the box: nothing happens, the error stands at the box.
    response = client.post(f"{URL}{record.pk}/ongedaan-maken/", {})
    assert response.status_code == 400
    assert 'id="id_confirm_error"' in response.content.decode()
    assert Resident.objects.filter(population_import=record).count() == 3

    response = client.post(f"{URL}{record.pk}/ongedaan-maken/", {"confirm": "on"})

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == PopulationImport.Status.UNDONE
    assert not Resident.objects.filter(population_import=record).exists()
    event = AuditEvent.objects.get(action="population.undone")
    assert event.detail == {"import": record.pk, "residents": 3}
    # The same people can be read in again from the right file.
    upload(csv_bytes([person("P1"), person("P2")]))
    assert Resident.objects.filter(assembly=cast.assembly).count() == 2


def test_an_extract_someone_was_invited_from_cannot_be_taken_back(
    client: Client, cast: Cast, upload: Callable[..., Any]
) -> None:
    from participants.services.invitations import invitation_draw

    upload(csv_bytes([person("P1"), person("P2", huisnummer="14")]))
    record = PopulationImport.objects.get()
    invitation_draw(assembly=cast.assembly, count=1, seed="een")

    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Verkeerd bestand ingelezen?" not in report
    response = client.post(f"{URL}{record.pk}/ongedaan-maken/", {"confirm": "on"}, follow=True)
    assert "al mensen uitgenodigd" in response.content.decode()
    record.refresh_from_db()
    assert record.status == PopulationImport.Status.IMPORTED
    assert Resident.objects.filter(population_import=record).count() == 2
