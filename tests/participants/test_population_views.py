"""The organiser's population page, the admin import and the management command."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from assembly.models import User
from participants.models import PopulationImport, Resident
from participants.services.population import population_import
from participants.views import population as population_views
from tests.conftest import Cast
from tests.factories import give_totp
from tests.participants.population_files import SAMPLE, csv_bytes, person, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/b/drugsbeleid/beheer/bevolking/"


def _organiser(client: Client, cast: Cast) -> Client:
    client.force_login(cast.users["organiser"])
    return client


def _upload(client: Client, data: bytes, name: str = "brp.csv", skip: bool = False) -> object:
    payload: dict[str, object] = {"file": SimpleUploadedFile(name, data)}
    if skip:
        payload["skip_invalid"] = "on"
    return client.post(URL, payload)


def test_it_shows_the_upload_form_with_skipping_off(client: Client, cast: Cast) -> None:
    text = _organiser(client, cast).get(URL).content.decode()
    assert 'type="file"' in text and 'enctype="multipart/form-data"' in text
    assert "Foute regels overslaan" in text
    checkbox = re.search(r'<input[^>]*name="skip_invalid"[^>]*>', text)
    assert checkbox is not None and "checked" not in checkbox.group(0)
    assert "<caption>" in text and 'scope="col"' in text


def test_it_imports_an_upload_and_shows_the_report(client: Client, cast: Cast) -> None:
    response = _upload(_organiser(client, cast), SAMPLE.read_bytes(), name=SAMPLE.name)
    record = PopulationImport.objects.get()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == f"{URL}{record.pk}/"  # type: ignore[index]
    assert record.uploaded_by == cast.users["organiser"]
    assert Resident.objects.filter(assembly=cast.assembly).count() == record.rows_imported > 0
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Geen problemen gevonden." in report
    page = client.get(URL).content.decode()
    assert SAMPLE.name in page
    households = Resident.objects.values("household_key").distinct().count()
    assert f"<dd>{households}</dd>" in page


def test_it_shows_every_problem_in_the_active_language(client: Client, cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="12"),
                      person("P3", geboortedatum="01-01-2099")])
    _upload(_organiser(client, cast), data)
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.REJECTED
    assert Resident.objects.count() == 0
    dutch = client.get(f"{URL}{record.pk}/").content.decode()
    assert "De postcode ‘12’ klopt niet." in dutch
    assert "ligt in de toekomst" in dutch
    assert '<th scope="row">3</th>' in dutch and '<th scope="row">4</th>' in dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{URL}{record.pk}/").content.decode()
    assert "The postcode ‘12’ is not valid." in english
    assert "is in the future" in english
    assert "klopt niet" not in english


def test_it_names_the_skipped_rows(client: Client, cast: Cast) -> None:
    data = csv_bytes([person("P1"), person("P2", huisnummer=""), person("P3", postcode="x")])
    _upload(_organiser(client, cast), data, skip=True)
    record = PopulationImport.objects.get()
    assert record.status == PopulationImport.Status.IMPORTED and record.rows_skipped == 2
    report = client.get(f"{URL}{record.pk}/").content.decode()
    assert "Deze regels zijn niet ingelezen: 3, 4" in report


def test_it_refuses_a_file_that_is_too_large(
    client: Client, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(population_views, "MAX_UPLOAD_BYTES", 100)
    response = _upload(_organiser(client, cast), csv_bytes([person("P1"), person("P2")]))
    text = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Het bestand is te groot" in text
    assert 'id="id_file_error"' in text
    assert PopulationImport.objects.count() == 0


def test_it_refuses_a_file_of_another_kind(client: Client, cast: Cast) -> None:
    response = _upload(_organiser(client, cast), b"%PDF-1.4", name="brief.pdf")
    assert "Kies een CSV-bestand" in response.content.decode()  # type: ignore[attr-defined]
    assert PopulationImport.objects.count() == 0


def test_it_hides_an_import_of_another_assembly(client: Client, cast: Cast) -> None:
    foreign = population_import(assembly=cast.other_assembly, file_name="k.csv",
                                data=csv_bytes([person("K1")]), uploaded_by=None,
                                skip_invalid=False)
    assert _organiser(client, cast).get(f"{URL}{foreign.pk}/").status_code == 404


def test_it_lets_an_organiser_import_excel(client: Client, cast: Cast) -> None:
    _upload(_organiser(client, cast), xlsx_bytes([person("X1")]), name="brp.xlsx")
    assert Resident.objects.filter(person_ref="X1").exists()


# --------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client: Client, cast: Cast) -> Client:
    admin = User.objects.create_superuser("beheer@example.org", "een-lang-wachtwoord-2027")
    give_totp(admin)
    client.force_login(admin)
    return client


ADMIN_IMPORT = "/admin/participants/resident/import/"


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
    admin_client: Client, cast: Cast
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


def test_it_names_row_and_column_of_each_error_in_the_admin(
    admin_client: Client, cast: Cast
) -> None:
    data = csv_bytes([person("P1"), person("P2", postcode="99"),
                      person("P3", geboortedatum="01-01-2099")])
    text = _admin_import(admin_client, cast, data)
    assert "rij 3, kolom postcode" in text
    assert "rij 4, kolom geboortedatum" in text
    assert 'name="import_file_name"' not in text  # no confirm button
    assert Resident.objects.count() == 0


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
