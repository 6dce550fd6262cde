"""The readable copy of a data-subject export: one PDF, a heading per
section, each row as a two-column table (what, value)."""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from recommendations.privacy import SubjectExport


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


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
        lang="nl",
    )
    story: list[Flowable] = [
        Paragraph(
            escape(title),
            styles["Title"],
        ),
        Paragraph(
            escape(
                _("Gemaakt op %(when)s. Dit zijn alle gegevens die wij over u bewaren.")
                % {"when": formats.date_format(export.made_at, "DATETIME_FORMAT")}
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
                [Paragraph(escape(_label(key)), body), Paragraph(escape(_text(value)), body)]
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
