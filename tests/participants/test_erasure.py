"""Erasing a registration's details (participants.services.erasure): the
person also leaves the lottery runs that were never committed."""

from __future__ import annotations

import json

import pytest

from assembly.models import Assembly, AuditEvent
from participants.models import Replacement, SelectionRun
from participants.services import selection as selection_services
from participants.services.erasure import registration_erase
from tests.participants.test_selection import (
    OnCommit,
    first_in_pool,
    holds,
    lottery_assembly,
    start_run,
)


@pytest.fixture
def assembly(db: None) -> Assembly:
    return lottery_assembly(slug="wissen")


def test_erasure_takes_the_person_out_of_runs_not_committed(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    published = start_run(django_capture_on_commit_callbacks, assembly, seed=1)
    selection_services.selection_run_commit(run=published, actor=None)
    later = start_run(django_capture_on_commit_callbacks, assembly, seed=2)
    person = first_in_pool(later)
    frozen = SelectionRun.objects.values().get(pk=published.pk)

    registration_erase(person, assembly.first_weekend)

    later.refresh_from_db()
    assert not holds(later, person)
    assert selection_services.pool_changed(later)
    # The committed run was published before its number: it stays as it is.
    assert SelectionRun.objects.values().get(pk=published.pk) == frozen
    event = AuditEvent.objects.get(action="selection_run_respondent_removed")
    assert event.detail == {"registration": person.pk, "reason": "erased", "status": "done"}
    assert "Aanmelder" not in json.dumps(event.detail)


def test_erasure_of_someone_in_no_run_changes_no_run(
    assembly: Assembly, django_capture_on_commit_callbacks: OnCommit
) -> None:
    run = start_run(django_capture_on_commit_callbacks, assembly, seed=1)
    other = lottery_assembly(slug="ander-beraad")
    outsider = other.registrations.order_by("pk").first()
    assert outsider is not None
    frozen = SelectionRun.objects.values().get(pk=run.pk)

    registration_erase(outsider, other.first_weekend)

    assert SelectionRun.objects.values().get(pk=run.pk) == frozen
    assert not AuditEvent.objects.filter(action="selection_run_respondent_removed").exists()


def test_erasure_takes_the_name_out_of_published_reasons_of_the_assembly(
    assembly: Assembly,
) -> None:
    person = assembly.registrations.order_by("pk").first()
    assert person is not None
    person.full_name = "Jan-Willem van den Heuvel"
    person.save(update_fields=["full_name"])
    reasons = {
        "named": "Dobbelsteen viel; Jan-Willem van den Heuvel was er niet bij. Heuvel belde.",
        "other": "De notaris kwam te laat.",
    }
    named = Replacement.objects.create(
        assembly=assembly, status=Replacement.Status.DISCARDED, discard_reason=reasons["named"]
    )
    other = Replacement.objects.create(
        assembly=assembly, status=Replacement.Status.DISCARDED, discard_reason=reasons["other"]
    )
    elsewhere = lottery_assembly(slug="elders")
    outside = Replacement.objects.create(
        assembly=elsewhere, status=Replacement.Status.DISCARDED, discard_reason=reasons["named"]
    )

    registration_erase(person, assembly.first_weekend)

    named.refresh_from_db()
    assert named.discard_reason == "Dobbelsteen viel; […] was er niet bij. […] belde."
    assert Replacement.objects.get(pk=other.pk).discard_reason == reasons["other"]
    # Another assembly's page is about other people.
    assert Replacement.objects.get(pk=outside.pk).discard_reason == reasons["named"]


def test_a_surname_that_is_also_a_word_stays_where_it_is_a_word(assembly: Assembly) -> None:
    person = assembly.registrations.order_by("pk").first()
    assert person is not None
    person.full_name = "Anna de Boer"
    person.save(update_fields=["full_name"])
    reason = Replacement.objects.create(
        assembly=assembly,
        status=Replacement.Status.DISCARDED,
        discard_reason="De boer van het terrein sloot het hek. Boer belde af; anna de boer ook.",
    )

    registration_erase(person, assembly.first_weekend)

    reason.refresh_from_db()
    assert reason.discard_reason == "De boer van het terrein sloot het hek. […] belde af; […] ook."
