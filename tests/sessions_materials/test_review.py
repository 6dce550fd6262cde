"""Defects found in review: PDFs that every reader opens, long links, caching of
files of a non-public assembly, and a planned release typed in the past."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from assembly.models import OutboxEmail
from sessions.models import Material, Weekend
from sessions.services import materials as services
from sessions.uploads import UploadRefused, pdf_check
from tests.conftest import Cast
from tests.sessions_materials.helpers import make_material, make_pdf


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _encrypted(*, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(pages=2))))
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- PDFs that every reader opens ---------------------------------------------------


def test_it_accepts_a_pdf_with_a_few_bytes_before_the_signature() -> None:
    # Some producers write a byte-order mark or a line first; readers open it.
    assert pdf_check(b"\xef\xbb\xbf\r\n" + make_pdf(pages=2)).pages == 2


def test_it_accepts_a_pdf_whose_xref_pointer_is_a_little_off() -> None:
    data = make_pdf(pages=2)
    at = data.rfind(b"startxref") + len(b"startxref\n")
    offset = data[at:].split()[0]
    shifted = data[:at] + str(int(offset) + 7).encode() + data[at + len(offset) :]
    assert pdf_check(shifted).pages == 2


def test_it_accepts_a_pdf_that_is_only_protected_against_changes() -> None:
    # An owner password only limits printing or editing: every reader opens it.
    assert pdf_check(_encrypted(user_password="")).pages == 2


def test_it_still_refuses_a_pdf_that_needs_a_password_to_open() -> None:
    with pytest.raises(UploadRefused, match="wachtwoord"):
        pdf_check(_encrypted(user_password="geheim"))


# --- links longer than the database holds ---------------------------------------------


def test_a_link_too_long_to_store_is_refused_beside_the_field(cast: Cast) -> None:
    long_link = "https://gemeente.sharepoint.com/sites/burgerberaad/" + "a" * 200
    response = _client(cast, "organiser").post(
        reverse("programme:material_create", kwargs={"slug": cast.assembly.slug}),
        {"kind": Material.Kind.LINK, "title": "Video", "summary": "Kort.", "url": long_link},
    )
    assert response.status_code == 200
    assert 'id="id_url_error"' in response.content.decode()
    assert not Material.objects.exists()
    with pytest.raises(services.MaterialRefused):
        services.check_url(long_link)


# --- files of a non-public assembly are not for shared caches ---------------------------


def test_a_public_file_of_a_non_public_assembly_is_not_cached_for_everyone(cast: Cast) -> None:
    cast.assembly.is_public = False
    cast.assembly.save(update_fields=["is_public"])
    material = make_material(cast.assembly, cast.users["organiser"], status="public")
    url = reverse(
        "programme:material_download",
        kwargs={"slug": cast.assembly.slug, "pk": material.pk, "number": 1},
    )
    response = _client(cast, "member").get(url)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


# --- a planned release typed in the past --------------------------------------------------


def test_a_release_moment_in_the_past_is_refused_not_released_now(cast: Cast) -> None:
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    material = make_material(cast.assembly, cast.users["organiser"], weekend=weekend)
    # A year typed wrong: the organiser meant next Friday, not last year's.
    past = (timezone.localtime() - dt.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M")
    response = _client(cast, "organiser").post(
        reverse(
            "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
        ),
        {"release_at": past},
    )
    assert response.status_code == 200
    assert 'id="id_release_at_error"' in response.content.decode()
    material.refresh_from_db()
    assert material.status == Material.Status.DRAFT and material.release_at is None
    assert not OutboxEmail.objects.filter(kind=services.NOTIFY_KIND).exists()
