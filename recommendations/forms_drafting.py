"""Forms for drafting and the plenary. Each field's error is tied to the field
(aria-describedby and aria-invalid), so a screen reader reads it with the field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from assembly.forms import OneTimeForm, count_field
from assembly.numbers import LARGEST
from participants.models import Table
from recommendations.models import Recommendation
from sessions.models import Session

TEXT_ROWS = 8
# About 900 words: room for any recommendation, and a cap on what a pasted text
# costs every reader (each page compares texts word by word, see diff.py).
TEXT_MAX_LENGTH = 6000
RATIONALE_MAX_LENGTH = 3000
# A hidden field (the version the page showed, the form's one-time number)
# that is missing or changed: nobody can correct it in the form itself.
STALE_PAGE = _("De pagina is verouderd. Laad hem opnieuw; uw tekst staat hieronder.")


class TiedErrorsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                # A browser cuts a pasted text at maxlength without a word:
                # the check stays on the server, whose error gives the count.
                field.widget.attrs.pop("maxlength", None)

    def full_clean(self) -> None:
        super().full_clean()
        self._hidden_errors_in_words()
        self._tie_errors()

    def _hidden_errors_in_words(self) -> None:
        """An error on a hidden field shows nowhere (there is no field to show
        it by): it becomes one error for the whole form, in words."""
        errors = self.errors  # set by full_clean: reading it cleans nothing again
        hidden = [
            name
            for name in list(errors)
            if name in self.fields and self.fields[name].widget.is_hidden
        ]
        for name in hidden:
            del errors[name]
        if hidden:
            self.add_error(None, STALE_PAGE)

    def add_error(self, field: str | None, error: Any) -> None:
        # A view adds the service's refusal after validation: tie it too.
        super().add_error(field, error)
        if hasattr(self, "cleaned_data"):
            self._tie_errors()

    def _tie_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            field = self.fields[name]
            # Setting aria-describedby stops Django from adding the help
            # text's id itself, so both ids go in.
            ids = [f"{bound.auto_id}_helptext"] if field.help_text else []
            ids.append(f"{bound.auto_id}_error")
            field.widget.attrs["aria-describedby"] = " ".join(ids)
            field.widget.attrs["aria-invalid"] = "true"


def _textarea(rows: int = TEXT_ROWS) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TableChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        table: Table = obj
        return str(
            _("Tafel %(table)s, weekend %(weekend)s")
            % {"table": table.number, "weekend": table.round.weekend.number}
        )


class RecommendationTextForm(TiedErrorsForm):
    title = forms.CharField(
        label=_("Titel"),
        max_length=200,
        help_text=_("Kort en duidelijk, bijvoorbeeld: Meer geld voor preventie op school."),
    )
    text = forms.CharField(
        label=_("Tekst van de aanbeveling"),
        widget=_textarea(),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Wat moet er gebeuren? Schrijf het op als advies aan de politiek."),
    )
    rationale = forms.CharField(
        label=_("Toelichting"),
        widget=_textarea(5),
        required=False,
        max_length=RATIONALE_MAX_LENGTH,
        help_text=_("Waarom vindt uw tafel dit? Wat hebt u gehoord dat dit steunt?"),
    )
    topic = forms.CharField(
        label=_("Thema"),
        max_length=100,
        required=False,
        help_text=_("Bijvoorbeeld: zorg, veiligheid, preventie."),
    )


class DraftForm(OneTimeForm, RecommendationTextForm):
    table = TableChoiceField(label=_("Tafel"), queryset=Table.objects.none(), empty_label=None)
    field_order = ["table", "title", "text", "rationale", "topic"]

    def __init__(self, *args: Any, tables: Sequence[Table], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["table"]
        assert isinstance(field, TableChoiceField)
        field.queryset = (
            Table.objects.filter(pk__in=[t.pk for t in tables])
            .select_related("round__weekend")
            .order_by("-round__weekend__starts_on", "number")
        )
        if tables:
            field.initial = tables[0].pk


class SeenVersionForm(forms.Form):
    """The version the page showed (services.drafting.check_base_version)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=LARGEST)


class EditForm(RecommendationTextForm, SeenVersionForm):
    note = forms.CharField(
        label=_("Wat hebt u veranderd?"),
        max_length=300,
        required=False,
        help_text=_("Een korte zin voor de anderen aan tafel. Mag leeg blijven."),
    )


class FinaliseForm(TiedErrorsForm, SeenVersionForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    text = forms.CharField(
        label=_("Definitieve tekst"), widget=_textarea(), max_length=TEXT_MAX_LENGTH
    )
    rationale = forms.CharField(
        label=_("Toelichting"),
        widget=_textarea(5),
        required=False,
        max_length=RATIONALE_MAX_LENGTH,
    )


class WithdrawForm(TiedErrorsForm):
    reason = forms.CharField(
        label=_("Reden van intrekken"),
        widget=_textarea(3),
        max_length=2000,
        help_text=_("Iedereen die de aanbeveling kan zien, leest deze reden."),
    )


class SessionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        session: Session = obj
        return str(
            _("Weekend %(weekend)s, %(day)s %(time)s: %(title)s")
            % {
                "weekend": session.weekend.number,
                "day": formats.date_format(timezone.localtime(session.starts_at), "l j F"),
                "time": formats.time_format(timezone.localtime(session.starts_at), "H:i"),
                "title": session.shown_title,
            }
        )


class SessionFormMixin(TiedErrorsForm):
    """An optional choice of the plenary session where it happened."""

    def add_session_field(self, sessions: Sequence[Session], current: Session | None) -> None:
        if not sessions:
            return
        field = SessionChoiceField(
            label=_("Bijeenkomst"),
            queryset=Session.objects.filter(pk__in=[s.pk for s in sessions])
            .select_related("weekend")
            .order_by("starts_at", "pk"),
            required=False,
            empty_label=_("Geen bijeenkomst gekozen"),
        )
        field.initial = current.pk if current else None
        self.fields["session"] = field


class FeedbackForm(OneTimeForm, SessionFormMixin):
    text = forms.CharField(
        label=_("Wat zei de plenaire vergadering?"),
        widget=_textarea(4),
        max_length=5000,
    )

    def __init__(
        self,
        *args: Any,
        sessions: Sequence[Session] = (),
        current: Session | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_session_field(sessions, current)


ON_BEHALF_NONE = ""


class AmendmentForm(OneTimeForm, TiedErrorsForm):
    proposed_text = forms.CharField(
        label=_("Nieuwe tekst"),
        widget=_textarea(),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Pas de huidige tekst aan. Alleen wat u verandert, komt in het amendement."),
    )
    rationale = forms.CharField(
        label=_("Waarom dit amendement?"),
        widget=_textarea(3),
        required=False,
        max_length=RATIONALE_MAX_LENGTH,
    )
    # The version the page showed (services.drafting.check_base_version); a
    # form without it is not checked.
    base_version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=LARGEST, required=False
    )

    def __init__(
        self,
        *args: Any,
        tables: Sequence[Table] = (),
        none_label: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`tables`: who the amendment may come from; `none_label`: the
        choice for no table (the chair: from the floor; a member: myself)."""
        super().__init__(*args, **kwargs)
        if tables:
            choices: list[tuple[str, str]] = []
            if none_label is not None:
                choices.append((ON_BEHALF_NONE, none_label))
            choices += [
                (str(t.pk), str(_("Tafel %(number)s") % {"number": t.number})) for t in tables
            ]
            self.fields["on_behalf"] = forms.ChoiceField(
                label=_("Wie stelt dit amendement voor?"),
                choices=choices,
                required=none_label is None,
            )
            self.order_fields(["on_behalf", "proposed_text", "rationale"])
        self._tables = {t.pk: t for t in tables}

    def table(self) -> Table | None:
        value = self.cleaned_data.get("on_behalf") or ON_BEHALF_NONE
        return self._tables.get(int(value)) if value else None


class DecideForm(SessionFormMixin):
    decision = forms.TypedChoiceField(
        label=_("Besluit van de plenaire vergadering"),
        choices=[("accepted", _("Aangenomen")), ("rejected", _("Verworpen"))],
        widget=forms.RadioSelect,
        coerce=str,
    )
    votes_for = count_field(_("Stemmen voor"))
    votes_against = count_field(_("Stemmen tegen"))
    votes_abstain = count_field(_("Onthoudingen"))

    def __init__(
        self,
        *args: Any,
        sessions: Sequence[Session] = (),
        current: Session | None = None,
        outdated: bool = False,
        **kwargs: Any,
    ) -> None:
        """`outdated`: the text changed after the amendment was proposed."""
        super().__init__(*args, **kwargs)
        self.add_session_field(sessions, current)
        if outdated:
            self.fields["replace_newer"] = forms.BooleanField(
                label=_("Aangenomen: de hele tekst wordt de tekst van dit amendement"),
                help_text=_(
                    "Wat na het indienen van dit amendement in de tekst veranderd is, vervalt dan."
                ),
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(name) is not None for name in ("votes_for", "votes_against")]
        if any(given) and not all(given):
            missing = "votes_against" if given[0] else "votes_for"
            self.add_error(
                missing,
                _("Vul de stemmen voor én tegen in. Of laat alle aantallen leeg."),
            )
        elif not any(given) and data.get("votes_abstain") is not None:
            self.add_error(
                "votes_for", _("Vul de stemmen voor én tegen in. Of laat alle aantallen leeg.")
            )
        return data


class MergeForm(TiedErrorsForm):
    sources = forms.TypedMultipleChoiceField(
        label=_("Welke aanbevelingen voegt u samen?"),
        widget=forms.CheckboxSelectMultiple,
        coerce=int,
    )
    into = forms.ChoiceField(
        label=_("Wat wordt het resultaat?"),
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Titel"), max_length=200)
    text = forms.CharField(
        label=_("Samengevoegde tekst"), widget=_textarea(), max_length=TEXT_MAX_LENGTH
    )
    rationale = forms.CharField(
        label=_("Toelichting"),
        widget=_textarea(5),
        required=False,
        max_length=RATIONALE_MAX_LENGTH,
    )
    # The versions the page showed, "number:version" pairs (see
    # services.drafting.recommendation_merge). Missing or changed: the page is
    # outdated (STALE_PAGE), never a merge without the check.
    seen = forms.CharField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        candidates: Sequence[Recommendation],
        versions: Mapping[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen"].initial = seen_value(versions or {})
        labels = {r.number: f"{r.number}. {r.title}" for r in candidates}
        sources = self.fields["sources"]
        assert isinstance(sources, forms.TypedMultipleChoiceField)
        sources.choices = list(labels.items())
        into = self.fields["into"]
        assert isinstance(into, forms.ChoiceField)
        into.choices = [("new", _("Een nieuwe aanbeveling met een nieuw nummer"))] + [
            (str(number), _("Aanbeveling %(number)s houden") % {"number": number})
            for number in labels
        ]
        into.initial = "new"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sources = data.get("sources") or []
        if "sources" in data and len(sources) < 2:
            self.add_error("sources", _("Kies ten minste twee aanbevelingen."))
        into = data.get("into")
        if into and into != "new" and sources and int(into) not in sources:
            self.add_error("into", _("Kies een aanbeveling die u ook samenvoegt."))
        return data

    def into_number(self) -> int | None:
        into = self.cleaned_data["into"]
        return None if into == "new" else int(into)

    def clean_seen(self) -> dict[int, int]:
        value: str = self.cleaned_data["seen"]
        try:
            pairs = [item.split(":") for item in value.split(",")]
            return {int(number): int(version) for number, version in pairs}
        except ValueError as error:
            raise forms.ValidationError(STALE_PAGE) from error

    def seen_versions(self) -> dict[int, int]:
        seen: dict[int, int] = self.cleaned_data["seen"]
        return seen


def seen_value(versions: Mapping[int, int]) -> str:
    return ",".join(f"{number}:{version}" for number, version in sorted(versions.items()))


class CompareForm(forms.Form):
    old = forms.IntegerField(min_value=1, max_value=LARGEST)
    new = forms.IntegerField(min_value=1, max_value=LARGEST)
