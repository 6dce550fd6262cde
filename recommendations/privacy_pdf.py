"""The readable copy of a data-subject export: one PDF, a heading per
section, each row as a two-column table (what, value).

The JSON copy is for computers and keeps the export's keys and stored values;
this copy is for the person, in their language: a label per key (FIELD_LABELS),
dates and times in Dutch time as people write them, Ja/Nee, and the words of a
choice instead of its code."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from recommendations.privacy import Shown, SubjectExport

# Every key of recommendations.privacy's rows, with what a person reads for it:
# mostly the verbose name of the model field the value comes from.
FIELD_LABELS: dict[str, Promise] = {
    # The BRP extract
    "persoonsnummer": gettext_lazy("persoonsnummer"),
    "voornamen": gettext_lazy("voornamen"),
    "voorvoegsel": gettext_lazy("voorvoegsel"),
    "geslachtsnaam": gettext_lazy("geslachtsnaam"),
    "adres": gettext_lazy("adres"),
    "postcode": gettext_lazy("postcode"),
    "woonplaats": gettext_lazy("woonplaats"),
    "gemeente": gettext_lazy("gemeente"),
    "geboortedatum": gettext_lazy("geboortedatum"),
    "email": gettext_lazy("e-mailadres"),
    # The invitation
    "code": gettext_lazy("persoonlijke code"),
    "status": gettext_lazy("status"),
    "brief_gemaakt_op": gettext_lazy("brief gemaakt op"),
    "email_verstuurd_op": gettext_lazy("e-mail verstuurd op"),
    # The registration
    "toestemming_op": gettext_lazy("toestemming gegeven op"),
    "versie_uitleg": gettext_lazy("versie van de uitleg"),
    "naam": gettext_lazy("naam"),
    "telefoon": gettext_lazy("telefoonnummer"),
    "nieuw_adres": gettext_lazy("adres dat u zelf doorgaf"),
    "geslacht": gettext_lazy("geslacht"),
    "opleiding": gettext_lazy("opleiding"),
    "provincie": gettext_lazy("provincie"),
    "woonomgeving": gettext_lazy("woonomgeving"),
    "migratieachtergrond": gettext_lazy("migratieachtergrond"),
    "antwoorden_mening": gettext_lazy("antwoorden over uw mening"),
    "beschikbaar_weekenden": gettext_lazy("kan op deze weekenden"),
    "hulp_bewegen": gettext_lazy("hulp bij bewegen of rolstoel"),
    "opvang_kinderen": gettext_lazy("opvang voor kinderen"),
    "hulp_taal": gettext_lazy("hulp met taal"),
    "taal": gettext_lazy("taal"),
    "eten": gettext_lazy("eten"),
    "anders": gettext_lazy("iets anders"),
    # Also the moment of checking in at the desk (Aanwezigheid).
    "aangemeld_op": gettext_lazy("aangemeld op"),
    "afgemeld_op": gettext_lazy("afgemeld op"),
    # Taking part
    "soort": gettext_lazy("soort"),
    "plaats_reservelijst": gettext_lazy("plaats op de reservelijst"),
    "bericht_verstuurd_op": gettext_lazy("bericht verstuurd op"),
    "antwoord_gegeven_op": gettext_lazy("antwoord gegeven op"),
    "gestopt_op": gettext_lazy("gestopt op"),
    "reden_stoppen": gettext_lazy("reden van stoppen"),
    "naam_in_rapport": gettext_lazy("mag met naam in het rapport"),
    "weekend": gettext_lazy("weekend"),
    "dag": gettext_lazy("dag"),
    "opmerking": gettext_lazy("opmerking"),
    "tafel": gettext_lazy("tafel"),
    "stemming": gettext_lazy("stemming"),
    "titel": gettext_lazy("titel"),
    "gestemd_op": gettext_lazy("gestemd op"),
    # The expert's profile and materials
    "organisatie": gettext_lazy("organisatie"),
    "functie": gettext_lazy("functie"),
    "perspectief": gettext_lazy("perspectief"),
    "verklaring_van_belangen": gettext_lazy("verklaring van belangen"),
    "titel_in_het_engels": gettext_lazy("titel in het Engels"),
    "korte_uitleg": gettext_lazy("korte uitleg in eenvoudige taal"),
    "korte_uitleg_in_het_engels": gettext_lazy("korte uitleg in het Engels"),
    "onderdeel": gettext_lazy("onderdeel"),
    "door_u_gestuurd": gettext_lazy("door u gestuurd"),
    "versies": gettext_lazy("versies"),
    # Money
    "bedrag": gettext_lazy("bedrag"),
    "afgetopt": gettext_lazy("maximum"),
    "omschrijving": gettext_lazy("omschrijving"),
    "kilometers": gettext_lazy("kilometers"),
    "bon": gettext_lazy("bon bijgevoegd"),
    "bericht": gettext_lazy("bericht"),
    "iban": gettext_lazy("IBAN"),
    "rekeninghouder": gettext_lazy("naam van de rekeninghouder"),
    "batch": gettext_lazy("betaalbatch"),
    "betaald_op": gettext_lazy("betaald op"),
    # The account
    "rollen": gettext_lazy("rollen"),
    "laatst_ingelogd": gettext_lazy("laatst ingelogd"),
    "aangemaakt_op": gettext_lazy("aangemaakt op"),
    "aanbeveling": gettext_lazy("aanbeveling"),
    "versie": gettext_lazy("versie"),
    "amendement": gettext_lazy("amendement"),
    "op": gettext_lazy("Datum"),
    "aantal": gettext_lazy("Aantal"),
    "handeling": gettext_lazy("handeling"),
}


def _moment(value: dt.datetime) -> str:
    # Stored in UTC; people read the time on the clock in the Netherlands.
    return formats.date_format(timezone.localtime(value), "j F Y, H:i")


def _text(value: Any) -> str:
    if isinstance(value, Shown):
        value = value.text
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Ja") if value else _("Nee")
    if isinstance(value, dt.datetime):
        return _moment(value)
    if isinstance(value, dt.date):
        return formats.date_format(value, "j F Y")
    if isinstance(value, Decimal):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def _label(key: str) -> str:
    return capfirst(str(FIELD_LABELS.get(key, key.replace("_", " "))))


def _paragraph_text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def subject_export_pdf(export: SubjectExport) -> bytes:
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = _("Uw gegevens bij %(assembly)s") % {"assembly": export.subject.assembly.shown_name}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=title,
        lang=get_language() or "nl",
        displayDocTitle=True,  # viewers show the title, not the file name
    )
    story: list[Flowable] = [
        Paragraph(
            escape(title),
            styles["Title"],
        ),
        Paragraph(
            escape(
                _("Gemaakt op %(when)s. Dit zijn alle gegevens die wij over u bewaren.")
                % {"when": _moment(export.made_at)}
            ),
            body,
        ),
        Paragraph(
            escape(
                _(
                    "Wat u stemde bij een geheime stemming staat er niet in: "
                    "dat is niet aan u gekoppeld."
                )
            ),
            body,
        ),
    ]
    if not export.sections:
        story.append(Paragraph(escape(_("Wij bewaren geen gegevens over u.")), body))
    for title, rows in export.sections:
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(escape(title), styles["Heading2"]))
        for row in rows:
            data = [
                [
                    Paragraph(escape(_label(key)), body),
                    Paragraph(_paragraph_text(_text(value)), body),
                ]
                for key, value in row.items()
            ]
            table = Table(data, colWidths=[55 * mm, 115 * mm])
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                    ]
                )
            )
            story.append(table)
            story.append(Spacer(1, 3 * mm))
    document.build(story)
    return buffer.getvalue()
