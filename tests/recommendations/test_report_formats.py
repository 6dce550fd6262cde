"""What the griffie reads is the same in the HTML page, the PDF and the ZIP:
the minutes' Markdown as text (never raw symbols), the composition shares
with one decimal, each chart named, the figures of a progress report as of
its weekend, and no meaningless "(–%)" when no letters were sent."""

from __future__ import annotations

import datetime as dt
import io
import json

from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from participants.models import InvitationDraw, PanelMember
from recommendations.models import Minutes
from recommendations.report_pdf import final_report_pdf, progress_report_pdf
from recommendations.report_zip import progress_report_zip
from recommendations.selectors_report import final_report, progress_content
from sessions.models import Weekend
from tests.conftest import Cast
from tests.recommendations.test_report import (
    _at,
    _client,
    _everything,
    pdf_text,
    report_assembly,
    zip_text,
)

MINUTES = """# Opening

Meer uitleg: [de website van de Tweede Kamer](https://www.tweedekamer.nl/beraad?a=1&b=2)

Een **belangrijk** punt en een *schuin* woord.

- eerste punt
- tweede punt

1. stap een
2. stap twee

Geen opmaak uit de tekst: <b>niet vet</b> & <link href="https://kwaad.example">klik</link>

Naar [een andere site](//elders.example/pagina) en [het verslag](/verslagen/1).
"""


def _pdf(cast: Cast) -> bytes:
    with translation.override("nl"):
        return final_report_pdf(final_report(assembly=cast.assembly))


def _pdf_links(content: bytes) -> list[str]:
    links = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


# ------------------------------------------------------------ the minutes


def test_markdown_in_the_minutes_reads_as_text_in_the_pdf(cast: Cast) -> None:
    report_assembly(cast.assembly)
    Minutes.objects.filter(assembly=cast.assembly, approved_at__isnull=False).update(body=MINUTES)
    content = _pdf(cast)
    text = pdf_text(content)
    # The link reads as its text with its address, and can be clicked.
    assert (
        "de website van de Tweede Kamer (https://www.tweedekamer.nl/beraad?a=1&b=2)" in text
    ), text
    assert "https://www.tweedekamer.nl/beraad?a=1&b=2" in _pdf_links(content)
    # No Markdown symbols are left over.
    for raw in ("](", "[de website", "**", "*schuin*", "# Opening", "- eerste"):
        assert raw not in text, raw
    for words in ("Opening", "belangrijk", "schuin", "eerste punt", "stap twee"):
        assert words in text, words
    # Markup typed into the minutes is shown as typed, never followed.
    assert '<b>niet vet</b> & <link href="https://kwaad.example">klik</link>' in text
    assert "https://kwaad.example" not in _pdf_links(content)
    # "//host" is another site, not a path on this one: its text only, like a
    # scheme the HTML does not allow; a path on the site is printed, not linked.
    assert "Naar een andere site en het verslag (/verslagen/1)." in text, text
    assert "elders.example" not in text
    assert not [link for link in _pdf_links(content) if "elders" in link or "verslagen" in link]


# -------------------------------------------------------- the composition


def test_composition_shares_have_one_decimal_in_every_format(cast: Cast) -> None:
    """7 members took part, 4 and 3 per gender: 57,1% and 42,9% on the page,
    in the PDF and in the ZIP (the page said 57% and 43%)."""
    report_assembly(cast.assembly)
    (gender,) = final_report(assembly=cast.assembly).composition
    assert sorted(row.members for row in gender.rows) == [3, 4]
    texts = _everything(cast)
    for where in ("html", "pdf"):
        assert "57,1%" in texts[where] and "42,9%" in texts[where], where
    assert ">57%<" not in texts["html"] and ">43%<" not in texts["html"]
    shares = {
        line.split(",")[-1] for line in texts["zip:samenstelling.csv"].splitlines()[1:]
    }
    assert shares == {"57.1", "42.9"}


def test_each_composition_chart_is_named_for_its_category(cast: Cast) -> None:
    report_assembly(cast.assembly)
    client = _client(cast, "griffie")
    page = client.get(
        reverse("recommendations:report_final", kwargs={"slug": cast.assembly.slug})
    ).content.decode()
    assert '<title id="chart-geslacht-title">Samenstelling naar kenmerk: Geslacht.' in page


# ------------------------------------------------------------ the lottery


def test_no_letters_sent_is_said_in_words_not_as_a_dash_percentage(cast: Cast) -> None:
    report_assembly(cast.assembly)
    InvitationDraw.objects.filter(assembly=cast.assembly).update(
        status=InvitationDraw.Status.FAILED
    )
    text = " ".join(pdf_text(_pdf(cast)).split())
    assert "er zijn geen brieven verstuurd." in text
    assert "–%" not in text


# -------------------------------------------------------- progress report


def test_the_progress_report_counts_the_members_at_the_end_of_its_weekend(cast: Cast) -> None:
    """A report on weekend 1, read after a member stopped and a late
    replacement joined, still gives the 8 members of weekend 1."""
    built = report_assembly(cast.assembly)
    weekend1 = Weekend.objects.get(assembly=cast.assembly, number=1)
    weekend2 = Weekend.objects.get(assembly=cast.assembly, number=2)
    # The members said yes well before the first weekend.
    PanelMember.objects.filter(pk__in=[m.pk for m in built.members]).update(
        responded_at=_at(weekend1.starts_on - dt.timedelta(days=30), 12)
    )
    stopped = built.members[-1]
    stopped.status = PanelMember.Status.WITHDRAWN
    stopped.withdrawn_at = _at(weekend1.ends_on + dt.timedelta(days=3), 12)
    stopped.save(update_fields=["status", "withdrawn_at"])
    second = built.members[-2]
    second.status = PanelMember.Status.WITHDRAWN
    second.withdrawn_at = _at(weekend1.ends_on + dt.timedelta(days=4), 12)
    second.save(update_fields=["status", "withdrawn_at"])
    late = PanelMember.objects.filter(
        assembly=cast.assembly, kind=PanelMember.Kind.ALTERNATE
    ).first()
    assert late is not None
    late.kind = PanelMember.Kind.MEMBER
    late.status = PanelMember.Status.CONFIRMED
    late.replaces = stopped
    late.responded_at = _at(weekend2.ends_on + dt.timedelta(days=2), 12)
    late.save(update_fields=["kind", "status", "replaces", "responded_at"])

    first = progress_content(assembly=cast.assembly, number=1)
    after_second = progress_content(assembly=cast.assembly, number=2)
    assert (first.members_now, after_second.members_now) == (8, 6)
    assert (first.members_on, after_second.members_on) == (weekend1.ends_on, weekend2.ends_on)

    # Every format says which day the count is for.
    with translation.override("nl"):
        day = formats.date_format(weekend1.ends_on, "j F Y")
        label = f"Deelnemers die meededen op {day} (de laatste dag van het weekend)"
        pdf = " ".join(pdf_text(progress_report_pdf(first)).split())
    assert f"{label} 8" in pdf
    organiser = _client(cast, "organiser")
    page = organiser.get(
        reverse(
            "recommendations:report_progress",
            kwargs={"slug": cast.assembly.slug, "weekend": 1},
        )
    ).content.decode()
    assert f'{label}</th><td class="num">8</td>' in page
    data = json.loads(zip_text(progress_report_zip(first))["voortgang.json"])
    assert (data["deelnemers_nu"], data["deelnemers_nu_op"]) == (8, weekend1.ends_on.isoformat())
