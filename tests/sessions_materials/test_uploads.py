"""A PDF is checked by its content: the name and the browser's content type prove nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from sessions.models import Material
from sessions.uploads import UploadRefused, pdf_check, read_upload
from tests.conftest import Cast
from tests.sessions_materials.helpers import make_pdf


def test_it_accepts_a_real_pdf() -> None:
    data = make_pdf(pages=3)
    checked = pdf_check(data)
    assert checked.pages == 3
    assert checked.size == len(data)
    assert len(checked.sha256) == 64


def test_it_refuses_a_file_named_pdf_that_is_not_a_pdf() -> None:
    with pytest.raises(UploadRefused, match="geen PDF"):
        pdf_check(b"MZ\x90\x00 this is a Windows program, not a PDF" * 10)


def test_it_refuses_a_malformed_pdf() -> None:
    whole = make_pdf()
    with pytest.raises(UploadRefused, match="beschadigd"):
        pdf_check(whole[: len(whole) // 2])
    with pytest.raises(UploadRefused, match="beschadigd"):
        pdf_check(b"%PDF-1.7\n" + b"\x00" * 200)


def test_it_refuses_an_empty_file() -> None:
    with pytest.raises(UploadRefused, match="leeg"):
        pdf_check(b"")


def test_it_refuses_an_oversized_file_from_the_setting(settings: Settings) -> None:
    settings.MATERIAL_MAX_UPLOAD_BYTES = 1000
    data = make_pdf(text="x" * 50, pages=5)
    assert len(data) > 1000
    with pytest.raises(UploadRefused, match="te groot"):
        pdf_check(data)
    upload = SimpleUploadedFile("groot.pdf", data, content_type="application/pdf")
    with pytest.raises(UploadRefused, match="te groot"):
        read_upload(upload)


def test_it_has_a_default_limit_of_20_mb(settings: Settings) -> None:
    from sessions.uploads import max_upload_bytes

    if hasattr(settings, "MATERIAL_MAX_UPLOAD_BYTES"):
        del settings.MATERIAL_MAX_UPLOAD_BYTES
    assert max_upload_bytes() == 20 * 1024 * 1024


def _create(client: Client, cast: Cast, upload: SimpleUploadedFile) -> HttpResponse:
    client.force_login(cast.users["organiser"])
    url = reverse("programme:material_create", kwargs={"slug": cast.assembly.slug})
    return client.post(
        url,
        {"kind": Material.Kind.DOCUMENT, "title": "Cijfers", "summary": "Kort.", "file": upload},
    )


def test_the_page_refuses_a_renamed_file_whatever_the_browser_says(
    client: Client, cast: Cast
) -> None:
    upload = SimpleUploadedFile(
        "rapport.pdf", b"<html>geen pdf</html>", content_type="application/pdf"
    )
    response = _create(client, cast, upload)
    assert response.status_code == 200
    assert "geen PDF" in response.content.decode()
    assert not Material.objects.exists()


def test_the_page_refuses_an_oversized_file(client: Client, cast: Cast, settings: Settings) -> None:
    settings.MATERIAL_MAX_UPLOAD_BYTES = 500
    upload = SimpleUploadedFile("rapport.pdf", make_pdf(), content_type="application/pdf")
    response = _create(client, cast, upload)
    assert "te groot" in response.content.decode()
    assert not Material.objects.exists()


def test_the_page_accepts_a_pdf_with_any_name(client: Client, cast: Cast) -> None:
    upload = SimpleUploadedFile("scan.bin", make_pdf(), content_type="application/octet-stream")
    response = _create(client, cast, upload)
    assert response.status_code == 302
    material = Material.objects.get()
    version = material.versions.get()
    assert version.file.name.endswith(".pdf")
    assert "scan" not in version.file.name
