"""Requests under the AVG for experts: the organiser finds an expert by the
e-mail address on the profile (with or without an account), copies and
erases their data; retention after the final report covers experts too.

The rule (sessions.services.experts.expert_erase): an expert on the public
record (a session of a published programme that was not cancelled, or
material released on their name) keeps name, organisation, role,
perspective and declaration; contact details, account and unreleased
material go. Anyone else goes altogether."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, Role, User
from recommendations.privacy import subject_export, subject_find
from recommendations.services.privacy import retention_erase, retention_plan, subject_erase
from sessions.models import Expert, Material, MaterialVersion, Session, Weekend
from tests.conftest import Cast
from tests.sessions_materials.helpers import (
    make_expert,
    make_material,
    make_perspective,
    make_session,
)

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[Any]]

ADDRESS = "bea.voorbeeld@example.org"


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _weekend(cast: Cast, number: int, *, published: bool) -> Weekend:
    weekend = Weekend.objects.get(assembly=cast.assembly, number=number)
    weekend.published_at = timezone.now() if published else None
    weekend.save(update_fields=["published_at"])
    return weekend


def _expert_without_account(cast: Cast) -> Expert:
    """Entered by the secretariat, never invited; on a weekend not yet published."""
    expert = make_expert(
        cast.assembly,
        name="Dr. Bea Voorbeeld",
        perspective=make_perspective(cast.assembly, "Onderzoek"),
        email=ADDRESS,
    )
    session = make_session(_weekend(cast, 2, published=False))
    session.experts.add(expert)
    make_material(cast.assembly, cast.users["organiser"], expert=expert, title="Concept-uitleg")
    OutboxEmail.objects.create(to=ADDRESS, subject="Uw uitleg", body="Beste Bea", kind="test")
    return expert


def _expert_on_the_published_programme(cast: Cast) -> tuple[Expert, Material, Material]:
    """With an account, briefing on a published weekend, one material released and
    one still a draft the expert sent."""
    expert = make_expert(
        cast.assembly,
        name="Prof. Carla Openbaar",
        perspective=make_perspective(cast.assembly, "Volksgezondheid en zorg"),
        user=cast.users["expert"],
        email=ADDRESS,
    )
    expert.interests = "Adviseur van Stichting Voorbeeld (betaald)."
    expert.save(update_fields=["interests"])
    weekend = _weekend(cast, 1, published=True)
    make_session(weekend).experts.add(expert)
    released = make_material(
        cast.assembly,
        cast.users["organiser"],
        expert=expert,
        weekend=weekend,
        title="Uitleg over preventie",
        status=Material.Status.PUBLIC,
    )
    draft = make_material(
        cast.assembly, cast.users["expert"], expert=expert, title="Nog een concept"
    )
    return expert, released, draft


def _files(material: Material) -> list[str]:
    return [v.file.path for v in MaterialVersion.objects.filter(material=material) if v.file]


# --- look-up and copy ----------------------------------------------------------


def test_the_email_lookup_finds_an_expert_without_an_account(cast: Cast) -> None:
    expert = _expert_without_account(cast)

    subject = subject_find(assembly=cast.assembly, email=ADDRESS.upper())

    assert not subject.is_empty
    assert subject.expert == expert and subject.user is None
    titles = [t for t, _rows in subject_export(subject=subject, now=timezone.now()).sections]
    assert titles[:2] == ["Deskundige", "Stukken van u"]
    # Another assembly's experts are not found from this one.
    assert subject_find(assembly=cast.other_assembly, email=ADDRESS).is_empty


def test_the_organiser_finds_and_copies_an_expert_without_an_account(cast: Cast) -> None:
    expert = _expert_without_account(cast)
    client = _client(cast.users["organiser"])
    slug = cast.assembly.slug

    page = client.post(
        reverse("recommendations:privacy_requests", kwargs={"slug": slug}), {"email": ADDRESS}
    ).content.decode()
    assert "Gevonden: dit bewaren wij" in page and "Deskundige: 1 regel" in page
    # Not on the public record: the organiser reads that erasure takes it all.
    assert "Wissen haalt de deskundige helemaal weg" in page
    looked_up = AuditEvent.objects.get(action="privacy.looked_up")
    assert looked_up.target == f"assembly_sessions.Expert:{expert.pk}"

    download = client.post(
        reverse("recommendations:privacy_request_download", kwargs={"slug": slug, "fmt": "json"}),
        {"email": ADDRESS},
    )
    sections = {s["title"]: s["rows"] for s in download.json()["sections"]}
    assert sections["Deskundige"][0]["naam"] == "Dr. Bea Voorbeeld"
    assert sections["Deskundige"][0]["email"] == ADDRESS
    assert [row["titel"] for row in sections["Stukken van u"]] == ["Concept-uitleg"]
    exported = AuditEvent.objects.get(action="privacy.exported")
    assert exported.target == f"assembly_sessions.Expert:{expert.pk}"


# --- erasure ---------------------------------------------------------------------


def test_an_expert_not_on_the_public_record_goes_altogether(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    expert = _expert_without_account(cast)
    draft = Material.objects.get(expert=expert)
    paths = _files(draft)
    assert paths and all(os.path.exists(path) for path in paths)
    session = Session.objects.get(experts=expert)
    client = _client(cast.users["organiser"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recommendations:privacy_request_erase", kwargs={"slug": cast.assembly.slug}),
            {
                "email": ADDRESS,
                "reason": "Verzoek van Bea Voorbeeld per e-mail",
                "confirm": "on",
            },
            follow=True,
        )

    assert "Tellingen en uitslagen blijven" in response.content.decode()
    assert not Expert.objects.filter(pk=expert.pk).exists()
    assert not Material.objects.filter(pk=draft.pk).exists()
    assert not any(os.path.exists(path) for path in paths)
    assert list(Session.objects.get(pk=session.pk).experts.all()) == []
    assert not OutboxEmail.objects.filter(to=ADDRESS).exists()
    event = AuditEvent.objects.get(action="privacy.erased")
    assert event.target == f"assembly_sessions.Expert:{expert.pk}"
    assert event.detail["expert_kept"] is False
    assert event.detail["materials"] == [draft.pk]
    logged = json.dumps(event.detail)
    assert "Voorbeeld" not in logged and ADDRESS not in logged
    assert subject_find(assembly=cast.assembly, email=ADDRESS).is_empty


def test_an_expert_on_the_published_programme_keeps_only_the_public_facts(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    expert, released, draft = _expert_on_the_published_programme(cast)
    user = cast.users["expert"]
    draft_files = _files(draft)
    released_files = _files(released)
    client = _client(cast.users["organiser"])
    slug = cast.assembly.slug

    # Found by the address on the profile; the account comes along.
    page = client.post(
        reverse("recommendations:privacy_requests", kwargs={"slug": slug}), {"email": ADDRESS}
    ).content.decode()
    assert "Daarom blijven naam, organisatie, functie en verklaring van belangen staan" in page
    assert reverse("programme:expert_edit", kwargs={"slug": slug, "pk": expert.pk}) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recommendations:privacy_request_erase", kwargs={"slug": slug}),
            {"email": ADDRESS, "reason": "verzoek", "confirm": "on"},
            follow=True,
        )

    assert "De deskundige staat in het openbare verslag" in response.content.decode()
    expert.refresh_from_db()
    assert (expert.name, expert.organisation, expert.role_title) == (
        "Prof. Carla Openbaar",
        "Trimbos-instituut",
        "onderzoeker",
    )
    assert expert.interests.startswith("Adviseur van Stichting Voorbeeld")
    assert expert.perspective is not None
    assert (expert.email, expert.phone, expert.user) == ("", "", None)
    user.refresh_from_db()
    assert not user.is_active and user.full_name == "" and user.email.startswith("gewist-")
    assert not Role.objects.filter(user=user).exists()
    # The published material stays as published; the unreleased one goes.
    assert Material.objects.get(pk=released.pk).expert == expert
    assert all(os.path.exists(path) for path in released_files)
    assert not Material.objects.filter(pk=draft.pk).exists()
    assert draft_files and not any(os.path.exists(path) for path in draft_files)
    event = AuditEvent.objects.get(action="privacy.erased")
    assert event.target == f"assembly_sessions.Expert:{expert.pk}"
    assert event.detail["expert_kept"] is True and event.detail["materials"] == [draft.pk]
    # Nothing left to find by that address, and a second erasure finds nothing.
    assert subject_find(assembly=cast.assembly, email=ADDRESS).is_empty


def test_the_pages_and_the_report_still_name_an_erased_public_expert(cast: Cast) -> None:
    expert, _released, _draft = _expert_on_the_published_programme(cast)
    subject_erase(
        subject=subject_find(assembly=cast.assembly, email=ADDRESS), actor=None, reason="x"
    )
    assert Expert.objects.get(pk=expert.pk).email == ""
    slug = cast.assembly.slug
    organiser = _client(cast.users["organiser"])
    member = _client(cast.users["member"])

    experts_page = member.get(reverse("programme:experts_public", kwargs={"slug": slug}))
    assert experts_page.status_code == 200
    shown = experts_page.content.decode()
    assert "Prof. Carla Openbaar" in shown and "Stichting Voorbeeld" in shown
    programme = member.get(reverse("programme:public_programme", kwargs={"slug": slug}))
    assert programme.status_code == 200 and "Prof. Carla Openbaar" in programme.content.decode()
    for name in ("materials_public", "materials"):
        listed = member.get(reverse(f"programme:{name}", kwargs={"slug": slug}))
        assert listed.status_code == 200 and "Uitleg over preventie" in listed.content.decode()
    for name in ("experts", "material_list"):
        assert organiser.get(reverse(f"programme:{name}", kwargs={"slug": slug})).status_code == 200
    assert (
        organiser.get(
            reverse("programme:expert_edit", kwargs={"slug": slug, "pk": expert.pk})
        ).status_code
        == 200
    )
    report = organiser.get(reverse("recommendations:report_final", kwargs={"slug": slug}))
    assert report.status_code == 200
    text = report.content.decode()
    assert "Prof. Carla Openbaar" in text and "Adviseur van Stichting Voorbeeld" in text
    assert ADDRESS not in text and "06-12345678" not in text
    for name in ("report_final_pdf", "report_final_zip"):
        response = organiser.get(reverse(f"recommendations:{name}", kwargs={"slug": slug}))
        assert response.status_code == 200


def test_the_pages_and_the_report_work_after_an_expert_went_altogether(cast: Cast) -> None:
    _expert_without_account(cast)
    subject_erase(
        subject=subject_find(assembly=cast.assembly, email=ADDRESS), actor=None, reason="x"
    )
    slug = cast.assembly.slug
    organiser = _client(cast.users["organiser"])
    for name in ("experts", "material_list", "balance"):
        assert organiser.get(reverse(f"programme:{name}", kwargs={"slug": slug})).status_code == 200
    for name in ("report_final", "report_final_pdf", "report_final_zip"):
        response = organiser.get(reverse(f"recommendations:{name}", kwargs={"slug": slug}))
        assert response.status_code == 200
    weekend = Weekend.objects.get(assembly=cast.assembly, number=2)
    manage = organiser.get(
        reverse("programme:weekend_manage", kwargs={"slug": slug, "number": weekend.number})
    )
    assert manage.status_code == 200 and "Bea Voorbeeld" not in manage.content.decode()


def test_erasing_by_the_account_address_takes_the_expert_profile_too(cast: Cast) -> None:
    """The account's address finds the profile through the account: erasure used
    to close the account and leave the profile, still linked to it."""
    user = cast.users["expert"]
    expert = make_expert(cast.assembly, user=user, email=ADDRESS)
    make_session(_weekend(cast, 2, published=False)).experts.add(expert)

    subject = subject_find(assembly=cast.assembly, email=user.email)
    assert subject.expert == expert and subject.user == user
    subject_erase(subject=subject, actor=None, reason="verzoek")

    assert not Expert.objects.filter(pk=expert.pk).exists()
    user.refresh_from_db()
    assert not user.is_active and not Role.objects.filter(user=user).exists()


def test_an_expert_only_on_a_cancelled_session_did_not_brief_and_goes(cast: Cast) -> None:
    """The public expert page and the report leave out cancelled sessions: such
    an expert never briefed the assembly, so nothing public needs their name."""
    expert = make_expert(cast.assembly, email=ADDRESS)
    session = make_session(_weekend(cast, 1, published=True))
    session.experts.add(expert)
    Session.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())

    counts = subject_erase(
        subject=subject_find(assembly=cast.assembly, email=ADDRESS), actor=None, reason="x"
    )

    assert not counts.expert_kept
    assert not Expert.objects.filter(pk=expert.pk).exists()


def test_material_released_to_members_only_keeps_the_expert_on_the_record(cast: Cast) -> None:
    expert = make_expert(cast.assembly, email=ADDRESS)
    make_material(
        cast.assembly,
        cast.users["organiser"],
        expert=expert,
        status=Material.Status.RELEASED,
        members_only_reason="Bevat namen van cliënten.",
    )

    counts = subject_erase(
        subject=subject_find(assembly=cast.assembly, email=ADDRESS), actor=None, reason="x"
    )

    assert counts.expert_kept
    expert.refresh_from_db()
    assert expert.name == "Dr. A. Deskundige" and expert.email == ""


def test_the_own_data_page_tells_an_expert_what_stays_public(cast: Cast) -> None:
    _expert_on_the_published_programme(cast)
    url = reverse("recommendations:my_data", kwargs={"slug": cast.assembly.slug})
    said = "blijven uw naam, organisatie, functie en verklaring van belangen openbaar"
    assert said in _client(cast.users["expert"]).get(url).content.decode()
    assert said not in _client(cast.users["facilitator"]).get(url).content.decode()


# --- retention -------------------------------------------------------------------


def test_retention_erases_experts_by_the_same_rule(
    cast: Cast, django_capture_on_commit_callbacks: Capture
) -> None:
    public, released, draft = _expert_on_the_published_programme(cast)
    unpublished = _expert_without_account(cast)
    unpublished.email = "ander@example.org"
    unpublished.save(update_fields=["email"])
    # On the record already without contact details: nothing left to erase.
    done = make_expert(cast.assembly, name="Drs. Klaar")
    Expert.objects.filter(pk=done.pk).update(email="", phone="")
    Session.objects.filter(experts=public).get().experts.add(done)
    draft_files = _files(draft)
    cast.assembly.report_delivered_on = dt.date(2026, 1, 31)
    cast.assembly.retention_months = 12
    cast.assembly.save(update_fields=["report_delivered_on", "retention_months"])

    assert retention_plan(today=dt.date(2027, 1, 30)) == []
    [plan] = retention_plan(today=dt.date(2027, 1, 31))
    assert plan.people == 2  # the two experts; nobody else has data here

    with django_capture_on_commit_callbacks(execute=True):
        assert retention_erase(today=dt.date(2027, 2, 1)) == 2

    public.refresh_from_db()
    assert (public.name, public.email, public.phone, public.user) == (
        "Prof. Carla Openbaar",
        "",
        "",
        None,
    )
    assert not User.objects.get(pk=cast.users["expert"].pk).is_active
    assert Material.objects.filter(pk=released.pk).exists()
    assert not Material.objects.filter(pk=draft.pk).exists()
    assert not any(os.path.exists(path) for path in draft_files)
    assert not Expert.objects.filter(pk=unpublished.pk).exists()
    assert Expert.objects.get(pk=done.pk).name == "Drs. Klaar"
    assert AuditEvent.objects.filter(action="privacy.erased").count() == 2
    # A second run finds nothing left.
    assert retention_erase(today=dt.date(2027, 2, 2)) == 0


def test_retention_takes_unreleased_material_of_an_expert_already_without_contact(
    cast: Cast,
) -> None:
    expert, released, draft = _expert_on_the_published_programme(cast)
    Expert.objects.filter(pk=expert.pk).update(email="", phone="", user=None)
    cast.assembly.report_delivered_on = dt.date(2026, 1, 31)
    cast.assembly.save(update_fields=["report_delivered_on"])

    assert retention_erase(today=dt.date(2028, 1, 1)) == 1

    assert Expert.objects.filter(pk=expert.pk).exists()
    assert Material.objects.filter(pk=released.pk).exists()
    assert not Material.objects.filter(pk=draft.pk).exists()
