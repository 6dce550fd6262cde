"""assembly/forms.py: shared form fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assembly.forms import ModelMultipleChoiceField
from sessions.models import Weekend
from tests.conftest import Cast

TOO_LARGE = ["99999999999999999999", "-99999999999999999999", str(2**63)]


@pytest.mark.parametrize("number", TOO_LARGE)
def test_an_id_too_large_for_the_column_is_a_wrong_choice_not_a_server_error(
    cast: Cast, number: str, django_assert_num_queries: Any
) -> None:
    weekend = Weekend.objects.filter(assembly=cast.assembly).first()
    assert weekend is not None
    field: ModelMultipleChoiceField[Weekend] = ModelMultipleChoiceField(
        queryset=Weekend.objects.filter(assembly=cast.assembly)
    )
    # Refused before any query: on SQLite the query itself is the server error.
    with django_assert_num_queries(0), pytest.raises(ValidationError) as refused:
        field.clean([str(weekend.pk), number])
    assert refused.value.code == "invalid_choice"
    assert list(field.clean([str(weekend.pk)])) == [weekend]
    with pytest.raises(ValidationError) as not_a_number:
        field.clean(["tien"])
    assert not_a_number.value.code == "invalid_pk_value"  # Django's own check


def test_the_public_weekends_step_refuses_an_id_too_large(cast: Cast) -> None:
    """The registration's weekends step (anyone with a code can post to it)."""
    from participants.forms_registration import WeekendsForm

    form = WeekendsForm(
        data={"weekends": ["99999999999999999999"]},
        weekends=Weekend.objects.filter(assembly=cast.assembly),
    )
    assert not form.is_valid()
    assert "weekends" in form.errors


def test_a_text_key_of_digits_is_not_taken_for_a_too_large_id(cast: Cast) -> None:
    """Only whole-number columns have a range: a slug of 23 digits is a slug."""
    from assembly.models import Assembly

    Assembly.objects.filter(pk=cast.assembly.pk).update(slug="12345678901234567890123")
    field: ModelMultipleChoiceField[Assembly] = ModelMultipleChoiceField(
        queryset=Assembly.objects.all(), to_field_name="slug"
    )
    assert [a.pk for a in field.clean(["12345678901234567890123"])] == [cast.assembly.pk]
