"""The forms of the registration, one per step, and the organiser's attitude question form.

Messages are short and say what to do (Dutch B1). Each error is tied to its
field (aria-describedby), so a screen reader reads it with the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from assembly.forms import DatePicker, ModelMultipleChoiceField
from assembly.models import Assembly
from participants.ages import age_on
from participants.models import (
    AttitudeQuestion,
    Education,
    Gender,
    MigrationBackground,
    Province,
    Registration,
    Urbanisation,
)
from participants.models.pool import answer_lines
from sessions.models import Weekend

CHOOSE_ONE = _("Kies een antwoord.")
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()\-]+$")
PHONE_EXAMPLE = _("Vul een telefoonnummer in zoals 06 12345678.")
TOO_LONG = _("Dit is te lang. Gebruik hoogstens %(limit_value)d tekens.")


def check_phone(value: str) -> str:
    """A phone number as people write one (`06 12345678`, `+31 6 1234 5678`,
    `(030) 123 45 67`), kept as typed; empty is allowed. The registration and
    a member's own page (participants.forms_members) both check with this."""
    phone = value.strip()
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (not PHONE_CHARACTERS.match(phone) or not 9 <= digits <= 15):
        raise forms.ValidationError(PHONE_EXAMPLE)
    return phone


def phone_field(*, label: Any, help_text: Any) -> forms.CharField:
    """A phone number that may stay empty, with the phone keyboard on a phone;
    the form's ``clean_phone`` checks it with ``check_phone``."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=Registration._meta.get_field("phone").max_length,
        error_messages={"max_length": PHONE_EXAMPLE},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class AccessibleForm(forms.Form):
    """Ties each error message to its field, so it is read out with the field."""

    def full_clean(self) -> None:
        super().full_clean()
        self._tie_errors()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        self._tie_errors()

    def _tie_errors(self) -> None:
        errors = getattr(self, "_errors", None)
        if errors is None:
            return
        for name in errors:
            if name not in self.fields:
                continue
            bound = self[name]
            ids = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


def _radio(label: Any, choices: Any, help_text: Any = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": CHOOSE_ONE, "invalid_choice": CHOOSE_ONE},
    )


class CodeForm(AccessibleForm):
    code = forms.CharField(
        label=_("Uw persoonlijke code"),
        # The example passes the check (participants/codes.py): typed, it is
        # an unknown code, not a typing error.
        help_text=_("De code staat in uw brief. Bijvoorbeeld: ABCD-23EF-GHF."),
        max_length=40,
        error_messages={"required": _("Vul de code uit uw brief in.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ConsentForm(AccessibleForm):
    consent = forms.BooleanField(
        label=_(
            "Ik heb de uitleg gelezen. Ik geef toestemming om mijn gegevens en mijn mening "
            "te bewaren en te gebruiken voor de loting."
        ),
        error_messages={
            "required": _(
                "Zet een vinkje als u toestemming geeft. Zonder toestemming kunt u zich "
                "niet aanmelden."
            )
        },
    )


class ContactForm(AccessibleForm):
    full_name = forms.CharField(
        label=_("Uw naam"),
        max_length=200,
        error_messages={
            "required": _("Vul uw naam in."),
            "max_length": _("Uw naam is te lang. Gebruik hoogstens %(limit_value)d tekens."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        help_text=_("Hierheen sturen wij de bevestiging."),
        # The form's own limit (320) is longer than the column can keep.
        max_length=Registration._meta.get_field("email").max_length,
        error_messages={
            "required": _("Vul uw e-mailadres in."),
            "invalid": _("Vul een e-mailadres in zoals naam@voorbeeld.nl."),
            "max_length": _(
                "Dit e-mailadres is te lang. Het mag hoogstens %(limit_value)d tekens hebben."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = phone_field(
        label=_("Uw telefoonnummer (niet verplicht)"),
        help_text=_("Dan kunnen wij u bellen als dat nodig is."),
    )

    def clean_phone(self) -> str:
        return check_phone(self.cleaned_data["phone"])


class AboutForm(AccessibleForm):
    """The answers the quotas need."""

    birth_date = forms.DateField(
        label=_("Uw geboortedatum"),
        help_text=_("Bijvoorbeeld: 31-12-1980."),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"],
        error_messages={
            "required": _("Vul uw geboortedatum in."),
            "invalid": _("Vul uw geboortedatum in zoals 31-12-1980."),
        },
        widget=DatePicker(attrs={"autocomplete": "bday"}),
    )
    gender = _radio(_("Wat is uw geslacht?"), Gender.choices)
    education = _radio(_("Wat is de hoogste opleiding die u hebt afgemaakt?"), Education.choices)
    province = forms.ChoiceField(
        label=_("In welke provincie woont u?"),
        choices=[("", _("Kies uw provincie")), *Province.choices],
        error_messages={
            "required": _("Kies uw provincie."),
            "invalid_choice": _("Kies uw provincie."),
        },
    )
    urbanisation = _radio(_("Waar woont u?"), Urbanisation.choices)
    migration_background = _radio(
        _("Zijn u of een van uw ouders in een ander land geboren?"),
        MigrationBackground.choices,
        help_text=_("Wij vragen dit zodat mensen met allerlei achtergronden meedoen."),
    )

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly

    def clean_birth_date(self) -> dt.date:
        born: dt.date = self.cleaned_data["birth_date"]
        first_day = self.assembly.first_weekend
        if born > dt.date.today() or age_on(born, dt.date.today()) > 120:
            raise forms.ValidationError(
                _("Deze geboortedatum kan niet kloppen. Kijk of het jaar goed is.")
            )
        if age_on(born, first_day) < self.assembly.min_age:
            raise forms.ValidationError(
                _(
                    "U bent te jong om mee te doen. Op %(date)s begint het burgerberaad. "
                    "Dan moet u minstens %(age)s jaar zijn."
                ),
                params={
                    "date": formats.date_format(first_day, "j F Y"),
                    "age": self.assembly.min_age,
                },
            )
        return born


class OpinionForm(AccessibleForm):
    """The assembly's own attitude questions, one group of radio buttons each."""

    def __init__(self, *args: Any, questions: list[AttitudeQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question.key}"] = _radio(
                question.shown_text(), question.shown_choices()
            )

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[f"q_{q.key}"] for q in self.questions}

    @staticmethod
    def initial_from(answers: dict[str, str]) -> dict[str, str]:
        return {f"q_{key}": value for key, value in answers.items()}


class WeekendChoiceField(ModelMultipleChoiceField[Weekend]):
    def label_from_instance(self, obj: Any) -> str:
        weekend: Weekend = obj
        days = _("%(number)s: %(first)s en %(last)s") % {
            "number": str(weekend),
            "first": formats.date_format(weekend.starts_on, "l j F"),
            "last": formats.date_format(weekend.ends_on, "l j F Y"),
        }
        return f"{days}, {weekend.city}" if weekend.city else str(days)


class WeekendsForm(AccessibleForm):
    weekends = WeekendChoiceField(
        label=_("Op welke weekenden kunt u?"),
        help_text=_("Kies alle weekenden waarop u kunt. Het liefst kunt u op alle weekenden."),
        queryset=Weekend.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE_ONE, "invalid_pk_value": CHOOSE_ONE},
    )

    def __init__(self, *args: Any, weekends: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["weekends"]
        assert isinstance(field, WeekendChoiceField)
        field.queryset = weekends

    def weekend_ids(self) -> list[int]:
        return [weekend.pk for weekend in self.cleaned_data["weekends"]]


class NeedsForm(AccessibleForm):
    needs_mobility = forms.BooleanField(
        label=_("Ik heb hulp nodig bij lopen, of ik gebruik een rolstoel."), required=False
    )
    needs_childcare = forms.BooleanField(
        label=_("Ik heb opvang nodig voor mijn kinderen."), required=False
    )
    needs_language_help = forms.BooleanField(
        label=_("Ik heb hulp nodig met de Nederlandse taal."), required=False
    )
    diet = forms.CharField(
        label=_("Eet u iets niet? (niet verplicht)"),
        help_text=_("Bijvoorbeeld: vegetarisch, halal, geen noten."),
        required=False,
        max_length=200,
        error_messages={"max_length": TOO_LONG},
    )
    needs_other = forms.CharField(
        label=_("Hebt u iets anders nodig? (niet verplicht)"),
        required=False,
        max_length=2000,
        error_messages={"max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttitudeQuestionForm(forms.ModelForm[AttitudeQuestion]):
    class Meta:
        model = AttitudeQuestion
        fields = ["key", "text", "choices", "text_en", "choices_en", "position"]
        widgets = {
            "choices": forms.Textarea(attrs={"rows": 5}),
            "choices_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assembly = assembly

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"]
        others = AttitudeQuestion.objects.filter(assembly=self.assembly, key=key)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Deze korte naam is al in gebruik."))
        return key

    def clean_choices(self) -> str:
        lines = _distinct_answers(self.cleaned_data["choices"])
        if len(lines) < 2:
            raise forms.ValidationError(_("Geef minstens twee antwoorden, één per regel."))
        return "\n".join(lines)

    def clean_choices_en(self) -> str:
        return "\n".join(_distinct_answers(self.cleaned_data["choices_en"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        dutch, english = cleaned.get("choices"), cleaned.get("choices_en")
        if dutch and english and len(dutch.splitlines()) != len(english.splitlines()):
            self.add_error(
                "choices_en",
                _(
                    "Geef evenveel Engelse als Nederlandse antwoorden (%(count)s), in dezelfde"
                    " volgorde. Of laat dit veld leeg."
                )
                % {"count": len(dutch.splitlines())},
            )
        return cleaned


def _distinct_answers(text: str) -> list[str]:
    """The answers, one per non-empty line; each may occur once."""
    lines = answer_lines(text)
    if len(set(lines)) != len(lines):
        raise forms.ValidationError(_("Elk antwoord mag maar één keer voorkomen."))
    return lines
