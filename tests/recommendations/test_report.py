"""The final report and the progress reports: content, the three formats,
who may download them, and the secretariat's words per weekend.

``report_assembly`` builds a small finished assembly (members, quotas,
check-ins, recommendations with results, a ranked ballot, money, minutes);
the privacy and dashboard tests reuse it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from pypdf import PdfReader
from reportlab.platypus import Table

from assembly.models import Assembly, AuditEvent
from participants.models import (
    CheckIn,
    DayAllowance,
    ExpenseClaim,
    PanelMember,
    Quota,
)
from recommendations import report_pdf
from recommendations.models import (
    Ballot,
    BallotOption,
    BallotResult,
    GovernmentResponse,
    MinorityStatement,
    Minutes,
    ProgressReport,
    Recommendation,
)
from recommendations.report_pdf import final_report_pdf, progress_report_pdf
from recommendations.report_zip import final_report_zip
from recommendations.selectors_report import final_report, progress_content
from recommendations.services.record import minority_statement_remove
from recommendations.services.report import progress_report_publish, progress_report_save
from sessions.models import Expert, Material, MaterialVersion, Perspective, Session, Weekend
from tests.conftest import Cast
from tests.participants.test_panel import make_panel


@dataclass
class Built:
    assembly: Assembly
    members: list[PanelMember]
    named: PanelMember  # the one member who opted in to be named


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def report_assembly(assembly: Assembly, *, size: int = 8, recommendations: int = 3) -> Built:
    """A finished assembly with every kind of content the report shows."""
    panel = make_panel(
        assembly, size=size + 2, panel=tuple(range(size)), alternates=(size, size + 1)
    )
    PanelMember.objects.filter(assembly=assembly, kind=PanelMember.Kind.MEMBER).update(
        status=PanelMember.Status.CONFIRMED
    )
    everyone = PanelMember.objects.filter(assembly=assembly).select_related(
        "registration__invitation__resident"
    )
    for member in everyone:
        registration = member.registration
        # Unique, unmistakable personal data, so a leak is easy to find.
        registration.full_name = f"Geheime Naam{registration.pk:05d}q"
        registration.email = f"geheim{registration.pk:05d}@voorbeeld.nl"
        registration.needs_other = f"Persoonlijke wens {registration.pk:05d}x"
        registration.attitude_answers = {"houding": f"Antwoord{registration.pk:05d}z"}
        registration.save(update_fields=["full_name", "email", "needs_other", "attitude_answers"])
        resident = registration.invitation.resident
        resident.street = f"Privéstraat{registration.pk:05d}"
        resident.save(update_fields=["street"])
    members = list(
        PanelMember.objects.filter(assembly=assembly, kind=PanelMember.Kind.MEMBER)
        .select_related("registration__invitation__resident")
        .order_by("pk")
    )
    named = members[0]
    named.named_publicly = True
    named.named_publicly_at = timezone.now()
    named.save(update_fields=["named_publicly", "named_publicly_at"])
    Quota.objects.create(assembly=assembly, category="geslacht", value="vrouw", min=1, max=9)
    Quota.objects.create(
        assembly=assembly, category="geslacht", value="man", min=1, max=9, position=1
    )

    weekends = list(Weekend.objects.filter(assembly=assembly).order_by("number"))
    # The weekends held had their programme published.
    Weekend.objects.filter(pk__in=[w.pk for w in weekends[:2]]).update(published_at=timezone.now())
    perspective = Perspective.objects.create(assembly=assembly, name="Zorg")
    expert = Expert.objects.create(
        assembly=assembly,
        name="Dr. Deskundige Één",
        organisation="Trimbos-instituut",
        perspective=perspective,
        interests="Geen nevenfuncties.",
        email="deskundige@example.org",
    )
    for weekend in weekends[:2]:
        briefing = Session.objects.create(
            weekend=weekend,
            title=f"Uitleg {weekend.number}",
            kind=Session.Kind.BRIEFING,
            starts_at=_at(weekend.starts_on, 10),
            ends_at=_at(weekend.starts_on, 11),
        )
        briefing.experts.add(expert)
        for member in members[: size - weekend.number]:
            CheckIn.objects.create(member=member, weekend=weekend, day=weekend.starts_on)
            DayAllowance.objects.create(
                member=member,
                weekend=weekend,
                day=weekend.starts_on,
                gross=Decimal("39.20"),
                amount=Decimal("39.20"),
            )
        ExpenseClaim.objects.create(
            member=members[1],
            weekend=weekend,
            day=weekend.starts_on,
            kind=ExpenseClaim.Kind.PUBLIC_TRANSPORT,
            amount=Decimal("12.50"),
            status=ExpenseClaim.Status.APPROVED,
        )
    ExpenseClaim.objects.create(
        member=members[2],
        weekend=weekends[0],
        day=weekends[0].starts_on,
        kind=ExpenseClaim.Kind.CHILDCARE,
        amount=Decimal("80.00"),
        status=ExpenseClaim.Status.SUBMITTED,
    )
    material = Material.objects.create(
        assembly=assembly,
        weekend=weekends[0],
        expert=expert,
        title="Factsheet drugs",
        kind=Material.Kind.LINK,
        summary="Korte uitleg.",
        status=Material.Status.PUBLIC,
    )
    MaterialVersion.objects.create(material=material, number=1, url="https://example.org/f")

    for number in range(1, recommendations + 1):
        recommendation = Recommendation.objects.create(
            assembly=assembly,
            number=number,
            title=f"Aanbeveling over preventie {number}",
            text=f"De overheid investeert in preventie op scholen ({number}).",
            status=Recommendation.Status.ADOPTED
            if number % 2
            else Recommendation.Status.NOT_ADOPTED,
            position=number,
        )
        ballot = Ballot.objects.create(
            assembly=assembly,
            number=number,
            kind=Ballot.Kind.RECOMMENDATION,
            method=Ballot.Method.PAPER,
            status=Ballot.Status.CLOSED,
            recommendation=recommendation,
            title=recommendation.title,
            threshold="three_quarters",
            closed_at=timezone.now(),
        )
        BallotResult.objects.create(
            ballot=ballot,
            votes_for=6 if number % 2 else 3,
            votes_against=1 if number % 2 else 4,
            votes_abstain=1,
            adopted=bool(number % 2),
            threshold="three_quarters",
            counts_hash=f"{number:064d}",
        )
        MinorityStatement.objects.create(
            recommendation=recommendation, text=f"Wij vinden dit te duur ({number}).", supporters=2
        )
    GovernmentResponse.objects.create(
        recommendation=Recommendation.objects.get(assembly=assembly, number=1),
        status=GovernmentResponse.Status.UNDER_STUDY,
        text="Het kabinet onderzoekt dit.",
        responded_on=dt.date(2027, 12, 1),
    )
    ranked = Ballot.objects.create(
        assembly=assembly,
        number=recommendations + 1,
        kind=Ballot.Kind.RANKED,
        method=Ballot.Method.PAPER,
        status=Ballot.Status.CLOSED,
        title="Welk model past het best?",
        question="Zet de drie modellen in volgorde van voorkeur.",
        closed_at=timezone.now(),
    )
    for position, label in enumerate(["Verbieden", "Reguleren", "Gedogen"], start=1):
        BallotOption.objects.create(ballot=ranked, position=position, label=label)
    BallotResult.objects.create(
        ballot=ranked,
        rounds=[
            {"round": 1, "counts": {"1": 2, "2": 4, "3": 2}, "eliminated": [3], "exhausted": 0},
            # One ballot ranked only the option that fell off: it has no choice left.
            {"round": 2, "counts": {"1": 3, "2": 4}, "eliminated": [], "exhausted": 1},
        ],
        winner_position=2,
        threshold="majority",
        counts_hash="f" * 64,
    )
    Minutes.objects.create(
        assembly=assembly,
        weekend=weekends[0],
        title="Verslag van de opening",
        body="De voorzitter opende het weekend.",
        approved_at=timezone.now(),
    )
    Minutes.objects.create(
        assembly=assembly, weekend=weekends[1], title="Nog niet goedgekeurd", body="Concept"
    )
    del panel
    return Built(assembly=assembly, members=members, named=named)


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def zip_text(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


# ------------------------------------------------------------------ content


def test_it_gathers_the_whole_report(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    report = final_report(assembly=cast.assembly)
    assert [r.number for r in report.recommendations] == [1, 2, 3]
    first = report.recommendations[0]
    assert (first.votes_for, first.votes_against, first.votes_abstain) == (6, 1, 1)
    assert first.adopted is True and report.recommendations[1].adopted is False
    # Abstentions do not count under the default rule: 6 of 7 is 85.7 %.
    assert first.support_percent == pytest.approx(85.7)
    assert first.support_label == "85,7%"
    assert first.minority[0].supporters == 2
    assert first.response_status == "Wordt onderzocht"
    assert report.ranked[0].winner == "Reguleren"
    assert report.ranked[0].rounds[0].eliminated == ("Gedogen",)
    assert report.ranked[0].question == "Zet de drie modellen in volgorde van voorkeur."
    # Every round accounts for all eight ballots.
    for rnd in report.ranked[0].rounds:
        assert sum(votes for _option, votes in rnd.counts) + rnd.exhausted == 8
    assert report.adopted == 2 and report.not_adopted == 1
    # Composition: 7 of the 8 members came at least once (the last one never did).
    gender = report.composition[0]
    assert gender.members_total == 7
    assert sum(row.members for row in gender.rows) == 7
    assert sum(row.pool for row in gender.rows) == 10
    assert gender.rows[0].population_share is not None
    assert report.lottery.letters_sent == 10 and report.lottery.registrations == 10
    # Attendance: 7 and 6 present of 8 on the first two weekends.
    assert [w.present for w in report.weekends[:2]] == [7, 6]
    # Costs: allowances of the attended days, approved claims only.
    total = report.cost_total
    assert total.allowances == Decimal("39.20") * 13
    assert total.expenses == Decimal("25.00")
    assert report.named_members == (built.named.registration.full_name,)
    assert [m.title for m in report.minutes] == ["Verslag van de opening"]
    assert report.experts[0].briefings == 2
    assert report.materials[0].url == "https://example.org/f"


def test_the_pdf_has_a_cover_contents_page_numbers_and_every_recommendation(cast: Cast) -> None:
    report_assembly(cast.assembly)
    content = final_report_pdf(final_report(assembly=cast.assembly))
    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() or "" for page in reader.pages]
    assert len(pages) >= 4
    assert "Eindrapport aan de Tweede Kamer" in pages[0]
    assert "Inhoud" in pages[1] and "De aanbevelingen" in pages[1]
    assert f"pagina 2 van {len(pages)}" in pages[1]
    assert f"pagina {len(pages)} van {len(pages)}" in pages[-1]
    text = "\n".join(pages)
    for number in (1, 2, 3):
        assert f"Aanbeveling over preventie {number}" in text
    assert "Reguleren" in text and "Wij vinden dit te duur (1)." in text
    assert "Zet de drie modellen in volgorde van voorkeur." in text
    assert "Uitgeput (geen keuze meer over)" in text
    assert "€" in text
    assert reader.metadata is not None and reader.metadata.title == cast.assembly.name
    assert reader.outline  # bookmarks for every chapter
    # For screen readers: the language; for every viewer: the title, not the file name.
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and root["/ViewerPreferences"]["/DisplayDocTitle"]


def _outline(items: list) -> list:  # type: ignore[type-arg]
    """The outline's entries in order, children after their chapter."""
    flat = []
    for item in items:
        flat.extend(_outline(item) if isinstance(item, list) else [item])
    return flat


def test_every_bookmark_and_contents_line_opens_its_own_chapter(cast: Cast) -> None:
    """Every bookmark and contents link opened page 1: the pages were held back
    until the end to number them, and that left the bookmarks on the first."""
    report_assembly(cast.assembly)
    with translation.override("nl"):
        content = final_report_pdf(final_report(assembly=cast.assembly))
    reader = PdfReader(io.BytesIO(content))
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    total = len(texts)
    assert "pagina" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"pagina {number} van {total}" in text, number

    links = []
    contents_pages = set()
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            destination = annotation.get_object().get("/Dest")
            if destination is not None:
                contents_pages.add(index)
                links.append(reader.get_page_number(destination[0].get_object()))
    assert contents_pages == {1}

    entries = _outline(reader.outline)
    bookmarks = [reader.get_destination_page_number(entry) for entry in entries]
    for entry, index in zip(entries, bookmarks, strict=True):
        first = next(i for i, text in enumerate(texts) if i > 1 and entry.title in text)
        assert index == first, entry.title
    assert len(set(bookmarks)) >= 4
    annex = entries[[entry.title for entry in entries].index("Bijlage C. Verslagen")]
    assert "Verslag van de opening" in texts[reader.get_destination_page_number(annex)]
    # Each contents line links its text and its page number to the chapter.
    assert links[::2] == links[1::2] == bookmarks


def test_no_table_header_is_cut_inside_a_word(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Presentatie / s" and "Weeken / d": a header word wider than its column
    was cut in two, in Dutch and in English."""
    report_assembly(cast.assembly)
    tables: list[Table] = []
    make = report_pdf._table

    def kept(*args: Any, **kwargs: Any) -> Table:
        tables.append(make(*args, **kwargs))
        return tables[-1]

    monkeypatch.setattr(report_pdf, "_table", kept)
    for language in ("nl", "en"):
        with translation.override(language):
            report_pdf.final_report_pdf(final_report(assembly=cast.assembly))
            report_pdf.progress_report_pdf(progress_content(assembly=cast.assembly, number=1))
    assert len(tables) > 10
    cut = []
    for table in tables:
        table.wrap(report_pdf.TEXT_WIDTH, report_pdf.PAGE_HEIGHT)
        for (cell,) in table._cellvalues[0]:
            words = [word for _space, line in cell.blPara.lines for word in line]
            if words != cell.text.split():
                cut.append(words)
    assert not cut


def test_the_zip_describes_every_file_and_column_and_is_deterministic(cast: Cast) -> None:
    report_assembly(cast.assembly)
    first = final_report_zip(final_report(assembly=cast.assembly))
    again = final_report_zip(final_report(assembly=cast.assembly))
    assert first == again
    files = zip_text(first)
    readme = files["README.md"]
    for name, text in files.items():
        if name == "README.md":
            continue
        assert f"## {name}" in readme, name
        if name.endswith(".csv"):
            header = text.splitlines()[0].split(",")
            for column in header:
                assert column in readme, (name, column)
    data = json.loads(files["rapport.json"])
    assert data["aanbevelingen"][0]["voor"] == 6
    assert data["kosten"][0]["vergoedingen"] == "274.40"
    assert "Reguleren" in files["voorkeursstemmingen.csv"]
    assert "2,(uitgeput),1," in files["voorkeursstemmingen.csv"]
    (ranked,) = data["voorkeursstemmingen"]
    assert ranked["vraag"] == "Zet de drie modellen in volgorde van voorkeur."
    assert [r["uitgeput"] for r in ranked["rondes"]] == [0, 1]


def test_the_moment_of_the_draw_is_iso_8601_in_the_zip(cast: Cast) -> None:
    """loting.csv said "2026-11-24 08:24:13.265412+00:00", not the ISO 8601
    the README promises and the other times use."""
    report_assembly(cast.assembly)
    files = zip_text(final_report_zip(final_report(assembly=cast.assembly)))
    (lottery,) = csv.DictReader(io.StringIO(files["loting.csv"]))
    drawn = json.loads(files["rapport.json"])["loting"]["getrokken_op"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", drawn), drawn
    assert lottery["getrokken_op"] == drawn
    (session, *_rest) = csv.DictReader(io.StringIO(files["programma.csv"]))
    assert "T" in session["begin"]


def _zip_in(cast: Cast, url: str, language: str) -> bytes:
    client = _client(cast, "organiser")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return bytes(response.content)


def test_the_open_data_is_the_same_whatever_the_downloaders_language(cast: Cast) -> None:
    """The threshold, statuses and session kinds were written in the
    downloader's language: an English reader got other bytes."""
    report_assembly(cast.assembly)
    slug = cast.assembly.slug
    final = reverse("recommendations:report_final_zip", kwargs={"slug": slug})
    progress = reverse("recommendations:report_progress_zip", kwargs={"slug": slug, "weekend": 1})
    # A label in each that was translated; Dutch, as the README describes it.
    for url, label in ((final, "75 procent (ten minste 3/4)"), (progress, "Niet aangenomen")):
        dutch, english = (_zip_in(cast, url, language) for language in ("nl", "en"))
        dutch_files, english_files = zip_text(dutch), zip_text(english)
        for name, text in dutch_files.items():
            assert english_files[name] == text, (url, name)
        assert dutch == english
        assert label in english_files["aanbevelingen.csv"], url


def test_the_griffie_downloads_all_three_formats(cast: Cast) -> None:
    report_assembly(cast.assembly)
    client = _client(cast, "griffie")
    slug = {"slug": cast.assembly.slug}
    page = client.get(reverse("recommendations:report_final", kwargs=slug))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aanbeveling over preventie 2" in html and "<svg" in html
    assert "Zet de drie modellen in volgorde van voorkeur." in html
    assert "Uitgeput (geen keuze meer over)" in html
    pdf = client.get(reverse("recommendations:report_final_pdf", kwargs=slug))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    archive = client.get(reverse("recommendations:report_final_zip", kwargs=slug))
    assert archive["Content-Type"] == "application/zip"
    assert "README.md" in zip_text(archive.content)


def test_members_and_experts_cannot_open_the_report(cast: Cast) -> None:
    for persona in ("member", "expert", "facilitator", "other_member"):
        client = _client(cast, persona)
        url = reverse("recommendations:report_final_pdf", kwargs={"slug": cast.assembly.slug})
        assert client.get(url).status_code == 403, persona


# --------------------------------------------------------- progress reports


def test_the_organiser_writes_and_shares_a_progress_report(cast: Cast) -> None:
    report_assembly(cast.assembly)
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": 1}
    edit = reverse("recommendations:report_progress_edit", kwargs=kwargs)
    assert client.get(edit).status_code == 200
    griffie = _client(cast, "griffie")
    view = reverse("recommendations:report_progress", kwargs=kwargs)
    assert griffie.get(view).status_code == 403  # not shared yet
    response = client.post(edit, {"summary": "Een goed weekend.", "next_steps": "Weekend 2."})
    assert response.status_code == 302
    client.post(reverse("recommendations:report_progress_publish", kwargs=kwargs))
    report = ProgressReport.objects.get(weekend__assembly=cast.assembly, weekend__number=1)
    assert report.published_at is not None
    page = griffie.get(view).content.decode()
    assert "Een goed weekend." in page and "Weekend 2." in page
    pdf = griffie.get(reverse("recommendations:report_progress_pdf", kwargs=kwargs))
    assert "Een goed weekend." in pdf_text(pdf.content)
    archive = zip_text(
        griffie.get(reverse("recommendations:report_progress_zip", kwargs=kwargs)).content
    )
    assert json.loads(archive["voortgang.json"])["wat_er_gebeurde"] == "Een goed weekend."
    listing = griffie.get(
        reverse("recommendations:report_progress_list", kwargs={"slug": cast.assembly.slug})
    )
    assert "Weekend 1" in listing.content.decode()
    assert AuditEvent.objects.filter(action="progress_report.publish").count() == 1


def test_the_progress_report_bookmarks_open_their_own_pages(cast: Cast) -> None:
    import dataclasses

    report_assembly(cast.assembly)
    content = dataclasses.replace(
        progress_content(assembly=cast.assembly, number=1),
        summary="\n".join(f"Een lange alinea over het weekend ({n})." for n in range(120)),
    )
    with translation.override("nl"):
        reader = PdfReader(io.BytesIO(progress_report_pdf(content)))
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    for number, text in enumerate(texts[1:], start=2):
        assert f"pagina {number} van {len(texts)}" in text, number
    entries = _outline(reader.outline)
    pages = {entry.title: reader.get_destination_page_number(entry) for entry in entries}
    assert pages["Wat er gebeurde"] == 1
    assert pages["Volgende stappen"] > 1
    assert "Volgende stappen" in texts[pages["Volgende stappen"]]


def test_a_progress_report_without_words_cannot_be_shared(cast: Cast) -> None:
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": 1}
    response = client.post(
        reverse("recommendations:report_progress_publish", kwargs=kwargs), follow=True
    )
    assert "Schrijf eerst wat er gebeurde" in response.content.decode()
    assert not ProgressReport.objects.filter(published_at__isnull=False).exists()


def test_too_long_words_are_refused_with_the_field_named(cast: Cast) -> None:
    client = _client(cast, "organiser")
    kwargs = {"slug": cast.assembly.slug, "weekend": 1}
    response = client.post(
        reverse("recommendations:report_progress_edit", kwargs=kwargs),
        {"summary": "x" * 10_001, "next_steps": ""},
    )
    assert response.status_code == 200
    assert 'id="id_summary_error"' in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_progress_figures_count_drop_outs_and_replacements(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    weekend1 = Weekend.objects.get(assembly=cast.assembly, number=1)
    weekend2 = Weekend.objects.get(assembly=cast.assembly, number=2)
    stopped = built.members[-1]
    stopped.status = PanelMember.Status.WITHDRAWN
    stopped.withdrawn_at = _at(weekend1.ends_on + dt.timedelta(days=3), 12)
    stopped.save(update_fields=["status", "withdrawn_at"])
    alternate = PanelMember.objects.filter(
        assembly=cast.assembly, kind=PanelMember.Kind.ALTERNATE
    ).first()
    assert alternate is not None
    alternate.kind = PanelMember.Kind.MEMBER
    alternate.status = PanelMember.Status.CONFIRMED
    alternate.replaces = stopped
    alternate.responded_at = _at(weekend1.ends_on + dt.timedelta(days=5), 12)
    alternate.save(update_fields=["kind", "status", "replaces", "responded_at"])
    progress_report_save(weekend=weekend2, summary="Twee", next_steps="", actor=None)
    progress_report_publish(weekend=weekend2, actor=None)
    content = progress_content(assembly=cast.assembly, number=2)
    assert (content.dropped, content.replaced) == (1, 1)
    assert content.weekend.present == 6
    assert progress_content(assembly=cast.assembly, number=1).dropped == 0
    assert "Twee" in pdf_text(progress_report_pdf(content))


# ---------------------------------------------------------- name consent


def test_a_member_opts_in_to_be_named_and_can_withdraw(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    member = built.members[3]
    member.user = cast.users["member"]
    member.save(update_fields=["user"])
    client = _client(cast, "member")
    url = reverse("recommendations:report_name_consent", kwargs={"slug": cast.assembly.slug})
    page = client.get(url).content.decode()
    assert "Nu: uw naam komt niet in het rapport." in page
    assert 'type="checkbox"' in page and "checked" not in page
    client.post(url, {"named": "on"})
    member.refresh_from_db()
    assert member.named_publicly and member.named_publicly_at is not None
    assert member.registration.full_name in final_report(assembly=cast.assembly).named_members
    client.post(url, {})
    member.refresh_from_db()
    assert not member.named_publicly and member.named_publicly_at is None
    events = AuditEvent.objects.filter(target=f"participants.PanelMember:{member.pk}")
    assert events.count() == 2
    assert member.registration.full_name not in str(list(events.values()))


def test_a_member_without_a_seat_cannot_open_the_consent_page(cast: Cast) -> None:
    client = _client(cast, "member")
    url = reverse("recommendations:report_name_consent", kwargs={"slug": cast.assembly.slug})
    assert client.get(url).status_code == 403


# ------------------------------------- what the public record says, the report says


def _everything(cast: Cast) -> dict[str, str]:
    """The report as the griffie downloads it: the page, the PDF's text, every ZIP file."""
    client = _client(cast, "griffie")
    slug = {"slug": cast.assembly.slug}
    texts = {
        "html": client.get(reverse("recommendations:report_final", kwargs=slug)).content.decode(),
        "pdf": pdf_text(
            client.get(reverse("recommendations:report_final_pdf", kwargs=slug)).content
        ),
    }
    archive = client.get(reverse("recommendations:report_final_zip", kwargs=slug)).content
    texts.update({f"zip:{name}": text for name, text in zip_text(archive).items()})
    return texts


def test_a_removed_minority_statement_is_reported_as_removed_with_when_and_why(
    cast: Cast,
) -> None:
    report_assembly(cast.assembly)
    statement = MinorityStatement.objects.get(
        recommendation__assembly=cast.assembly, recommendation__number=2
    )
    minority_statement_remove(
        statement=statement,
        actor=cast.users["chair"],
        reason="Bij de verkeerde aanbeveling gezet.",
    )
    when = formats.date_format(timezone.localtime(timezone.now()), "j F Y")
    said = f"Een minderheidsstandpunt is op {when} uit het verslag gehaald."
    texts = _everything(cast)
    for where in ("html", "pdf"):
        text = " ".join(texts[where].split())
        assert said in text, where
        assert "Reden: Bij de verkeerde aanbeveling gezet." in text, where
    for where, text in texts.items():
        assert "Wij vinden dit te duur (2)." not in text, where
    # The statements still on the record stay.
    assert all("Wij vinden dit te duur (1)." in texts[where] for where in ("html", "pdf"))
    removed = list(csv.DictReader(io.StringIO(texts["zip:verwijderde_minderheidsstandpunten.csv"])))
    assert [(row["aanbeveling"], row["reden"]) for row in removed] == [
        ("2", "Bij de verkeerde aanbeveling gezet.")
    ]
    data = json.loads(texts["zip:rapport.json"])
    second = data["aanbevelingen"][1]
    assert second["minderheidsstandpunten"] == []
    assert [r["reden"] for r in second["verwijderde_minderheidsstandpunten"]] == [
        "Bij de verkeerde aanbeveling gezet."
    ]
    # In English too, for a reader who switched the language.
    with translation.override("en"):
        english = " ".join(pdf_text(final_report_pdf(final_report(assembly=cast.assembly))).split())
    assert "A minority statement was taken out of the record on" in english
    assert "Reason: Bij de verkeerde aanbeveling gezet." in english


def test_withdrawn_merged_and_corrected_results_are_in_the_report(cast: Cast) -> None:
    """The public results page lists withdrawn and merged recommendations, a
    corrected count with its reason and the invalid votes; the report may not
    leave them out."""
    report_assembly(cast.assembly)
    first = Recommendation.objects.get(assembly=cast.assembly, number=1)
    Recommendation.objects.create(
        assembly=cast.assembly,
        number=4,
        title="Aanbeveling over coffeeshops",
        text="Tekst.",
        status=Recommendation.Status.WITHDRAWN,
        withdrawn_reason="De tafel vond het niet af.",
        submitted_at=timezone.now(),
        position=4,
    )
    Recommendation.objects.create(
        assembly=cast.assembly,
        number=5,
        title="Aanbeveling over voorlichting",
        text="Tekst.",
        status=Recommendation.Status.MERGED,
        merged_into=first,
        submitted_at=timezone.now(),
        position=5,
    )
    old = BallotResult.objects.get(ballot__recommendation=first)
    BallotResult.objects.create(
        ballot=old.ballot,
        votes_for=6,
        votes_against=0,
        votes_abstain=1,
        invalid=1,
        adopted=True,
        threshold="three_quarters",
        counts_hash="e" * 64,
        supersedes=old,
        reason="Een stembiljet was dubbel geteld.",
    )
    texts = _everything(cast)
    for where in ("html", "pdf"):
        text = " ".join(texts[where].split())
        assert "Aanbeveling over coffeeshops" in text, where
        assert "De tafel vond het niet af." in text, where
        assert "Aanbeveling over voorlichting" in text, where
        assert "Deze uitslag is later verbeterd." in text, where
        assert "Een stembiljet was dubbel geteld." in text, where
        assert "1 stem was ongeldig. Die telt niet mee." in text, where
    assert "samengevoegd met aanbeveling 1." in " ".join(texts["pdf"].split())
    set_aside = list(csv.DictReader(io.StringIO(texts["zip:ingetrokken_en_samengevoegd.csv"])))
    assert [(r["nummer"], r["status"], r["samengevoegd_met"]) for r in set_aside] == [
        ("4", "withdrawn", ""),
        ("5", "merged", "1"),
    ]
    row = next(csv.DictReader(io.StringIO(texts["zip:aanbevelingen.csv"])))
    assert (row["voor"], row["ongeldig"], row["uitslag_verbeterd"]) == ("6", "1", "ja")
    assert row["reden_verbetering"] == "Een stembiljet was dubbel geteld."


def test_one_supporter_reads_as_one_deelnemer(cast: Cast) -> None:
    report_assembly(cast.assembly, recommendations=1)
    MinorityStatement.objects.filter(recommendation__assembly=cast.assembly).update(supporters=1)
    texts = _everything(cast)
    for where in ("html", "pdf"):
        text = " ".join(texts[where].split())
        assert "gesteund door 1 deelnemer)" in text, where
        assert "1 deelnemers" not in text, where


# ------------------------------------------------- the PDF is always made


def test_the_pdf_is_made_for_an_assembly_without_weekends(cast: Cast) -> None:
    Weekend.objects.filter(assembly=cast.assembly).delete()
    client = _client(cast, "griffie")
    response = client.get(
        reverse("recommendations:report_final_pdf", kwargs={"slug": cast.assembly.slug})
    )
    assert response.status_code == 200
    assert "Er zijn nog geen weekenden." in pdf_text(response.content)


def test_a_declaration_of_interests_longer_than_a_page_continues_on_the_next(cast: Cast) -> None:
    report_assembly(cast.assembly)
    expert = Expert.objects.create(
        assembly=cast.assembly,
        name="Prof. Veel Nevenfuncties",
        interests="\n".join(f"Lid van de raad van toezicht van stichting {n}." for n in range(150)),
    )
    Session.objects.get(weekend__assembly=cast.assembly, title="Uitleg 1").experts.add(expert)
    content = final_report_pdf(final_report(assembly=cast.assembly))
    text = pdf_text(content)
    assert "stichting 0." in text and "stichting 149." in text


def test_an_expert_not_on_a_published_programme_is_not_named(cast: Cast) -> None:
    """As on the public expert page: someone the organiser entered but never
    put on a published weekend may not have agreed to come."""
    report_assembly(cast.assembly)
    Expert.objects.create(
        assembly=cast.assembly, name="Mr. Nooit Gevraagd", interests="Adviseur bij Firma Geheim."
    )
    later = Expert.objects.create(assembly=cast.assembly, name="Dr. Nog Niet Bevestigd")
    unpublished = Weekend.objects.get(assembly=cast.assembly, number=5)
    Session.objects.create(
        weekend=unpublished,
        title="Uitleg later",
        kind=Session.Kind.BRIEFING,
        starts_at=_at(unpublished.starts_on, 10),
        ends_at=_at(unpublished.starts_on, 11),
    ).experts.add(later)
    texts = _everything(cast)
    for where, text in texts.items():
        for secret in ("Nooit Gevraagd", "Firma Geheim", "Nog Niet Bevestigd"):
            assert secret not in text, (where, secret)
    # The expert of the published programme is in every format.
    assert all("Dr. Deskundige Één" in texts[where] for where in ("html", "pdf"))
    assert "Dr. Deskundige Één" in texts["zip:deskundigen.csv"]
    assert "Dr. Deskundige Één" in texts["zip:programma.csv"]


def test_a_member_who_stopped_before_taking_part_is_not_named(cast: Cast) -> None:
    """Opting in early and stopping before the first weekend does not put a
    name among the members who took part."""
    built = report_assembly(cast.assembly)
    never_came = built.members[-1]  # checked in on no weekend
    assert not CheckIn.objects.filter(member=never_came).exists()
    PanelMember.objects.filter(pk=never_came.pk).update(
        status=PanelMember.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        named_publicly=True,
        named_publicly_at=timezone.now(),
    )
    stopped_later = built.members[1]  # came, then stopped: still a member who took part
    PanelMember.objects.filter(pk=stopped_later.pk).update(
        status=PanelMember.Status.WITHDRAWN,
        withdrawn_at=timezone.now(),
        named_publicly=True,
        named_publicly_at=timezone.now(),
    )
    named = final_report(assembly=cast.assembly).named_members
    assert never_came.registration.full_name not in named
    assert stopped_later.registration.full_name in named
    assert built.named.registration.full_name in named
    texts = _everything(cast)
    assert all(never_came.registration.full_name not in text for text in texts.values())


def test_a_cancelled_session_is_not_in_the_report_as_if_it_took_place(cast: Cast) -> None:
    """A session the organiser cancelled after publishing stays in the database
    (marked cancelled, for calendars): the report's programme, its briefing
    count and its list of experts leave it out."""
    report_assembly(cast.assembly)
    held = Weekend.objects.get(assembly=cast.assembly, number=1)
    only_here = Expert.objects.create(assembly=cast.assembly, name="Prof. Afgezegd")
    Session.objects.create(
        weekend=held,
        title="Uitleg die niet doorging",
        kind=Session.Kind.BRIEFING,
        starts_at=_at(held.starts_on, 16),
        ends_at=_at(held.starts_on, 17),
        cancelled_at=timezone.now(),
    ).experts.add(only_here)
    report = final_report(assembly=cast.assembly)
    assert report.briefings == sum(
        1
        for s in Session.objects.filter(weekend__assembly=cast.assembly, cancelled_at=None)
        if s.kind == Session.Kind.BRIEFING
    )
    texts = _everything(cast)
    for where, text in texts.items():
        for gone in ("Uitleg die niet doorging", "Prof. Afgezegd"):
            assert gone not in text, (where, gone)


def test_the_cover_dates_the_report_in_dutch_time(cast: Cast) -> None:
    """Made at 00:30 on 24 November in the Netherlands (23:30 UTC): the cover
    said 23 November."""
    import dataclasses

    report_assembly(cast.assembly)
    report = dataclasses.replace(
        final_report(assembly=cast.assembly),
        generated_at=dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC),
    )
    with translation.override("nl"):
        pdf = final_report_pdf(report)
    cover = PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or ""
    assert "Gemaakt op 24 november 2026." in cover, cover
