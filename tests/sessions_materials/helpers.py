"""Small builders for the tests of experts, materials and the balance."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from reportlab.pdfgen import canvas

from assembly.models import Assembly, User
from sessions.models import Expert, Material, Perspective, Session, Weekend
from sessions.services import materials as services
from sessions.uploads import pdf_check


def make_pdf(text: str = "Uitleg over drugsbeleid", pages: int = 1) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for n in range(pages):
        pdf.drawString(72, 720, f"{text} ({n + 1})")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_session(
    weekend: Weekend, *, kind: str = Session.Kind.BRIEFING, topic: str = "", n: int = 0
) -> Session:
    start = timezone.make_aware(
        dt.datetime.combine(weekend.starts_on, dt.time(10, 0)) + dt.timedelta(hours=n)
    )
    return Session.objects.create(
        weekend=weekend,
        title=f"Onderdeel {n}",
        kind=kind,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=45),
        position=n,
    )


def make_perspective(assembly: Assembly, name: str, position: int = 0) -> Perspective:
    return Perspective.objects.create(assembly=assembly, name=name, position=position)


def make_expert(
    assembly: Assembly,
    *,
    name: str = "Dr. A. Deskundige",
    perspective: Perspective | None = None,
    user: User | None = None,
    email: str = "",
) -> Expert:
    return Expert.objects.create(
        assembly=assembly,
        name=name,
        organisation="Trimbos-instituut",
        role_title="onderzoeker",
        perspective=perspective,
        interests="Geen betaalde nevenfuncties.",
        email=email or "prive@example.org",
        phone="06-12345678",
        user=user,
    )


def make_material(
    assembly: Assembly,
    actor: User,
    *,
    weekend: Weekend | None = None,
    title: str = "Stuk",
    kind: str = Material.Kind.DOCUMENT,
    status: str = Material.Status.DRAFT,
    expert: Expert | None = None,
    session: Session | None = None,
    members_only_reason: str = "",
) -> Material:
    material = services.material_create(
        assembly=assembly,
        kind=kind,
        title=title,
        summary="Een korte uitleg.",
        weekend=weekend,
        session=session,
        expert=expert,
        pdf=pdf_check(make_pdf(title)) if kind == Material.Kind.DOCUMENT else None,
        url="" if kind == Material.Kind.DOCUMENT else "https://example.org/video",
        members_only_reason=members_only_reason,
        actor=actor,
    )
    if status != Material.Status.DRAFT:
        now = timezone.now()
        Material.objects.filter(pk=material.pk).update(
            status=status,
            released_at=now,
            release_notified_at=now,
            made_public_at=now if status == Material.Status.PUBLIC else None,
        )
        material.refresh_from_db()
    return material
