from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Field, IntegerField, ManyToManyField, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from assembly.models import ROLES_GIVEN_BY_HAND, Assembly


class OneTimeForm(forms.Form):
    """A form that creates something carries a number drawn when it is shown.
    The service stores it with what it creates (``one_time_submission``) and
    gives back the earlier row when the same number comes again, so a double
    click or a page sent again creates one row. A page shown again after an
    error keeps its number: nothing was created with it yet. The Back button
    loads the form again with a new number: the service then also looks for a
    row with the same content (``submitted_before(same=...)``)."""

    submission = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


_M = TypeVar("_M", bound=Model)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[_M]):
    """Django's field, refusing a number too large for the id column as a wrong
    choice. Django checks such a number in a look-up of one id, not in the
    `__in` look-up this field makes: SQLite then raises OverflowError (a
    server error) where PostgreSQL finds nothing."""

    def clean(self, value: Any) -> QuerySet[_M]:
        queryset = self.queryset
        assert queryset is not None, "a ModelMultipleChoiceField needs a queryset"
        options = queryset.model._meta
        key = options.get_field(self.to_field_name) if self.to_field_name else options.pk
        column = getattr(key, "target_field", key)  # a primary key that is a relation
        if not isinstance(column, IntegerField):  # text, a UUID: nothing to check
            return super().clean(value)
        try:
            low, high = connections[queryset.db].ops.integer_field_range(column.get_internal_type())
        except KeyError:  # a whole-number field of its own kind: Django decides
            return super().clean(value)
        for choice in value if isinstance(value, (list, tuple)) else ():
            try:
                number = int(str(choice))
            except ValueError:
                continue  # Django's own check names it
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": choice},
                )
        return super().clean(value)


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is always ISO (2026-12-15): a date
    input cannot show the Dutch format (15-12-2026) Django would write on a
    Dutch page, so the field looked empty, and saving the form unchanged
    wiped the date or refused it as missing."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# A ModelAdmin's formfield_overrides: its many-to-many fields refuse an id
# too large for the column as the site's own forms do (above).
MANY_TO_MANY_IN_RANGE: dict[type[Field[Any, Any]], dict[str, Any]] = {
    ManyToManyField: {"form_class": ModelMultipleChoiceField}
}


class AssemblyCreateForm(forms.ModelForm[Assembly]):
    class Meta:
        model = Assembly
        fields = [
            "name",
            "name_en",
            "slug",
            "question",
            "question_en",
            "members_target",
            "alternates_target",
            "min_age",
            "first_weekend",
        ]
        widgets = {"first_weekend": DatePicker()}


class AssemblySettingsForm(forms.ModelForm[Assembly]):
    class Meta:
        model = Assembly
        fields = [
            "name",
            "name_en",
            "question",
            "question_en",
            "mandate",
            "mandate_en",
            "commissioned_by",
            "members_target",
            "alternates_target",
            "min_age",
            "first_weekend",
            "period_end",
            "phase",
            "is_public",
            "report_delivered_on",
        ]
        widgets = {
            "first_weekend": DatePicker(),
            "period_end": DatePicker(),
            "report_delivered_on": DatePicker(),
        }
        help_texts = {
            "report_delivered_on": _(
                "Vanaf deze dag telt de bewaartermijn. Daarna wist het systeem de gegevens "
                "van de deelnemers vanzelf."
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, end = cleaned.get("first_weekend"), cleaned.get("period_end")
        if first and end and end < first:
            self.add_error(
                "period_end",
                _("Het einde ligt voor het eerste weekend. / The end is before the first weekend."),
            )
        return cleaned


class RoleGrantForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    full_name = forms.CharField(label=_("Naam"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Rol"),
        choices=[(kind.value, kind.label) for kind in ROLES_GIVEN_BY_HAND],
        help_text=_(
            "Deelnemers staan hier niet: zij krijgen hun toegang als zij ja zeggen na de "
            "loting. Balie: voor vrijwilligers bij de ingang. Zij melden deelnemers aan op een "
            "weekend en zien verder niets. Zij loggen in met een code per e-mail."
        ),
    )


# More people or ballots than any assembly hall holds is a typing error; the
# limit also keeps the number inside the database's columns.
COUNT_MAX = 9999


def count_field(
    label: Any, *, required: bool = False, min_value: int = 0, **extra: Any
) -> forms.IntegerField:
    """A number of people, votes or ballots, typed in by hand."""
    return forms.IntegerField(
        label=label, min_value=min_value, max_value=COUNT_MAX, required=required, **extra
    )
