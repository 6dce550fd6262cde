"""Reads for the lottery: the quota categories a registration answers, each
respondent's value per category, and the frozen inputs of a selection run.

Respondents are identified by their registration id (as text). The frozen
pool holds only that id, one value per quota category and a household key
hashed with the assembly, so it can be published with the run record and
anyone can check the draw; it names and locates nobody.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assembly.models import Assembly
from participants.ages import age_on
from participants.models import (
    ON_PAPER,
    AttitudeQuestion,
    Education,
    Gender,
    MigrationBackground,
    PanelMember,
    Province,
    Quota,
    Registration,
    SelectionRun,
    Urbanisation,
)

AGE = "leeftijd"
HOUSEHOLD_COLUMN = "huishouden"
ID_COLUMN = "id"
# Age values are ranges of whole years: "16-24", "25-34", ..., "65+".
_AGE_RANGE = re.compile(r"^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})|\+)\s*$")


@dataclass(frozen=True)
class QuotaCategory:
    """A category an organiser can set quotas on."""

    key: str
    label: str | Promise
    # The fixed values with their labels; empty for age (ranges chosen by the organiser).
    values: tuple[tuple[str, str | Promise], ...]


FIXED_CATEGORIES: tuple[QuotaCategory, ...] = (
    QuotaCategory(AGE, _("Leeftijd"), ()),
    QuotaCategory("geslacht", _("Geslacht"), tuple(Gender.choices)),
    QuotaCategory("opleiding", _("Opleiding"), tuple(Education.choices)),
    QuotaCategory("provincie", _("Provincie"), tuple(Province.choices)),
    QuotaCategory("woonomgeving", _("Woonomgeving"), tuple(Urbanisation.choices)),
    QuotaCategory(
        "migratieachtergrond", _("Migratieachtergrond"), tuple(MigrationBackground.choices)
    ),
)
# Which registration field holds each fixed category (age is computed).
_FIELD_OF = {
    "geslacht": "gender",
    "opleiding": "education",
    "provincie": "province",
    "woonomgeving": "urbanisation",
    "migratieachtergrond": "migration_background",
}


def quota_categories(*, assembly: Assembly) -> list[QuotaCategory]:
    """The fixed categories, then one per attitude question of the assembly."""
    questions = AttitudeQuestion.objects.filter(assembly=assembly).order_by("position", "id")
    return [
        *FIXED_CATEGORIES,
        *(QuotaCategory(q.key, q.text, tuple((c, c) for c in q.choice_list())) for q in questions),
    ]


def age_range(value: str) -> tuple[int, int] | None:
    """``"16-24"`` → (16, 24); ``"65+"`` → (65, 200); anything else → None."""
    match = _AGE_RANGE.match(value)
    if match is None:
        return None
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else 200
    return (low, high) if low <= high else None


def age_value(age: int, values: Iterable[str]) -> str:
    """The age range among ``values`` that holds ``age`` ("" when none does)."""
    for value in values:
        bounds = age_range(value)
        if bounds is not None and bounds[0] <= age <= bounds[1]:
            return value
    return ""


def respondent_features(
    registration: Registration, categories: dict[str, list[str]], first_weekend: dt.date
) -> dict[str, str]:
    """One value per quota category ("" when the registration has none that fits)."""
    features: dict[str, str] = {}
    for category, values in categories.items():
        if category == AGE:
            age = age_on(registration.birth_date, first_weekend)
            features[category] = age_value(age, values)
        elif category in _FIELD_OF:
            features[category] = str(getattr(registration, _FIELD_OF[category]))
        else:
            features[category] = str(registration.attitude_answers.get(category, ""))
    return features


def quota_list(*, assembly: Assembly) -> QuerySet[Quota]:
    return Quota.objects.filter(assembly=assembly).order_by("position", "id")


def quota_table(quotas: Iterable[Quota]) -> dict[str, list[str]]:
    """Categories in table order, each with its values in table order."""
    table: dict[str, list[str]] = {}
    for quota in quotas:
        table.setdefault(quota.category, []).append(quota.value)
    return table


def pool_registrations(*, assembly: Assembly) -> QuerySet[Registration]:
    """The respondents the lottery draws from: active registrations."""
    return (
        Registration.objects.filter(assembly=assembly, status=Registration.Status.ACTIVE)
        .select_related("invitation__resident")
        .order_by("pk")
    )


def household_hash(assembly: Assembly, key: str) -> str:
    """A household key that shows who lives together, not where."""
    text = f"{settings.SECRET_KEY}:{assembly.pk}:{key}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def quotas_csv(quotas: Iterable[Quota]) -> str:
    """The quota table in the Sortition Foundation's ``category,name,min,max`` format."""
    return _csv(
        ["category", "name", "min", "max"], ([q.category, q.value, q.min, q.max] for q in quotas)
    )


def selection_inputs(*, assembly: Assembly) -> tuple[str, str]:
    """The quota table and the pool as CSV text, ready to freeze in a run.

    Pool columns: ``id``, one per quota category, ``huishouden`` (hashed;
    empty when the registration's address is no longer known).
    """
    quotas = list(quota_list(assembly=assembly))
    categories = quota_table(quotas)
    rows = []
    for registration in pool_registrations(assembly=assembly):
        features = respondent_features(registration, categories, assembly.first_weekend)
        resident = registration.invitation.resident
        household = household_hash(assembly, resident.household_key) if resident else ""
        rows.append([registration.pk, *(features[c] for c in categories), household])
    return quotas_csv(quotas), _csv([ID_COLUMN, *categories, HOUSEHOLD_COLUMN], rows)


# --------------------------------------------------------------------------- pool check


# How long the pool check lets the solver look for one panel (a page load).
POOL_CHECK_SECONDS = 30.0


@dataclass(frozen=True)
class PoolValue:
    """One quota value against the pool: how many respondents have it."""

    value: str
    label: str | Promise
    count: int
    min: int
    max: int

    @property
    def status(self) -> str:
        """``short``: fewer respondents than the minimum; ``tight``: enough for the
        minimum, not for the maximum; ``ok``: enough for any number in the range."""
        if self.count < self.min:
            return "short"
        if self.count < self.max:
            return "tight"
        return "ok"


@dataclass(frozen=True)
class PoolCategory:
    """A quota category against the pool."""

    key: str
    label: str | Promise
    values: tuple[PoolValue, ...]
    # Respondents whose answer fits no value of this category's quota table.
    unfitting: int

    @property
    def min_total(self) -> int:
        return sum(value.min for value in self.values)

    @property
    def max_total(self) -> int:
        return sum(value.max for value in self.values)


@dataclass(frozen=True)
class PoolDiagnosis:
    """The engine's verdict on the frozen inputs: can a panel meet every quota?"""

    feasible: bool
    code: str = ""
    message_nl: str = ""
    message_en: str = ""
    # Respondents left out because a value fits no quota (they cannot be drawn).
    left_out: int = 0
    # False when the solver ran out of time before it could answer.
    decided: bool = True


@dataclass(frozen=True)
class QuotaLabels:
    """The words a page shows for quota keys: "geslacht" / "vrouw" → Geslacht / Vrouw.

    Labels stay lazy, so they come out in the language of the page. A key the
    assembly no longer knows (an attitude question removed after a run froze
    it, an age range) is shown as it is.
    """

    categories: dict[str, str | Promise]
    values: dict[str, dict[str, str | Promise]]

    def category(self, key: str) -> str | Promise:
        return self.categories.get(key, key)

    def value(self, category: str, value: str) -> str | Promise:
        return self.values.get(category, {}).get(value, value)


def members_taking_part_count(*, assembly: Assembly) -> int:
    """Seats on the panel taken now: members who said yes and have not stopped,
    on paper or with an account."""
    return PanelMember.objects.filter(
        assembly=assembly, kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.CONFIRMED
    ).count()


def confirmed_members_on_paper(*, assembly: Assembly) -> QuerySet[PanelMember]:
    """Members taking part without an account or e-mail address: what others
    get by e-mail reaches them by post, at the desk or on paper."""
    return PanelMember.objects.filter(
        ON_PAPER,
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.CONFIRMED,
    )


def quota_labels(*, assembly: Assembly) -> QuotaLabels:
    categories = quota_categories(assembly=assembly)
    return QuotaLabels(
        categories={category.key: category.label for category in categories},
        values={category.key: dict(category.values) for category in categories},
    )


def pool_check(*, assembly: Assembly) -> list[PoolCategory]:
    """Per quota category and value: respondents in the pool against the quota.

    Aggregates only; a respondent counts once per category, under the value
    :func:`respondent_features` gives them (or as unfitting).
    """
    quotas = list(quota_list(assembly=assembly))
    categories = quota_table(quotas)
    counts: dict[str, dict[str, int]] = {category: {} for category in categories}
    for registration in pool_registrations(assembly=assembly).select_related(None):
        features = respondent_features(registration, categories, assembly.first_weekend)
        for category, value in features.items():
            counts[category][value] = counts[category].get(value, 0) + 1
    labels = quota_labels(assembly=assembly)
    result: list[PoolCategory] = []
    for category in categories:
        rows = tuple(
            PoolValue(
                value=q.value,
                label=labels.value(category, q.value),
                count=counts[category].get(q.value, 0),
                min=q.min,
                max=q.max,
            )
            for q in quotas
            if q.category == category
        )
        fitting = sum(row.count for row in rows)
        total = sum(counts[category].values())
        result.append(
            PoolCategory(
                key=category,
                label=labels.category(category),
                values=rows,
                unfitting=total - fitting,
            )
        )
    return result


def fitting_pool_csv(quotas_text: str, pool_text: str) -> tuple[str, int]:
    """The pool CSV without respondents whose value fits no quota, and how many those are.

    :func:`selection_inputs` keeps them (with an empty or unknown value), and the
    engine's ``read_pool`` refuses such a row; this is the pool it accepts.
    """
    allowed: dict[str, set[str]] = {}
    for quota_row in csv.DictReader(io.StringIO(quotas_text)):
        allowed.setdefault(quota_row["category"], set()).add(quota_row["name"])
    reader = csv.reader(io.StringIO(pool_text))
    header = next(reader)
    columns = [(index, allowed[name]) for index, name in enumerate(header) if name in allowed]
    kept: list[list[str]] = []
    left_out = 0
    for row in reader:
        if all(row[index] in values for index, values in columns):
            kept.append(row)
        else:
            left_out += 1
    return _csv(header, kept), left_out


def run_inputs(*, assembly: Assembly) -> tuple[str, str, int]:
    """What a run started now would freeze: the quota table, the pool the
    engine accepts (see :func:`fitting_pool_csv`), and how many were left out."""
    quotas_text, pool_text = selection_inputs(assembly=assembly)
    pool_text, left_out = fitting_pool_csv(quotas_text, pool_text)
    return quotas_text, pool_text, left_out


def run_inputs_changed(*, run: SelectionRun) -> bool:
    """True when the assembly's quotas, pool or panel size are no longer the
    ones ``run`` froze when it was started."""
    assembly = run.assembly
    if run.panel_size != assembly.members_target:
        return True
    quotas_text, pool_text, _left_out = run_inputs(assembly=assembly)
    return quotas_text != run.quotas_csv or pool_text != run.pool_csv


def pool_diagnosis(*, assembly: Assembly) -> PoolDiagnosis | None:
    """Ask the engine whether any panel of ``members_target`` meets all quotas.

    Runs on the inputs a selection run would freeze, without the respondents
    whose values fit no quota. Only feasibility is checked (one integer
    program, within POOL_CHECK_SECONDS), not the whole LEXIMIN distribution.
    ``None`` when there is no quota table yet.
    """
    # Imported here: the engine loads numpy and HiGHS, which most pages never need.
    import highspy
    import numpy as np

    from participants.sortition import Instance, SortitionError, pricing, read_pool, read_quotas
    from participants.sortition.diagnose import infeasible_error
    from participants.sortition.io import check_instance
    from participants.sortition.units import build_units

    if not quota_list(assembly=assembly).exists():
        return None
    quotas_text, pool_text, left_out = run_inputs(assembly=assembly)
    try:
        quotas = read_quotas("quota", text=quotas_text)
        people = read_pool("pool", quotas, [HOUSEHOLD_COLUMN], text=pool_text)
        instance = Instance(people, quotas, assembly.members_target)
        check_instance(instance, "pool")
        units = build_units(instance)
        pricer = pricing.ExactPricer(units)
        pricer.model.setOptionValue("time_limit", POOL_CHECK_SECONDS)
        if pricer.best(np.zeros(units.size)) is None:
            if pricer.model.getModelStatus() == highspy.HighsModelStatus.kTimeLimit:
                return PoolDiagnosis(feasible=False, decided=False, left_out=left_out)
            raise infeasible_error(units)
    except SortitionError as error:
        return PoolDiagnosis(
            feasible=False,
            code=error.code,
            message_nl=error.message_nl,
            message_en=error.message,
            left_out=left_out,
        )
    return PoolDiagnosis(feasible=True, left_out=left_out)
