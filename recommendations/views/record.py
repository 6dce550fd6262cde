"""The chair's record (minutes, minority statements), the government's
responses, and the public pages that show them: results with open data,
approved minutes, and the tracker of what government did with each
recommendation. Forms work without JavaScript; a preview is a second button
on the same form."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import private_download
from assembly.models import Assembly, AuditEvent, RoleKind
from assembly.selectors import sent_again
from recommendations import access_record
from recommendations import selectors_results as selectors
from recommendations.diff import SideBySide, compare
from recommendations.forms_record import (
    ApproveForm,
    MinorityForm,
    MinutesForm,
    ResponseCorrectForm,
    ResponseForm,
    ResponseWithdrawForm,
)
from recommendations.markdown import render_markdown
from recommendations.models import GovernmentResponse, Minutes, Recommendation
from recommendations.resources_results import COLUMNS, results_csv, results_json
from recommendations.services import record as services
from sessions.models import Session, Weekend

TEMPLATES = "recommendations/record/"


def _overview_url(assembly: Assembly, anchor: str = "") -> str:
    url = reverse("recommendations:record_overview", kwargs={"slug": assembly.slug})
    return f"{url}#{anchor}" if anchor else url


def _edit_url(minutes: Minutes) -> str:
    return reverse(
        "recommendations:record_minutes_edit",
        kwargs={"slug": minutes.assembly.slug, "pk": minutes.pk},
    )


# ------------------------------------------------------------- staff pages


@login_required
def record_overview(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_record.get_assembly_for_record(user=user, slug=slug)
    roles = access_record.record_roles(user=user, assembly=assembly)
    results = selectors.assembly_results(assembly=assembly, decided_only=False)
    by_weekend: dict[int | None, list[selectors.RecommendationResult]] = {}
    for result in results.recommendations:
        if result.ballot is not None or result.set_aside:
            by_weekend.setdefault(result.weekend_number, []).append(result)
    weekends = [
        (entry, by_weekend.pop(entry.number, []))
        for entry in selectors.minutes_by_weekend(assembly=assembly, published_only=False)
    ]
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "weekends": weekends,
            "without_weekend": by_weekend.get(None, []),
            "ranked": results.ranked,
            "may_write": bool(roles & access_record.MINUTES_WRITERS),
            "is_chair": RoleKind.CHAIR in roles,
            "may_respond": bool(roles & access_record.RESPONDERS) or user.is_superuser,
        },
    )


def _sessions_of(weekend: Weekend, *, keep: Session | None = None) -> Any:
    """The sessions minutes can be about: not a cancelled one (it did not take
    place), unless the minutes were already about it (``keep``)."""
    sessions = Session.objects.filter(weekend=weekend, cancelled_at__isnull=True)
    if keep is not None:
        sessions = Session.objects.filter(Q(pk__in=sessions.values("pk")) | Q(pk=keep.pk))
    return sessions.order_by("starts_at", "position")


@login_required
def record_minutes_new(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_record.get_assembly_for_minutes_writer(user=user, slug=slug)
    the_weekend = get_object_or_404(Weekend, assembly=assembly, number=weekend)
    form = MinutesForm(request.POST or None, sessions=_sessions_of(the_weekend))
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["body"])
        else:
            try:
                minutes = services.minutes_create(
                    assembly=assembly,
                    weekend=the_weekend,
                    session=form.cleaned_data["session"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    actor=user,
                )
            except services.RecordRefused as refused:
                form.add_error("session", str(refused))
            else:
                messages.success(request, _("Het verslag is bewaard. Het is nog niet openbaar."))
                return redirect(_edit_url(minutes))
    return render(
        request,
        TEMPLATES + "minutes_form.html",
        {"assembly": assembly, "weekend": the_weekend, "form": form, "preview": preview},
    )


def _show_newer(
    form: Any, seen: str, parts: list[tuple[str, str, str]]
) -> list[tuple[str, SideBySide]]:
    """The page again after someone else saved a change meanwhile, as drafting
    shows it (``recommendations/drafting/_conflict.html``): the typed text stays
    in the form, the hidden "seen" becomes the newer change's time, so saving
    again is a choice made with that change in view. ``parts``: (label, newer
    saved text, typed text)."""
    data = cast(QueryDict, form.data).copy()
    data["seen"] = seen
    form.data = data
    return [(label, compare(newer, typed)) for label, newer, typed in parts]


def _approvals(minutes: Minutes) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="record.minutes_approved", target=f"{Minutes._meta.label}:{minutes.pk}"
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )


@login_required
def record_minutes_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = access.request_user(request)
    minutes = access_record.get_minutes_for_writer(user=user, slug=slug, pk=pk)
    assembly = minutes.assembly
    is_chair = access_record.can_approve(user=user, assembly=assembly)
    initial = {
        "title": minutes.title,
        "session": minutes.session,
        "body": minutes.body,
        "seen": minutes.updated_at.isoformat(),
    }
    form = MinutesForm(
        request.POST or None,
        initial=initial,
        sessions=_sessions_of(minutes.weekend, keep=minutes.session),
    )
    preview = render_markdown(minutes.body)
    conflict: list[tuple[str, SideBySide]] | None = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["body"])
        else:
            try:
                updated = services.minutes_update(
                    minutes=minutes,
                    session=form.cleaned_data["session"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    actor=user,
                    seen=form.cleaned_data["seen"],
                )
                if is_chair and "approve" in request.POST and updated.approved_at is None:
                    services.minutes_approve(minutes=updated, actor=user, seen=None)
                    messages.success(request, _("Het verslag is bewaard, goedgekeurd en openbaar."))
                elif minutes.approved_at is not None and updated.approved_at is None:
                    messages.warning(
                        request,
                        _(
                            "Het verslag is bewaard. Het is niet meer openbaar tot de voorzitter "
                            "de nieuwe tekst goedkeurt."
                        ),
                    )
                else:
                    messages.success(request, _("Het verslag is bewaard."))
            except services.ChangedMeanwhile as refused:
                minutes.refresh_from_db()
                preview = render_markdown(minutes.body)
                conflict = _show_newer(
                    form,
                    minutes.updated_at.isoformat(),
                    [(_("Verslag"), minutes.body, form.cleaned_data["body"])],
                )
                form.add_error(None, str(refused))
            except services.RecordRefused as refused:
                form.add_error(None, str(refused))
            else:
                return redirect(_edit_url(minutes))
    return render(
        request,
        TEMPLATES + "minutes_form.html",
        {
            "assembly": assembly,
            "weekend": minutes.weekend,
            "minutes": minutes,
            "form": form,
            "preview": preview,
            "conflict": conflict,
            "is_chair": is_chair,
            "approve_form": ApproveForm(initial={"seen": minutes.updated_at.isoformat()}),
            "approvals": _approvals(minutes),
        },
    )


@login_required
@require_POST
def record_minutes_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = access.request_user(request)
    minutes = access_record.get_minutes_for_chair(user=user, slug=slug, pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Open het verslag opnieuw en keur het dan goed."))
        return redirect(_edit_url(minutes))
    try:
        services.minutes_approve(minutes=minutes, actor=user, seen=form.cleaned_data["seen"])
    except services.RecordRefused as refused:
        messages.error(request, str(refused))
        return redirect(_edit_url(minutes))
    messages.success(request, _("Het verslag is goedgekeurd en staat nu op de openbare pagina."))
    return redirect(_overview_url(minutes.assembly, f"weekend-{minutes.weekend.number}"))


def _result_for(recommendation: Recommendation) -> selectors.RecommendationResult | None:
    for result in selectors.assembly_results(
        assembly=recommendation.assembly, decided_only=False
    ).recommendations:
        if result.recommendation_id == recommendation.pk:
            return result
    return None


@login_required
def record_minority(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    recommendation = access_record.get_recommendation_for_chair(user=user, slug=slug, number=number)
    form = MinorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.minority_statement_add(
                recommendation=recommendation,
                text=form.cleaned_data["text"],
                supporters=form.cleaned_data["supporters"],
                actor=user,
                submission=form.cleaned_data["submission"],
            )
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            if sent_again(statement):
                messages.info(
                    request,
                    _("Dit minderheidsstandpunt was al vastgelegd. Het staat er één keer."),
                )
            else:
                messages.success(request, _("Het minderheidsstandpunt is vastgelegd."))
            return redirect(request.path)
    return render(
        request,
        TEMPLATES + "minority.html",
        {
            "assembly": recommendation.assembly,
            "recommendation": recommendation,
            "result": _result_for(recommendation),
            "form": form,
        },
    )


@login_required
@require_POST
def record_minority_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = access.request_user(request)
    statement = access_record.get_statement_for_chair(user=user, slug=slug, pk=pk)
    recommendation = statement.recommendation
    try:
        services.minority_statement_remove(
            statement=statement, actor=user, reason=request.POST.get("reason", "")[:300]
        )
    except services.RecordRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Het minderheidsstandpunt is verwijderd."))
    return redirect(
        "recommendations:record_minority",
        slug=recommendation.assembly.slug,
        number=recommendation.number,
    )


@login_required
def record_response(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    recommendation = access_record.get_recommendation_for_responder(
        user=user, slug=slug, number=number
    )
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.government_response_record(
                recommendation=recommendation,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                responded_on=form.cleaned_data["responded_on"],
                source_title=form.cleaned_data["source_title"],
                source_url=form.cleaned_data["source_url"],
                actor=user,
                submission=form.cleaned_data["submission"],
            )
        except services.RecordRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("De reactie is vastgelegd en staat op de openbare pagina."))
            return redirect(request.path)
    return render(
        request,
        TEMPLATES + "response.html",
        {
            "assembly": recommendation.assembly,
            "recommendation": recommendation,
            "result": _result_for(recommendation),
            "form": form,
            "symbols": selectors.response_symbols(),
        },
    )


def _response_url(response: GovernmentResponse) -> str:
    recommendation = response.recommendation
    return reverse(
        "recommendations:record_response",
        kwargs={"slug": recommendation.assembly.slug, "number": recommendation.number},
    )


def _refused(form: Any, refused: services.RecordRefused) -> None:
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, str(refused))


def _response_change_page(
    request: HttpRequest,
    response: GovernmentResponse,
    *,
    form: ResponseCorrectForm,
    withdraw_form: ResponseWithdrawForm,
    conflict: list[tuple[str, SideBySide]] | None = None,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "response_change.html",
        {
            "assembly": response.recommendation.assembly,
            "recommendation": response.recommendation,
            "response": response,
            "form": form,
            "withdraw_form": withdraw_form,
            "conflict": conflict,
        },
    )


def _seen_initial(response: GovernmentResponse) -> dict[str, str]:
    return {"seen": response.changed_at.isoformat()}


def _correct_initial(response: GovernmentResponse) -> dict[str, Any]:
    return {
        "status": response.status,
        "text": response.text,
        "responded_on": response.responded_on,
        "source_title": response.source_title,
        "source_url": response.source_url,
        **_seen_initial(response),
    }


@login_required
def record_response_correct(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Correct a response entered wrongly; the reason is published on the tracker."""
    user = access.request_user(request)
    response = access_record.get_response_for_responder(user=user, slug=slug, pk=pk)
    if response.withdrawn_at is not None and request.method != "POST":
        messages.info(request, _("Deze reactie is ingetrokken. U kunt haar niet meer verbeteren."))
        return redirect(_response_url(response))
    form = ResponseCorrectForm(request.POST or None, initial=_correct_initial(response))
    conflict: list[tuple[str, SideBySide]] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            services.government_response_correct(
                response=response,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
                responded_on=form.cleaned_data["responded_on"],
                source_title=form.cleaned_data["source_title"],
                source_url=form.cleaned_data["source_url"],
                reason=form.cleaned_data["reason"],
                actor=user,
                seen=form.cleaned_data["seen"],
                submission=form.cleaned_data["submission"],
            )
        except services.ChangedMeanwhile as refused:
            response.refresh_from_db()
            typed_status = GovernmentResponse.Status(form.cleaned_data["status"])
            conflict = _show_newer(
                form,
                response.changed_at.isoformat(),
                [
                    (
                        _("Stand van zaken"),
                        str(response.get_status_display()),
                        str(typed_status.label),
                    ),
                    (_("Reactie"), response.text, form.cleaned_data["text"]),
                ],
            )
            _refused(form, refused)
        except services.RecordRefused as refused:
            _refused(form, refused)
        else:
            messages.success(
                request, _("De reactie is verbeterd. De reden staat op de openbare pagina.")
            )
            return redirect(_response_url(response))
    withdraw_form = ResponseWithdrawForm(initial=_seen_initial(response))
    return _response_change_page(
        request, response, form=form, withdraw_form=withdraw_form, conflict=conflict
    )


@login_required
@require_POST
def record_response_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw a response entered for the wrong recommendation; the reason is published."""
    user = access.request_user(request)
    response = access_record.get_response_for_responder(user=user, slug=slug, pk=pk)
    withdraw_form = ResponseWithdrawForm(request.POST)
    if withdraw_form.is_valid():
        try:
            services.government_response_withdraw(
                response=response,
                reason=withdraw_form.cleaned_data["reason"],
                actor=user,
                seen=withdraw_form.cleaned_data["seen"],
            )
        except services.ChangedMeanwhile as refused:
            # The newer response is shown at the top of the page; withdrawing
            # again withdraws that one.
            response.refresh_from_db()
            _show_newer(withdraw_form, response.changed_at.isoformat(), [])
            _refused(withdraw_form, refused)
        except services.RecordRefused as refused:
            _refused(withdraw_form, refused)
        else:
            messages.success(
                request, _("De reactie is ingetrokken. De reden staat op de openbare pagina.")
            )
            return redirect(_response_url(response))
    form = ResponseCorrectForm(initial=_correct_initial(response))
    return _response_change_page(request, response, form=form, withdraw_form=withdraw_form)


# ------------------------------------------------------------ public pages


def record_results(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    results = selectors.assembly_results(assembly=assembly)
    decided = [r for r in results.recommendations if r.ballot is not None]
    return render(
        request,
        TEMPLATES + "results.html",
        {
            "assembly": assembly,
            "results": results,
            "adopted_count": sum(1 for r in decided if r.ballot and r.ballot.adopted),
            "decided_count": len(decided),
            "columns": COLUMNS,
        },
    )


def record_results_csv(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    results = selectors.assembly_results(assembly=assembly)
    return private_download(
        results_csv(results), "text/csv; charset=utf-8", f"uitkomsten-{assembly.slug}.csv"
    )


def record_results_json(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    results = selectors.assembly_results(assembly=assembly)
    content = json.dumps(
        results_json(results, assembly_slug=assembly.slug), ensure_ascii=False, indent=2
    )
    return private_download(
        content, "application/json; charset=utf-8", f"uitkomsten-{assembly.slug}.json"
    )


def record_minutes_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    weekends = [
        entry
        for entry in selectors.minutes_by_weekend(assembly=assembly, published_only=True)
        if entry.minutes
    ]
    return render(
        request, TEMPLATES + "minutes_list.html", {"assembly": assembly, "weekends": weekends}
    )


def record_minutes_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    minutes = access_record.get_published_minutes(user=request.user, slug=slug, pk=pk)
    approvals = _approvals(minutes)
    return render(
        request,
        TEMPLATES + "minutes_detail.html",
        {
            "assembly": minutes.assembly,
            "minutes": minutes,
            "body": render_markdown(minutes.body),
            # Approved more than once: the text changed after it was first public.
            "first_published": approvals[0].created_at if len(approvals) > 1 else None,
        },
    )


def record_tracker(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    results = selectors.assembly_results(assembly=assembly)
    rows = selectors.tracker_rows(results)
    counts = selectors.status_counts(rows)
    chosen = request.GET.get("status", "")
    if chosen and chosen not in {c.status for c in counts}:
        chosen = ""
    shown = [r for r in rows if not chosen or r.response_status == chosen]
    return render(
        request,
        TEMPLATES + "tracker.html",
        {
            "assembly": assembly,
            "rows": shown,
            "total": len(rows),
            "counts": counts,
            "chosen": chosen,
            "chosen_label": next((c.label for c in counts if c.status == chosen), ""),
            "symbols": selectors.response_symbols(),
            "chart_height": len(counts) * selectors.CHART_ROW + 8,
            "chart_width": selectors.CHART_LABEL_WIDTH + selectors.CHART_BAR_MAX + 60,
            "label_width": selectors.CHART_LABEL_WIDTH,
        },
    )


def record_tracker_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = access_record.get_public_assembly(user=request.user, slug=slug)
    result = selectors.recommendation_result(assembly=assembly, number=number)
    if result is None:
        raise Http404
    return render(
        request,
        TEMPLATES + "tracker_detail.html",
        {"assembly": assembly, "result": result, "symbols": selectors.response_symbols()},
    )
