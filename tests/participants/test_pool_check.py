"""The pool check before the lottery, and the demo's pool and quotas."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from assembly.models import Assembly
from participants.models import Invitation, InvitationDraw, Registration
from participants.selectors_selection import pool_check, pool_diagnosis, selection_inputs
from participants.services.quotas import QuotaRow, quota_table_replace
from tests.conftest import Cast

_codes = itertools.count(1)


def register(assembly: Assembly, count: int, **answers: Any) -> None:
    """``count`` active registrations with the given answers (no resident: no household)."""
    draw = InvitationDraw.objects.filter(
        assembly=assembly
    ).first() or InvitationDraw.objects.create(
        assembly=assembly,
        seed="1",
        requested=0,
        eligible_households=0,
        eligible_residents=0,
        input_sha256="0" * 64,
    )
    defaults: dict[str, Any] = {
        "birth_date": dt.date(1980, 5, 1),
        "gender": "vrouw",
        "education": "midden",
        "province": "Utrecht",
        "urbanisation": "sterk",
        "migration_background": "geen",
        "full_name": "Verborgen Naam",
        "email": "verborgen@example.org",
    }
    for _ in range(count):
        invitation = Invitation.objects.create(
            assembly=assembly,
            draw=draw,
            code=f"T{next(_codes):09d}",
            status=Invitation.Status.REGISTERED,
        )
        Registration.objects.create(
            invitation=invitation,
            assembly=assembly,
            consent_at=timezone.now(),
            consent_version="test",
            **{**defaults, **answers},
        )


def quotas(assembly: Assembly, rows: list[tuple[str, str, int, int]]) -> None:
    quota_table_replace(assembly=assembly, rows=[QuotaRow(*row) for row in rows], actor=None)


@pytest.fixture
def small(cast: Cast) -> Assembly:
    """A panel of 4 from 10 respondents: 6 women, 4 men; 3 of the women are 70."""
    assembly = cast.assembly
    assembly.members_target = 4
    assembly.save(update_fields=["members_target"])
    register(assembly, 3, gender="vrouw")
    register(assembly, 3, gender="vrouw", birth_date=dt.date(1956, 1, 1))
    register(assembly, 4, gender="man")
    return assembly


def _organiser_page(cast: Cast, language: str = "nl") -> str:
    client = Client()
    client.force_login(cast.users["organiser"])
    client.cookies["django_language"] = language
    url = reverse("participants:pool_check", kwargs={"slug": cast.assembly.slug})
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    return response.content.decode()


def test_it_counts_respondents_per_value_against_the_quota(small: Assembly) -> None:
    quotas(
        small,
        [("geslacht", "vrouw", 1, 3), ("geslacht", "man", 1, 5), ("geslacht", "anders", 0, 1)],
    )
    (category,) = pool_check(assembly=small)
    rows = {v.value: (v.count, v.min, v.max, v.status) for v in category.values}
    assert rows == {
        "vrouw": (6, 1, 3, "ok"),
        "man": (4, 1, 5, "tight"),
        "anders": (0, 0, 1, "tight"),
    }
    assert (category.min_total, category.max_total, category.unfitting) == (2, 9, 0)


def test_withdrawn_registrations_are_not_in_the_pool(small: Assembly) -> None:
    quotas(small, [("geslacht", "vrouw", 0, 4), ("geslacht", "man", 0, 4)])
    Registration.objects.filter(gender="man").update(status=Registration.Status.WITHDRAWN)
    (category,) = pool_check(assembly=small)
    assert [v.count for v in category.values] == [6, 0]


def test_it_counts_respondents_whose_value_fits_no_quota(small: Assembly, cast: Cast) -> None:
    # on the first weekend (13 February 2027) the 1956-born are 71: outside both bands
    quotas(small, [("leeftijd", "16-39", 0, 4), ("leeftijd", "40-64", 0, 4)])
    (category,) = pool_check(assembly=small)
    assert [v.count for v in category.values] == [0, 7]
    assert category.unfitting == 3
    diagnosis = pool_diagnosis(assembly=small)
    assert diagnosis is not None and diagnosis.feasible and diagnosis.left_out == 3
    page = _organiser_page(cast)
    assert "3 aanmelders passen in geen enkele waarde van deze categorie" in page
    assert (
        "3 aanmelders passen in geen enkel quotum. De controle hierboven is gedaan zonder" in page
    )


def test_it_shows_the_engines_diagnosis_when_the_quotas_cannot_be_met(
    small: Assembly, cast: Cast
) -> None:
    # 5 men wanted, 4 registered
    quotas(small, [("geslacht", "vrouw", 0, 4), ("geslacht", "man", 5, 5)])
    diagnosis = pool_diagnosis(assembly=small)
    assert diagnosis is not None and not diagnosis.feasible
    assert diagnosis.code in {"infeasible_quotas", "quota_sum_too_high"}
    page = _organiser_page(cast)
    assert "Nee. Met deze aanmelders en deze quota is geen panel mogelijk." in page
    assert diagnosis.message_nl in page.replace("&#x27;", "'")
    with translation.override("en"):
        english = _organiser_page(cast, "en")
    assert diagnosis.message_en in english.replace("&#x27;", "'")


def test_it_diagnoses_a_minimum_above_the_available_respondents(
    small: Assembly, cast: Cast
) -> None:
    quotas(
        small,
        [
            ("geslacht", "vrouw", 0, 4),
            ("geslacht", "man", 1, 4),
            ("opleiding", "hoog", 1, 2),
            ("opleiding", "midden", 0, 4),
        ],
    )
    diagnosis = pool_diagnosis(assembly=small)
    assert diagnosis is not None and not diagnosis.feasible
    assert diagnosis.code == "infeasible_quotas"
    assert "opleiding hoog" in diagnosis.message_nl
    assert "minimaal 1 gevraagd, 0 beschikbaar" in diagnosis.message_nl
    assert "at least 1 asked, 0 available" in diagnosis.message_en
    page = _organiser_page(cast)
    assert "niet genoeg respondenten met opleiding hoog" in page
    assert "Te weinig" in page  # the word, not only a colour


def test_it_finds_an_infeasibility_that_no_single_count_shows(small: Assembly) -> None:
    # enough women and enough 70-year-olds, but every 70-year-old is a woman
    quotas(
        small,
        [
            ("geslacht", "vrouw", 0, 1),
            ("geslacht", "man", 3, 4),
            ("leeftijd", "16-64", 0, 4),
            ("leeftijd", "65+", 2, 4),
        ],
    )
    diagnosis = pool_diagnosis(assembly=small)
    assert diagnosis is not None and not diagnosis.feasible
    assert diagnosis.code == "infeasible_quotas"


def test_the_page_shows_totals_a_chart_and_no_personal_data(small: Assembly, cast: Cast) -> None:
    quotas(small, [("geslacht", "vrouw", 1, 3), ("geslacht", "man", 1, 3)])
    page = _organiser_page(cast)
    assert "Er zijn 10 aanmelders." in page
    assert "Het panel heeft 4 deelnemers." in page
    assert "Ja. Er is minstens één panel mogelijk" in page
    assert '<svg class="bar-chart"' in page and 'role="img"' in page
    assert "chart-bar-ok" in page and "chart-bar-tight" not in page
    # SVG numbers with a decimal point, also in Dutch (a comma breaks the drawing)
    widths = re.findall(r'<rect class="chart-bar[^"]*"[^>]* width="([^"]+)"', page)
    assert len(widths) == 2 and all(re.fullmatch(r"\d+\.\d", width) for width in widths)
    assert "style=" not in page  # the CSP forbids inline styles
    assert "Verborgen" not in page and "verborgen@example.org" not in page


def test_the_page_without_quotas_sends_the_organiser_to_the_table(cast: Cast) -> None:
    page = _organiser_page(cast)
    assert "Er zijn nog geen quota." in page
    assert pool_diagnosis(assembly=cast.assembly) is None


def test_seed_demo_makes_a_pool_and_quotas_the_engine_can_satisfy(db: None) -> None:
    from participants.sortition import (
        Instance,
        panel_problems,
        read_pool,
        read_quotas,
        run_selection,
    )

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assembly = Assembly.objects.get(slug="drugsbeleid")
    pool = Registration.objects.filter(assembly=assembly, status=Registration.Status.ACTIVE)
    assert 550 <= pool.count() <= 650
    categories = {c.key: c for c in pool_check(assembly=assembly)}
    assert set(categories) == {"leeftijd", "geslacht", "opleiding", "provincie", "woonomgeving"}
    for category in categories.values():
        assert category.unfitting == 0
        assert category.min_total <= assembly.members_target <= category.max_total
        assert all(value.status != "short" for value in category.values)
    households = pool.values_list("invitation__resident__household_key", flat=True)
    assert len(set(households)) < pool.count()  # some respondents share a household
    diagnosis = pool_diagnosis(assembly=assembly)
    assert diagnosis is not None and diagnosis.feasible and diagnosis.left_out == 0
    # The organiser's lottery: LEXIMIN, then one panel within every quota and the
    # household rule.
    quotas_text, pool_text = selection_inputs(assembly=assembly)
    table = read_quotas("quota", text=quotas_text)
    instance = Instance(
        read_pool("pool", table, ["huishouden"], text=pool_text), table, assembly.members_target
    )
    record = run_selection(instance, seed=1)
    assert record["min_probability"] > 0.1
    assert len(record["panel"]) == assembly.members_target
    assert panel_problems(instance, record["panel"]) == []


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("participants:quota_list", {}),
        ("participants:quota_import", {}),
        ("participants:quota_export", {"fmt": "xlsx"}),
        ("participants:quota_propose", {}),
        ("participants:pool_check", {}),
    ],
)
def test_an_organiser_of_one_assembly_opens_no_quota_page_of_another(
    cast: Cast, name: str, extra: dict[str, str]
) -> None:
    client = Client()
    client.force_login(cast.users["organiser"])
    other = reverse(name, kwargs={"slug": cast.other_assembly.slug, **extra})
    assert client.get(other).status_code == 403
    assert client.post(other, {}).status_code == 403
    own = reverse(name, kwargs={"slug": cast.assembly.slug, **extra})
    assert client.get(own).status_code == 200


def test_it_says_so_when_the_solver_runs_out_of_time(
    small: Assembly, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    import highspy

    from participants.sortition import pricing

    class SlowPricer(pricing.ExactPricer):
        def best(self, weights: Any, gap: float = 1e-9) -> None:
            self.model.getModelStatus = lambda: highspy.HighsModelStatus.kTimeLimit
            return None

    monkeypatch.setattr(pricing, "ExactPricer", SlowPricer)
    quotas(small, [("geslacht", "vrouw", 1, 3), ("geslacht", "man", 1, 3)])
    diagnosis = pool_diagnosis(assembly=small)
    assert diagnosis is not None and not diagnosis.feasible and not diagnosis.decided
    page = _organiser_page(cast)
    assert "De controle duurde te lang en is gestopt." in page
    assert "geen panel mogelijk" not in page
