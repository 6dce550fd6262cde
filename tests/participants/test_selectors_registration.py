"""The two look-ups every registration page makes (participants/
selectors_registration.py), compiled once per process: the invitation and its
assembly as the ORM would load them, and flags that follow the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assembly.models import Assembly
from participants import selectors_registration as selectors
from participants.models import AttitudeQuestion, Invitation, SelectionRun
from tests.conftest import Cast
from tests.factories import AssemblyFactory, WeekendFactory
from tests.participants.test_panel import make_panel
from tests.participants.test_registration import CODE, make_invitation, register

pytestmark = pytest.mark.django_db


def _same_as_the_orm(found: Invitation) -> None:
    expected = Invitation.objects.select_related("assembly").get(pk=found.pk)
    for model, got, want in (
        (Invitation, found, expected),
        (Assembly, found.assembly, expected.assembly),
    ):
        for field in model._meta.concrete_fields:
            mine, theirs = getattr(got, field.attname), getattr(want, field.attname)
            assert mine == theirs and type(mine) is type(theirs), field.name
    assert found.assembly_id == found.assembly.pk
    # Saving it works as for any loaded row: an UPDATE, not a second row.
    found.save(update_fields=["status"])
    assert Invitation.objects.filter(code=found.code).count() == 1


def test_it_finds_an_invitation_and_its_assembly_by_code_in_one_query(cast: Cast) -> None:
    cast.assembly.registration_deadline = dt.date(2027, 1, 15)
    cast.assembly.save(update_fields=["registration_deadline"])
    make_invitation(cast.assembly)
    make_invitation(cast.assembly, "QRST45UVWX")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.invitation_by_code(code=CODE)
    assert len(queries.captured_queries) == 1
    assert found is not None and found.invitation.code == CODE
    assert (found.used, found.lottery_published) == (False, False)
    _same_as_the_orm(found.invitation)
    other = selectors.invitation_by_code(code="QRST45UVWX")
    assert other is not None and other.invitation.code == "QRST45UVWX"
    assert selectors.invitation_by_code(code="ZZZZ99ZZZZ") is None


def test_a_code_counts_as_used_once_someone_registered_with_it(
    client: Client, cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    cast.assembly.registration_deadline = timezone.localdate() + dt.timedelta(days=30)
    cast.assembly.save(update_fields=["registration_deadline"])
    AttitudeQuestion.objects.create(
        assembly=cast.assembly,
        key="drugsbeleid",
        position=1,
        text="Strenger of soepeler?",
        choices="Veel strenger\nIets strenger\nZo laten\nIets soepeler\nVeel soepeler",
    )
    make_invitation(cast.assembly)
    register(client, cast.assembly, django_capture_on_commit_callbacks)
    found = selectors.invitation_by_code(code=CODE)
    assert found is not None and found.used
    # Also when only the registration row says so.
    Invitation.objects.filter(code=CODE).update(status=Invitation.Status.DRAWN)
    found = selectors.invitation_by_code(code=CODE)
    assert found is not None and found.used


def test_it_says_whether_the_assemblys_lottery_is_published() -> None:
    panel = make_panel()
    late = Invitation.objects.create(
        assembly=panel.assembly, draw=panel.people[0].invitation.draw, code="QATE234567"
    )
    SelectionRun.objects.filter(assembly=panel.assembly).update(committed_at=None)
    found = selectors.invitation_by_code(code=late.code)
    assert found is not None and not found.lottery_published
    SelectionRun.objects.filter(assembly=panel.assembly).update(committed_at=timezone.now())
    found = selectors.invitation_by_code(code=late.code)
    assert found is not None and found.lottery_published


def test_a_step_reads_whether_the_assembly_has_questions_and_weekends() -> None:
    assembly = AssemblyFactory(slug="leeg")
    invitation = make_invitation(assembly)
    with CaptureQueriesContext(connection) as queries:
        sign_up = selectors.sign_up_by_id(invitation_id=invitation.pk)
    assert len(queries.captured_queries) == 1
    assert sign_up is not None
    assert (sign_up.has_questions, sign_up.has_weekends) == (False, False)
    _same_as_the_orm(sign_up.invitation)

    WeekendFactory(assembly=assembly, number=1)
    sign_up = selectors.sign_up_by_id(invitation_id=invitation.pk)
    assert sign_up is not None and (sign_up.has_questions, sign_up.has_weekends) == (False, True)
    AttitudeQuestion.objects.create(
        assembly=assembly, key="vraag", position=1, text="Vraag?", choices="Ja\nNee"
    )
    sign_up = selectors.sign_up_by_id(invitation_id=invitation.pk)
    assert sign_up is not None and (sign_up.has_questions, sign_up.has_weekends) == (True, True)
    assert selectors.sign_up_by_id(invitation_id=invitation.pk + 1000) is None
