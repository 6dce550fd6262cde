"""The quota table: entry, import/export in the Sortition Foundation formats,
the proposal from population shares, and the shipped Dutch shares."""

from __future__ import annotations

import csv
import io
import itertools
import math
from typing import Any

import openpyxl
import pytest
import tablib  # type: ignore[import-untyped]
from django.test import Client
from django.urls import reverse

from assembly.models import Assembly, AuditEvent
from participants.models import Education, Gender, Province, Quota, Urbanisation
from participants.resources_quotas import QuotaResource, export_file
from participants.selectors_selection import age_range, quota_list
from participants.services import quotas as services
from participants.services.quotas import QuotaRow, QuotaTableInvalid
from tests.conftest import Cast

GOOD_ROWS = [
    ("geslacht", "vrouw", 80, 95),
    ("geslacht", "man", 80, 95),
    ("geslacht", "anders", 0, 2),
    ("leeftijd", "16-34", 40, 60),
    ("leeftijd", "35-64", 70, 90),
    ("leeftijd", "65+", 30, 50),
]


def _table(assembly: Assembly) -> list[tuple[str, str, int, int]]:
    return [(q.category, q.value, q.min, q.max) for q in quota_list(assembly=assembly)]


def _csv_bytes(header: list[str], rows: list[tuple[Any, ...]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx_bytes(header: list[str], rows: list[tuple[Any, ...]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _problems(error: pytest.ExceptionInfo[QuotaTableInvalid]) -> list[services.QuotaProblem]:
    return error.value.problems


# --------------------------------------------------------------------------- import


@pytest.mark.parametrize(
    ("header", "delimiter", "bom"),
    [
        (["category", "name", "min", "max"], ",", False),
        (["feature", "value", "min", "max"], ";", True),
        (["category", "feature", "min", "max", "min_flex", "max_flex"], ",", True),
        (["Category", "Name", "Min", "Max"], ";", False),
    ],
)
def test_it_imports_every_header_style(
    cast: Cast, header: list[str], delimiter: str, bom: bool
) -> None:
    rows = [(*row, 0, 200) if len(header) == 6 else row for row in GOOD_ROWS]
    data = _csv_bytes(header, rows, delimiter)
    if bom:
        data = b"\xef\xbb\xbf" + data
    written = services.quota_import(
        assembly=cast.assembly, file=data, actor=cast.users["organiser"]
    )
    assert len(written) == len(GOOD_ROWS)
    assert _table(cast.assembly) == GOOD_ROWS


def test_it_imports_xlsx_with_numbers_as_numbers(cast: Cast) -> None:
    data = _xlsx_bytes(["feature", "value", "min", "max"], GOOD_ROWS)
    services.quota_import(
        assembly=cast.assembly, file=io.BytesIO(data), actor=None, file_name="quota.xlsx"
    )
    assert _table(cast.assembly) == GOOD_ROWS


def test_it_names_row_and_field_of_every_problem_in_both_languages(cast: Cast) -> None:
    rows = [
        ("geslacht", "vrouw", 80, 95),  # row 2: fine
        ("haarkleur", "rood", 1, 2),  # row 3: unknown category
        ("geslacht", "onbekend", 1, 2),  # row 4: not a value of geslacht
        ("geslacht", "man", 9, 3),  # row 5: min above max
        ("geslacht", "vrouw", 1, 2),  # row 6: twice
        ("leeftijd", "jong", 1, 2),  # row 7: no age range
        ("leeftijd", "16-30", 1, 2),  # row 8: fine
        ("leeftijd", "25-40", 1, 2),  # row 9: overlaps row 8
        ("opleiding", "hoog", "veel", 2),  # row 10: not a whole number
    ]
    data = _csv_bytes(["category", "name", "min", "max"], rows)
    with pytest.raises(QuotaTableInvalid) as error:
        services.quota_import(assembly=cast.assembly, file=data, actor=None)
    found = {(p.row, p.field, p.code) for p in _problems(error)}
    assert found == {
        (3, "category", "unknown_category"),
        (4, "value", "unknown_value"),
        (5, "min", "min_above_max"),
        (6, "value", "duplicate"),
        (7, "value", "bad_age"),
        (9, "value", "age_overlap"),
        (10, "min", "not_a_number"),
    }
    by_row = {p.row: p for p in _problems(error)}
    assert by_row[5].text_nl.startswith("regel 5, minimum: Het minimum 9 is hoger")
    assert by_row[5].text_en.startswith("row 5, minimum: The minimum 9 is above")
    assert by_row[3].text_nl.startswith("regel 3, categorie: De categorie 'haarkleur'")
    assert by_row[3].text_en.startswith("row 3, category: The category 'haarkleur'")
    assert "regel 8" in by_row[9].nl and "row 8" in by_row[9].en
    assert "regel 2" in by_row[6].nl and "row 2" in by_row[6].en


def test_it_refuses_a_file_without_a_known_header(cast: Cast) -> None:
    data = _csv_bytes(["groep", "waarde", "min", "max"], [("geslacht", "man", 1, 2)])
    with pytest.raises(QuotaTableInvalid) as error:
        services.quota_import(assembly=cast.assembly, file=data, actor=None)
    assert "feature,value,min,max" in str(error.value)
    assert "category,name,min,max" in _problems(error)[0].en


def test_it_refuses_a_file_that_is_not_utf8(cast: Cast) -> None:
    data = "category,name,min,max\nwoonomgeving,niet,1,2\nprovincie,Fryslân,1,2\n"
    with pytest.raises(QuotaTableInvalid) as error:
        services.quota_import(assembly=cast.assembly, file=data.encode("cp1252"), actor=None)
    assert "UTF-8" in _problems(error)[0].nl


def test_it_writes_nothing_when_one_row_is_wrong(cast: Cast) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )
    rows = [*GOOD_ROWS[:3], ("leeftijd", "16-24", 5, 1)]
    with pytest.raises(QuotaTableInvalid):
        services.quota_import(
            assembly=cast.assembly,
            file=_csv_bytes(["category", "name", "min", "max"], rows),
            actor=None,
        )
    assert _table(cast.assembly) == GOOD_ROWS


def test_it_rolls_back_the_delete_when_the_write_fails(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Quota.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        services.quota_table_replace(
            assembly=cast.assembly, rows=[QuotaRow("geslacht", "man", 1, 2)], actor=None
        )
    monkeypatch.undo()
    assert _table(cast.assembly) == GOOD_ROWS


def test_it_logs_each_write_with_counts_only(cast: Cast) -> None:
    services.quota_import(
        assembly=cast.assembly,
        file=_csv_bytes(["category", "name", "min", "max"], GOOD_ROWS),
        actor=cast.users["organiser"],
    )
    event = AuditEvent.objects.get(action="quota.import")
    assert event.assembly == cast.assembly
    assert event.actor == cast.users["organiser"]
    assert event.detail == {"rows": 6, "categories": 2, "removed": 0}


def test_it_checks_attitude_question_values(cast: Cast) -> None:
    from participants.models import AttitudeQuestion

    AttitudeQuestion.objects.create(
        assembly=cast.assembly, key="houding", text="Wat vindt u?", choices="Strenger\nSoepeler"
    )
    services.quota_table_replace(
        assembly=cast.assembly,
        rows=[QuotaRow("houding", "Strenger", 1, 90), QuotaRow("houding", "Soepeler", 1, 90)],
        actor=None,
    )
    with pytest.raises(QuotaTableInvalid) as error:
        services.quota_table_replace(
            assembly=cast.assembly, rows=[QuotaRow("houding", "Weet niet", 1, 2)], actor=None
        )
    assert [(p.row, p.field, p.code) for p in _problems(error)] == [(1, "value", "unknown_value")]


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_what_it_imports(cast: Cast, fmt: str) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )
    content = export_file(quota_list(assembly=cast.assembly), fmt)
    if fmt == "csv":
        assert content.decode("utf-8").splitlines()[0] == "category,name,min,max"
    other = Assembly.objects.get(slug="klimaat")
    services.quota_import(assembly=other, file=content, actor=None, file_name=f"q.{fmt}")
    assert _table(other) == GOOD_ROWS


def test_the_export_page_gives_the_sortition_foundation_csv(cast: Cast) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )
    client = Client()
    client.force_login(cast.users["organiser"])
    url = reverse("participants:quota_export", kwargs={"slug": cast.assembly.slug, "fmt": "csv"})
    response = client.get(url)
    lines = response.content.decode().splitlines()
    assert lines[0] == "category,name,min,max"
    assert lines[1] == "geslacht,vrouw,80,95"
    bad = reverse("participants:quota_export", kwargs={"slug": cast.assembly.slug, "fmt": "pdf"})
    assert client.get(bad).status_code == 404


def test_the_admin_resource_replaces_the_table_with_the_same_checks(cast: Cast) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow("woonomgeving", "niet", 1, 2)], actor=None
    )
    dataset = tablib.Dataset(headers=["feature", "value", "min", "max"])
    for row in GOOD_ROWS:
        dataset.append(row)
    result = QuotaResource(assembly=cast.assembly).import_data(dataset, dry_run=False)
    assert not result.has_errors()
    assert _table(cast.assembly) == GOOD_ROWS
    broken = tablib.Dataset(headers=["category", "name", "min", "max"])
    broken.append(("geslacht", "man", 5, 1))
    result = QuotaResource(assembly=cast.assembly).import_data(broken, dry_run=False)
    assert result.has_errors()
    assert "regel 2" in str(result.base_errors[0].error)
    assert _table(cast.assembly) == GOOD_ROWS


# --------------------------------------------------------------------------- proposal


def test_the_shipped_shares_sum_to_one_and_use_the_registration_values() -> None:
    shares = services.shares_read()
    totals: dict[str, float] = {}
    for share in shares:
        totals[share.category] = totals.get(share.category, 0.0) + share.share
        assert share.source.startswith("CBS StatLine"), share
        assert share.year in {"2023", "2024"}, share
    assert set(totals) == {"leeftijd", "geslacht", "opleiding", "provincie", "woonomgeving"}
    for category, total in totals.items():
        assert abs(total - 1) <= 0.001, (category, total)
    values = {c: [s.value for s in shares if s.category == c] for c in totals}
    assert values["geslacht"] == [choice.value for choice in Gender]
    assert values["opleiding"] == [choice.value for choice in Education]
    assert sorted(values["provincie"]) == sorted(choice.value for choice in Province)
    assert values["woonomgeving"] == ["zeer sterk", "sterk", "matig", "weinig", "niet"]
    assert values["woonomgeving"] == [choice.value for choice in Urbanisation]
    bands = [age_range(value) for value in values["leeftijd"]]
    assert bands[0] == (16, 24) and bands[-1] == (75, 200)
    assert all(b is not None for b in bands)
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(bands))  # type: ignore[index]


@pytest.mark.parametrize("tolerance", [0.0, 0.1, 0.2, 0.5])
@pytest.mark.parametrize("k", [24, 100, 175])
def test_a_proposal_follows_the_tolerance_and_fits_the_panel(
    cast: Cast, tolerance: float, k: int
) -> None:
    categories = ["leeftijd", "geslacht", "opleiding", "provincie", "woonomgeving"]
    proposal = services.quota_propose(
        assembly=cast.assembly, categories=categories, tolerance=tolerance, panel_size=k
    )
    assert {row.category for row in proposal.rows} == set(categories)
    for category in categories:
        rows = [row for row in proposal.rows if row.category == category]
        assert sum(row.min for row in rows) <= k <= sum(row.max for row in rows)
        for row in rows:
            assert row.target == pytest.approx(row.share * k)
            assert row.min <= row.max
            # bounds are only ever widened from the formula, never narrowed
            assert row.min <= math.floor(row.target * (1 - tolerance) + 1e-9)
            assert row.max >= math.ceil(row.target * (1 + tolerance) - 1e-9)
            assert row.max >= 1
    assert {source[0] for source in proposal.sources} == set(categories)


def test_a_proposal_uses_the_formula_exactly_when_it_is_consistent(cast: Cast) -> None:
    shares = [
        services.Share("geslacht", "vrouw", 0.5, "test", "2024"),
        services.Share("geslacht", "man", 0.5, "test", "2024"),
        services.Share("geslacht", "anders", 0.0, "test", "2024"),
    ]
    proposal = services.quota_propose(
        assembly=cast.assembly,
        categories=["geslacht"],
        tolerance=0.1,
        shares=shares,
        panel_size=175,
    )
    # 87.5 × 0.9 = 78.75 → 78; 87.5 × 1.1 = 96.25 → 97; share 0 keeps a place: max 1
    assert [(r.value, r.min, r.max) for r in proposal.rows] == [
        ("vrouw", 78, 97),
        ("man", 78, 97),
        ("anders", 0, 1),
    ]
    assert proposal.sources == (("geslacht", "test", "2024"),)


def test_a_proposal_is_made_consistent_when_rounded_shares_miss_the_panel(cast: Cast) -> None:
    # Rounded shares may add up to 0.99 or 1.01; the bounds are then widened by one.
    low_sum = [services.Share("opleiding", v, 0.33) for v in ("laag", "midden", "hoog")]
    proposal = services.quota_propose(
        assembly=cast.assembly,
        categories=["opleiding"],
        tolerance=0.0,
        shares=low_sum,
        panel_size=100,
    )
    assert [(r.min, r.max) for r in proposal.rows] == [(33, 34), (33, 33), (33, 33)]
    high_sum = [
        services.Share("opleiding", v, s)
        for v, s in (("laag", 0.34), ("midden", 0.34), ("hoog", 0.33))
    ]
    proposal = services.quota_propose(
        assembly=cast.assembly,
        categories=["opleiding"],
        tolerance=0.0,
        shares=high_sum,
        panel_size=100,
    )
    assert [(r.min, r.max) for r in proposal.rows] == [(33, 34), (34, 34), (33, 33)]


def test_shares_from_an_uploaded_file_are_checked(cast: Cast) -> None:
    text = "category;value;share\ngeslacht;vrouw;0,6\ngeslacht;man;0,6\ngeslacht;anders;x\n"
    with pytest.raises(QuotaTableInvalid) as error:
        services.shares_read(text)
    codes = {(p.row, p.code) for p in _problems(error)}
    assert codes == {(4, "bad_share"), (0, "shares_sum")}
    good = services.shares_read(
        "\ufeffcategory,value,share\ngeslacht,vrouw,0.5\ngeslacht,man,0.5\n"
    )
    assert [(s.value, s.share) for s in good] == [("vrouw", 0.5), ("man", 0.5)]


def test_applying_a_proposal_replaces_the_table(cast: Cast) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )
    proposal = services.quota_propose(
        assembly=cast.assembly, categories=["provincie"], tolerance=0.2
    )
    services.quota_proposal_apply(assembly=cast.assembly, proposal=proposal, actor=None)
    table = _table(cast.assembly)
    assert [row[0] for row in table] == ["provincie"] * 12
    assert AuditEvent.objects.filter(action="quota.propose").count() == 1


# --------------------------------------------------------------------------- pages


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def _formset_data(rows: list[tuple[Any, ...]], extra: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "quota-TOTAL_FORMS": str(len(rows) + extra),
        "quota-INITIAL_FORMS": "0",
        "quota-MIN_NUM_FORMS": "0",
        "quota-MAX_NUM_FORMS": "1000",
    }
    for index, (category, value, low, high) in enumerate(rows):
        data[f"quota-{index}-category"] = category
        data[f"quota-{index}-value"] = value
        data[f"quota-{index}-min"] = str(low)
        data[f"quota-{index}-max"] = str(high)
    return data


def test_the_table_page_saves_rows_and_shows_sums_against_the_panel(cast: Cast) -> None:
    client = _organiser(cast)
    url = reverse("participants:quota_list", kwargs={"slug": cast.assembly.slug})
    response = client.post(url, _formset_data(GOOD_ROWS, extra=2))
    assert response.status_code == 302
    assert _table(cast.assembly) == GOOD_ROWS
    page = client.get(url).content.decode()
    assert "Klopt: het panel van 175 past" in page  # geslacht 160–192, leeftijd 140–200
    # The sums name values in words, with the code the table uses beside them.
    assert '<th scope="row">Vrouw <span class="muted">(vrouw)</span></th>' in page
    assert '<th scope="row">16-34</th>' in page  # an age range is its own name


def test_the_table_page_ties_each_error_to_its_field_and_writes_nothing(cast: Cast) -> None:
    client = _organiser(cast)
    url = reverse("participants:quota_list", kwargs={"slug": cast.assembly.slug})
    rows = [("geslacht", "vrouw", 80, 95), ("geslacht", "man", 90, 10)]
    response = client.post(url, _formset_data(rows))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_quota-1-min_error"' in page
    assert 'aria-describedby="id_quota-1-min_error"' in page
    assert "Het minimum 90 is hoger dan het maximum 10." in page
    assert 'id="id_quota-0-min_error"' not in page
    assert Quota.objects.count() == 0


def test_the_import_page_lists_problems_per_row(cast: Cast) -> None:
    client = _organiser(cast)
    url = reverse("participants:quota_import", kwargs={"slug": cast.assembly.slug})
    data = _csv_bytes(["category", "name", "min", "max"], [("geslacht", "robot", 1, 2)])
    upload = io.BytesIO(data)
    upload.name = "quota.csv"
    response = client.post(url, {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "regel 2, waarde: &#x27;robot&#x27; is geen waarde van geslacht" in page
    assert Quota.objects.count() == 0
    upload = io.BytesIO(_csv_bytes(["feature", "value", "min", "max"], GOOD_ROWS, ";"))
    upload.name = "quota.csv"
    assert client.post(url, {"file": upload}).status_code == 302
    assert _table(cast.assembly) == GOOD_ROWS


def test_the_proposal_page_previews_then_replaces_on_confirmation(cast: Cast) -> None:
    client = _organiser(cast)
    url = reverse("participants:quota_propose", kwargs={"slug": cast.assembly.slug})
    form = {"categories": ["geslacht", "provincie"], "tolerance": "10", "action": "preview"}
    page = client.post(url, form).content.decode()
    assert "Dit voorstel gebruiken" in page
    assert "CBS StatLine 70072ned" in page and "(2024)" in page
    # Words, with the stored code beside them, not codes alone.
    assert '<td>Geslacht</td><th scope="row">Vrouw <span class="muted">(vrouw)</span></th>' in (
        page
    )
    assert Quota.objects.count() == 0
    response = client.post(url, {**form, "action": "apply", "shares_text": ""})
    assert response.status_code == 302
    assert {q.category for q in Quota.objects.all()} == {"geslacht", "provincie"}
    assert Quota.objects.count() == 15


def test_the_proposal_page_uses_an_uploaded_shares_file_through_the_confirmation(
    cast: Cast,
) -> None:
    client = _organiser(cast)
    url = reverse("participants:quota_propose", kwargs={"slug": cast.assembly.slug})
    shares = "category,value,share,source,year\ngeslacht,vrouw,0.7,Eigen telling,2026\n"
    shares += "geslacht,man,0.3,Eigen telling,2026\n"
    upload = io.BytesIO(shares.encode())
    upload.name = "shares.csv"
    page = client.post(
        url,
        {"categories": ["geslacht"], "tolerance": "0", "action": "preview", "shares_file": upload},
    ).content.decode()
    assert "Eigen telling" in page
    response = client.post(
        url,
        {"categories": ["geslacht"], "tolerance": "0", "action": "apply", "shares_text": shares},
    )
    assert response.status_code == 302
    # 0.7 × 175 = 122.5 → 122 .. 123
    assert _table(cast.assembly) == [("geslacht", "vrouw", 122, 123), ("geslacht", "man", 52, 53)]


def test_the_table_page_keeps_unchanged_rows_and_removes_ticked_ones(cast: Cast) -> None:
    services.quota_table_replace(
        assembly=cast.assembly, rows=[QuotaRow(*row) for row in GOOD_ROWS], actor=None
    )
    client = _organiser(cast)
    url = reverse("participants:quota_list", kwargs={"slug": cast.assembly.slug})
    page = client.get(url).content.decode()
    assert 'name="quota-5-value" value="65+"' in page
    data = _formset_data(GOOD_ROWS, extra=1)
    data["quota-INITIAL_FORMS"] = str(len(GOOD_ROWS))
    data["quota-2-DELETE"] = "on"  # geslacht anders
    data["quota-6-category"] = "opleiding"
    data["quota-6-value"] = "hoog"
    data["quota-6-min"] = "0"
    data["quota-6-max"] = "175"
    assert client.post(url, data).status_code == 302
    assert _table(cast.assembly) == [
        *GOOD_ROWS[:2],
        *GOOD_ROWS[3:],
        ("opleiding", "hoog", 0, 175),
    ]
