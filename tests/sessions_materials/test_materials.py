"""Materials: drafts, versions, release (by hand and by the periodic task), public
after the weekend, members-only with a reason, and the pages that show them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, RoleKind
from sessions.models import Material, MaterialVersion, Weekend
from sessions.services import materials as services
from sessions.tasks_materials import materials_due_task
from sessions.uploads import pdf_check
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.sessions_materials.helpers import (
    make_expert,
    make_material,
    make_pdf,
    make_session,
)

NOTIFY = services.NOTIFY_KIND


def _weekend(cast: Cast, number: int = 1) -> Weekend:
    return Weekend.objects.get(assembly=cast.assembly, number=number)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _members(cast: Cast, extra: int) -> int:
    for _ in range(extra):
        RoleFactory(assembly=cast.assembly, user=UserFactory(), kind=RoleKind.MEMBER)
    return 1 + extra  # the cast's own member


# --- create and versions ----------------------------------------------------------


def test_it_creates_a_draft_with_its_first_version(cast: Cast) -> None:
    material = make_material(cast.assembly, cast.users["organiser"], weekend=_weekend(cast))
    assert material.status == Material.Status.DRAFT
    version = material.versions.get()
    assert version.number == 1 and version.size > 0 and len(version.sha256) == 64
    event = AuditEvent.objects.get(action="material.created")
    assert event.target == f"assembly_sessions.Material:{material.pk}"
    assert "Stuk" not in str(event.detail)


def test_a_session_puts_the_material_in_its_weekend(cast: Cast) -> None:
    session = make_session(_weekend(cast, 3))
    material = make_material(cast.assembly, cast.users["organiser"], session=session)
    assert material.weekend == session.weekend


def test_it_refuses_a_session_of_another_assembly(cast: Cast) -> None:
    foreign = Weekend.objects.create(
        assembly=cast.other_assembly,
        number=1,
        starts_on=dt.date(2027, 3, 1),
        ends_on=dt.date(2027, 3, 2),
    )
    with pytest.raises(services.MaterialRefused):
        make_material(cast.assembly, cast.users["organiser"], session=make_session(foreign))


def test_a_released_material_keeps_its_old_version_beside_the_new(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    material = make_material(
        cast.assembly, organiser, weekend=_weekend(cast), status=Material.Status.RELEASED
    )
    old = material.versions.get()
    old_name, old_hash = old.file.name, old.sha256

    with pytest.raises(services.MaterialRefused):
        services.material_version_add(
            material=material, actor=organiser, note="", pdf=pdf_check(make_pdf("nieuw"))
        )
    new = services.material_version_add(
        material=material, actor=organiser, note="Cijfers van 2026", pdf=pdf_check(make_pdf("2"))
    )

    assert new.number == 2
    old.refresh_from_db()
    assert (old.file.name, old.sha256) == (old_name, old_hash)
    assert old.file.storage.exists(old.file.name)
    assert list(material.versions.values_list("number", flat=True)) == [2, 1]
    member = _client(cast, "member")
    for number in (1, 2):
        url = reverse(
            "programme:material_download",
            kwargs={"slug": cast.assembly.slug, "pk": material.pk, "number": number},
        )
        response = member.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_a_released_material_cannot_be_edited_in_place(cast: Cast) -> None:
    material = make_material(
        cast.assembly, cast.users["organiser"], status=Material.Status.RELEASED
    )
    with pytest.raises(services.MaterialRefused):
        services.material_update(
            material=material, fields={"title": "Anders"}, actor=cast.users["organiser"]
        )
    url = reverse("programme:material_edit", kwargs={"slug": cast.assembly.slug, "pk": material.pk})
    response = _client(cast, "organiser").post(url, {"title": "Anders", "summary": "x"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.title == "Stuk"


def test_a_new_version_through_the_page(cast: Cast) -> None:
    material = make_material(cast.assembly, cast.users["organiser"], status="released")
    url = reverse(
        "programme:material_version_add", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    client = _client(cast, "organiser")
    response = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", b"nep"), "note": "Nieuwe cijfers"}
    )
    assert response.status_code == 200 and "geen PDF" in response.content.decode()
    response = client.post(
        url, {"file": SimpleUploadedFile("a.pdf", make_pdf("v2")), "note": "Nieuwe cijfers"}
    )
    assert response.status_code == 302
    assert MaterialVersion.objects.filter(material=material).count() == 2


# --- release ------------------------------------------------------------------------


def test_releasing_by_hand_tells_each_member_once(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    members = _members(cast, 3)
    material = make_material(cast.assembly, cast.users["organiser"], weekend=_weekend(cast))
    url = reverse(
        "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(cast, "organiser").post(url, {"release_at": ""})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.status == Material.Status.RELEASED
    assert material.release_notified_at is not None
    emails = OutboxEmail.objects.filter(kind=NOTIFY)
    assert emails.count() == members
    assert {e.to for e in emails} >= {cast.users["member"].email}
    assert cast.users["organiser"].email not in {e.to for e in emails}
    from django.core import mail

    assert any("Stuk" in str(m.body) for m in mail.outbox)

    materials_due_task()
    assert OutboxEmail.objects.filter(kind=NOTIFY).count() == members


def test_releasing_while_redis_is_down_works_and_the_sweep_tells_the_members(
    cast: Cast, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessions.tasks_materials import materials_notify_task

    def redis_down(*_args: object, **_kwargs: object) -> None:
        raise ConnectionError("Redis is down")

    members = _members(cast, 2)
    material = make_material(cast.assembly, cast.users["organiser"], weekend=_weekend(cast))
    url = reverse(
        "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    with monkeypatch.context() as down:
        down.setattr(materials_notify_task, "apply_async", redis_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = _client(cast, "organiser").post(url, {"release_at": ""})
    # Released, no error page; the notices wait for the sweep.
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.status == Material.Status.RELEASED
    assert material.release_notified_at is None
    assert not OutboxEmail.objects.filter(kind=NOTIFY).exists()
    materials_due_task()
    assert OutboxEmail.objects.filter(kind=NOTIFY).count() == members


@pytest.mark.parametrize(("days_before_weekend", "warned"), [(3, False), (0, True), (-5, True)])
def test_a_release_planned_for_the_weekend_or_later_is_pointed_out(
    cast: Cast, days_before_weekend: int, warned: bool
) -> None:
    weekend = _weekend(cast)
    starts = timezone.localdate() + dt.timedelta(days=10)
    Weekend.objects.filter(pk=weekend.pk).update(
        starts_on=starts, ends_on=starts + dt.timedelta(days=1)
    )
    material = make_material(cast.assembly, cast.users["organiser"], weekend=weekend)
    moment = dt.datetime.combine(starts - dt.timedelta(days=days_before_weekend), dt.time(9, 0))
    url = reverse(
        "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    page = _client(cast, "organiser").post(
        url,
        {"release_at": moment.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    ).content.decode()
    assert "Het stuk wordt vrijgegeven op het gekozen moment." in page
    assert ("Deelnemers kunnen het dus niet vooraf lezen." in page) is warned


def test_the_task_releases_at_the_chosen_moment_once_even_when_run_twice(cast: Cast) -> None:
    members = _members(cast, 2)
    organiser = cast.users["organiser"]
    first = make_material(cast.assembly, organiser, weekend=_weekend(cast), title="Een")
    second = make_material(cast.assembly, organiser, weekend=_weekend(cast), title="Twee")
    at = timezone.now() + dt.timedelta(hours=2)
    for material in (first, second):
        services.material_release(material=material, actor=organiser, at=at)
        material.refresh_from_db()
        assert material.status == Material.Status.DRAFT and material.release_at == at

    assert services.materials_process_due(now=at - dt.timedelta(minutes=1))["released"] == 0
    assert not OutboxEmail.objects.filter(kind=NOTIFY).exists()

    later = at + dt.timedelta(minutes=1)
    done = services.materials_process_due(now=later)
    again = services.materials_process_due(now=later)

    assert done == {"released": 2, "public": 0, "emails": members}
    assert again == {"released": 0, "public": 0, "emails": 0}
    emails = OutboxEmail.objects.filter(kind=NOTIFY)
    assert emails.count() == members  # one e-mail per member for both materials
    assert len({e.to for e in emails}) == members
    assert "Een" in emails[0].body and "Twee" in emails[0].body
    assert AuditEvent.objects.filter(action="material.released").count() == 2


def test_a_cancelled_release_stays_a_draft(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    material = make_material(cast.assembly, organiser)
    at = timezone.now() + dt.timedelta(hours=1)
    services.material_release(material=material, actor=organiser, at=at)
    services.material_release_cancel(material=material, actor=organiser)
    services.materials_process_due(now=at + dt.timedelta(hours=1))
    material.refresh_from_db()
    assert material.status == Material.Status.DRAFT


# --- public after the weekend -----------------------------------------------------------


def test_released_material_becomes_public_after_its_weekend(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    weekend = _weekend(cast, 1)
    open_one = make_material(cast.assembly, organiser, weekend=weekend, status="released")
    kept = make_material(
        cast.assembly,
        organiser,
        weekend=weekend,
        status="released",
        members_only_reason="Bevat namen van mensen die hun verhaal vertellen.",
    )
    next_weekend = make_material(
        cast.assembly, organiser, weekend=_weekend(cast, 2), status="released"
    )
    draft = make_material(cast.assembly, organiser, weekend=weekend)

    during = timezone.make_aware(dt.datetime.combine(weekend.ends_on, dt.time(12)))
    assert services.materials_process_due(now=during)["public"] == 0
    after = during + dt.timedelta(days=1)
    assert services.materials_process_due(now=after)["public"] == 1
    assert services.materials_process_due(now=after)["public"] == 0

    statuses = dict(Material.objects.values_list("pk", "status"))
    assert statuses[open_one.pk] == Material.Status.PUBLIC
    assert statuses[kept.pk] == Material.Status.RELEASED
    assert statuses[next_weekend.pk] == Material.Status.RELEASED
    assert statuses[draft.pk] == Material.Status.DRAFT


def test_members_only_needs_a_reason_and_takes_material_off_the_public_page(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    material = make_material(cast.assembly, organiser, status="public")
    url = reverse(
        "programme:material_members_only", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    _client(cast, "organiser").post(url, {"reason": "Vertrouwelijke cijfers van de politie."})
    material.refresh_from_db()
    assert material.status == Material.Status.RELEASED
    with pytest.raises(services.MaterialRefused):
        services.material_publish(material=material, actor=organiser)
    services.material_members_only(material=material, reason="  ", actor=organiser)
    services.material_publish(material=material, actor=organiser)
    material.refresh_from_db()
    assert material.status == Material.Status.PUBLIC


# --- pages ------------------------------------------------------------------------------


def test_members_see_released_and_public_material_grouped_by_weekend(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    make_material(cast.assembly, organiser, weekend=_weekend(cast, 1), title="Concept A")
    make_material(
        cast.assembly, organiser, weekend=_weekend(cast, 1), title="Vrij B", status="released"
    )
    make_material(
        cast.assembly,
        organiser,
        weekend=_weekend(cast, 2),
        title="Openbaar C",
        status="public",
        kind=Material.Kind.VIDEO,
    )
    page = (
        _client(cast, "member")
        .get(reverse("programme:materials", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )
    assert "Concept A" not in page
    assert "Vrij B" in page and "Openbaar C" in page
    assert page.index("Weekend 1") < page.index("Vrij B") < page.index("Weekend 2")
    assert "Een korte uitleg." in page and "Video" in page

    public = (
        Client()
        .get(reverse("programme:materials_public", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )
    assert "Openbaar C" in public and "Vrij B" not in public and "Concept A" not in public


def test_a_draft_is_downloadable_by_its_own_expert_only(cast: Cast) -> None:
    own = make_expert(cast.assembly, user=cast.users["expert"])
    material = make_material(cast.assembly, cast.users["organiser"], expert=own)
    url = reverse(
        "programme:material_download",
        kwargs={"slug": cast.assembly.slug, "pk": material.pk, "number": 1},
    )
    assert _client(cast, "expert").get(url).status_code == 200
    assert _client(cast, "organiser").get(url).status_code == 200
    assert _client(cast, "member").get(url).status_code == 403
    other = UserFactory()
    RoleFactory(assembly=cast.assembly, user=other, kind=RoleKind.EXPERT)
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 403
    # Not logged in (a session ran out, a link opened on another device): the
    # login page first, then back to the file. Before, a bare "no access".
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert url in unquote(response["Location"])


def test_a_download_of_another_assembly_is_not_found(cast: Cast) -> None:
    material = make_material(cast.assembly, cast.users["organiser"], status="public")
    url = reverse(
        "programme:material_download",
        kwargs={"slug": cast.other_assembly.slug, "pk": material.pk, "number": 1},
    )
    assert Client().get(url).status_code == 404


def test_an_organiser_releases_through_the_detail_page(cast: Cast) -> None:
    material = make_material(cast.assembly, cast.users["organiser"], weekend=_weekend(cast))
    client = _client(cast, "organiser")
    detail = reverse(
        "programme:material_detail", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    assert "Vrijgeven" in client.get(detail).content.decode()
    later = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse(
            "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
        ),
        {"release_at": later},
    )
    material.refresh_from_db()
    assert material.status == Material.Status.DRAFT and material.release_at is not None


@pytest.mark.parametrize("status", ["draft", "released", "public"])
def test_downloads_follow_the_status_for_every_role(cast: Cast, status: str) -> None:
    from tests.permission_rows.materials import DOWNLOAD_BY_STATUS

    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status=status
    )
    url = reverse(
        "programme:material_download",
        kwargs={"slug": cast.assembly.slug, "pk": material.pk, "number": 1},
    )
    for persona, expected in DOWNLOAD_BY_STATUS[status].items():
        client = Client()
        if persona != "anonymous":
            client.force_login(cast.users[persona])
        assert client.get(url).status_code == expected, (persona, status)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The spring night: 02:30 does not exist on the Amsterdam clock.
        ("2027-03-28T02:30", "Dit tijdstip bestaat niet: in die nacht gaat de klok"),
        # The autumn night: 02:30 comes twice; the first (summer time) is meant.
        ("2027-10-31T02:30", dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC)),
    ],
)
def test_a_release_in_the_night_the_clock_changes(
    cast: Cast, typed: str, expected: object
) -> None:
    material = make_material(cast.assembly, cast.users["organiser"])
    url = reverse(
        "programme:material_release", kwargs={"slug": cast.assembly.slug, "pk": material.pk}
    )
    response = _client(cast, "organiser").post(url, {"release_at": typed})
    material.refresh_from_db()
    if isinstance(expected, str):
        assert response.status_code == 200
        assert expected in response.content.decode()
        assert material.release_at is None
    else:
        assert response.status_code == 302
        assert material.release_at == expected
