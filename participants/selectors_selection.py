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
from participants.models import (
    AttitudeQuestion,
    Education,
    Gender,
    MigrationBackground,
    Province,
    Quota,
    Registration,
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


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


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
