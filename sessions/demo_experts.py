"""The demo's experts and materials: five perspectives, fifteen experts with
their declarations of interests, briefings assigned across perspectives, and
released materials (PDFs made with reportlab, links, videos).

Deterministic and idempotent: experts and materials are found again by name
and title, PDFs are written with reportlab's invariant mode (same bytes every
run), and a rerun restores what an organiser changed in the demo.
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from assembly.models import Assembly, Role, RoleKind
from sessions.models import Expert, Material, MaterialVersion, Perspective, Session, Weekend
from sessions.services.experts import BRIEFING_KINDS, perspectives_ensure

# (name, organisation, role, perspective number 1–5, interests, e-mail of a demo login or "")
DEMO_EXPERTS: list[tuple[str, str, str, int, str, str]] = [
    (
        "Dr. Aisha Koster",
        "Trimbos-instituut",
        "senior onderzoeker",
        4,
        "Werkt bij het Trimbos-instituut, dat geld krijgt van het ministerie van VWS. "
        "Geen betaalde nevenfuncties.",
        "deskundige@burgerberaad.example",
    ),
    (
        "Pieter van Dam",
        "Politie Nederland",
        "teamleider ondermijning",
        2,
        "In dienst van de politie. Lid van de Nederlandse Politiebond.",
        "deskundige2@burgerberaad.example",
    ),
    (
        "Linda Mulder",
        "Stichting Ervaringskracht",
        "ervaringsdeskundige",
        3,
        "Vrijwilliger bij de stichting, krijgt een onkostenvergoeding.",
        "deskundige3@burgerberaad.example",
    ),
    (
        "Marco Bos",
        "GGD Amsterdam",
        "arts infectieziekten",
        1,
        "In dienst van de GGD. Geen nevenfuncties.",
        "",
    ),
    (
        "Esther de Wit",
        "Verslavingszorg Noord Nederland",
        "verslavingsarts",
        1,
        "In dienst van VNN. Bestuurslid (onbetaald) van een vereniging van verslavingsartsen.",
        "",
    ),
    (
        "Youssef Amrani",
        "Mainline",
        "preventiewerker uitgaansleven",
        1,
        "In dienst van Mainline, dat subsidie krijgt van gemeenten.",
        "",
    ),
    (
        "mr. Judith Hermans",
        "Openbaar Ministerie",
        "officier van justitie",
        2,
        "In dienst van het Openbaar Ministerie. Geen nevenfuncties.",
        "",
    ),
    (
        "Bas Verhoeven",
        "RIEC Zuid-Nederland",
        "programmaleider",
        2,
        "In dienst van de gemeente Eindhoven, gedetacheerd bij het RIEC.",
        "",
    ),
    (
        "Sandra Kok",
        "LEAP Nederland",
        "oud-rechercheur, bestuurslid",
        2,
        "Onbetaald bestuurslid van LEAP Nederland, dat pleit voor regulering.",
        "",
    ),
    (
        "Kevin Smit",
        "Cliëntenraad verslavingszorg",
        "ervaringsdeskundige",
        3,
        "Lid van een cliëntenraad; krijgt een vrijwilligersvergoeding.",
        "",
    ),
    (
        "Anouk Peters",
        "Ouders van nu",
        "moeder en oprichter oudergroep",
        3,
        "Onbetaald. Haar zoon was verslaafd; zij vertelt over de gevolgen voor het gezin.",
        "",
    ),
    (
        "Prof. dr. Henk Jansen",
        "Universiteit Utrecht",
        "hoogleraar criminologie",
        4,
        "In dienst van de universiteit. Onderzoek betaald door NWO en het WODC.",
        "",
    ),
    (
        "Dr. Mei Lin",
        "Erasmus Universiteit Rotterdam",
        "gezondheidseconoom",
        4,
        "In dienst van de universiteit. Adviseert (betaald) een zorgverzekeraar.",
        "",
    ),
    (
        "Fatma Yıldız",
        "Gemeente Rotterdam",
        "wethouder zorg en welzijn",
        5,
        "Wethouder namens een politieke partij.",
        "",
    ),
    (
        "Gerard Hoekstra",
        "Gemeente Tilburg",
        "burgemeester",
        5,
        "Burgemeester; voorzitter (onbetaald) van een overleg van burgemeesters over drugs.",
        "",
    ),
]

# (weekend, kind, title, summary, url or PDF text, expert name, status, members-only reason)
DEMO_MATERIALS: list[tuple[int, str, str, str, str, str, str, str]] = [
    (
        1,
        "document",
        "Drugs in Nederland: de feiten",
        "Hoeveel mensen gebruiken drugs? Welke drugs? Wat zijn de risico's? "
        "Een kort overzicht met cijfers.",
        "Cijfers over drugsgebruik in Nederland.",
        "Dr. Aisha Koster",
        "public",
        "",
    ),
    (
        1,
        "video",
        "Wat is een burgerberaad?",
        "Een korte film over hoe een burgerberaad werkt en wat er met het advies gebeurt.",
        "https://www.youtube.com/watch?v=burgerberaad",
        "",
        "public",
        "",
    ),
    (
        2,
        "document",
        "Verslavingszorg in Nederland",
        "Hoe werkt de zorg voor mensen met een verslaving? Wie betaalt het? "
        "Hoe lang moet je wachten?",
        "Zo werkt de verslavingszorg.",
        "Esther de Wit",
        "public",
        "",
    ),
    (
        2,
        "link",
        "Schade beperken: testen van drugs",
        "Op sommige plekken kunt u drugs laten testen. Zo weet u wat erin zit. "
        "Deze pagina legt uit hoe dat werkt.",
        "https://www.drugsinfo.nl/",
        "Youssef Amrani",
        "released",
        "",
    ),
    (
        3,
        "document",
        "Criminaliteit rond drugs",
        "Hoe verdienen criminelen geld met drugs? Wat doen politie en justitie daartegen? "
        "Met voorbeelden uit de praktijk.",
        "Drugscriminaliteit en ondermijning.",
        "Pieter van Dam",
        "released",
        "",
    ),
    (
        3,
        "document",
        "Jonge aanwas: jongeren in de drugshandel",
        "Waarom raken jongeren betrokken bij drugshandel? Wat werkt om dat te voorkomen? "
        "Dit stuk bevat verhalen van jongeren.",
        "Verhalen van jongeren.",
        "Bas Verhoeven",
        "released",
        "Bevat verhalen van jongeren die herkenbaar kunnen zijn. Daarom alleen voor deelnemers.",
    ),
    (
        3,
        "video",
        "Een avond met de recherche",
        "Een film over het werk van de recherche in een grote stad.",
        "https://vimeo.com/000000000",
        "Pieter van Dam",
        "released",
        "",
    ),
    (
        4,
        "document",
        "Leven met een verslaving",
        "Drie mensen vertellen hoe hun verslaving begon, en hoe het nu met ze gaat.",
        "Drie verhalen.",
        "Linda Mulder",
        "released",
        "",
    ),
    (
        4,
        "link",
        "Preventie op school",
        "Wat leren kinderen op school over drugs? Deze pagina laat lessen en resultaten zien.",
        "https://www.trimbos.nl/",
        "Dr. Aisha Koster",
        "released",
        "",
    ),
    (
        5,
        "document",
        "Modellen voor drugsbeleid",
        "Verbieden, gedogen of reguleren: wat zijn de keuzes? Per model de voor- en nadelen.",
        "Vier modellen naast elkaar.",
        "Prof. dr. Henk Jansen",
        "released",
        "",
    ),
    (
        5,
        "link",
        "Wat doen andere landen?",
        "Portugal, Canada en Zwitserland kozen elk een andere weg. Een kort overzicht.",
        "https://www.emcdda.europa.eu/",
        "Dr. Mei Lin",
        "released",
        "",
    ),
]

# The same materials for English readers (Dutch title: English title, English summary).
# The files and links themselves stay as they are.
MATERIALS_EN: dict[str, tuple[str, str]] = {
    "Drugs in Nederland: de feiten": (
        "Drugs in the Netherlands: the facts",
        "How many people use drugs? Which drugs? What are the risks? "
        "A short overview with figures.",
    ),
    "Wat is een burgerberaad?": (
        "What is a citizens' assembly?",
        "A short film about how a citizens' assembly works and what happens to its advice.",
    ),
    "Verslavingszorg in Nederland": (
        "Addiction care in the Netherlands",
        "How does care for people with an addiction work? Who pays for it? "
        "How long do you have to wait?",
    ),
    "Schade beperken: testen van drugs": (
        "Reducing harm: testing drugs",
        "In some places you can have drugs tested. Then you know what is in them. "
        "This page explains how that works.",
    ),
    "Criminaliteit rond drugs": (
        "Crime around drugs",
        "How do criminals make money with drugs? What do the police and the justice system do "
        "about it? With examples from real life.",
    ),
    "Jonge aanwas: jongeren in de drugshandel": (
        "New recruits: young people in the drug trade",
        "Why do young people get involved in the drug trade? What works to prevent that? "
        "This document has stories of young people in it.",
    ),
    "Een avond met de recherche": (
        "An evening with the detectives",
        "A film about the work of police detectives in a big city.",
    ),
    "Leven met een verslaving": (
        "Living with an addiction",
        "Three people tell how their addiction started, and how they are doing now.",
    ),
    "Preventie op school": (
        "Prevention at school",
        "What do children learn about drugs at school? This page shows lessons and results.",
    ),
    "Modellen voor drugsbeleid": (
        "Models for drug policy",
        "Ban, tolerate or regulate: what are the choices? The pros and cons of each model.",
    ),
    "Wat doen andere landen?": (
        "What do other countries do?",
        "Portugal, Canada and Switzerland each chose a different way. A short overview.",
    ),
}


def _pdf(title: str, text: str) -> bytes:
    """A small, valid PDF; ``invariant`` makes the bytes the same on every run."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, title)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 740, text)
    pdf.drawString(72, 720, "Demo: dit stuk is gemaakt voor de demonstratie van Burgerberaad.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _experts(assembly: Assembly, perspectives: list[Perspective]) -> dict[str, Expert]:
    users = {
        role.user.email: role.user
        for role in Role.objects.filter(assembly=assembly, kind=RoleKind.EXPERT).select_related(
            "user"
        )
    }
    experts = {}
    for name, organisation, role_title, number, interests, email in DEMO_EXPERTS:
        slug = hashlib.sha256(name.encode()).hexdigest()[:8]
        expert, _created = Expert.objects.update_or_create(
            assembly=assembly,
            name=name,
            defaults={
                "organisation": organisation,
                "role_title": role_title,
                "perspective": perspectives[(number - 1) % len(perspectives)],
                "interests": interests,
                "email": email or f"deskundige-{slug}@voorbeeld.example",
                "phone": "",
                "user": users.get(email),
            },
        )
        experts[name] = expert
    return experts


def _assign(assembly: Assembly, experts: dict[str, Expert]) -> int:
    """Give each briefing without experts two experts of different perspectives,
    in turn; a questions session gets the experts of the briefing before it.

    Sessions that already have experts (assigned by an organiser, or by the
    schedule's demo when it ran after this) are left alone, so the order in
    which the demo seeds run does not matter and a rerun changes nothing.
    Returns the number of briefing sessions that have experts.
    """
    sessions = list(
        Session.objects.filter(weekend__assembly=assembly, kind__in=BRIEFING_KINDS)
        .annotate(expert_count=Count("experts"))
        .order_by("weekend__starts_on", "starts_at", "position", "pk")
    )
    by_perspective: dict[int, list[Expert]] = {}
    for expert in experts.values():
        assert expert.perspective_id is not None
        by_perspective.setdefault(expert.perspective_id, []).append(expert)
    groups = [by_perspective[key] for key in sorted(by_perspective)]
    previous: list[Expert] = []
    for n, session in enumerate(sessions):
        if session.expert_count:
            previous = []
            continue
        if session.kind == Session.Kind.QUESTIONS and previous:
            chosen = previous
        else:
            first = groups[n % len(groups)]
            second = groups[(n + 1 + n // len(groups)) % len(groups)]
            if second is first:
                second = groups[(n + 2) % len(groups)]
            chosen = [first[n % len(first)], second[n % len(second)]]
        session.experts.set(chosen)
        previous = chosen
    return (
        Session.objects.filter(weekend__assembly=assembly, kind__in=BRIEFING_KINDS)
        .filter(experts__isnull=False)
        .distinct()
        .count()
    )


def _materials(assembly: Assembly, experts: dict[str, Expert], weekends: dict[int, Weekend]) -> int:
    now = timezone.now()
    count = 0
    for number, kind, title, summary, content, expert_name, status, reason in DEMO_MATERIALS:
        weekend = weekends.get(number)
        if weekend is None:
            continue
        title_en, summary_en = MATERIALS_EN[title]
        material, _created = Material.objects.update_or_create(
            assembly=assembly,
            title=title,
            defaults={
                "weekend": weekend,
                "session": None,
                "expert": experts.get(expert_name),
                "kind": kind,
                "title_en": title_en,
                "summary": summary,
                "summary_en": summary_en,
                "status": status,
                "members_only_reason": reason,
            },
        )
        # Released in the demo's past: members are not e-mailed about it on every seed.
        fields = {
            "released_at": material.released_at or now,
            "release_at": material.release_at or now,
            "release_notified_at": material.release_notified_at or now,
            "made_public_at": (material.made_public_at or now) if status == "public" else None,
        }
        Material.objects.filter(pk=material.pk).update(**fields)
        if not material.versions.exists():
            version = MaterialVersion(material=material, number=1)
            if kind == Material.Kind.DOCUMENT:
                data = _pdf(title, content)
                version.sha256 = hashlib.sha256(data).hexdigest()
                version.size = len(data)
                version.file.save(
                    f"demo-{material.pk}-v1-{version.sha256[:12]}.pdf",
                    ContentFile(data),
                    save=False,
                )
            else:
                version.url = content
            version.save()
        count += 1
    return count


@transaction.atomic
def seed_demo_experts(assembly: Assembly) -> dict[str, int]:
    """Perspectives, experts, briefing assignments and materials for the demo.

    Returns counts: {"perspectives", "experts", "briefings", "materials"}.
    Briefings are assigned only when the schedule's demo has created sessions
    of kind "briefing" or "questions"; otherwise "briefings" is 0.

    Call it before ``sessions.demo_programme.programme_demo_fill``: that fill
    puts the experts that exist on its briefings (and the same experts on the
    questions after them); this function then only fills briefings that have
    no experts, so reruns of both change nothing.
    """
    with translation.override("nl"):
        perspectives_ensure(assembly=assembly)
    perspectives = list(Perspective.objects.filter(assembly=assembly).order_by("position", "pk"))
    experts = _experts(assembly, perspectives)
    briefings = _assign(assembly, experts)
    weekends = {w.number: w for w in Weekend.objects.filter(assembly=assembly)}
    materials = _materials(assembly, experts, weekends)
    return {
        "perspectives": len(perspectives),
        "experts": len(experts),
        "briefings": briefings,
        "materials": materials,
    }
