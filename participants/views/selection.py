"""The lottery of the members: runs (organiser), the commitment, the public
draw, and the public page with the record and its inputs."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assembly import access
from assembly.access import get_assembly_for_organiser, get_visible_assembly
from assembly.downloads import private_download
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from participants import selectors_lottery as selectors
from participants.forms_selection import DrawForm
from participants.models import SelectionRun
from participants.services import selection as services


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return get_assembly_for_organiser(user=access.request_user(request), slug=slug)


def _organiser_run(request: HttpRequest, slug: str, pk: int) -> tuple[Assembly, SelectionRun]:
    assembly = _organiser_assembly(request, slug)
    run = get_object_or_404(SelectionRun, pk=pk, assembly=assembly, kind=SelectionRun.Kind.PANEL)
    return assembly, run


def _is_organiser(user: Any, assembly: Assembly) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return user.is_superuser or RoleKind.ORGANISER in role_kinds_for(user=user, assembly=assembly)


def _published_run(request: HttpRequest, slug: str, pk: int) -> tuple[Assembly, SelectionRun]:
    """A committed run of a visible assembly; organisers also see runs not yet committed."""
    assembly = get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    # A replacement's run is published (committed) as soon as it is computed.
    run = get_object_or_404(SelectionRun, pk=pk, assembly=assembly)
    if run.committed_at is None and not _is_organiser(request.user, assembly):
        raise Http404
    if run.record is None:
        raise Http404
    return assembly, run


def fresh_seed() -> int:
    return secrets.randbelow(10**6)


class RunStartForm(forms.Form):
    algorithm = forms.ChoiceField(
        label=gettext_lazy("Methode"),
        choices=SelectionRun.Algorithm.choices,
        initial=SelectionRun.Algorithm.LEXIMIN,
    )
    compare_legacy = forms.BooleanField(
        label=gettext_lazy("Vergelijk met de oude methode"),
        required=False,
        help_text=gettext_lazy(
            "Dan rekent het programma ook de kansen uit van de oude methode. "
            "Zo ziet u het verschil. Het duurt wat langer."
        ),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Startgetal (seed)"),
        min_value=0,
        max_value=2**31 - 1,
        help_text=gettext_lazy(
            "Met hetzelfde startgetal en dezelfde aanmelders komt dezelfde loting eruit."
        ),
    )
    tickets = forms.IntegerField(
        label=gettext_lazy("Aantal loten"),
        min_value=1,
        max_value=services.MAX_TICKETS,
        initial=1000,
        help_text=gettext_lazy(
            "Bij 1000 loten kunt u het winnende lot trekken met drie dobbelstenen van tien kanten."
        ),
    )
    household_rule = forms.BooleanField(
        label=gettext_lazy("Hoogstens één persoon per huishouden"),
        required=False,
        initial=True,
    )


@login_required
def selection_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    form = RunStartForm(
        request.POST or None,
        initial={"seed": fresh_seed(), "household_rule": True, "tickets": 1000},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.selection_run_start(
                assembly=assembly,
                actor=access.request_user(request),
                algorithm=form.cleaned_data["algorithm"],
                compare_legacy=form.cleaned_data["compare_legacy"],
                seed=form.cleaned_data["seed"],
                tickets=form.cleaned_data["tickets"],
                household_rule=form.cleaned_data["household_rule"],
            )
        except services.SelectionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("De loting is gestart."))
            return redirect("participants:selection_detail", slug=assembly.slug, pk=run.pk)
    return render(
        request,
        "participants/selection/list.html",
        {
            "assembly": assembly,
            "runs": [
                (run, None if run.min_probability is None else run.min_probability * 100)
                for run in selectors.selection_run_list(assembly=assembly)
            ],
            "form": form,
            "active": selectors.has_active_run(assembly=assembly),
            "current": selectors.assembly_current_draw(assembly=assembly),
        },
    )


def status_label(run: SelectionRun) -> str:
    if run.status == SelectionRun.Status.QUEUED:
        return _("De loting staat in de wachtrij.")
    if run.status == SelectionRun.Status.RUNNING:
        return _("De loting is bezig: %(percent)s%% klaar.") % {"percent": run.progress}
    if run.status == SelectionRun.Status.DONE:
        return _("De loting is klaar.")
    return _("De loting is mislukt.")


def _detail_context(
    assembly: Assembly, run: SelectionRun, draw_form: DrawForm | None = None
) -> dict[str, Any]:
    done = run.status == SelectionRun.Status.DONE and run.record is not None
    current = selectors.current_draw(run=run)
    assembly_current = selectors.assembly_current_draw(assembly=assembly)
    redraw = assembly_current is not None
    if draw_form is None and run.committed_at is not None:
        draw_form = DrawForm(redraw=redraw)
    chart = selectors.probability_chart(run) if done else None
    return {
        "assembly": assembly,
        "run": run,
        "done": done,
        "active": run.status in (SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING),
        "label": status_label(run),
        "summary": selectors.run_summary(run) if done else None,
        "chart": chart,
        "categories": selectors.category_table(run) if done else [],
        "legacy": selectors.legacy_comparison(run, chart),
        "current": current,
        "assembly_current": assembly_current,
        "draws": selectors.run_draws(run=run),
        "draw_form": draw_form,
        "redraw": redraw,
    }


@login_required
def selection_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, run = _organiser_run(request, slug, pk)
    return render(request, "participants/selection/detail.html", _detail_context(assembly, run))


@login_required
def selection_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    _assembly, run = _organiser_run(request, slug, pk)
    done = 100 if run.status in (SelectionRun.Status.DONE, SelectionRun.Status.FAILED) else 0
    return JsonResponse(
        {
            "done": max(run.progress, done),
            "total": 100,
            "status": run.status,
            "label": status_label(run),
        }
    )


@login_required
@require_POST
def selection_commit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, run = _organiser_run(request, slug, pk)
    try:
        services.selection_run_commit(run=run, actor=access.request_user(request))
    except services.SelectionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("De loting is vastgelegd en openbaar. Nu kan het openbare getal worden getrokken."),
        )
    return redirect("participants:selection_detail", slug=assembly.slug, pk=run.pk)


@login_required
@require_POST
def selection_draw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, run = _organiser_run(request, slug, pk)
    redraw = selectors.assembly_current_draw(assembly=assembly) is not None
    form = DrawForm(request.POST, redraw=redraw)
    if form.is_valid():
        try:
            draw = services.selection_draw(
                run=run,
                number=form.cleaned_data["number"],
                how_drawn=form.cleaned_data["how_drawn"],
                actor=access.request_user(request),
                reason=form.cleaned_data.get("reason", ""),
            )
        except services.SelectionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Getrokken: lot %(ticket)s. De deelnemers en reserves staan vast.")
                % {"ticket": draw.ticket},
            )
            return redirect("participants:selection_detail", slug=assembly.slug, pk=run.pk)
    return render(
        request,
        "participants/selection/detail.html",
        _detail_context(assembly, run, draw_form=form),
        status=400,
    )


def selection_record(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, run = _published_run(request, slug, pk)
    record = selectors.public_record(run=run)
    return private_download(
        json.dumps(record, ensure_ascii=False, indent=1),
        "application/json; charset=utf-8",
        f"loting-{assembly.slug}-{run.pk}.json",
    )


# Who may download a run's respondents: one row per person with their quota
# answers, their opinion too where a quota uses it. Pseudonymous, but personal
# (special-category) data, which registration promises not to give to others.
# The chair attests the lottery; the griffie reports on it.
POOL_READERS = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR, RoleKind.GRIFFIE})


def _may_read_pool(user: Any, assembly: Assembly) -> bool:
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return user.is_superuser or bool(role_kinds_for(user=user, assembly=assembly) & POOL_READERS)


@login_required
@access.personal_data_view
def selection_pool_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    access.get_assembly_for_roles(user=access.request_user(request), slug=slug, roles=POOL_READERS)
    assembly, run = _published_run(request, slug, pk)
    return private_download(
        run.pool_csv, "text/csv; charset=utf-8", f"loting-{assembly.slug}-{run.pk}-pool.csv"
    )


def selection_quota_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, run = _published_run(request, slug, pk)
    return private_download(
        run.quotas_csv, "text/csv; charset=utf-8", f"loting-{assembly.slug}-{run.pk}-quota.csv"
    )


def lottery_public(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    return render(
        request,
        "participants/selection/public.html",
        {
            "assembly": assembly,
            "runs": selectors.public_runs(assembly=assembly),
            "replacements": selectors.public_replacements(assembly=assembly),
            "may_read_pool": _may_read_pool(request.user, assembly),
        },
    )
