"""Forms for ballots: the voting rule, preparing a ballot, opening it, a paper
count (and a correction), a member's vote and a receipt check."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assembly.forms import OneTimeForm, count_field
from recommendations.models import Ballot, BallotOption, ElectronicVote, Recommendation
from recommendations.models.ballots import Threshold
from recommendations.services.ballots import Counts

MAX_OPTIONS = 8


def _method_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Manier van stemmen"),
        help_text=_(
            "Deelnemers die op papier meedoen (zonder e-mailadres, dus zonder account) "
            "kunnen niet op een telefoon stemmen. Zijn zij er? Kies dan op papier."
        ),
        choices=Ballot.Method.choices,
        widget=forms.RadioSelect,
        initial=Ballot.Method.ELECTRONIC,
    )


class RuleForm(forms.Form):
    threshold = forms.ChoiceField(
        label=_("Hoeveel steun heeft een aanbeveling nodig?"),
        choices=Threshold.choices,
        widget=forms.RadioSelect,
    )
    abstentions_count = forms.BooleanField(
        label=_("Onthoudingen tellen mee in het totaal (de basis)"),
        required=False,
        help_text=_(
            "Aan: de steun wordt berekend over voor + tegen + onthouding. "
            "Uit: alleen over voor + tegen."
        ),
    )


class RecommendationBallotForm(forms.Form):
    recommendation = forms.ModelChoiceField(
        label=_("Aanbeveling"),
        queryset=Recommendation.objects.none(),
        empty_label=_("Kies een aanbeveling"),
    )
    method = _method_field()
    question = forms.CharField(
        label=_("Vraag op het stembiljet (mag leeg: dan 'Neemt u aanbeveling … aan?')"),
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, recommendations: QuerySet[Recommendation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["recommendation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = recommendations


class RankedBallotForm(OneTimeForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    question = forms.CharField(label=_("Vraag op het stembiljet"), required=False, max_length=500)
    options = forms.CharField(
        label=_("Opties, één per regel, in de volgorde op het stembiljet"),
        help_text=_(
            "Uitleg bij een optie zet u erachter, na een verticale streep: "
            "Regulering | De overheid regelt verkoop en productie."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    method = _method_field()

    def clean_options(self) -> list[tuple[str, str]]:
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]
        options = []
        for line in lines:
            label, _bar, text = line.partition("|")
            if len(label.strip()) > 200:
                raise forms.ValidationError(
                    _("De naam van een optie is te lang (meer dan 200 tekens).")
                )
            options.append((label.strip(), text.strip()))
        if len(options) < 2:
            raise forms.ValidationError(_("Geef ten minste twee opties, elk op een eigen regel."))
        if len(options) > MAX_OPTIONS:
            raise forms.ValidationError(
                _("Geef ten hoogste %(max)s opties.") % {"max": MAX_OPTIONS}
            )
        return options


class OpenForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Automatisch sluiten na (minuten, mag leeg)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("Vul een aantal minuten in van 1 tot en met 1440 (een dag), of laat het leeg."),
        ),
    )
    confirm = forms.BooleanField(
        label=_("Ja, open de stemming nu. De stemregel ligt daarna vast."),
        error_messages={"required": _("Zet een vinkje om te bevestigen.")},
    )


class CloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, sluit de stemming nu. Daarna kan niemand meer stemmen."),
        error_messages={"required": _("Zet een vinkje om te bevestigen.")},
    )


PILE_LINE = re.compile(r"^\s*(?P<ranking>[\d\s,>]+?)\s*[=:]\s*(?P<count>\d+)\s*$")


class CountForm(forms.Form):
    """A paper count. For/against/abstain, or for a ranked ballot one line per
    ranking: the option numbers in order of preference, '=', the number of ballots."""

    votes_for = count_field(_("Stemmen voor"))
    votes_against = count_field(_("Stemmen tegen"))
    votes_abstain = count_field(_("Onthoudingen"))
    rankings = forms.CharField(
        label=_("Volgordes en aantallen"),
        help_text=_(
            "Eén regel per volgorde: de nummers van de opties van eerste naar laatste keuze, "
            "dan '=' en het aantal stembiljetten. Voorbeeld: 1, 3, 2 = 40"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    invalid = count_field(_("Ongeldige stembiljetten"), required=True, initial=0)

    def __init__(self, *args: Any, ballot: Ballot, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        if ballot.kind == Ballot.Kind.RANKED:
            for name in ("votes_for", "votes_against", "votes_abstain"):
                del self.fields[name]
            self.fields["rankings"].required = True
        else:
            del self.fields["rankings"]
            for name in ("votes_for", "votes_against", "votes_abstain"):
                self.fields[name].required = True

    def clean_rankings(self) -> tuple[tuple[tuple[int, ...], int], ...]:
        piles: dict[tuple[int, ...], int] = {}
        for number, line in enumerate(self.cleaned_data["rankings"].splitlines(), start=1):
            if not line.strip():
                continue
            match = PILE_LINE.match(line)
            if match is None:
                raise forms.ValidationError(
                    _(
                        "Regel %(line)s: schrijf de volgorde, dan '=' en het aantal. "
                        "Voorbeeld: 1, 3, 2 = 40"
                    )
                    % {"line": number}
                )
            ranking = tuple(int(p) for p in re.findall(r"\d+", match["ranking"]))
            if len(set(ranking)) != len(ranking):
                raise forms.ValidationError(
                    _("Regel %(line)s: een optie staat twee keer in de volgorde.")
                    % {"line": number}
                )
            piles[ranking] = piles.get(ranking, 0) + int(match["count"])
        if not piles:
            raise forms.ValidationError(_("Vul ten minste één volgorde in."))
        return tuple(sorted(piles.items()))

    def counts(self) -> Counts:
        data = self.cleaned_data
        return Counts(
            votes_for=data.get("votes_for") or 0,
            votes_against=data.get("votes_against") or 0,
            votes_abstain=data.get("votes_abstain") or 0,
            invalid=data.get("invalid") or 0,
            piles=data.get("rankings") or (),
        )


class CorrectForm(CountForm):
    reason = forms.CharField(
        label=_("Reden van de correctie"),
        help_text=_("Deze reden staat bij de uitslag, voor iedereen te lezen."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class VoteForm(forms.Form):
    """A member's vote: for/against/abstain, or a rank per option (no drag and drop)."""

    def __init__(self, *args: Any, ballot: Ballot, options: list[BallotOption], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.options = options
        if ballot.kind == Ballot.Kind.RANKED:
            places = [("", _("Geen keuze"))] + [
                (str(n), _("Keuze %(n)s") % {"n": n}) for n in range(1, len(options) + 1)
            ]
            for option in options:
                self.fields[f"rank_{option.position}"] = forms.ChoiceField(
                    label=option.label,
                    help_text=option.description,
                    choices=places,
                    required=False,
                )
        else:
            self.fields["choice"] = forms.ChoiceField(
                label=_("Uw stem"),
                choices=ElectronicVote.Choice.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Kies voor, tegen of onthouding.")},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.ballot.kind != Ballot.Kind.RANKED:
            return data
        ranks: dict[int, int] = {}
        for option in self.options:
            value = data.get(f"rank_{option.position}")
            if not value:
                continue
            place = int(value)
            if place in ranks:
                self.add_error(
                    f"rank_{option.position}",
                    _("Keuze %(n)s hebt u al aan een andere optie gegeven.") % {"n": place},
                )
            ranks[place] = option.position
        if not ranks and not self.errors:
            raise forms.ValidationError(_("Geef ten minste één optie een keuze."))
        data["ranking"] = [ranks[place] for place in sorted(ranks)]
        return data

    def vote(self) -> tuple[str, list[int]]:
        if self.ballot.kind == Ballot.Kind.RANKED:
            return "", list(self.cleaned_data["ranking"])
        return str(self.cleaned_data["choice"]), []

    def summary(self) -> list[str]:
        """What the member chose, in words, for the confirmation step."""
        if self.ballot.kind == Ballot.Kind.RANKED:
            labels = {o.position: o.label for o in self.options}
            return [labels[p] for p in self.cleaned_data["ranking"]]
        return [str(ElectronicVote.Choice(self.cleaned_data["choice"]).label)]


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Uw controlecode"),
        help_text=_("Bijvoorbeeld ABCD-EFGH-JKMN. Streepjes en hoofdletters maken niet uit."),
        max_length=40,
    )
