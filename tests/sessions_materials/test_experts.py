"""Perspectives, experts, their accounts and assignments, the public list, the
expert's own page and upload, and the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assembly.models import AuditEvent, Role, RoleKind
from sessions.demo_experts import DEMO_EXPERTS, seed_demo_experts
from sessions.models import Expert, Material, Perspective, Session, Weekend
from sessions.services import experts as services
from sessions.views.materials import _session_label
from tests.conftest import Cast
from tests.sessions_materials.helpers import make_expert, make_pdf, make_session


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def test_it_seeds_the_default_perspectives_once(cast: Cast) -> None:
    assert services.perspectives_ensure(assembly=cast.assembly) == 5
    assert services.perspectives_ensure(assembly=cast.assembly) == 0
    names = list(Perspective.objects.filter(assembly=cast.assembly).values_list("name", flat=True))
    assert names[:2] == ["Volksgezondheid en zorg", "Veiligheid en handhaving"]


def test_the_default_perspectives_are_dutch_with_english_whoever_seeds_them(cast: Cast) -> None:
    with translation.override("en"):
        services.perspectives_ensure(assembly=cast.assembly)
    care = Perspective.objects.get(assembly=cast.assembly, position=1)
    assert (care.name, care.name_en) == ("Volksgezondheid en zorg", "Public health and care")
    assert care.description_en.startswith("Prevention, addiction care")

    expert = make_expert(cast.assembly, name="Marco Bos", perspective=care)
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    Weekend.objects.filter(pk=weekend.pk).update(published_at=timezone.now())
    make_session(weekend, topic="Zorg").experts.add(expert)
    url = reverse("programme:experts_public", kwargs={"slug": cast.assembly.slug})
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Perspective: Public health and care" in english.get(url).content.decode()
    assert "Perspectief: Volksgezondheid en zorg" in _public_experts_page(cast)


def test_the_perspectives_page_seeds_and_adds(cast: Cast) -> None:
    client = _client(cast, "organiser")
    url = reverse("programme:perspectives", kwargs={"slug": cast.assembly.slug})
    assert "Lokaal bestuur" in client.get(url).content.decode()
    client.post(url, {"name": "Ouders en jeugdwerk", "description": "", "position": 6})
    assert Perspective.objects.filter(assembly=cast.assembly).count() == 6
    response = client.post(url, {"name": "ouders en jeugdwerk", "description": "", "position": 7})
    assert "al een perspectief" in response.content.decode()


def test_an_organiser_creates_an_expert_and_the_log_holds_no_name(cast: Cast) -> None:
    services.perspectives_ensure(assembly=cast.assembly)
    perspective = Perspective.objects.filter(assembly=cast.assembly).first()
    assert perspective is not None
    client = _client(cast, "organiser")
    response = client.post(
        reverse("programme:expert_create", kwargs={"slug": cast.assembly.slug}),
        {
            "name": "Sandra Geheimnaam",
            "organisation": "LEAP",
            "role_title": "bestuurslid",
            "perspective": perspective.pk,
            "interests": "Onbetaald bestuurslid.",
            "email": "sandra@example.org",
            "phone": "0612345678",
        },
    )
    assert response.status_code == 302
    expert = Expert.objects.get()
    event = AuditEvent.objects.get(action="expert.created")
    assert "Geheimnaam" not in f"{event.target} {event.detail}"
    assert event.target == f"assembly_sessions.Expert:{expert.pk}"


def test_inviting_gives_an_expert_account_once(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    expert = make_expert(cast.assembly, email="nieuw.deskundige@example.org")
    client = _client(cast, "organiser")
    url = reverse("programme:expert_invite", kwargs={"slug": cast.assembly.slug, "pk": expert.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    expert.refresh_from_db()
    assert expert.user is not None
    assert expert.user.email == "nieuw.deskundige@example.org"
    roles = Role.objects.filter(user=expert.user, assembly=cast.assembly, kind=RoleKind.EXPERT)
    assert roles.count() == 1
    assert sum("nieuw.deskundige@example.org" in m.to for m in mail.outbox) == 1


def test_assigning_only_to_briefings_of_this_assembly(cast: Cast) -> None:
    expert = make_expert(cast.assembly)
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    briefing = make_session(weekend, kind=Session.Kind.BRIEFING)
    lunch = make_session(weekend, kind=Session.Kind.BREAK, n=3)
    actor = cast.users["organiser"]
    services.expert_assign(expert=expert, session=briefing, actor=actor)
    with pytest.raises(services.ExpertRefused):
        services.expert_assign(expert=expert, session=lunch, actor=actor)
    assert list(briefing.experts.all()) == [expert]
    client = _client(cast, "organiser")
    client.post(
        reverse(
            "programme:expert_unassign",
            kwargs={"slug": cast.assembly.slug, "pk": expert.pk, "session_id": briefing.pk},
        )
    )
    assert not briefing.experts.exists()


def _public_experts_page(cast: Cast) -> str:
    return (
        Client()
        .get(reverse("programme:experts_public", kwargs={"slug": cast.assembly.slug}))
        .content.decode()
    )


def test_the_public_page_shows_interests_and_never_contact_details(cast: Cast) -> None:
    expert = make_expert(cast.assembly, name="Marco Bos", email="marco.prive@example.org")
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    Weekend.objects.filter(pk=weekend.pk).update(published_at=timezone.now())
    make_session(weekend, topic="Zorg").experts.add(expert)
    page = _public_experts_page(cast)
    assert "Marco Bos" in page and "Geen betaalde nevenfuncties." in page
    assert "marco.prive@example.org" not in page and "06-12345678" not in page


def test_the_public_page_names_only_experts_on_the_published_programme(cast: Cast) -> None:
    on_draft = make_expert(cast.assembly, name="Nog Niet Gevraagd")
    on_published = make_expert(cast.assembly, name="Wel Op Het Programma")
    draft, published = Weekend.objects.filter(assembly=cast.assembly).order_by("number")[:2]
    Weekend.objects.filter(pk=published.pk).update(published_at=timezone.now())
    Weekend.objects.filter(pk=draft.pk).update(published_at=None)
    make_session(draft, topic="Zorg").experts.add(on_draft)
    first, second = make_session(published, n=1), make_session(published, n=2)
    first.experts.add(on_published)
    second.experts.add(on_published)  # on two sessions, named once
    make_expert(cast.assembly, name="Alleen Ingevoerd")

    page = _public_experts_page(cast)

    assert page.count("Wel Op Het Programma") == 1
    assert "Nog Niet Gevraagd" not in page and "Alleen Ingevoerd" not in page


def test_an_expert_sees_their_own_slots_and_uploads_a_draft(cast: Cast) -> None:
    expert = make_expert(cast.assembly, name="Eigen Expert", user=cast.users["expert"])
    other = make_expert(cast.assembly, name="Andere Expert")
    weekend = Weekend.objects.get(assembly=cast.assembly, number=2)
    mine = make_session(weekend, topic="Zorg")
    mine.title = "Mijn uitleg"
    mine.save(update_fields=["title"])
    mine.experts.add(expert)
    theirs = make_session(weekend, n=2)
    theirs.title = "Niet van mij"
    theirs.save(update_fields=["title"])
    theirs.experts.add(other)

    client = _client(cast, "expert")
    page = client.get(reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug}))
    assert "Mijn uitleg" in page.content.decode()
    assert "Niet van mij" not in page.content.decode()

    upload = reverse("programme:expert_upload", kwargs={"slug": cast.assembly.slug})
    response = client.post(
        upload,
        {
            "kind": "document",
            "title": "Mijn presentatie",
            "summary": "Wat ik ga vertellen.",
            "session": theirs.pk,
            "file": SimpleUploadedFile("p.pdf", make_pdf()),
        },
    )
    assert response.status_code == 200  # another expert's session is not a choice
    response = client.post(
        upload,
        {
            "kind": "document",
            "title": "Mijn presentatie",
            "summary": "Wat ik ga vertellen.",
            "session": mine.pk,
            "file": SimpleUploadedFile("p.pdf", make_pdf()),
        },
    )
    assert response.status_code == 302
    material = Material.objects.get()
    assert material.status == Material.Status.DRAFT
    assert material.expert == expert and material.weekend == weekend


def _briefing_on_saturday_12_june_at_ten(cast: Cast) -> Session:
    weekend = Weekend.objects.get(assembly=cast.assembly, number=4)
    weekend.starts_on, weekend.ends_on = dt.date(2027, 6, 12), dt.date(2027, 6, 13)
    weekend.save(update_fields=["starts_on", "ends_on"])
    session = make_session(weekend)
    return Session.objects.select_related("weekend").get(pk=session.pk)  # as stored: UTC


def test_the_session_choices_show_the_local_time(cast: Cast) -> None:
    # 10:00 in summer is 08:00 UTC.
    session = _briefing_on_saturday_12_june_at_ten(cast)
    assert _session_label(session) == "Weekend 4, 12-06 10:00: Onderdeel 0"


def test_the_experts_upload_form_shows_their_session_at_the_local_time(cast: Cast) -> None:
    session = _briefing_on_saturday_12_june_at_ten(cast)
    session.experts.add(make_expert(cast.assembly, user=cast.users["expert"]))
    page = _client(cast, "expert").get(
        reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    )
    assert "12-06 10:00: Onderdeel 0" in page.content.decode()


def test_an_organiser_cannot_open_the_experts_own_page(cast: Cast) -> None:
    url = reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    assert _client(cast, "organiser").get(url).status_code == 403
    assert _client(cast, "expert").get(url).status_code == 200  # not linked yet: a notice


def test_the_demo_is_idempotent_and_balanced(cast: Cast) -> None:
    for number in range(1, 4):
        weekend = Weekend.objects.get(assembly=cast.assembly, number=number)
        for n in range(3):
            make_session(weekend, kind=Session.Kind.BRIEFING, topic=f"Onderwerp {n}", n=n)
    first = seed_demo_experts(cast.assembly)
    snapshot = (
        list(Expert.objects.order_by("pk").values_list("pk", "name", "perspective_id")),
        list(Material.objects.order_by("pk").values_list("pk", "title", "status")),
        sorted(Session.experts.through.objects.values_list("session_id", "expert_id")),
    )
    second = seed_demo_experts(cast.assembly)
    assert first == second
    assert first["experts"] == len(DEMO_EXPERTS) and first["briefings"] == 9
    assert snapshot == (
        list(Expert.objects.order_by("pk").values_list("pk", "name", "perspective_id")),
        list(Material.objects.order_by("pk").values_list("pk", "title", "status")),
        sorted(Session.experts.through.objects.values_list("session_id", "expert_id")),
    )
    assert Material.objects.filter(status="public").exists()
    members_only = Material.objects.exclude(members_only_reason="")
    assert members_only.count() == 1 and members_only.get().status == "released"
    assert Perspective.objects.filter(assembly=cast.assembly).count() == 5
    for material in Material.objects.filter(kind="document"):
        version = material.versions.get()
        assert version.file.open("rb").read(5) == b"%PDF-"


def test_the_demo_without_sessions_assigns_nothing(cast: Cast) -> None:
    assert seed_demo_experts(cast.assembly)["briefings"] == 0


def test_the_demo_runs_before_the_schedules_demo_and_both_stay_idempotent(cast: Cast) -> None:
    from sessions.demo_programme import programme_demo_fill

    def seed() -> None:
        seed_demo_experts(cast.assembly)
        programme_demo_fill(assembly=cast.assembly)

    seed()
    links = sorted(Session.experts.through.objects.values_list("session_id", "expert_id"))
    seed()
    assert links == sorted(Session.experts.through.objects.values_list("session_id", "expert_id"))
    briefings = Session.objects.filter(
        weekend__assembly=cast.assembly, kind__in=["briefing", "questions"]
    )
    assert briefings.exists()
    assert not briefings.filter(experts__isnull=True).exists()
    assert Material.objects.filter(assembly=cast.assembly).count() == 11


def test_an_expert_whose_only_session_was_cancelled_is_not_listed_publicly(cast: Cast) -> None:
    cancelled_only = make_expert(cast.assembly, name="Komt Niet Meer")
    still_coming = make_expert(cast.assembly, name="Komt Wel")
    weekend = Weekend.objects.get(assembly=cast.assembly, number=1)
    Weekend.objects.filter(pk=weekend.pk).update(published_at=timezone.now())
    gone = make_session(weekend, n=1)
    gone.experts.add(cancelled_only, still_coming)
    make_session(weekend, n=2).experts.add(still_coming)
    type(gone).objects.filter(pk=gone.pk).update(cancelled_at=timezone.now())

    page = _public_experts_page(cast)
    assert "Komt Wel" in page
    assert "Komt Niet Meer" not in page


def test_an_expert_sees_which_of_their_sessions_are_over(cast: Cast) -> None:
    expert = make_expert(cast.assembly, name="Eigen Expert", user=cast.users["expert"])
    past, coming = Weekend.objects.filter(assembly=cast.assembly).order_by("number")[:2]
    today = timezone.localdate()
    Weekend.objects.filter(pk=past.pk).update(
        starts_on=today - dt.timedelta(days=30), ends_on=today - dt.timedelta(days=29)
    )
    Weekend.objects.filter(pk=coming.pk).update(
        starts_on=today + dt.timedelta(days=30), ends_on=today + dt.timedelta(days=31)
    )
    past.refresh_from_db()
    coming.refresh_from_db()
    for weekend, title in ((past, "Al gegeven"), (coming, "Nog te geven")):
        session = make_session(weekend)
        Session.objects.filter(pk=session.pk).update(title=title)
        session.experts.add(expert)
    page = _client(cast, "expert").get(
        reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    items = {title: line for line in page.splitlines() for title in ("Al gegeven", "Nog te geven")
             if title in line and "<li>" in line}
    assert "Geweest" in items["Al gegeven"]
    assert "Geweest" not in items["Nog te geven"]


def test_an_upload_sent_twice_makes_one_draft(cast: Cast) -> None:
    """A retry on a slow connection: the expert cannot withdraw a draft, so a
    second copy would stay in the secretariat's list."""
    from tests.factories import form_number

    make_expert(cast.assembly, name="Eigen Expert", user=cast.users["expert"])
    client = _client(cast, "expert")
    home = reverse("programme:expert_home", kwargs={"slug": cast.assembly.slug})
    upload = reverse("programme:expert_upload", kwargs={"slug": cast.assembly.slug})
    number = form_number(client.get(home).content.decode())

    def send() -> int:
        return client.post(
            upload,
            {
                "kind": "document",
                "title": "Mijn presentatie",
                "summary": "Wat ik ga vertellen.",
                "file": SimpleUploadedFile("p.pdf", make_pdf()),
                "submission": number,
            },
        ).status_code

    assert send() == 302
    assert send() == 302
    assert Material.objects.filter(title="Mijn presentatie").count() == 1
    number = form_number(client.get(home).content.decode())
    assert send() == 302  # a new form: a new draft
    assert Material.objects.filter(title="Mijn presentatie").count() == 2


def test_the_migration_gives_untouched_defaults_their_english(cast: Cast) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sessions.migrations.0011_perspective_english")
    untouched = Perspective.objects.create(
        assembly=cast.assembly,
        name="Onderzoek",
        description="Wetenschappers en onderzoeksinstituten.",
        position=1,
    )
    rewritten = Perspective.objects.create(
        assembly=cast.assembly, name="Lokaal bestuur", description="Onze eigen uitleg.", position=2
    )
    own = Perspective.objects.create(assembly=cast.assembly, name="Ouders", position=3)

    migration.english_for_defaults(apps, None)

    untouched.refresh_from_db()
    rewritten.refresh_from_db()
    own.refresh_from_db()
    assert (untouched.name_en, untouched.description_en) == (
        "Research",
        "Scientists and research institutes.",
    )
    assert (rewritten.name_en, rewritten.description_en) == ("Local government", "")
    assert (own.name_en, own.description_en) == ("", "")
