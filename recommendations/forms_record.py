"""Forms for the chair's record: minutes, minority statements and government responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assembly.forms import DatePicker, OneTimeForm, count_field
from recommendations.models import GovernmentResponse
from sessions.models import Session


class _TiedErrors:
    """Point each field with an error at its message (aria-describedby), next
    to its help text, so a screen reader reads both on the field."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: forms.Form = self  # type: ignore[assignment]
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            ids = [f"{bound.auto_id}_error"]
            if form.fields[name].help_text:
                ids.append(f"{bound.auto_id}_helptext")
            form.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class MinutesForm(_TiedErrors, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    session = forms.ModelChoiceField(
        label=_("Onderdeel van het programma"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("Het hele weekend"),
    )
    body = forms.CharField(
        label=_("Verslag"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Opmaak met Markdown: ## voor een kopje, **vet**, - voor een lijstje. HTML werkt niet."
        ),
    )

    # When the writer opened the minutes (empty for new ones): a save over a
    # text someone else saved since is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = sessions
        # The time as on the programme (Amsterdam), not as stored (UTC).
        field.label_from_instance = lambda session: (  # type: ignore[method-assign,assignment]
            f"{timezone.localtime(session.starts_at):%d-%m %H:%M} – {session.shown_title}"
        )

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Schrijf de tekst van het verslag."))
        return body.replace("\r\n", "\n")

    def clean_seen(self) -> dt.datetime | None:
        seen: str = self.cleaned_data["seen"]
        if not seen:
            return None
        try:
            return dt.datetime.fromisoformat(seen)
        except ValueError as error:
            raise forms.ValidationError(_("Open het verslag opnieuw.")) from error


class ApproveForm(forms.Form):
    # When the chair opened the text; approval is refused if it changed since.
    seen = forms.CharField(widget=forms.HiddenInput)

    def clean_seen(self) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(self.cleaned_data["seen"])
        except ValueError as error:
            raise forms.ValidationError(_("Open het verslag opnieuw.")) from error


class MinorityForm(_TiedErrors, OneTimeForm):
    text = forms.CharField(
        label=_("Minderheidsstandpunt"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Wat vinden de deelnemers die niet voor stemden, en waarom?"),
    )
    supporters = count_field(
        _("Aantal deelnemers dat dit standpunt steunt"),
        min_value=1,
        help_text=_("Mag leeg blijven als het aantal niet geteld is."),
    )


class ResponseForm(_TiedErrors, OneTimeForm):
    """A new response. Its one-time number makes the same form sent twice (a
    double click, a page sent again after a correction) one response."""

    status = forms.ChoiceField(
        label=_("Stand van zaken"),
        choices=GovernmentResponse.Status.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Reactie van de regering"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Vat de reactie samen in gewone woorden."),
    )
    responded_on = forms.DateField(
        label=_("Datum van de reactie"),
        widget=DatePicker(),
        help_text=_("Bijvoorbeeld de datum van de Kamerbrief."),
    )
    source_title = forms.CharField(
        label=_("Bron"),
        max_length=300,
        required=False,
        help_text=_("Bijvoorbeeld: Kamerbrief over de aanbevelingen van het burgerberaad."),
    )
    source_url = forms.URLField(
        label=_("Link naar de bron"),
        required=False,
        assume_scheme="https",
    )


def _seen(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise forms.ValidationError(_("Open de reactie opnieuw.")) from error


_REASON_HELP = _(
    "Deze reden komt op de openbare pagina. Noem geen namen van deelnemers. "
    "Een minister of het kabinet noemen mag wel."
)


class ResponseCorrectForm(ResponseForm):
    """Correct a response that was entered wrongly; the reason is published."""

    reason = forms.CharField(
        label=_("Reden van de verbetering"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_REASON_HELP,
        error_messages={"required": _("Reden: schrijf op waarom u de reactie verbetert.")},
    )
    # When the reaction last changed as the writer opened it.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_seen(self) -> dt.datetime | None:
        return _seen(self.cleaned_data["seen"])


class ResponseWithdrawForm(_TiedErrors, forms.Form):
    """Withdraw a response entered for the wrong recommendation; the reason is published."""

    reason = forms.CharField(
        label=_("Reden van het intrekken"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_REASON_HELP,
        error_messages={"required": _("Reden: schrijf op waarom u de reactie intrekt.")},
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # On the same page as the correction form: ids of its own.
        kwargs.setdefault("auto_id", "withdraw_%s")
        super().__init__(*args, **kwargs)

    def clean_seen(self) -> dt.datetime | None:
        return _seen(self.cleaned_data["seen"])
