"""The seeded demo in English: every text the demo seeds that has an English
field gets its English, and a rerun keeps the same rows (same ids).

The members' own Dutch (recommendations, amendments, comments) has no English
field and is not checked here."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assembly.models import Assembly
from participants.models import AttitudeQuestion
from participants.models.pool import answer_lines
from sessions.demo_programme import ENGLISH
from sessions.models import Material, Session, Weekend

pytestmark = pytest.mark.django_db

Rows = dict[str, list[tuple[object, ...]]]


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _snapshot() -> Rows:
    """The demo's rows with English fields, by id."""
    return {
        "assemblies": list(
            Assembly.objects.order_by("pk").values_list(
                "pk", "slug", "name", "name_en", "question_en", "mandate_en"
            )
        ),
        "weekends": list(
            Weekend.objects.order_by("pk").values_list(
                "pk", "assembly_id", "number", "title_en", "route_en", "accessibility_en",
                "hotel_en",
            )
        ),
        "sessions": list(
            Session.objects.order_by("pk").values_list(
                "pk", "weekend_id", "position", "starts_at", "room", "title", "title_en",
                "description", "description_en",
            )
        ),
        "session experts": list(
            Session.experts.through.objects.order_by("session_id", "expert_id").values_list(
                "session_id", "expert_id"
            )
        ),
        "materials": list(
            Material.objects.order_by("pk").values_list(
                "pk", "assembly_id", "title", "title_en", "summary", "summary_en"
            )
        ),
        "questions": list(
            AttitudeQuestion.objects.order_by("pk").values_list(
                "pk", "assembly_id", "key", "text", "text_en", "choices", "choices_en"
            )
        ),
    }


def _assert_all_in_english() -> None:
    for assembly in Assembly.objects.all():
        assert assembly.name_en and assembly.question_en and assembly.mandate_en, assembly.slug
    for weekend in Weekend.objects.all():
        assert weekend.title_en, (weekend.assembly_id, weekend.number)
        if weekend.route:
            assert weekend.route_en and weekend.accessibility_en and weekend.hotel_en
    sessions = Session.objects.all()
    assert sessions.exists()
    # Deep dives of the completed assembly too (they are made in seed_demo itself).
    assert sessions.filter(room__startswith="Verdieping").exists()
    for session in sessions:
        assert session.title_en, session.title
        assert bool(session.description_en) == bool(session.description), session.title
        assert session.title_en != session.title or session.title == "Lunch", session.title
    materials = Material.objects.all()
    assert materials.exists()
    for material in materials:
        assert material.title_en and material.summary_en, material.title
    questions = AttitudeQuestion.objects.all()
    assert questions.exists()
    for question in questions:
        assert question.text_en, question.text
        # One English answer per Dutch answer, or English readers see the Dutch ones.
        english = answer_lines(question.choices_en)
        assert len(english) == len(question.choice_list()) and all(english), question.text


def test_the_demo_fills_every_english_field_and_keeps_its_ids_on_a_rerun() -> None:
    _seed()
    _assert_all_in_english()
    first = _snapshot()

    _seed()
    assert _snapshot() == first

    # A demo seeded before the English existed gets it on its next run, in the same rows.
    Session.objects.update(title_en="", description_en="")
    Material.objects.update(title_en="", summary_en="")
    AttitudeQuestion.objects.update(text_en="", choices_en="")
    _seed()
    assert _snapshot() == first


def test_every_programme_text_has_one_english_text() -> None:
    # ENGLISH is keyed by the Dutch text: every title and description the programme
    # uses has its English there, and none is left over from a text no longer used.
    from sessions.demo_programme import BRIEFINGS, _saturday, _sunday

    used = {
        text
        for number in BRIEFINGS
        for item in _saturday(number) + _sunday(number)
        for text in (item.title, item.description)
        if text
    }
    assert used == set(ENGLISH)
    assert all(english.strip() for english in ENGLISH.values())
