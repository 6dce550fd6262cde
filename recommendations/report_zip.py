"""The open-data ZIP of the final report and of a progress report: CSV files
(UTF-8, comma, header row) and one JSON file with everything, plus a
README.md that describes every file and column.

The same data gives the same bytes: files in a fixed order, a fixed time
stamp on every entry, sorted JSON keys, and no "generated at" inside. A
reader can then compare two downloads by their checksum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from assembly.spreadsheets import spreadsheet_text
from recommendations.selectors_report import FinalReport, ProgressContent, WeekendLine, rounded

# One dataset whatever the downloader reads: the README, the column names and
# the labels in the data (threshold, status, kind) are all Dutch. The labels
# come translated from the selectors, so the caller reads the report in this
# language too (translation.override), not only writes it.
LANGUAGE = "nl"

# The row of a round's ballots with no option left in the count.
EXHAUSTED = "(uitgeput)"

# Zip's epoch; any fixed moment makes the archive reproducible.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula starts with an apostrophe."""
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.date):  # and datetime: ISO 8601, as in the JSON
        return value.isoformat()
    if value is None:
        return ""
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _json(data: Any) -> bytes:
    def default(value: object) -> object:
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    return (
        json.dumps(data, default=default, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    ).encode("utf-8")


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def _percent(value: float | None, digits: int = 1) -> float | None:
    """Rounded as the HTML page and the PDF round (selectors_report.rounded)."""
    return None if value is None else float(rounded(value, digits))


# ------------------------------------------------------------------ tables


def _programme_rows(weekends: Iterable[WeekendLine]) -> list[list[object]]:
    return [
        [
            w.number,
            s.starts_at.isoformat(),
            s.ends_at.isoformat(),
            s.kind,
            s.title,
            s.topic,
            "; ".join(s.experts),
        ]
        for w in weekends
        for s in w.sessions
    ]


PROGRAMME_HEADER = ["weekend", "begin", "einde", "soort", "titel", "thema", "deskundigen"]
ATTENDANCE_HEADER = [
    "weekend", "titel", "eerste_dag", "laatste_dag", "aanwezig", "verwacht", "aanwezig_procent",
]  # fmt: skip


def _attendance_rows(weekends: Iterable[WeekendLine]) -> list[list[object]]:
    return [
        [
            w.number,
            w.title,
            w.starts_on.isoformat(),
            w.ends_on.isoformat(),
            w.present,
            w.expected,
            _percent(w.attendance_percent),
        ]
        for w in weekends
    ]


FINAL_README = """# Open data: {name}

Eindrapport van het burgerberaad aan de Tweede Kamer, als open data.
Final report of the citizens' assembly to the Dutch House of Representatives, as open data.

Vraag / question: {question}

Alle CSV-bestanden: UTF-8, komma als scheidingsteken, eerste regel met de kolomnamen.
Bedragen in euro met twee decimalen en een punt (1234.50). Datums en tijden in ISO 8601.
Ja/nee-velden: `ja` of `nee`; leeg betekent: niet van toepassing of onbekend.
Tekst die met `=`, `+`, `-` of `@` begint, krijgt een `'` ervoor, zodat een
rekenblad hem niet als formule leest.

Dit bestand bevat geen persoonsgegevens van deelnemers. Alleen deelnemers die
daar zelf toestemming voor gaven, staan met hun naam in `deelnemers_met_naam.csv`.
Samenstelling en aanwezigheid zijn aantallen.

## rapport.json

Alles hieronder in één bestand, met dezelfde namen als de kolommen.
Sleutels: `burgerberaad`, `aanbevelingen`, `ingetrokken_en_samengevoegd`,
`voorkeursstemmingen`, `samenstelling`, `loting`, `weekenden`, `deskundigen`,
`informatiemateriaal`, `kosten`, `verslagen`, `deelnemers_met_naam`.
Per aanbeveling staat er ook wanneer en waarom de reactie van het kabinet is verbeterd
(`kabinetsreactie_verbeterd`) en welke reacties zijn ingetrokken omdat ze bij een andere
aanbeveling hoorden (`ingetrokken_kabinetsreacties`), net als op de openbare pagina.

## aanbevelingen.csv — recommendations, one row each

| kolom | betekenis |
|---|---|
| nummer | nummer van de aanbeveling |
| titel | titel |
| thema | thema (leeg: geen) |
| status | `final`, `balloted`, `adopted` of `not_adopted` |
| voor | stemmen voor (leeg: geen stemming) |
| tegen | stemmen tegen |
| onthouding | onthoudingen |
| ongeldig | ongeldige stemmen; die tellen niet mee |
| steun_procent | voor als deel van de basis (voor + tegen, plus onthoudingen als die
  meetellen), in procent, naar beneden afgerond op één decimaal |
| drempel | benodigde steun, zoals die gold bij de stemming |
| onthoudingen_tellen_mee | `ja`: onthoudingen tellen mee in de basis |
| aangenomen | `ja`, `nee`, of leeg zonder uitslag |
| controlegetal | SHA-256 over de telling (ook op de openbare uitslag) |
| uitslag_verbeterd | `ja`: de uitslag is later verbeterd |
| reden_verbetering | waarom de uitslag is verbeterd |
| minderheidsstandpunten | aantal minderheidsstandpunten (tekst in minderheidsstandpunten.csv) |
| verwijderde_minderheidsstandpunten | aantal standpunten dat de voorzitter uit het verslag haalde |
| kabinetsreactie | stand van de laatste reactie van het kabinet (leeg: nog geen) |
| kabinetsreactie_verbeterd | hoe vaak die reactie is verbeterd (wanneer en waarom: in
  rapport.json) |
| ingetrokken_kabinetsreacties | aantal reacties dat is ingetrokken, omdat het bij een andere
  aanbeveling hoorde (wanneer en waarom: in rapport.json) |
| tekst | definitieve tekst |
| toelichting | toelichting |

## minderheidsstandpunten.csv — minority statements

| kolom | betekenis |
|---|---|
| aanbeveling | nummer van de aanbeveling |
| tekst | het standpunt |
| steun | aantal deelnemers dat het steunt (leeg: niet geteld) |

## verwijderde_minderheidsstandpunten.csv — minority statements the chair removed

De voorzitter kan een minderheidsstandpunt uit het verslag halen (bijvoorbeeld bij de
verkeerde aanbeveling). De tekst staat dan niet meer in het rapport. Wel staat hier
dat er een is weggehaald, wanneer en waarom, net als op de openbare uitslagen.

| kolom | betekenis |
|---|---|
| aanbeveling | nummer van de aanbeveling |
| verwijderd_op | wanneer het standpunt uit het verslag is gehaald |
| reden | de openbare reden van de voorzitter |

## ingetrokken_en_samengevoegd.csv — recommendations withdrawn or merged, without a vote

| kolom | betekenis |
|---|---|
| nummer | nummer van de aanbeveling |
| titel | titel |
| status | `withdrawn` (ingetrokken) of `merged` (samengevoegd) |
| reden | waarom de aanbeveling is ingetrokken (leeg: niet opgegeven) |
| samengevoegd_met | nummer van de aanbeveling waarmee ze is samengevoegd (leeg: geen) |

## voorkeursstemmingen.csv — ranked ballots, one row per option per round

| kolom | betekenis |
|---|---|
| stemming | nummer van de stemming |
| titel | titel van de stemming |
| ronde | ronde van de telling (1, 2, …) |
| optie | de optie; `(uitgeput)`: stembiljetten zonder optie die nog meedoet |
| stemmen | stemmen voor deze optie in deze ronde |
| afgevallen | `ja`: de optie viel na deze ronde af |
| winnaar | `ja`: de optie won de stemming |

## samenstelling.csv — composition per quota category

| kolom | betekenis |
|---|---|
| categorie | sleutel van de categorie (bijv. `leeftijd`) |
| categorie_naam | naam van de categorie |
| waarde | sleutel van de waarde |
| waarde_naam | naam van de waarde |
| bevolking_procent | aandeel in de bevolking (CBS), in procent; leeg als onbekend |
| quotum_min | minimum aantal deelnemers (quotum) |
| quotum_max | maximum aantal deelnemers (quotum) |
| pool | aanmelders in de pool met deze waarde |
| deelnemers | deelnemers die meededen met deze waarde |
| deelnemers_procent | deelnemers als deel van alle die meededen, in procent (één decimaal) |

"Meededen": op minstens één weekend aanwezig (vóór het eerste weekend: wie toezegde).

## loting.csv — the lottery in numbers (one row)

| kolom | betekenis |
|---|---|
| brieven | verstuurde uitnodigingen |
| aanmeldingen | aanmeldingen |
| respons_procent | aanmeldingen als deel van de brieven, in procent (leeg: geen brieven) |
| pool | aanmelders in de loting |
| panel | zetels in het burgerberaad |
| kleinste_kans_procent | kleinste kans van een aanmelder om gekozen te worden, in procent |
| openbaar_getal | het openbare getal van de trekking |
| lot | het getrokken lot |
| hoe_getrokken | hoe het getal getrokken is |
| getrokken_op | moment van de trekking |
| invoer_sha256 | SHA-256 over de invoer van de loting (pool en quota) |
| versie | versie van het lotingsprogramma |
| controle | pagina waar iedereen de trekking kan nagaan |

## loting_verslag.json — the verification record of the draw

Het volledige, openbare verslag van de trekking, zoals op de openbare pagina van de
loting (kolom `controle` hierboven): de invoer-controlegetallen, de kansen per
aanmelder (op nummer, zonder namen), het openbare getal, het lot, het panel en de
reserves (op nummer). Met het pool- en quotabestand van die pagina kan iedereen de
trekking narekenen. Leeg (`{{}}`) als er nog geen trekking is.

## weekenden.csv — attendance per weekend

| kolom | betekenis |
|---|---|
| weekend | nummer |
| titel | titel |
| eerste_dag, laatste_dag | datums |
| aanwezig | deelnemers op minstens één dag aanwezig |
| verwacht | deelnemers die meedoen (plus wie toch kwam) |
| aanwezig_procent | aanwezig als deel van verwacht, in procent |

## programma.csv — every session

| kolom | betekenis |
|---|---|
| weekend | nummer van het weekend |
| begin, einde | begin- en eindtijd |
| soort | `plenary`, `briefing`, `questions`, `tables`, `vote` of `break` |
| titel | titel |
| thema | thema |
| deskundigen | namen van de deskundigen, gescheiden door `; ` |

## deskundigen.csv — experts

| kolom | betekenis |
|---|---|
| naam | naam |
| organisatie | organisatie |
| functie | functie |
| perspectief | perspectief (bijv. zorg, veiligheid, ervaring) |
| belangen | opgegeven belangen en nevenfuncties |
| presentaties | aantal presentaties |

## informatiemateriaal.csv — public materials

| kolom | betekenis |
|---|---|
| titel | titel |
| soort | soort (document, link, video) |
| weekend | nummer van het weekend (leeg: geen) |
| deskundige | deskundige (leeg: geen) |
| samenvatting | korte uitleg |
| link | openbare link |

## kosten.csv — costs per weekend (no individual amounts)

| kolom | betekenis |
|---|---|
| weekend | nummer (leeg: kosten zonder weekend) |
| titel | titel van het weekend |
| vergoedingen | dagvergoedingen, totaal in euro |
| onkosten | goedgekeurde onkosten, totaal in euro |
| totaal | vergoedingen + onkosten |

## verslagen.csv — public minutes

| kolom | betekenis |
|---|---|
| weekend | nummer van het weekend |
| titel | titel |
| tekst | het verslag (Markdown) |

## deelnemers_met_naam.csv — members who agreed to be named

| kolom | betekenis |
|---|---|
| naam | naam, alleen met toestemming van de deelnemer |
"""


SET_ASIDE_HEADER = ["nummer", "titel", "status", "reden", "samengevoegd_met"]


def _set_aside_rows(report: FinalReport) -> list[list[object]]:
    return [
        [a.number, a.title, a.status, a.withdrawn_reason, a.merged_into_number]
        for a in report.set_aside
    ]


def final_report_data(report: FinalReport) -> dict[str, Any]:
    return {
        "burgerberaad": {
            "naam": report.name,
            "vraag": report.question,
            "opdracht": report.mandate,
            "opdrachtgever": report.commissioned_by,
            "organisatie": list(report.organisers),
            "voorzitter": list(report.chairs),
            "eerste_weekend": report.first_weekend,
            "einde": report.period_end,
            "drempel": report.threshold_label,
        },
        "aanbevelingen": [
            {
                "nummer": r.number,
                "titel": r.title,
                "thema": r.topic,
                "status": r.status,
                "voor": r.votes_for,
                "tegen": r.votes_against,
                "onthouding": r.votes_abstain,
                "ongeldig": r.votes_invalid if r.voted else None,
                "steun_procent": _percent(r.support_percent),
                "drempel": r.threshold_label,
                "onthoudingen_tellen_mee": r.abstentions_count,
                "aangenomen": r.adopted,
                "controlegetal": r.counts_hash,
                "uitslag_verbeterd": r.corrected,
                "reden_verbetering": r.correction_reason,
                "minderheidsstandpunten": [
                    {"tekst": m.text, "steun": m.supporters} for m in r.minority
                ],
                "verwijderde_minderheidsstandpunten": [
                    {"verwijderd_op": m.removed_at, "reden": m.reason} for m in r.removed_minority
                ],
                "kabinetsreactie": r.response_status,
                "kabinetsreactie_tekst": r.response_text,
                "kabinetsreactie_verbeterd": [
                    {"verbeterd_op": c.at, "reden": c.reason} for c in r.response_corrections
                ],
                "ingetrokken_kabinetsreacties": [
                    {"ingetrokken_op": w.at, "reden": w.reason} for w in r.responses_withdrawn
                ],
                "tekst": r.text,
                "toelichting": r.rationale,
            }
            for r in report.recommendations
        ],
        "ingetrokken_en_samengevoegd": [
            dict(zip(SET_ASIDE_HEADER, row, strict=True)) for row in _set_aside_rows(report)
        ],
        "voorkeursstemmingen": [
            {
                "nummer": b.number,
                "titel": b.title,
                "vraag": b.question,
                "opties": list(b.options),
                "winnaar": b.winner,
                "rondes": [
                    {
                        "ronde": r.number,
                        "stemmen": dict(r.counts),
                        "afgevallen": list(r.eliminated),
                        "uitgeput": r.exhausted,
                    }
                    for r in b.rounds
                ],
            }
            for b in report.ranked
        ],
        "samenstelling": [
            {
                "categorie": row.category,
                "categorie_naam": row.category_label,
                "waarde": row.value,
                "waarde_naam": row.value_label,
                "bevolking_procent": _percent(row.population_percent),
                "quotum_min": row.target_min,
                "quotum_max": row.target_max,
                "pool": row.pool,
                "deelnemers": row.members,
                "deelnemers_procent": _percent(category.member_percent(row)),
            }
            for category in report.composition
            for row in category.rows
        ],
        "loting": _lottery_data(report),
        "weekenden": [
            dict(zip(ATTENDANCE_HEADER, row, strict=True))
            for row in _attendance_rows(report.weekends)
        ],
        "programma": [
            dict(zip(PROGRAMME_HEADER, row, strict=True))
            for row in _programme_rows(report.weekends)
        ],
        "deskundigen": [
            {
                "naam": e.name,
                "organisatie": e.organisation,
                "functie": e.role_title,
                "perspectief": e.perspective,
                "belangen": e.interests,
                "presentaties": e.briefings,
            }
            for e in report.experts
        ],
        "informatiemateriaal": [
            {
                "titel": m.title,
                "soort": m.kind_label,
                "weekend": m.weekend,
                "deskundige": m.expert,
                "samenvatting": m.summary,
                "link": m.url,
            }
            for m in report.materials
        ],
        "kosten": [
            {
                "weekend": c.weekend,
                "titel": c.title,
                "vergoedingen": c.allowances,
                "onkosten": c.expenses,
                "totaal": c.total,
            }
            for c in report.costs
        ],
        "verslagen": [
            {"weekend": m.weekend, "titel": m.title, "tekst": m.body} for m in report.minutes
        ],
        "deelnemers_met_naam": list(report.named_members),
    }


def _lottery_data(report: FinalReport) -> dict[str, Any]:
    lot = report.lottery
    return {
        "brieven": lot.letters_sent,
        "aanmeldingen": lot.registrations,
        "respons_procent": _percent(lot.response_percent),
        "pool": lot.pool_size,
        "panel": lot.panel_size,
        "kleinste_kans_procent": _percent(lot.min_probability_percent, 2),
        "openbaar_getal": lot.draw_number,
        "lot": lot.ticket,
        "hoe_getrokken": lot.how_drawn,
        "getrokken_op": lot.drawn_at,
        "invoer_sha256": lot.input_sha256,
        "versie": lot.engine_version,
        "controle": lot.verify_url,
    }


def final_report_zip(report: FinalReport) -> bytes:
    data = final_report_data(report)

    def table(key: str) -> tuple[list[str], list[list[object]]]:
        rows: list[dict[str, Any]] = data[key]
        header = list(rows[0]) if rows else []
        return header, [[row[h] for h in header] for row in rows]

    recommendations = [
        [
            r.number,
            r.title,
            r.topic,
            r.status,
            r.votes_for,
            r.votes_against,
            r.votes_abstain,
            r.votes_invalid if r.voted else None,
            _percent(r.support_percent),
            r.threshold_label,
            r.abstentions_count,
            r.adopted,
            r.counts_hash,
            r.corrected,
            r.correction_reason,
            len(r.minority),
            len(r.removed_minority),
            r.response_status,
            len(r.response_corrections),
            len(r.responses_withdrawn),
            r.text,
            r.rationale,
        ]
        for r in report.recommendations
    ]
    ranked = [
        [b.number, b.title, rnd.number, option, votes, option in rnd.eliminated, option == b.winner]
        for b in report.ranked
        for rnd in b.rounds
        for option, votes in rnd.with_exhausted(EXHAUSTED)
    ]
    lottery = _lottery_data(report)
    lottery_header = list(lottery)
    files = [
        ("README.md", FINAL_README.format(name=report.name, question=report.question).encode()),
        ("rapport.json", _json(data)),
        (
            "aanbevelingen.csv",
            _csv(
                [
                    "nummer",
                    "titel",
                    "thema",
                    "status",
                    "voor",
                    "tegen",
                    "onthouding",
                    "ongeldig",
                    "steun_procent",
                    "drempel",
                    "onthoudingen_tellen_mee",
                    "aangenomen",
                    "controlegetal",
                    "uitslag_verbeterd",
                    "reden_verbetering",
                    "minderheidsstandpunten",
                    "verwijderde_minderheidsstandpunten",
                    "kabinetsreactie",
                    "kabinetsreactie_verbeterd",
                    "ingetrokken_kabinetsreacties",
                    "tekst",
                    "toelichting",
                ],
                recommendations,
            ),
        ),
        (
            "minderheidsstandpunten.csv",
            _csv(
                ["aanbeveling", "tekst", "steun"],
                [
                    [r.number, m.text, m.supporters]
                    for r in report.recommendations
                    for m in r.minority
                ],
            ),
        ),
        (
            "verwijderde_minderheidsstandpunten.csv",
            _csv(
                ["aanbeveling", "verwijderd_op", "reden"],
                [
                    [r.number, m.removed_at.isoformat(), m.reason]
                    for r in report.recommendations
                    for m in r.removed_minority
                ],
            ),
        ),
        ("ingetrokken_en_samengevoegd.csv", _csv(SET_ASIDE_HEADER, _set_aside_rows(report))),
        (
            "voorkeursstemmingen.csv",
            _csv(
                ["stemming", "titel", "ronde", "optie", "stemmen", "afgevallen", "winnaar"], ranked
            ),
        ),
        ("samenstelling.csv", _csv(*_header_rows(table("samenstelling"), SAMENSTELLING))),
        ("loting.csv", _csv(lottery_header, [[lottery[h] for h in lottery_header]])),
        ("loting_verslag.json", _json(report.lottery.record)),
        ("weekenden.csv", _csv(ATTENDANCE_HEADER, _attendance_rows(report.weekends))),
        ("programma.csv", _csv(PROGRAMME_HEADER, _programme_rows(report.weekends))),
        ("deskundigen.csv", _csv(*_header_rows(table("deskundigen"), DESKUNDIGEN))),
        ("informatiemateriaal.csv", _csv(*_header_rows(table("informatiemateriaal"), MATERIAAL))),
        ("kosten.csv", _csv(*_header_rows(table("kosten"), KOSTEN))),
        ("verslagen.csv", _csv(*_header_rows(table("verslagen"), VERSLAGEN))),
        ("deelnemers_met_naam.csv", _csv(["naam"], [[name] for name in report.named_members])),
    ]
    return _zip(files)


SAMENSTELLING = [
    "categorie", "categorie_naam", "waarde", "waarde_naam", "bevolking_procent", "quotum_min",
    "quotum_max", "pool", "deelnemers", "deelnemers_procent",
]  # fmt: skip
DESKUNDIGEN = ["naam", "organisatie", "functie", "perspectief", "belangen", "presentaties"]
MATERIAAL = ["titel", "soort", "weekend", "deskundige", "samenvatting", "link"]
KOSTEN = ["weekend", "titel", "vergoedingen", "onkosten", "totaal"]
VERSLAGEN = ["weekend", "titel", "tekst"]


def _header_rows(
    found: tuple[list[str], list[list[object]]], header: list[str]
) -> tuple[list[str], list[list[object]]]:
    """The header is fixed even when there are no rows (an empty file still says what it holds)."""
    _found_header, rows = found
    return header, rows


# ---------------------------------------------------------- progress report

PROGRESS_README = """# Voortgangsrapport: {name}, weekend {number}

Progress report of the citizens' assembly after weekend {number}, as open data.
CSV: UTF-8, komma, eerste regel met de kolomnamen. Geen persoonsgegevens: alleen aantallen.

## voortgang.json

| sleutel | betekenis |
|---|---|
| burgerberaad | naam van het burgerberaad |
| weekend | nummer, titel, datums, plaats |
| wat_er_gebeurde | tekst van het secretariaat |
| volgende_stappen | tekst van het secretariaat |
| gedeeld_op | wanneer het secretariaat het rapport deelde met de griffie (leeg: nog niet) |
| aanwezig, verwacht | deelnemers op minstens één dag aanwezig; deelnemers die meedoen |
| gestopt | deelnemers die stopten sinds het vorige weekend |
| vervangen | reserves die sinds het vorige weekend een plaats kregen |
| deelnemers_nu | deelnemers die meededen aan het eind van het weekend (op deelnemers_nu_op) |
| deelnemers_nu_op | de dag waarop deelnemers_nu geteld is: de laatste dag van het weekend |
| aanbevelingen | aantal aanbevelingen per status |
| volgend_weekend | nummer, titel en datum van het volgende weekend (leeg: geen) |

## cijfers.csv — the figures, one row

Kolommen: `weekend`, `aanwezig`, `verwacht`, `aanwezig_procent`, `gestopt`, `vervangen`,
`deelnemers_nu` (deelnemers die meededen op de laatste dag van het weekend).

## programma.csv — the weekend's sessions

| kolom | betekenis |
|---|---|
| weekend | nummer van het weekend |
| begin, einde | begin- en eindtijd |
| soort | `plenary`, `briefing`, `questions`, `tables`, `vote` of `break` |
| titel | titel |
| thema | thema |
| deskundigen | namen van de deskundigen, gescheiden door `; ` |

## aanbevelingen.csv — recommendations by status

Kolommen: `status` (de status in woorden), `aantal`.
"""


def progress_report_data(content: ProgressContent) -> dict[str, Any]:
    w = content.weekend
    following = content.next_weekend
    return {
        "burgerberaad": content.name,
        "weekend": {
            "nummer": w.number,
            "titel": w.title,
            "eerste_dag": w.starts_on,
            "laatste_dag": w.ends_on,
            "plaats": ", ".join(p for p in (w.venue, w.city) if p),
        },
        "wat_er_gebeurde": content.summary,
        "volgende_stappen": content.next_steps,
        "gedeeld_op": content.published_at,
        "aanwezig": w.present,
        "verwacht": w.expected,
        "gestopt": content.dropped,
        "vervangen": content.replaced,
        "deelnemers_nu": content.members_now,
        "deelnemers_nu_op": content.members_on,
        "aanbevelingen": dict(content.recommendations_by_status),
        "volgend_weekend": (
            {
                "nummer": following.number,
                "titel": following.title,
                "eerste_dag": following.starts_on,
            }
            if following
            else None
        ),
    }


def progress_report_zip(content: ProgressContent) -> bytes:
    w = content.weekend
    files = [
        (
            "README.md",
            PROGRESS_README.format(name=content.name, number=w.number).encode("utf-8"),
        ),
        ("voortgang.json", _json(progress_report_data(content))),
        (
            "cijfers.csv",
            _csv(
                [
                    "weekend",
                    "aanwezig",
                    "verwacht",
                    "aanwezig_procent",
                    "gestopt",
                    "vervangen",
                    "deelnemers_nu",
                ],
                [
                    [
                        w.number,
                        w.present,
                        w.expected,
                        _percent(w.attendance_percent),
                        content.dropped,
                        content.replaced,
                        content.members_now,
                    ]
                ],
            ),
        ),
        ("programma.csv", _csv(PROGRAMME_HEADER, _programme_rows([w]))),
        (
            "aanbevelingen.csv",
            _csv(["status", "aantal"], [list(pair) for pair in content.recommendations_by_status]),
        ),
    ]
    return _zip(files)
