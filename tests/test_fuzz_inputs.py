"""Generated bad input (hypothesis) against the imports (population extract,
quotas, the engine's readers, finance's payment confirmations) and every form
that organisers, the chair, members and the public reach.

For each: never a server error, never a half-written import, and when the
input is refused a message in Dutch and English that says where.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from participants.models import (
    PanelMember,
    PaymentBatch,
    PaymentItem,
    PopulationImport,
    Quota,
    Resident,
    Table,
    TableRound,
)
from participants.resources_payments import read_confirmations
from participants.resources_quotas import QuotaFileError
from participants.services.payments import ConfirmationsRefused, payment_confirmations_import
from participants.services.population import population_import
from participants.services.quotas import QuotaTableInvalid, quota_import
from participants.sortition.errors import SortitionError
from participants.sortition.io import read_pool, read_quotas
from tests.conftest import Cast
from tests.participants.test_panel import make_panel

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

BRP_COLUMNS = [
    "persoonsnummer",
    "voornamen",
    "voorvoegsel",
    "geslachtsnaam",
    "straatnaam",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "postcode",
    "woonplaats",
    "gemeente",
    "geboortedatum",
    "email",
]

# Cells that look almost right, and cells that look like nothing at all.
plausible = st.sampled_from(
    [
        "1234AB",
        "1234 ab",
        "12a",
        "12-A",
        "12 bis",
        "01-02-1980",
        "1980-02-01",
        "31-02-2001",
        "2999-01-01",
        "0",
        "-1",
        "99999999999999999999",
        "",
        " ",
        "a@b",
        "x@example.org",
        "Jansen",
        "van der",
        "'s-Hertogenbosch",
        "=1+1",
        "\ufeff",
        "NaN",
        "1e309",
    ]
)
cell = st.one_of(plausible, st.text(max_size=40))


def _csv(rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue()


@st.composite
def population_files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    header = draw(st.lists(st.sampled_from([*BRP_COLUMNS, "onbekend"]), max_size=15))
    if draw(st.booleans()):
        header = list(BRP_COLUMNS)
    rows = draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=6))
    text = _csv([header, *rows], draw(st.sampled_from([",", ";"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=population_files(), skip=st.booleans())
def test_population_imports_never_fail_badly_or_half(cast: Cast, data: bytes, skip: bool) -> None:
    before = Resident.objects.count()
    record = population_import(
        assembly=cast.assembly, file_name="brp.csv", data=data, uploaded_by=None, skip_invalid=skip
    )
    added = Resident.objects.count() - before
    if record.status == PopulationImport.Status.IMPORTED:
        assert added == record.rows_imported
    else:
        assert added == 0
        assert record.problems
    for problem in record.problems:
        assert problem["nl"] and problem["en"]
        assert problem["row"] >= 1 or problem["column"]


@st.composite
def quota_files(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            [
                ["feature", "value", "min", "max"],
                ["category", "name", "min", "max"],
                ["category", "feature", "min", "max", "min_flex", "max_flex"],
                ["x"],
            ]
        )
    )
    numbers = st.one_of(st.integers(-5, 300).map(str), plausible, st.text(max_size=5))
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(["geslacht", "leeftijd", ""]), cell, numbers, numbers),
            max_size=6,
        )
    )
    body = [list(row) + [""] * (len(header) - 4) for row in rows]
    return _csv([header, *body], ",").encode("utf-8")


@FUZZ
@given(data=quota_files())
def test_quota_imports_write_all_or_nothing(cast: Cast, data: bytes) -> None:
    before = list(Quota.objects.filter(assembly=cast.assembly).values_list("pk", flat=True))
    try:
        quota_import(assembly=cast.assembly, file=data, actor=None, file_name="quota.csv")
    except QuotaTableInvalid as error:
        assert error.problems
        for problem in error.problems:
            assert problem.nl and problem.en
        after = list(Quota.objects.filter(assembly=cast.assembly).values_list("pk", flat=True))
        assert after == before


@FUZZ
@given(quotas=st.text(max_size=200), pool=st.text(max_size=200))
def test_the_engine_reads_any_text_or_says_what_is_wrong(quotas: str, pool: str) -> None:
    try:
        table = read_quotas("quotas.csv", text=quotas)
        read_pool("pool.csv", table, text=pool)
    except SortitionError as error:
        assert error.message


KNOWN_PAYMENT = "BB-FUZZ-1-1"


@st.composite
def confirmation_files(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    header = draw(
        st.sampled_from(
            [["end_to_end_id", "paid_on"], ["paid_on", "end_to_end_id", "amount"], ["id", "date"]]
        )
    )
    ids = st.one_of(st.just(KNOWN_PAYMENT), st.text(max_size=20), plausible)
    rows = draw(st.lists(st.tuples(ids, cell), max_size=5))
    body = [list(row)[: len(header)] + [""] * (len(header) - 2) for row in rows]
    return _csv([header, *body], draw(st.sampled_from([",", ";"]))).encode("utf-8")


def _exported_payment(cast: Cast) -> PaymentItem:
    make_panel(cast.assembly, size=2, panel=(0,), alternates=())
    member = PanelMember.objects.filter(assembly=cast.assembly).first()
    assert member is not None
    batch = PaymentBatch.objects.create(
        assembly=cast.assembly, number=1, status=PaymentBatch.Status.EXPORTED
    )
    return PaymentItem.objects.create(
        batch=batch, member=member, amount="35.00", end_to_end_id=KNOWN_PAYMENT
    )


@FUZZ
@given(data=confirmation_files())
# Found by this test: a NUL in a cell reached PostgreSQL's look-up (DataError).
@example(data=b"paid_on,end_to_end_id,amount\r\nBB-FUZZ-1-1,\x00,\r\n")
@example(data=b"end_to_end_id,paid_on\r\n" + KNOWN_PAYMENT.encode() + b",2026-11-0\x001\r\n")
def test_finance_confirmation_imports_mark_all_or_nothing(cast: Cast, data: bytes) -> None:
    item = PaymentItem.objects.filter(end_to_end_id=KNOWN_PAYMENT).first() or _exported_payment(
        cast
    )
    PaymentItem.objects.filter(pk=item.pk).update(paid_at=None)
    try:
        rows = read_confirmations(data, "betaald.csv")
        payment_confirmations_import(assembly=cast.assembly, actor=None, rows=rows)
    except QuotaFileError as error:
        assert error.nl and error.en
        assert PaymentItem.objects.get(pk=item.pk).paid_at is None
    except ConfirmationsRefused as refused:
        assert refused.problems and all(problem for problem in refused.problems)
        assert PaymentItem.objects.get(pk=item.pk).paid_at is None


# ---------------------------------------------------------------- every form

ACTION = re.compile(r'<form[^>]*action="([^"]*)"', re.IGNORECASE)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', re.IGNORECASE)
SKIP_FIELDS = {"csrfmiddlewaretoken"}
# Forms whose POST logs the user out or changes the language: not input to fuzz.
SKIP_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")

values = st.one_of(
    plausible, st.text(max_size=60), st.integers(-(10**12), 10**12).map(str), st.just("")
)


def _forms(html: str, page: str) -> list[tuple[str, list[str]]]:
    found = []
    for match in re.finditer(r"<form[^>]*>.*?</form>", html, re.DOTALL | re.IGNORECASE):
        block = match.group(0)
        if 'method="post"' not in block.lower():
            continue
        action_match = ACTION.search(block)
        action = action_match.group(1) if action_match and action_match.group(1) else page
        if action.startswith(SKIP_ACTIONS):
            continue
        fields = sorted({name for name in FIELD.findall(block) if name not in SKIP_FIELDS})
        found.append((action.replace("&amp;", "&"), fields))
    return found


def _pages_for(cast: Cast, persona: str) -> list[str]:
    """Every page of the permission matrix that this persona may open with GET."""
    from tests.test_permission_matrix import MATRIX

    pages = []
    for name, row in MATRIX.items():
        if row.group or row.method != "get" or row.expected.get(persona) != 200:
            continue
        try:
            # Each row's set-up in a savepoint: one that clashes with another's
            # objects is left out without spoiling the rest.
            with transaction.atomic():
                pages.append(reverse(name, kwargs=row.kwargs(cast)))
        except Exception:  # noqa: S112 (a row whose set-up needs more than the cast)
            continue
    return pages


def _seat_the_member(cast: Cast) -> None:
    """The cast's member on a confirmed seat, so the member's own forms
    (claims, bank account, consent) are there to fill in."""
    make_panel(cast.assembly, size=2, panel=(0,), alternates=())
    PanelMember.objects.filter(assembly=cast.assembly).update(
        user=cast.users["member"], status=PanelMember.Status.CONFIRMED
    )


def _give_the_facilitator_a_table(cast: Cast) -> None:
    """Tables for weekend 1, all led by the cast's facilitator, so the drafting forms appear."""
    from tests.permission_rows.tables import _with_tables

    _with_tables(cast)
    _lead_all_tables(cast)


def _lead_all_tables(cast: Cast) -> None:
    TableRound.objects.filter(weekend__assembly=cast.assembly).update(published_at=timezone.now())
    Table.objects.filter(round__weekend__assembly=cast.assembly).update(
        facilitator=cast.users["facilitator"]
    )


SET_UP_PAGES = {
    "facilitator": ["recommendations:create"],
    "member": [
        "participants:my_claim_new",
        "participants:my_bank_account",
        "recommendations:create",
    ],
}

# How many forms each persona must at least find: a walk that finds none tests nothing.
FORMS_AT_LEAST = {
    "organiser": 20,
    "chair": 5,
    "member": 5,
    "facilitator": 5,
    "expert": 2,
    "griffie": 2,
    "anonymous": 3,
}


@pytest.mark.parametrize("persona", sorted(FORMS_AT_LEAST))
def test_no_form_gives_a_server_error_on_generated_input(cast: Cast, persona: str) -> None:
    client = Client()
    if persona == "member":
        _seat_the_member(cast)
    if persona == "facilitator":
        _give_the_facilitator_a_table(cast)
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    forms: dict[str, list[str]] = {}
    pages = _pages_for(cast, persona)
    if persona == "facilitator":
        # Other rows' set-ups deal the tables again; lead them all once more.
        _lead_all_tables(cast)
    # Pages the matrix's bare cast cannot open, opened here after the set-up above.
    pages += [
        reverse(name, kwargs={"slug": cast.assembly.slug}) for name in SET_UP_PAGES.get(persona, [])
    ]
    for page in pages:
        response = client.get(page)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for action, fields in _forms(response.content.decode(), page):
                forms.setdefault(action, fields)
    assert len(forms) >= FORMS_AT_LEAST[persona], sorted(forms)

    @settings(max_examples=6, deadline=None, database=None)
    @given(data=st.data())
    def post_garbage(data: Any) -> None:
        for action, fields in sorted(forms.items()):
            payload = {name: data.draw(values) for name in fields}
            response = client.post(action, payload)
            assert response.status_code < 500, (action, payload)

    post_garbage()
