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


@pytest.mark.django_db
def test_every_admin_form_uses_the_checked_many_to_many_field(rf: Any) -> None:
    """The Django admin builds its own forms: each ModelAdmin's many-to-many
    fields (add and change form) must be the field above too."""
    from django import forms
    from django.contrib import admin

    from assembly.models import User

    request = rf.get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    seen = []
    for model, model_admin in admin.site._registry.items():
        for obj in (None, model()):
            form = model_admin.get_form(request, obj)
            for name, field in form.base_fields.items():
                if isinstance(field, forms.ModelMultipleChoiceField):
                    seen.append(f"{model._meta.label}.{name}")
                    assert isinstance(field, ModelMultipleChoiceField), seen[-1]
    # The admin has many-to-many fields to check (sessions' experts, a
    # registration's weekends, users' groups): the test is not empty.
    assert {"assembly_sessions.Session.experts", "assembly.User.groups"} <= set(seen)
