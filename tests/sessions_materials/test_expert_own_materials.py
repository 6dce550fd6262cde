"""An expert changes or withdraws a material they sent, while the secretariat
has not dealt with it yet; their own page shows their declaration of interests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from assembly.models import AuditEvent, RoleKind
from sessions.models import Expert, Material, MaterialVersion, Weekend
from sessions.services import materials as services
from tests.conftest import Cast
from tests.factories import RoleFactory
from tests.sessions_materials.helpers import make_expert, make_material, make_pdf, make_session

pytestmark = pytest.mark.django_db

CONTACT = "secretariaat@burgerberaad.example"


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _own_expert(cast: Cast) -> Expert:
    return make_expert(cast.assembly, name="Eigen Expert", user=cast.users["expert"])


def _sent(cast: Cast, expert: Expert, **kwargs: object) -> Material:
    """A material the expert sent themselves, as their upload form makes it."""
    return make_material(cast.assembly, cast.users["expert"], expert=expert, **kwargs)  # type: ignore[arg-type]


def _edit_url(cast: Cast, material: Material) -> str:
    return reverse(
        "programme:expert_material_edit", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )


def _withdraw_url(cast: Cast, material: Material) -> str:
    return reverse(
        "programme:expert_material_withdraw",
        kwargs={"slug": cast.assembly.slug, "pk": material.pk},
    )


def _texts(**changes: object) -> dict[str, object]:
    return {"title": "Nieuwe titel", "summary": "Nieuwe uitleg.", **changes}


# --- changing ---------------------------------------------------------------------------


def test_an_expert_changes_the_texts_and_session_of_a_draft_they_sent(cast: Cast) -> None:
    expert = _own_expert(cast)
    weekend = Weekend.objects.get(assembly=cast.assembly, number=3)
    session = make_session(weekend)
    session.experts.add(expert)
    material = _sent(cast, expert)
    client = _client(cast, "expert")

    page = client.get(_edit_url(cast, material)).content.decode()
    assert 'value="Stuk"' in page  # the form shows what it holds now
    response = client.post(_edit_url(cast, material), _texts(session=session.pk))
    assert response.status_code == 302
    material.refresh_from_db()
    assert (material.title, material.summary) == ("Nieuwe titel", "Nieuwe uitleg.")
    assert material.session == session and material.weekend == weekend
    assert material.versions.count() == 1  # no new file: the file stays
    target = f"{Material._meta.label}:{material.pk}"
    event = AuditEvent.objects.get(action="material.updated", target=target)
    assert event.actor == cast.users["expert"]
    # Field names, never what the expert wrote.
    assert "Nieuwe titel" not in str(event.detail)
    assert set(event.detail["fields"]) >= {"title", "summary", "session", "weekend"}


def test_a_new_pdf_is_a_new_version_and_the_same_pdf_twice_adds_one(cast: Cast) -> None:
    material = _sent(cast, _own_expert(cast))
    client = _client(cast, "expert")
    data = make_pdf("Nieuwe cijfers")
    for _attempt in range(2):  # a retry on a slow connection
        response = client.post(
            _edit_url(cast, material),
            _texts(file=SimpleUploadedFile("nieuw.pdf", data, content_type="application/pdf")),
        )
        assert response.status_code == 302
    versions = list(material.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].created_by == cast.users["expert"]
    assert versions[0].file  # the secretariat still sees what it replaced


def test_a_new_file_is_checked_as_on_upload(cast: Cast, settings: Settings) -> None:
    material = _sent(cast, _own_expert(cast))
    client = _client(cast, "expert")
    not_a_pdf = SimpleUploadedFile("rapport.pdf", b"<html>geen pdf</html>", "application/pdf")
    response = client.post(_edit_url(cast, material), _texts(file=not_a_pdf))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_file_error"' in page and "geen PDF" in page
    settings.MATERIAL_MAX_UPLOAD_BYTES = 500
    too_large = SimpleUploadedFile("groot.pdf", make_pdf(), "application/pdf")
    response = client.post(_edit_url(cast, material), _texts(file=too_large))
    assert "te groot" in response.content.decode()
    material.refresh_from_db()
    assert material.title == "Stuk"  # nothing saved from a refused form
    assert material.versions.count() == 1


def test_a_link_is_checked_and_cannot_be_left_empty(cast: Cast) -> None:
    material = _sent(cast, _own_expert(cast), kind=Material.Kind.LINK)
    client = _client(cast, "expert")
    page = client.get(_edit_url(cast, material)).content.decode()
    assert 'value="https://example.org/video"' in page
    assert 'name="file"' not in page  # a link stays a link

    for bad, error in (("", "Vul de link in"), ("ftp://example.org/x", "https://")):
        response = client.post(_edit_url(cast, material), _texts(url=bad))
        assert response.status_code == 200
        assert 'id="id_url_error"' in response.content.decode()
        assert error in response.content.decode()
    same = client.post(_edit_url(cast, material), _texts(url="https://example.org/video"))
    assert same.status_code == 302 and material.versions.count() == 1
    client.post(_edit_url(cast, material), _texts(url="https://example.org/nieuw"))
    assert material.versions.order_by("-number").first().url == "https://example.org/nieuw"  # type: ignore[union-attr]


def _released(cast: Cast, expert: Expert) -> Material:
    return _sent(cast, expert, status=Material.Status.RELEASED)


def _planned(cast: Cast, expert: Expert) -> Material:
    material = _sent(cast, expert, title="Gepland")
    services.material_release(
        material=material,
        actor=cast.users["organiser"],
        at=timezone.now() + dt.timedelta(days=3),
    )
    return material


def _made_by_secretariat(cast: Cast, expert: Expert) -> Material:
    return make_material(cast.assembly, cast.users["organiser"], expert=expert, title="Van ons")


@pytest.mark.parametrize("make", [_released, _planned, _made_by_secretariat])
def test_once_the_secretariat_has_it_the_page_says_whom_to_ask(
    cast: Cast, settings: Settings, make: object
) -> None:
    settings.INVITATION_CONTACT_EMAIL = CONTACT
    material = make(cast, _own_expert(cast))  # type: ignore[operator]
    before = (material.title, material.versions.count())
    client = _client(cast, "expert")
    for url in (_edit_url(cast, material), _withdraw_url(cast, material)):
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert f'href="mailto:{CONTACT}"' in text
        assert 'name="title"' not in text and "Ja, intrekken" not in text
    assert client.post(_edit_url(cast, material), _texts()).status_code == 200
    assert client.post(_withdraw_url(cast, material)).status_code == 200
    material.refresh_from_db()
    assert (material.title, material.versions.count()) == before
    home = client.get(reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug}))
    assert _edit_url(cast, material) not in home.content.decode()
    assert "Via het secretariaat" in home.content.decode()


def test_the_service_refuses_a_material_released_while_the_expert_was_typing(cast: Cast) -> None:
    material = _sent(cast, _own_expert(cast))
    services.material_release(material=material, actor=cast.users["organiser"])
    with pytest.raises(services.MaterialRefused, match="vrijgegeven"):
        services.material_change_by_expert(
            material=material, actor=cast.users["expert"], fields={"title": "Te laat"}
        )
    with pytest.raises(services.MaterialRefused):
        services.material_withdraw(material=material, actor=cast.users["expert"])
    assert Material.objects.filter(pk=material.pk, title="Stuk").exists()


# --- whose material -----------------------------------------------------------------


def test_an_expert_never_reaches_another_experts_material(cast: Cast) -> None:
    _own_expert(cast)
    colleague_user = cast.users["facilitator"]
    RoleFactory(user=colleague_user, assembly=cast.assembly, kind=RoleKind.EXPERT)
    colleague = make_expert(cast.assembly, name="Andere Expert", user=colleague_user)
    theirs = make_material(cast.assembly, colleague_user, expert=colleague, title="Van een ander")
    client = _client(cast, "expert")
    for url in (_edit_url(cast, theirs), _withdraw_url(cast, theirs)):
        assert client.get(url).status_code == 404
        assert client.post(url, _texts()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Van een ander"


def test_an_expert_of_another_assembly_does_not_reach_this_ones_material(cast: Cast) -> None:
    elsewhere = cast.users["other_member"]
    RoleFactory(user=elsewhere, assembly=cast.other_assembly, kind=RoleKind.EXPERT)
    make_expert(cast.other_assembly, name="Elders", user=elsewhere)
    material = _sent(cast, _own_expert(cast))
    client = _client(cast, "other_member")
    # This assembly: no expert role here.
    assert client.get(_edit_url(cast, material)).status_code == 403
    # Their own assembly's address with this material's number: not found.
    url = reverse(
        "programme:expert_material_edit",
        kwargs={"slug": cast.other_assembly.slug, "pk": material.pk},
    )
    assert client.get(url).status_code == 404
    assert client.post(url, _texts()).status_code == 404


def test_an_organiser_does_not_use_the_experts_pages(cast: Cast) -> None:
    material = _sent(cast, _own_expert(cast))
    client = _client(cast, "organiser")
    assert client.get(_edit_url(cast, material)).status_code == 403
    assert client.post(_withdraw_url(cast, material)).status_code == 403
    assert Material.objects.filter(pk=material.pk).exists()


# --- withdrawing --------------------------------------------------------------------


def test_withdrawing_asks_first_then_removes_the_material_and_its_file(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    material = _sent(cast, _own_expert(cast), title="Mijn presentatie")
    version = material.versions.get()
    stored = version.file.name
    assert default_storage.exists(stored)
    client = _client(cast, "expert")
    organiser = _client(cast, "organiser")
    waiting = reverse("programme:material_list", kwargs={"slug": cast.assembly.slug})
    assert "Mijn presentatie" in organiser.get(waiting, {"status": "draft"}).content.decode()

    question = client.get(_withdraw_url(cast, material))
    assert question.status_code == 200
    assert "Ja, intrekken" in question.content.decode()
    assert Material.objects.filter(pk=material.pk).exists()  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_withdraw_url(cast, material))
    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()
    assert not MaterialVersion.objects.filter(pk=version.pk).exists()
    assert not default_storage.exists(stored)
    page = organiser.get(waiting, {"status": "draft"}).content.decode()
    assert "Mijn presentatie" not in page
    event = AuditEvent.objects.get(action="material.withdrawn")
    assert event.target == f"{Material._meta.label}:{material.pk}"
    assert event.actor == cast.users["expert"]
    assert "Mijn presentatie" not in str(event.detail)
    home = client.get(reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug}))
    assert "Mijn presentatie" in home.content.decode()  # the message says what went


def test_a_withdrawn_file_stays_when_the_transaction_fails(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """The file goes only once the database has let go of the material."""
    material = _sent(cast, _own_expert(cast))
    stored = material.versions.get().file.name
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.material_withdraw(material=material, actor=cast.users["expert"])
        raise RuntimeError
    assert Material.objects.filter(pk=material.pk).exists()
    assert default_storage.exists(stored)


# --- the expert's own page ------------------------------------------------------------


def test_the_experts_page_shows_their_declaration_and_whom_to_ask(
    cast: Cast, settings: Settings
) -> None:
    settings.INVITATION_CONTACT_EMAIL = CONTACT
    expert = _own_expert(cast)
    expert.interests = "Adviseur bij Stichting Voorbeeld (betaald)."
    expert.save(update_fields=["interests"])
    draft = _sent(cast, expert, title="Nog te bekijken")
    page = _client(cast, "expert").get(
        reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    )
    text = page.content.decode()
    assert "Verklaring van belangen" in text
    assert "Adviseur bij Stichting Voorbeeld (betaald)." in text
    assert "Trimbos-instituut" in text and "onderzoeker" in text
    assert "prive@example.org" in text  # their own contact details, marked not public
    assert f'href="mailto:{CONTACT}"' in text
    assert 'name="interests"' not in text  # read-only
    assert _edit_url(cast, draft) in text and _withdraw_url(cast, draft) in text


def test_an_empty_declaration_says_so(cast: Cast) -> None:
    expert = _own_expert(cast)
    Expert.objects.filter(pk=expert.pk).update(interests="")
    page = _client(cast, "expert").get(
        reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    )
    assert "Nog niet ingevuld." in page.content.decode()


def test_the_organisers_list_of_materials_mentions_what_experts_withdrew_lately(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    """The material is gone; the log's ids say who withdrew what kind, for which
    session, and when, for 30 days. The title stays out of the log."""
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    session = make_session(weekend, n=2)
    material = _sent(cast, _own_expert(cast), title="Mijn presentatie", session=session)
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast, "expert").post(_withdraw_url(cast, material))
    old = AuditEvent.objects.create(
        assembly=cast.assembly, action="material.withdrawn", detail={"kind": "link"}
    )
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    AuditEvent.objects.create(
        assembly=cast.other_assembly, action="material.withdrawn", detail={"kind": "video"}
    )
    url = reverse("programme:material_list", kwargs={"slug": cast.assembly.slug})

    page = _client(cast, "organiser").get(url).content.decode()

    assert "Ingetrokken door deskundigen" in page
    assert "Document (PDF) van Eigen Expert" in page
    assert "bij ‘Onderdeel 2’ (weekend 1)" in page
    assert "Link van" not in page and "Video van" not in page  # too old; elsewhere
    logged = AuditEvent.objects.exclude(pk=old.pk).get(
        action="material.withdrawn", assembly=cast.assembly
    )
    assert logged.detail["expert"] == material.expert_id
    assert logged.detail["session"] == session.pk
    assert "Mijn presentatie" not in str(logged.detail)


def test_the_note_names_no_expert_erased_since(cast: Cast) -> None:
    expert = make_expert(cast.assembly, name="Weg Expert")
    AuditEvent.objects.create(
        assembly=cast.assembly,
        action="material.withdrawn",
        detail={"kind": "document", "expert": expert.pk, "session": None},
    )
    expert.delete()
    url = reverse("programme:material_list", kwargs={"slug": cast.assembly.slug})

    page = _client(cast, "organiser").get(url).content.decode()

    assert "een deskundige die niet meer bekend is" in page and "Weg Expert" not in page


def test_without_withdrawals_the_list_has_no_note(cast: Cast) -> None:
    url = reverse("programme:material_list", kwargs={"slug": cast.assembly.slug})
    assert (
        "Ingetrokken door deskundigen" not in _client(cast, "organiser").get(url).content.decode()
    )
