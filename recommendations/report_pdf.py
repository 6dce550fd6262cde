"""The report to the Kamer and the progress reports as print-ready A4 PDFs.

ReportLab platypus: a cover page, a table of contents with page numbers
(multiBuild runs the layout until the page numbers settle), running headers
and footers with "pagina X van Y", tables that split over pages and repeat
their header row, and bar charts drawn with reportlab.graphics. DejaVu Sans
carries €, ë and the other characters of Dutch names; the PDF has a title,
an author, a language and an outline (bookmarks) for every chapter.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from markdown_it.token import Token
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import IndexingFlowable
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.tableofcontents import TableOfContents

from assembly.pdf_fonts import pdf_fonts
from recommendations.markdown import URL_SCHEMES, is_scheme_relative, markdown_tokens
from recommendations.selectors_report import (
    CompositionCategory,
    FinalReport,
    ProgressContent,
    WeekendLine,
    rounded,
)

BRAND = colors.HexColor("#154273")
BRAND_LIGHT = colors.HexColor("#dce6f2")
MUTED = colors.HexColor("#4a4a4a")
OK = colors.HexColor("#1d6b2f")
PROBLEM = colors.HexColor("#a4001d")
SECOND = colors.HexColor("#8a5a00")

# DejaVu Sans when the system has it (it covers every Latin letter).
FONT, FONT_BOLD = pdf_fonts()

MARGIN = 20 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8.5,
            leading=11,
            spaceAfter=0,
            textColor=colors.white,
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=22,
            spaceBefore=6,
            spaceAfter=10,
            textColor=BRAND,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            spaceBefore=10,
            spaceAfter=5,
            textColor=BRAND,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=26,
            leading=32,
            textColor=BRAND,
            spaceAfter=14,
        ),
        "cover_sub": ParagraphStyle(
            "cover_sub", parent=base, fontSize=14, leading=19, textColor=MUTED, spaceAfter=10
        ),
        "question": ParagraphStyle(
            "question",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=15,
            leading=21,
            spaceBefore=20,
            spaceAfter=20,
            borderPadding=10,
            backColor=BRAND_LIGHT,
        ),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=11, leading=16),
        "toc2": ParagraphStyle("toc2", parent=base, fontSize=9.5, leading=13, leftIndent=14),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, textColor=MUTED),
    }


def _p(text: object) -> str:
    """Escaped text with line breaks kept."""
    return escape("" if text is None else str(text)).replace("\n", "<br/>")


def _number(value: float | Decimal | None, digits: int = 0) -> str:
    """Rounded as the HTML page and the ZIP round (selectors_report.rounded)."""
    if value is None:
        return "–"
    return formats.number_format(rounded(value, digits), digits)


def _euro(amount: Decimal) -> str:
    return "€ " + formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def _clock(starts: Any, ends: Any) -> str:
    local = timezone.localtime
    return (
        f"{formats.date_format(local(starts), 'D H:i')}–{formats.time_format(local(ends), 'H:i')}"
    )


def _days(first: Any, last: Any) -> str:
    """26–27 september 2026; across a month: 31 januari – 1 februari 2027."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_date(last)}"
    return f"{formats.date_format(first, 'j F')} – {_date(last)}"


def _date(value: Any) -> str:
    return formats.date_format(value, "j F Y") if value else "–"


# --------------------------------------------------------------- the document


class _Heading(Paragraph):
    """A heading that goes into the table of contents and the PDF outline."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str) -> None:
        super().__init__(_p(text), style)
        self.toc_text = text
        self.toc_level = level
        self.toc_key = key


class _ReportDoc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, *, title: str, header: str, **kwargs: Any) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm,
            bottomMargin=MARGIN,
            title=title,
            author=_("Burgerberaad"),
            subject=header,
            lang=(get_language() or "nl"),
            displayDocTitle=True,  # viewers show the title, not the file name
            **kwargs,
        )
        self.header_text = header
        self.page_total = _PageTotal()
        frame = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN - 6 * mm, id="body")
        cover = Frame(MARGIN, MARGIN, TEXT_WIDTH, PAGE_HEIGHT - 2 * MARGIN, id="cover")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[cover], onPage=_cover_page),
                PageTemplate(id="body", frames=[frame], onPage=self._running),
            ]
        )

    def _running(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN + 2 * mm, self.header_text)
        canvas.setStrokeColor(BRAND)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, PAGE_HEIGHT - MARGIN, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN)
        text = _("pagina %(page)s van %(total)s") % {
            "page": doc.page,
            "total": self.page_total.total,
        }
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, text)
        canvas.restoreState()

    def afterPage(self) -> None:
        self.page_total.seen = self.page

    def afterFlowable(self, flowable: Flowable) -> None:
        if isinstance(flowable, _Heading):
            key = flowable.toc_key
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.toc_text, key, level=flowable.toc_level, closed=True)
            self.notify("TOCEntry", (flowable.toc_level, flowable.toc_text, self.page, key))


def _cover_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.rect(0, PAGE_HEIGHT - 28 * mm, PAGE_WIDTH, 28 * mm, stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(FONT_BOLD, 13)
    canvas.drawString(MARGIN, PAGE_HEIGHT - 17 * mm, _("Burgerberaad"))
    canvas.restoreState()


class _PageTotal(IndexingFlowable):
    """Keeps multiBuild going until the number of pages stops changing.

    The footer "pagina X van Y" is drawn while each page is made, with Y from
    the previous pass. Pages are written as they come (the plain showPage), so
    every bookmark and contents link points at its own page; holding pages
    back to learn Y at the end sent them all to page 1.
    """

    def __init__(self) -> None:
        super().__init__()
        self.total = 0  # pages of the previous pass; 0 before the first
        self.seen = 0  # pages of this pass so far
        self._settled = False

    def isSatisfied(self) -> int:
        return int(self._settled)

    def beforeBuild(self) -> None:
        self.seen = 0

    def afterBuild(self) -> None:
        self._settled = self.seen == self.total
        self.total = self.seen

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return (0, 0)

    def draw(self) -> None:
        pass


# ------------------------------------------------------------------ helpers

CELL_PADDING = 4  # points left and right of the text in a table cell
SMALLEST_HEAD = 6.5


def _head_fitted(text: str, width: float, style: ParagraphStyle) -> ParagraphStyle:
    """The header style, smaller when a word would not fit its column.

    ReportLab cuts a word that is wider than its column ("Presentatie / s");
    a translation can make any header longer, so the size follows the text.
    """
    room = width - 2 * CELL_PADDING
    widest = max((stringWidth(w, style.fontName, style.fontSize) for w in text.split()), default=0)
    if widest <= room:
        return style
    size = max(SMALLEST_HEAD, math.floor(10 * style.fontSize * room / widest) / 10)
    return ParagraphStyle(f"{style.name}_fitted", parent=style, fontSize=size)


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    styles: dict[str, ParagraphStyle],
    *,
    numeric: Sequence[int] = (),
) -> Table:
    """A table that splits over pages and repeats its header row."""
    head_right = ParagraphStyle("cell_head_num", parent=styles["cell_head"], alignment=TA_RIGHT)
    cell_right = ParagraphStyle("cell_num", parent=styles["cell"], alignment=TA_RIGHT)
    col_widths = [w * TEXT_WIDTH for w in widths]
    data: list[list[object]] = [
        [
            Paragraph(
                _p(h),
                _head_fitted(h, col_widths[i], head_right if i in numeric else styles["cell_head"]),
            )
            for i, h in enumerate(header)
        ]
    ]
    for row in rows:
        data.append(
            [
                cell
                if isinstance(cell, Flowable)
                else Paragraph(_p(cell), cell_right if i in numeric else styles["cell"])
                for i, cell in enumerate(row)
            ]
        )
    # splitInRow: a row taller than a page (a long declaration of interests)
    # continues on the next page instead of stopping the whole PDF. Rows are
    # still kept whole where they fit: a row is only cut when at least this
    # many points of it fit on the page, else it moves to the next page.
    table = Table(
        data,
        colWidths=col_widths,
        repeatRows=1,
        splitByRow=True,
        splitInRow=40,
    )
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), BRAND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b0b0")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#f3f6fa")))
    for column in numeric:
        commands.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
    table.setStyle(TableStyle(commands))
    return table


def _hbar_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[float]],
    names: Sequence[str],
    *,
    value_max: float,
    unit: str = "%",
) -> Drawing:
    """Horizontal bars, one group per label; a legend names each series."""
    row = 10 * len(series) + 6
    height = max(60, row * len(labels) + 40)
    drawing = Drawing(TEXT_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x = 130
    chart.y = 28
    chart.width = int(TEXT_WIDTH - 180)
    chart.height = height - 40
    chart.data = [list(s) for s in series]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_max
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = "%d" + unit.replace("%", "%%")
    chart.barSpacing = 1
    chart.groupSpacing = 5
    palette = [colors.HexColor("#9fb4cc"), BRAND, SECOND]
    for index in range(len(series)):
        chart.bars[index].fillColor = palette[index % len(palette)]
        chart.bars[index].strokeColor = None
    # One decimal, as in the table beside it and on the HTML page.
    chart.barLabelFormat = lambda value: _number(value, 1)
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    if len(names) > 1:
        legend = Legend()
        legend.x = 130
        legend.y = 10
        legend.fontName = FONT
        legend.fontSize = 7.5
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.dx = legend.dy = 7
        legend.deltax = 150
        legend.colorNamePairs = [(palette[i % len(palette)], names[i]) for i in range(len(names))]
        drawing.add(legend)
    return drawing


def _attendance_chart(weekends: Sequence[WeekendLine]) -> Drawing:
    height = 185
    drawing = Drawing(TEXT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x = 40
    chart.y = 45
    chart.width = int(TEXT_WIDTH - 60)
    chart.height = height - 65
    chart.data = [[w.present for w in weekends], [w.expected for w in weekends]]
    chart.categoryAxis.categoryNames = [
        _("Weekend %(number)s") % {"number": w.number} for w in weekends
    ]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = colors.HexColor("#9fb4cc")
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6.5
    chart.barLabels.dy = 5
    drawing.add(chart)
    legend = Legend()
    legend.x = 40
    legend.y = 14
    legend.fontName = FONT
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 120
    legend.colorNamePairs = [(BRAND, _("Aanwezig")), (colors.HexColor("#9fb4cc"), _("Verwacht"))]
    drawing.add(legend)
    return drawing


def _toc(styles: dict[str, ParagraphStyle]) -> TableOfContents:
    toc = TableOfContents()
    toc.levelStyles = [styles["toc1"], styles["toc2"]]
    toc.dotsMinLevel = 0
    return toc


def _build(story: list[Flowable], *, title: str, header: str) -> bytes:
    buffer = io.BytesIO()
    doc = _ReportDoc(buffer, title=title, header=header)
    doc.multiBuild([doc.page_total, *story])
    return buffer.getvalue()


class _Keys:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"h{self.count}"


# --------------------------------------------------------------- final report


def final_report_pdf(report: FinalReport) -> bytes:
    s = _styles()
    key = _Keys()
    story: list[Flowable] = []

    chapter = [0]

    def h1(text: str, numbered: bool = True) -> None:
        story.append(CondPageBreak(60 * mm))
        if numbered:
            chapter[0] += 1
            text = f"{chapter[0]}. {text}"
        story.append(_Heading(text, s["h1"], 0, key()))

    def h2(text: str) -> None:
        story.append(CondPageBreak(30 * mm))
        story.append(_Heading(text, s["h2"], 1, key()))

    def para(text: object, style: str = "body") -> None:
        story.append(Paragraph(_p(text), s[style]))

    # Cover
    story.append(Spacer(1, 30 * mm))
    para(_("Eindrapport aan de Tweede Kamer"), "cover_sub")
    story.append(Paragraph(_p(report.name), s["cover_title"]))
    story.append(Paragraph(_p(report.question), s["question"]))
    period = f"{_date(report.first_weekend)} – {_date(report.period_end)}"
    para(_("Periode: %(period)s") % {"period": period}, "cover_sub")
    if report.commissioned_by:
        para(_("Opdrachtgever: %(who)s") % {"who": report.commissioned_by}, "cover_sub")
    story.append(Spacer(1, 20 * mm))
    para(
        _(
            "%(members)s deelnemers, %(weekends)s weekenden, %(briefings)s presentaties van "
            "deskundigen, %(recommendations)s aanbevelingen waarvan %(adopted)s aangenomen."
        )
        % {
            "members": report.members_total,
            "weekends": len(report.weekends),
            "briefings": report.briefings,
            "recommendations": len(report.recommendations),
            "adopted": report.adopted,
        },
        "body",
    )
    para(
        _("Gemaakt op %(date)s.")
        % {"date": formats.date_format(timezone.localtime(report.generated_at), "j F Y")},
        "small",
    )
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())

    # Contents
    story.append(Paragraph(_p(_("Inhoud")), s["h1"]))
    story.append(_toc(s))
    story.append(PageBreak())

    # 1. The question and the mandate
    h1(_("De vraag en de opdracht"))
    para(report.question)
    if report.mandate:
        h2(_("De opdracht"))
        para(report.mandate)
    h2(_("Wie organiseerde het burgerberaad"))
    if report.commissioned_by:
        para(_("Opdrachtgever: %(who)s") % {"who": report.commissioned_by})
    para(_("Voorzitter: %(names)s") % {"names": ", ".join(report.chairs) or _("niet ingevuld")})
    para(
        _("Secretariaat: %(names)s") % {"names": ", ".join(report.organisers) or _("niet ingevuld")}
    )
    para(_("Benodigde steun voor een aanbeveling: %(rule)s") % {"rule": report.threshold_label})

    # 2. Recommendations
    h1(_("De aanbevelingen"))
    para(
        _(
            "Het burgerberaad schreef %(total)s definitieve aanbevelingen. Aangenomen: "
            "%(adopted)s. Niet aangenomen: %(rejected)s. Nog zonder uitslag: %(open)s."
        )
        % {
            "total": len(report.recommendations),
            "adopted": report.adopted,
            "rejected": report.not_adopted,
            "open": len(report.recommendations) - report.adopted - report.not_adopted,
        }
    )
    story.append(
        Spacer(1, 0)
        if not report.recommendations
        else _table(
            [
                _("Nr."),
                _("Aanbeveling"),
                _("Voor"),
                _("Tegen"),
                _("Onth."),
                _("Steun"),
                _("Uitslag"),
            ],
            [
                [
                    r.number,
                    r.title,
                    _number(r.votes_for),
                    _number(r.votes_against),
                    _number(r.votes_abstain),
                    f"{_number(r.support_percent, 1)}%" if r.support_percent is not None else "–",
                    _outcome(r.adopted),
                ]
                for r in report.recommendations
            ],
            [0.06, 0.44, 0.08, 0.08, 0.08, 0.1, 0.16],
            s,
            numeric=(0, 2, 3, 4, 5),
        )
    )
    for r in report.recommendations:
        block: list[Flowable] = [
            _Heading(
                _("Aanbeveling %(number)s. %(title)s") % {"number": r.number, "title": r.title},
                s["h2"],
                1,
                key(),
            ),
            Paragraph(_p(r.text), s["body"]),
        ]
        if r.rationale:
            block.append(Paragraph(f"<b>{_p(_('Toelichting'))}</b>: {_p(r.rationale)}", s["small"]))
        if r.voted:
            block.append(
                Paragraph(
                    _p(
                        _(
                            "Stemming: %(for)s voor, %(against)s tegen, %(abstain)s onthouding. "
                            "Steun: %(support)s. Benodigde steun: %(threshold)s. "
                            "Uitslag: %(outcome)s."
                        )
                        % {
                            "for": r.votes_for,
                            "against": r.votes_against,
                            "abstain": r.votes_abstain,
                            "support": r.support_label,
                            "threshold": r.threshold_label,
                            "outcome": _outcome(r.adopted),
                        }
                    ),
                    s["body"],
                )
            )
            if r.votes_invalid:
                block.append(
                    Paragraph(
                        _p(
                            ngettext(
                                "%(counter)s stem was ongeldig. Die telt niet mee.",
                                "%(counter)s stemmen waren ongeldig. Die tellen niet mee.",
                                r.votes_invalid,
                            )
                            % {"counter": r.votes_invalid}
                        ),
                        s["small"],
                    )
                )
            if r.corrected:
                corrected = _("Deze uitslag is later verbeterd.")
                if r.correction_reason:
                    corrected += f" {_('Reden:')} {r.correction_reason}"
                block.append(Paragraph(_p(corrected), s["small"]))
        else:
            block.append(Paragraph(_p(_("Hierover is (nog) niet gestemd.")), s["small"]))
        story.append(CondPageBreak(40 * mm))
        story.extend(block[:2])
        story.extend(block[2:])
        for m in r.minority:
            supporters = (
                " ("
                + ngettext(
                    "gesteund door %(counter)s deelnemer",
                    "gesteund door %(counter)s deelnemers",
                    m.supporters,
                )
                % {"counter": m.supporters}
                + ")"
                if m.supporters is not None
                else ""
            )
            story.append(
                Paragraph(
                    f"<b>{_p(_('Minderheidsstandpunt'))}</b>{_p(supporters)}: {_p(m.text)}",
                    s["small"],
                )
            )
        for removed in r.removed_minority:
            # The same words as the public results page; the text itself stays out.
            when = formats.date_format(timezone.localtime(removed.removed_at), "j F Y")
            story.append(
                Paragraph(
                    _p(
                        _("Een minderheidsstandpunt is op %(when)s uit het verslag gehaald.")
                        % {"when": when}
                        + f" {_('Reden:')} {removed.reason}"
                    ),
                    s["small"],
                )
            )
        if r.response_status:
            story.append(
                Paragraph(
                    f"<b>{_p(_('Reactie van het kabinet'))}</b>: {_p(r.response_status)}. "
                    f"{_p(r.response_text)}",
                    s["small"],
                )
            )
        # The same words as the public tracker: a corrected or withdrawn response.
        changes = [(_("Verbeterd op %(when)s."), change) for change in r.response_corrections] + [
            (_("Een reactie is op %(when)s ingetrokken."), change)
            for change in r.responses_withdrawn
        ]
        for words, change in changes:
            when = formats.date_format(timezone.localtime(change.at), "j F Y")
            story.append(
                Paragraph(
                    _p(words % {"when": when} + f" {_('Reden:')} {change.reason}"), s["small"]
                )
            )

    if report.set_aside:
        h2(_("Ingetrokken en samengevoegde aanbevelingen"))
        para(_("Over deze aanbevelingen is niet gestemd."))
        for a in report.set_aside:
            if a.status == "withdrawn":
                what = _("Ingetrokken") + "."
                if a.withdrawn_reason:
                    what += f" {_('Reden:')} {a.withdrawn_reason}"
            elif a.merged_into_number:
                what = _("Deze aanbeveling is samengevoegd met aanbeveling %(number)s.") % {
                    "number": a.merged_into_number
                }
            else:
                what = _("Deze aanbeveling is samengevoegd met een andere aanbeveling.")
            label = _("Aanbeveling %(number)s. %(title)s") % {
                "number": a.number,
                "title": a.title,
            }
            story.append(Paragraph(f"<b>{_p(label)}</b>: {_p(what)}", s["small"]))

    if report.ranked:
        h1(_("Voorkeursstemmingen"))
        for b in report.ranked:
            h2(_("Stemming %(number)s. %(title)s") % {"number": b.number, "title": b.title})
            if b.question:
                para(b.question)
            if b.winner:
                para(_("Gekozen: %(winner)s") % {"winner": b.winner})
            rows = [
                [
                    rnd.number,
                    option,
                    votes,
                    _("valt af") if option in rnd.eliminated else "",
                ]
                for rnd in b.rounds
                for option, votes in rnd.with_exhausted(_("Uitgeput (geen keuze meer over)"))
            ]
            story.append(
                _table(
                    [_("Ronde"), _("Optie"), _("Stemmen"), _("Afgevallen")],
                    rows,
                    [0.1, 0.55, 0.15, 0.2],
                    s,
                    numeric=(0, 2),
                )
            )

    # 4. Composition
    h1(_("Wie deden er mee"))
    lot = report.lottery
    figures = {
        "letters": _number(lot.letters_sent),
        "registrations": _number(lot.registrations),
        "response": _number(lot.response_percent, 1),
        "pool": _number(lot.pool_size),
        "panel": lot.panel_size,
    }
    if lot.response_percent is None:
        # No letters, no rate: "(–%)" would only puzzle the reader.
        lottery_text = _(
            "De loting in cijfers: er zijn geen brieven verstuurd. %(registrations)s "
            "aanmeldingen, %(pool)s aanmelders in de loting, %(panel)s plaatsen."
        )
    else:
        lottery_text = _(
            "De loting in cijfers: %(letters)s brieven verstuurd, %(registrations)s "
            "aanmeldingen (%(response)s%%), %(pool)s aanmelders in de loting, %(panel)s "
            "plaatsen."
        )
    if lot.min_probability_percent is not None:
        lottery_text += " " + _("De kleinste kans om gekozen te worden was %(min)s%%.")
        figures["min"] = _number(lot.min_probability_percent, 2)
    para(lottery_text % figures)
    if lot.draw_number is not None:
        para(
            _(
                "Trekking: openbaar getal %(number)s (%(how)s), lot %(ticket)s, op %(date)s. "
                "Controlegetal van de invoer (SHA-256): %(hash)s. Programma: versie %(version)s. "
                "Iedereen kan de trekking nagaan op %(url)s."
            )
            % {
                "number": lot.draw_number,
                "how": lot.how_drawn or "–",
                "ticket": lot.ticket,
                "date": _date(lot.drawn_at),
                "hash": lot.input_sha256 or "–",
                "version": lot.engine_version or "–",
                "url": lot.verify_url,
            },
            "small",
        )
    para(
        _(
            "Per kenmerk: het aandeel in de bevolking, het quotum, de aanmelders in de loting en "
            "de %(members)s deelnemers die meededen."
        )
        % {"members": report.members_total}
    )
    for category in report.composition:
        story.append(
            KeepTogether(
                [
                    _Heading(category.label, s["h2"], 1, key()),
                    _composition_table(category, s),
                    Spacer(1, 3 * mm),
                    _composition_chart(category),
                ]
            )
        )

    if report.named_members:
        h2(_("Deelnemers die met naam genoemd willen worden"))
        para(
            _(
                "Deze deelnemers gaven zelf toestemming om hier met hun naam te staan. "
                "De andere deelnemers blijven anoniem."
            ),
            "small",
        )
        para(", ".join(report.named_members))

    # 5. Process
    h1(_("Het proces"))
    if not report.weekends:
        para(_("Er zijn nog geen weekenden."))
    story.append(
        _table(
            [_("Weekend"), _("Datum"), _("Plaats"), _("Onderdelen"), _("Presentaties")],
            [
                [
                    f"{w.number}. {w.title}",
                    _days(w.starts_on, w.ends_on),
                    ", ".join(p for p in (w.venue, w.city) if p),
                    len(w.sessions),
                    w.briefings,
                ]
                for w in report.weekends
            ],
            [0.28, 0.21, 0.21, 0.14, 0.16],
            s,
            numeric=(3, 4),
        )
    )
    attendance: list[Flowable] = [_Heading(_("Aanwezigheid per weekend"), s["h2"], 1, key())]
    if report.weekends:
        # A chart needs at least one bar; the table below says it when there is none.
        attendance += [_attendance_chart(report.weekends), Spacer(1, 4 * mm)]
    story.append(KeepTogether(attendance))
    story.append(
        _table(
            [_("Weekend"), _("Aanwezig"), _("Verwacht"), _("Aandeel")],
            [
                [
                    f"{w.number}. {w.title}",
                    w.present,
                    w.expected,
                    f"{_number(w.attendance_percent, 0)}%"
                    if w.attendance_percent is not None and (w.present or w.is_past)
                    else "–",
                ]
                for w in report.weekends
            ],
            [0.52, 0.16, 0.16, 0.16],
            s,
            numeric=(1, 2, 3),
        )
    )
    for w in report.weekends:
        h2(_("Programma weekend %(number)s: %(title)s") % {"number": w.number, "title": w.title})
        story.append(
            _table(
                [_("Tijd"), _("Onderdeel"), _("Soort"), _("Deskundigen")],
                [
                    [
                        _clock(s_.starts_at, s_.ends_at),
                        s_.title,
                        s_.kind_label,
                        ", ".join(s_.experts),
                    ]
                    for s_ in w.sessions
                ],
                [0.17, 0.42, 0.16, 0.25],
                s,
            )
        )

    # 6. Costs
    h1(_("Kosten"))
    para(
        _(
            "Dagvergoedingen en goedgekeurde onkosten van de deelnemers, per weekend. "
            "Bedragen per persoon staan niet in dit rapport."
        )
    )
    total = report.cost_total
    story.append(
        _table(
            [_("Weekend"), _("Vergoedingen"), _("Onkosten"), _("Totaal")],
            [
                [
                    f"{c.weekend}. {c.title}" if c.weekend else _("Zonder weekend"),
                    _euro(c.allowances),
                    _euro(c.expenses),
                    _euro(c.total),
                ]
                for c in report.costs
            ]
            + [[_("Totaal"), _euro(total.allowances), _euro(total.expenses), _euro(total.total)]],
            [0.46, 0.18, 0.18, 0.18],
            s,
            numeric=(1, 2, 3),
        )
    )

    # Annexes
    story.append(PageBreak())
    h1(_("Bijlage A. Deskundigen"), numbered=False)
    story.append(
        _table(
            [_("Naam"), _("Organisatie en functie"), _("Perspectief"), _("Belangen"), _("Pres.")],
            [
                [
                    e.name,
                    ", ".join(p for p in (e.organisation, e.role_title) if p),
                    e.perspective,
                    e.interests or _("Geen opgegeven"),
                    e.briefings,
                ]
                for e in report.experts
            ],
            [0.16, 0.24, 0.2, 0.33, 0.07],
            s,
            numeric=(4,),
        )
    )
    h1(_("Bijlage B. Informatiemateriaal"), numbered=False)
    story.append(
        _table(
            [_("Titel"), _("Weekend"), _("Deskundige"), _("Link")],
            [
                [
                    m.title,
                    m.weekend or "–",
                    m.expert,
                    Paragraph(
                        f'<link href="{escape(m.url)}" color="#154273">{escape(m.url)}</link>',
                        s["cell"],
                    )
                    if m.url
                    else "–",
                ]
                for m in report.materials
            ],
            [0.32, 0.12, 0.18, 0.38],
            s,
        )
    )
    h1(_("Bijlage C. Verslagen"), numbered=False)
    if not report.minutes:
        para(_("Er zijn nog geen openbare verslagen."))
    for minutes in report.minutes:
        heading = Paragraph(_p(minutes.title), s["h3"])
        body = _markdown_flowables(minutes.body, s)
        # Short minutes stay on one page with their heading; long ones may split.
        if len(minutes.body) < 1500:
            story.append(KeepTogether([heading, *body]))
        else:
            story.extend([heading, *body])

    return _build(story, title=report.name, header=f"{report.name} – {_('Eindrapport')}")


def _composition_table(category: CompositionCategory, s: dict[str, ParagraphStyle]) -> Table:
    return _table(
        [_("Waarde"), _("Bevolking"), _("Quotum"), _("Pool"), _("Deelnemers"), _("Aandeel")],
        [
            [
                row.value_label,
                f"{_number(row.population_percent, 1)}%"
                if row.population_percent is not None
                else "–",
                f"{row.target_min}–{row.target_max}",
                row.pool,
                row.members,
                f"{_number(percent, 1)}%",
            ]
            for row, percent in category.rows_with_percent
        ],
        [0.3, 0.14, 0.14, 0.12, 0.15, 0.15],
        s,
        numeric=(1, 2, 3, 4, 5),
    )


def _composition_chart(category: CompositionCategory) -> Drawing:
    highest = max(
        (max(row.population_percent or 0, category.member_percent(row)) for row in category.rows),
        default=0.0,
    )
    return _hbar_chart(
        [row.value_label for row in category.rows],
        [
            [row.population_percent or 0 for row in category.rows],
            [category.member_percent(row) for row in category.rows],
        ],
        [_("Bevolking (%)"), _("Deelnemers (%)")],
        value_max=min(100.0, max(10.0, highest * 1.15)),
    )


def _link_target(href: str) -> tuple[str, bool]:
    """The address to print after a link's text, and whether it may be a
    clickable link: the same schemes the HTML keeps (recommendations/markdown.py);
    a relative address is printed but not linked, another scheme not at all,
    nor "//host", which is another site and not a path on this one."""
    if is_scheme_relative(href):
        return "", False
    scheme, colon, _rest = href.partition(":")
    if colon and "/" not in scheme:
        allowed = scheme.lower() in URL_SCHEMES
        return (href if allowed else ""), allowed
    return href, False


def _inline(tokens: Sequence[Token]) -> str:
    """Paragraph markup for one run of inline Markdown. Every piece of the
    minutes' text is escaped; only the tags written here are markup."""
    out: list[str] = []
    links: list[tuple[str, bool, int]] = []  # address, clickable, where its text starts
    for token in tokens:
        if token.type == "text":
            out.append(escape(token.content))
        elif token.type == "code_inline":
            out.append(f'<font name="{FONT}" color="#4a4a4a">{escape(token.content)}</font>')
        elif token.type == "softbreak":
            out.append(" ")
        elif token.type == "hardbreak":
            out.append("<br/>")
        elif token.type in ("strong_open", "strong_close"):
            out.append("<b>" if token.type == "strong_open" else "</b>")
        elif token.type in ("em_open", "em_close"):
            out.append("<i>" if token.type == "em_open" else "</i>")
        elif token.type == "link_open":
            address, clickable = _link_target(str(token.attrs.get("href", "")))
            if clickable:
                href = escape(address, {'"': "&quot;"})
                out.append(f'<link href="{href}" color="#154273">')
            links.append((address, clickable, len(out)))
        elif token.type == "link_close" and links:
            address, clickable, begin = links.pop()
            text = "".join(out[begin:])
            if clickable:
                out.append("</link>")
            # A printed report: the reader sees where the link goes ("<https://…>"
            # already shows its address as its text).
            if address and text not in (escape(address), escape(address.removeprefix("mailto:"))):
                out.append(f" ({escape(address)})")
        # Images: the HTML leaves them out (markdown.ALLOWED_TAGS), so does the PDF.
    return "".join(out)


def _markdown_styles(s: dict[str, ParagraphStyle]) -> dict[str, ParagraphStyle]:
    base = s["small"]
    return {
        "text": base,
        "heading": ParagraphStyle("md_heading", parent=base, fontName=FONT_BOLD, spaceBefore=3),
        "code": ParagraphStyle("md_code", parent=base, leftIndent=8, textColor=MUTED),
    }


def _markdown_flowables(text: str, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The minutes' Markdown as the HTML shows it (headings, paragraphs, bold and
    italic, links with their address, lists, quotes, code): read by the same
    parser as the HTML (recommendations/markdown.py), never shown as raw symbols."""
    styles = _markdown_styles(s)
    flowables: list[Flowable] = []
    lists: list[list[int]] = []  # per open list: [next number] or [] for bullets
    quotes = 0
    bullet: str | None = None  # the bullet of the list item whose first line is next
    heading = False

    def style(name: str) -> ParagraphStyle:
        indent = 14 * len(lists) + 10 * quotes
        if not indent:
            return styles[name]
        return ParagraphStyle(
            f"md_{name}_{indent}",
            parent=styles[name],
            leftIndent=styles[name].leftIndent + indent,
            bulletIndent=max(0, indent - 12),
        )

    for token in markdown_tokens(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrs.get("start", 1) if kind == "ordered_list_open" else None
            lists.append([] if start is None else [int(start)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open" and lists:
            counter = lists[-1]
            if counter:
                bullet = f"{counter[0]}."
                counter[0] += 1
            else:
                bullet = "•"
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "hr":
            flowables.append(HRFlowable(width="100%", thickness=0.5, color=MUTED))
        elif kind in ("code_block", "fence"):
            flowables.append(Paragraph(_p(token.content.rstrip("\n")), style("code")))
        elif kind == "inline":
            markup = _inline(token.children or [])
            if not markup.strip() and bullet is None:
                continue
            flowables.append(
                Paragraph(markup, style("heading" if heading else "text"), bulletText=bullet)
            )
            bullet = None
    return flowables


def _outcome(adopted: bool | None) -> str:
    if adopted is None:
        return _("Geen uitslag")
    return _("✔ Aangenomen") if adopted else _("✖ Niet aangenomen")


# ------------------------------------------------------------ progress report


def _members_on_label(content: ProgressContent) -> str:
    return _("Deelnemers die meededen op %(date)s (de laatste dag van het weekend)") % {
        "date": _date(content.members_on)
    }


def progress_report_pdf(content: ProgressContent) -> bytes:
    s = _styles()
    key = _Keys()
    w = content.weekend
    story: list[Flowable] = []

    def para(text: object, style: str = "body") -> None:
        story.append(Paragraph(_p(text), s[style]))

    story.append(Spacer(1, 30 * mm))
    para(_("Voortgangsrapport voor de griffie"), "cover_sub")
    story.append(Paragraph(_p(content.name), s["cover_title"]))
    para(_("Weekend %(number)s: %(title)s") % {"number": w.number, "title": w.title}, "cover_sub")
    para(
        f"{_date(w.starts_on)} – {_date(w.ends_on)}, {', '.join(p for p in (w.venue, w.city) if p)}"
    )
    if content.published_at is None:
        para(_("Concept: nog niet gedeeld met de griffie."), "small")
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())
    story.append(Paragraph(_p(_("Inhoud")), s["h1"]))
    story.append(_toc(s))
    story.append(Spacer(1, 8 * mm))

    story.append(_Heading(_("Wat er gebeurde"), s["h1"], 0, key()))
    para(content.summary or _("Het secretariaat heeft hier nog niets over geschreven."))
    story.append(_Heading(_("Aanwezigheid en deelnemers"), s["h1"], 0, key()))
    story.append(
        _table(
            [_("Cijfer"), _("Aantal")],
            [
                [_("Aanwezig (minstens één dag)"), w.present],
                [_("Verwacht"), w.expected],
                [_("Gestopt sinds het vorige weekend"), content.dropped],
                [_("Vervangen door een reserve"), content.replaced],
                [_members_on_label(content), content.members_now],
            ],
            [0.75, 0.25],
            s,
            numeric=(1,),
        )
    )
    story.append(_Heading(_("Programma"), s["h1"], 0, key()))
    story.append(
        _table(
            [_("Tijd"), _("Onderdeel"), _("Soort"), _("Deskundigen")],
            [
                [
                    _clock(x.starts_at, x.ends_at),
                    x.title,
                    x.kind_label,
                    ", ".join(x.experts),
                ]
                for x in w.sessions
            ],
            [0.17, 0.42, 0.16, 0.25],
            s,
        )
    )
    if content.recommendations_by_status:
        story.append(_Heading(_("Aanbevelingen"), s["h1"], 0, key()))
        story.append(
            _table(
                [_("Status"), _("Aantal")],
                [list(pair) for pair in content.recommendations_by_status],
                [0.75, 0.25],
                s,
                numeric=(1,),
            )
        )
    story.append(_Heading(_("Volgende stappen"), s["h1"], 0, key()))
    para(content.next_steps or _("Het secretariaat heeft hier nog niets over geschreven."))
    if content.next_weekend is not None:
        nxt = content.next_weekend
        para(
            _("Volgend weekend: %(number)s. %(title)s, %(date)s.")
            % {"number": nxt.number, "title": nxt.title, "date": _date(nxt.starts_on)}
        )
    header = f"{content.name} – " + _("Voortgangsrapport weekend %(number)s") % {"number": w.number}
    return _build(story, title=header, header=header)
