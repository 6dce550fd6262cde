"""Subgroup tables: the organiser's page per weekend (make, move, facilitator,
publish, print), and the page where members and gespreksleiders see their
table. Forms work without JavaScript; every change redirects back to the
weekend page, which shows the new balance.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import PDF, private_download
from assembly.models import Assembly, RoleKind
from assembly.selectors import role_kinds_for
from participants import selectors_tables as selectors
from participants.models import TableRound
from participants.services import tables as services
from participants.table_cards import NameCard, TableSheet, name_cards_pdf, table_lists_pdf
from sessions.models import Weekend

TEMPLATES = "participants/tables/"


class MakeForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Ja, maak een nieuwe indeling. De huidige indeling en alle wijzigingen met de hand "
            "verdwijnen."
        ),
        required=False,
    )


class MoveForm(forms.Form):
    member = forms.IntegerField(min_value=1)
    table = forms.IntegerField(min_value=1)


class FacilitatorForm(forms.Form):
    table = forms.IntegerField(min_value=1)
    facilitator = forms.IntegerField(min_value=1, required=False)


def _organiser_weekend(request: HttpRequest, slug: str, number: int) -> tuple[Assembly, Weekend]:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    weekend = get_object_or_404(Weekend, assembly=assembly, number=number)
    return assembly, weekend


def _round(weekend: Weekend) -> TableRound:
    return get_object_or_404(TableRound.objects.select_related("weekend"), weekend=weekend)


def _weekend_url(assembly: Assembly, weekend: Weekend, anchor: str = "") -> str:
    url = reverse(
        "participants:tables_weekend", kwargs={"slug": assembly.slug, "weekend": weekend.number}
    )
    return f"{url}#{anchor}" if anchor else url


def _figures(table_round: TableRound) -> str:
    return _(
        "Grootste afwijking van de mix: %(deviation)s personen. "
        "Paren die al eerder samen aan tafel zaten: %(pairs)s."
    ) % {
        "deviation": formats.number_format(table_round.mix_deviation, 1),
        "pairs": table_round.repeated_pairs,
    }


@login_required
def tables_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    return render(
        request,
        TEMPLATES + "overview.html",
        {"assembly": assembly, "rounds": selectors.weekend_rounds(assembly=assembly)},
    )


@login_required
@access.personal_data_view
def tables_weekend(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    candidates, from_check_in = selectors.table_candidates(weekend=the_weekend)
    table_round = selectors.table_round_for(weekend=the_weekend)
    view = (
        selectors.round_view(
            table_round=table_round,
            assembly=assembly,
            checked_in={member.pk for member in candidates} if from_check_in else None,
        )
        if table_round is not None
        else None
    )
    return render(
        request,
        TEMPLATES + "weekend.html",
        {
            "assembly": assembly,
            "weekend": the_weekend,
            "candidates": len(candidates),
            "from_check_in": from_check_in,
            "view": view,
            "unseated": (
                selectors.unseated(table_round=table_round, candidates=candidates)
                if table_round is not None
                else []
            ),
            "facilitators": selectors.facilitators(assembly=assembly),
            "make_form": MakeForm(),
            "numbers": [t.table.number for t in view.tables] if view else [],
        },
    )


@login_required
@require_POST
def tables_make(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    form = MakeForm(request.POST)
    exists = selectors.table_round_for(weekend=the_weekend) is not None
    if not form.is_valid() or (exists and not form.cleaned_data["confirm"]):
        messages.error(
            request,
            _("Er is al een tafelindeling. Zet eerst een vinkje om een nieuwe te maken."),
        )
        return redirect(_weekend_url(assembly, the_weekend))
    try:
        table_round = services.table_round_make(
            weekend=the_weekend, actor=access.request_user(request)
        )
    except services.TablesRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De tafelindeling is gemaakt.") + " " + _figures(table_round))
    return redirect(_weekend_url(assembly, the_weekend))


@login_required
@require_POST
def tables_move(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    table_round = _round(the_weekend)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een tafel."))
        return redirect(_weekend_url(assembly, the_weekend))
    try:
        table_round = services.table_seat_move(
            table_round=table_round,
            member_id=form.cleaned_data["member"],
            table_number=form.cleaned_data["table"],
            actor=access.request_user(request),
        )
    except services.TablesRefused as refused:
        messages.error(request, str(refused))
        return redirect(_weekend_url(assembly, the_weekend))
    messages.success(
        request,
        _("Verplaatst naar tafel %(number)s.") % {"number": form.cleaned_data["table"]}
        + " "
        + _figures(table_round),
    )
    # Back at the table the person went to: its new figures are at its top.
    return redirect(_weekend_url(assembly, the_weekend, f"tafel-{form.cleaned_data['table']}"))


@login_required
@require_POST
def tables_facilitator(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    table_round = _round(the_weekend)
    form = FacilitatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een gespreksleider."))
        return redirect(_weekend_url(assembly, the_weekend))
    try:
        table = services.table_facilitator_set(
            table_round=table_round,
            table_number=form.cleaned_data["table"],
            facilitator_id=form.cleaned_data["facilitator"],
            actor=access.request_user(request),
        )
    except services.TablesRefused as refused:
        messages.error(request, str(refused))
        return redirect(_weekend_url(assembly, the_weekend))
    messages.success(
        request,
        _("De gespreksleider van tafel %(number)s is aangepast.") % {"number": table.number},
    )
    # The tables of a round sit at the same time. Not refused: swapping two
    # gespreksleiders passes through this state.
    others = selectors.other_tables_led_by(table=table)
    if others:
        messages.warning(
            request,
            _(
                "Let op: deze gespreksleider leidt ook tafel %(numbers)s. De tafels praten "
                "tegelijk. Kies voor één van de tafels iemand anders."
            )
            % {"numbers": ", ".join(str(number) for number in others)},
        )
    return redirect(_weekend_url(assembly, the_weekend, f"tafel-{table.number}"))


@login_required
@require_POST
def tables_publish(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    table_round = _round(the_weekend)
    try:
        services.table_round_publish(table_round=table_round, actor=access.request_user(request))
    except services.TablesRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("De deelnemers en gespreksleiders zien nu aan welke tafel zij zitten."),
        )
    return redirect(_weekend_url(assembly, the_weekend))


def _weekend_label(weekend: Weekend) -> str:
    return _("Weekend %(number)s") % {"number": weekend.number}


@login_required
@access.personal_data_view
def tables_lists_pdf(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    table_round = _round(the_weekend)
    sheets = [
        TableSheet(
            number=view.table.number,
            facilitator=view.table.facilitator.get_full_name() if view.table.facilitator else "",
            names=[seat.name for seat in view.seats],
        )
        for view in selectors.round_tables(table_round=table_round)
    ]
    pdf = table_lists_pdf(
        title=assembly.shown_name, weekend=_weekend_label(the_weekend), tables=sheets
    )
    return private_download(
        pdf, PDF, f"tafellijsten-{assembly.slug}-weekend-{the_weekend.number}.pdf"
    )


@login_required
@access.personal_data_view
def tables_cards_pdf(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, the_weekend = _organiser_weekend(request, slug, weekend)
    table_round = _round(the_weekend)
    cards = [
        NameCard(first_name=name, table=view.table.number)
        for view in selectors.round_tables(table_round=table_round)
        for name in selectors.table_names([seat.name for seat in view.seats])
    ]
    pdf = name_cards_pdf(
        assembly=assembly.shown_name, weekend=_weekend_label(the_weekend), cards=cards
    )
    return private_download(
        pdf, PDF, f"naamkaartjes-{assembly.slug}-weekend-{the_weekend.number}.pdf"
    )


# --- members and gespreksleiders ----------------------------------------------------


@login_required
def my_table(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.MEMBER, RoleKind.FACILITATOR})
    )
    kinds = role_kinds_for(user=user, assembly=assembly)
    weekend = selectors.current_weekend(assembly=assembly)
    table_round = selectors.published_round(weekend=weekend) if weekend else None
    mine = (
        selectors.member_table(table_round=table_round, user=user)
        if table_round is not None and RoleKind.MEMBER in kinds
        else None
    )
    led = (
        selectors.facilitator_tables(table_round=table_round, user=user)
        if table_round is not None and RoleKind.FACILITATOR in kinds
        else []
    )
    return render(
        request,
        TEMPLATES + "mine.html",
        {
            "assembly": assembly,
            "weekend": weekend,
            "published": table_round is not None,
            "is_member": RoleKind.MEMBER in kinds,
            "is_facilitator": RoleKind.FACILITATOR in kinds,
            "mine": mine,
            "led": led,
        },
    )
