"""A new version of material members could already read: the pages say it, members
get one e-mail per item per day (none for drafts, none after the weekend), and
the weekend reminder marks the item."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, RoleKind
from sessions.models import Material, Weekend
from sessions.services import materials as services
from sessions.services import schedule
from sessions.uploads import pdf_check
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory
from tests.sessions_materials.helpers import make_material, make_pdf, make_session

UPDATE = services.UPDATE_NOTIFY_KIND


def _weekend(cast: Cast, number: int = 1) -> Weekend:
    return Weekend.objects.get(assembly=cast.assembly, number=number)


def _new_version(cast: Cast, material: Material, note: str) -> None:
    services.material_version_add(
        material=material,
        actor=cast.users["organiser"],
        note=note,
        pdf=pdf_check(make_pdf(note)),
    )


def _later(hours: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def _updates() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind=UPDATE).order_by("pk"))


# --- e-mail -----------------------------------------------------------------------


def test_two_new_versions_the_same_day_make_one_email_per_member(cast: Cast) -> None:
    RoleFactory(assembly=cast.assembly, user=UserFactory(), kind=RoleKind.MEMBER)
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status="released"
    )
    _new_version(cast, material, "De cijfers van 2024 staan erin.")
    _new_version(cast, material, "Een tikfout in tabel 2 is weg.")

    # Not at once: a fix of the fix goes in the same e-mail.
    assert services.materials_process_due(now=_later(0.5))["emails"] == 0
    assert services.materials_process_due(now=_later(1.5))["emails"] == 2
    assert services.materials_process_due(now=_later(1.6))["emails"] == 0

    mails = _updates()
    assert len(mails) == 2 and len({m.to for m in mails}) == 2
    body = mails[0].body
    assert "Stuk" in body and "versie 3" in body
    assert "De cijfers van 2024 staan erin." in body and "Een tikfout in tabel 2 is weg." in body
    assert mails[0].ref == f"sessions.Material:{material.pk}"
    event = AuditEvent.objects.get(action="materials.members_notified_of_update")
    assert event.detail["materials"] == [material.pk] and event.detail["emails"] == 2
    assert "tikfout" not in str(event.detail)


def test_a_version_after_todays_email_waits_for_the_next_morning(cast: Cast) -> None:
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status="released"
    )
    _new_version(cast, material, "Nieuwe cijfers.")
    assert services.materials_process_due(now=_later(1.5))["emails"] == 1
    # As if that e-mail went out just now (the versions carry the real clock).
    Material.objects.filter(pk=material.pk).update(update_notified_at=timezone.now())

    _new_version(cast, material, "Nog een correctie.")
    material.refresh_from_db()
    assert material.update_notice_due_at is not None
    due = timezone.localtime(material.update_notice_due_at)
    assert due.date() == timezone.localdate() + dt.timedelta(days=1)

    assert services.materials_process_due(now=due - dt.timedelta(minutes=1))["emails"] == 0
    assert services.materials_process_due(now=due)["emails"] == 1
    second = _updates()[-1]
    assert "Nog een correctie." in second.body and "Nieuwe cijfers." not in second.body


def test_a_new_version_of_a_draft_sends_no_update_email(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    material = make_material(cast.assembly, organiser, weekend=_weekend(cast))
    _new_version(cast, material, "Beter plaatje.")
    services.material_release(material=material, actor=organiser)
    services.materials_process_due(now=_later(30))
    assert _updates() == []
    # The release e-mail says it, once.
    assert OutboxEmail.objects.filter(kind=services.NOTIFY_KIND).count() == 1


def test_no_email_after_the_weekend_has_passed(cast: Cast) -> None:
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status="released"
    )
    past = timezone.localdate() - dt.timedelta(days=8)
    Weekend.objects.filter(pk=material.weekend_id).update(
        starts_on=past, ends_on=past + dt.timedelta(days=1)
    )
    material.refresh_from_db()
    _new_version(cast, material, "Nieuwe cijfers.")
    material.refresh_from_db()
    assert material.update_notice_due_at is None
    services.materials_process_due(now=_later(2))
    assert _updates() == []


def test_a_notice_that_falls_after_the_weekend_is_dropped(cast: Cast) -> None:
    weekend = _weekend(cast)
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=weekend, status="released"
    )
    _new_version(cast, material, "Nieuwe cijfers.")
    after = timezone.make_aware(
        dt.datetime.combine(weekend.ends_on + dt.timedelta(days=1), dt.time(9))
    )
    services.materials_process_due(now=after)
    assert _updates() == []
    material.refresh_from_db()
    assert material.update_notice_due_at is None
    assert AuditEvent.objects.filter(action="materials.update_notice_skipped").exists()


def test_each_member_gets_the_update_email_in_their_own_language(cast: Cast) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status="released"
    )
    Material.objects.filter(pk=material.pk).update(title_en="Facts about drugs")
    _new_version(cast, material, "Nieuwe cijfers.")
    services.materials_process_due(now=_later(2))
    by_address = {m.to: m for m in _updates()}
    dutch = by_address[cast.users["member"].email]
    assert "Nieuwe versie" in dutch.subject and "Beste deelnemer" in dutch.body
    en = by_address["member-en@example.org"]
    assert "New version" in en.subject
    assert "Facts about drugs" in en.body and "Dear member" in en.body


def test_the_organiser_sees_when_members_will_be_told(cast: Cast) -> None:
    material = make_material(
        cast.assembly, cast.users["organiser"], weekend=_weekend(cast), status="released"
    )
    client = Client()
    client.force_login(cast.users["organiser"])
    response = client.post(
        reverse(
            "programme:material_version_add",
            kwargs={"slug": cast.assembly.slug, "pk": material.pk},
        ),
        {"file": SimpleUploadedFile("a.pdf", make_pdf("v2")), "note": "Nieuwe cijfers"},
        follow=True,
    )
    assert "een e-mail over de nieuwe versie" in response.content.decode()
    assert AuditEvent.objects.get(action="material.version_added").detail["notice_due"]


# --- pages ------------------------------------------------------------------------


def test_the_members_and_public_pages_say_when_an_item_was_updated(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    updated = make_material(
        cast.assembly, organiser, weekend=_weekend(cast), title="Bijgewerkt stuk", status="public"
    )
    make_material(
        cast.assembly, organiser, weekend=_weekend(cast), title="Oud stuk", status="public"
    )
    _new_version(cast, updated, "De cijfers van 2024 staan erin.")
    today = timezone.localdate()

    member = Client()
    member.force_login(cast.users["member"])
    for client, name in ((member, "programme:materials"), (Client(), "programme:materials_public")):
        page = client.get(reverse(name, kwargs={"slug": cast.assembly.slug})).content.decode()
        mark = page.index("Bijgewerkt op")
        assert page.index("Bijgewerkt stuk") < mark < page.index("Oud stuk")
        assert page.count("Bijgewerkt op") == 1
        assert f"{today.day} " in page[mark : mark + 40]
        assert "De cijfers van 2024 staan erin." in page


def test_a_version_added_before_the_release_is_not_an_update(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    material = make_material(cast.assembly, organiser, weekend=_weekend(cast), title="Stuk A")
    _new_version(cast, material, "Beter plaatje.")
    services.material_release(material=material, actor=organiser)
    member = Client()
    member.force_login(cast.users["member"])
    page = member.get(
        reverse("programme:materials", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert "Stuk A" in page and "Bijgewerkt op" not in page


# --- the weekend reminder -----------------------------------------------------------


def test_the_weekend_reminder_marks_updated_material(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    weekend = _weekend(cast)
    make_session(weekend)
    schedule.weekend_publish(weekend=weekend, actor=None)
    updated = make_material(
        cast.assembly, organiser, weekend=weekend, title="Feiten over drugs", status="released"
    )
    make_material(cast.assembly, organiser, weekend=weekend, title="Rapport", status="released")
    _new_version(cast, updated, "De cijfers van 2024 staan erin.")

    schedule.programme_reminders_send_due(
        assembly_id=cast.assembly.pk,
        days_before=[7],
        expert_days_before=0,
        today=weekend.starts_on - dt.timedelta(days=7),
    )
    body = OutboxEmail.objects.get(kind="programme_weekend").body
    reading = body[body.index("Wat leest u vooraf?") :]
    mark = reading.index("Bijgewerkt op")
    assert reading.index("Feiten over drugs") < mark < reading.index("Rapport")
    assert reading.count("Bijgewerkt op") == 1
    assert "De cijfers van 2024 staan erin." in reading
