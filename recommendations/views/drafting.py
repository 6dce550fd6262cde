"""Drafting and the plenary: the list of recommendations, a table's draft and
its versions, the side-by-side comparison, submission, amendments and the
plenary's decisions, feedback, the final text, withdrawal, the order of the
plenary and merging.

Every view authorises through recommendations/access_drafting.py, calls one
service and redirects; forms work without JavaScript.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assembly import access
from assembly.selectors import sent_again
from recommendations import access_drafting as rules
from recommendations import selectors_drafting as selectors
from recommendations.access_drafting import Viewer
from recommendations.diff import SideBySide, compare
from recommendations.forms_drafting import (
    AmendmentForm,
    CompareForm,
    DecideForm,
    DraftForm,
    EditForm,
    FeedbackForm,
    FinaliseForm,
    MergeForm,
    WithdrawForm,
    seen_value,
)
from recommendations.models import Amendment, Recommendation
from recommendations.services import drafting as services

TEMPLATES = "recommendations/drafting/"


def _detail_url(recommendation: Recommendation, anchor: str = "") -> str:
    url = recommendation.get_absolute_url()
    return f"{url}#{anchor}" if anchor else url


def _session_kwargs(viewer: Viewer) -> dict[str, Any]:
    sessions = selectors.plenary_sessions(assembly=viewer.assembly)
    return {"sessions": sessions, "current": selectors.current_session(sessions)}


def _feedback_form(viewer: Viewer, data: Any) -> FeedbackForm:
    return FeedbackForm(data, **_session_kwargs(viewer))


def _render_detail(
    request: HttpRequest,
    viewer: Viewer,
    recommendation: Recommendation,
    *,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.detail(recommendation=recommendation, viewer=viewer)
    neighbours = (
        selectors.plenary_neighbours(recommendation=recommendation)
        if viewer.can_order()
        else (None, None, 0, 0)
    )
    versions = [row.version.number for row in detail.versions]
    context: dict[str, Any] = {
        "assembly": viewer.assembly,
        "viewer": viewer,
        "r": recommendation,
        "detail": detail,
        "can_edit": viewer.can_edit(recommendation),
        "can_submit": viewer.can_submit(recommendation),
        "can_withdraw": viewer.can_withdraw(recommendation),
        "can_propose": viewer.can_propose_amendment(recommendation),
        "can_decide": viewer.can_decide_amendments(recommendation),
        "can_finalise": viewer.can_finalise(recommendation),
        "can_order": viewer.can_order(),
        "withdrawable_amendments": {
            row.amendment.pk
            for row in detail.amendments
            if viewer.can_withdraw_amendment(row.amendment)
        },
        "feedback_form": feedback_form
        or (_feedback_form(viewer, None) if viewer.can_give_feedback(recommendation) else None),
        "previous": neighbours[0],
        "following": neighbours[1],
        "place": neighbours[2],
        "total": neighbours[3],
        "compare_old": versions[-2] if len(versions) > 1 else None,
        "compare_new": versions[-1] if versions else None,
    }
    return render(request, TEMPLATES + "detail.html", context, status=status)


@login_required
def recommendation_list(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = rules.get_viewer(user=access.request_user(request), slug=slug)
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "assembly": viewer.assembly,
            "viewer": viewer,
            "overview": selectors.overview(viewer=viewer),
        },
    )


@login_required
def recommendation_create(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = rules.check_drafting_viewer(user=access.request_user(request), slug=slug)
    tables = selectors.draftable_tables(viewer=viewer)
    form = DraftForm(request.POST or None, tables=tables)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.recommendation_create(
                table=form.cleaned_data["table"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                topic=form.cleaned_data["topic"],
                actor=viewer.user,
                submission=form.cleaned_data["submission"],
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
        else:
            if sent_again(recommendation):
                messages.info(
                    request,
                    _(
                        "Deze aanbeveling was al opgeslagen, als aanbeveling %(number)s. "
                        "Er is geen tweede gemaakt."
                    )
                    % {"number": recommendation.number},
                )
            else:
                messages.success(
                    request,
                    _(
                        "Aanbeveling %(number)s is opgeslagen als concept. "
                        "Alleen uw tafel ziet haar."
                    )
                    % {"number": recommendation.number},
                )
            return redirect(_detail_url(recommendation))
    return render(
        request,
        TEMPLATES + "form.html",
        {
            "assembly": viewer.assembly,
            "form": form,
            "tables": tables,
            "mode": "create",
        },
    )


@login_required
def recommendation_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    return _render_detail(request, viewer, recommendation)


def _latest_version(recommendation: Recommendation) -> int:
    """The version a form's page shows, sent back with the form."""
    numbers = selectors.version_numbers(recommendation=recommendation)
    return numbers[-1] if numbers else 0


def _check_sent(request: HttpRequest, *, can_open: bool, may_send: bool) -> None:
    """The form opens for who may act now; a form sent is also taken from who
    could act when the page was opened, so that the page comes back with their
    text and the reason instead of "no access" (see Viewer.may_send_edit)."""
    rules.check(may_send if request.method == "POST" else can_open)


def _set_sent_value(form: forms.Form, name: str, value: str) -> None:
    """Change one value of a sent form before the page shows it again (a
    bound field reads form.data when it is rendered)."""
    data = cast(QueryDict, form.data).copy()
    data[name] = value
    form.data = data


def _show_conflict(
    form: forms.Form,
    recommendation: Recommendation,
    conflict: services.VersionConflict,
    *,
    fields: dict[str, str],
    advice: str,
) -> list[tuple[str, SideBySide]]:
    """The page again after someone saved another version meanwhile. The
    person's text stays in the form; the hidden version number becomes the
    newest, so sending again is a choice made with that version in view; the
    page shows the newest version beside theirs, part by part (`fields`: form
    field → recommendation field), as a change to the title or the rationale
    alone matters as much as one to the text."""
    recommendation.refresh_from_db()
    _set_sent_value(form, "base_version", str(conflict.latest))
    form.add_error(None, f"{conflict} {advice}")
    labels = {"title": _("Titel"), "text": _("Tekst"), "rationale": _("Toelichting")}
    return [
        (labels[name], compare(getattr(recommendation, name), form.cleaned_data.get(field) or ""))
        for field, name in fields.items()
    ]


# The parts of a recommendation a form with its whole text changes.
WHOLE_TEXT = {"title": "title", "text": "text", "rationale": "rationale"}


def _text_kept(form: forms.Form) -> None:
    form.add_error(None, _("Uw tekst staat hieronder nog. Kopieer hem als u hem wilt bewaren."))


@login_required
def recommendation_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    _check_sent(
        request,
        can_open=viewer.can_edit(recommendation),
        may_send=viewer.may_send_edit(recommendation),
    )
    conflict = None
    form = EditForm(
        request.POST or None,
        initial={
            "title": recommendation.title,
            "text": recommendation.text,
            "rationale": recommendation.rationale,
            "topic": recommendation.topic,
            "base_version": _latest_version(recommendation),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_edit(
                recommendation=recommendation,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                topic=form.cleaned_data["topic"],
                note=form.cleaned_data["note"],
                base_version=form.cleaned_data["base_version"],
                actor=viewer.user,
            )
        except services.VersionConflict as refused:
            conflict = _show_conflict(
                form,
                recommendation,
                refused,
                fields=WHOLE_TEXT,
                advice=_(
                    "Uw tekst staat nog in het formulier. Vergelijk hem hieronder met de "
                    "nieuwste versie. Wilt u uw tekst toch bewaren? Klik dan opnieuw op "
                    "‘Nieuwe versie opslaan’."
                ),
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
            recommendation.refresh_from_db()
            if not viewer.can_edit(recommendation):
                _text_kept(form)
        else:
            messages.success(request, _("De nieuwe versie is opgeslagen."))
            return redirect(_detail_url(recommendation))
    return render(
        request,
        TEMPLATES + "form.html",
        {
            "assembly": viewer.assembly,
            "form": form,
            "r": recommendation,
            "mode": "edit",
            "conflict": conflict,
            "closed": not viewer.can_edit(recommendation),
        },
    )


@login_required
@require_POST
def recommendation_submit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    rules.check(viewer.can_submit(recommendation))
    try:
        services.recommendation_submit(recommendation=recommendation, actor=viewer.user)
    except services.DraftingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _(
                "Aanbeveling %(number)s is ingediend bij de plenaire vergadering. "
                "Iedereen in het burgerberaad kan haar nu lezen."
            )
            % {"number": recommendation.number},
        )
    return redirect(_detail_url(recommendation))


@login_required
def recommendation_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    rules.check(viewer.can_withdraw(recommendation))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_withdraw(
                recommendation=recommendation,
                reason=form.cleaned_data["reason"],
                actor=viewer.user,
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Aanbeveling %(number)s is ingetrokken.") % {"number": recommendation.number},
            )
            return redirect(_detail_url(recommendation))
    return render(
        request,
        TEMPLATES + "withdraw.html",
        {"assembly": viewer.assembly, "form": form, "r": recommendation},
    )


@login_required
def recommendation_compare(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    numbers = selectors.version_numbers(recommendation=recommendation)
    defaults = {"old": numbers[-2] if len(numbers) > 1 else 1, "new": numbers[-1] if numbers else 1}
    form = CompareForm(request.GET if "old" in request.GET else defaults)
    old, new = defaults["old"], defaults["new"]
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
    comparison = selectors.version_pair(recommendation=recommendation, old=old, new=new)
    return render(
        request,
        TEMPLATES + "compare.html",
        {
            "assembly": viewer.assembly,
            "r": recommendation,
            "numbers": numbers,
            "comparison": comparison,
            "chosen_old": old,
            "chosen_new": new,
        },
    )


# ------------------------------------------------------------------ plenary


def _amendment_form(
    viewer: Viewer, recommendation: Recommendation, data: Any = None
) -> AmendmentForm:
    initial = {
        "proposed_text": recommendation.text,
        "base_version": _latest_version(recommendation),
    }
    if viewer.is_chair:
        return AmendmentForm(
            data,
            initial=initial,
            tables=selectors.amendment_tables(assembly=viewer.assembly),
            none_label=_("Vanuit de zaal (geen tafel)"),
        )
    if viewer.is_facilitator and viewer.leads:
        tables = [
            t for t in selectors.amendment_tables(assembly=viewer.assembly) if t.pk in viewer.leads
        ]
        return AmendmentForm(
            data,
            initial=initial,
            tables=tables,
            none_label=_("Ikzelf") if viewer.is_member else None,
        )
    return AmendmentForm(data, initial=initial)


@login_required
def amendment_propose(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    _check_sent(
        request,
        can_open=viewer.can_propose_amendment(recommendation),
        may_send=viewer.may_send_amendment(recommendation),
    )
    conflict = None
    form = _amendment_form(viewer, recommendation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        table = form.table()
        # Without a table, a member or gespreksleider speaks for themselves; the
        # chair records an amendment for a table or from the floor.
        proposed_by = viewer.user if table is None and not viewer.is_chair else None
        try:
            amendment = services.amendment_propose(
                recommendation=recommendation,
                proposed_text=form.cleaned_data["proposed_text"],
                rationale=form.cleaned_data["rationale"],
                table=table,
                proposed_by=proposed_by,
                base_version=form.cleaned_data["base_version"],
                actor=viewer.user,
                submission=form.cleaned_data["submission"],
            )
        except services.VersionConflict as refused:
            conflict = _show_conflict(
                form,
                recommendation,
                refused,
                fields={"proposed_text": "text"},
                advice=_(
                    "Uw voorstel staat nog in het formulier. Kijk hieronder wat er in de tekst "
                    "veranderd is. Pas uw voorstel zo nodig aan en dien het opnieuw in."
                ),
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
            recommendation.refresh_from_db()
            if not viewer.can_propose_amendment(recommendation):
                _text_kept(form)
        else:
            if sent_again(amendment):
                messages.info(
                    request,
                    _(
                        "Dit amendement was al ingediend, als amendement %(number)s. "
                        "Het staat er één keer."
                    )
                    % {"number": amendment.number},
                )
            else:
                messages.success(
                    request,
                    _("Amendement %(number)s is ingediend.") % {"number": amendment.number},
                )
            return redirect(_detail_url(recommendation, f"amendement-{amendment.number}"))
    return render(
        request,
        TEMPLATES + "amendment.html",
        {
            "assembly": viewer.assembly,
            "form": form,
            "r": recommendation,
            "conflict": conflict,
            "closed": not viewer.can_propose_amendment(recommendation),
        },
    )


@login_required
def amendment_decide(request: HttpRequest, slug: str, number: int, amendment: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    rules.check(viewer.can_decide_amendments(recommendation))
    the_amendment = rules.get_amendment(recommendation=recommendation, number=amendment)
    form = DecideForm(
        request.POST or None,
        outdated=the_amendment.status == Amendment.Status.PROPOSED
        and selectors.amendment_outdated(the_amendment),
        **_session_kwargs(viewer),
    )
    if request.method == "POST" and form.is_valid():
        accepted = form.cleaned_data["decision"] == "accepted"
        try:
            services.amendment_decide(
                amendment=the_amendment,
                accepted=accepted,
                counts=services.Counts(
                    votes_for=form.cleaned_data["votes_for"],
                    votes_against=form.cleaned_data["votes_against"],
                    votes_abstain=form.cleaned_data["votes_abstain"],
                ),
                session=form.cleaned_data.get("session"),
                replace_newer=bool(form.cleaned_data.get("replace_newer")),
                actor=viewer.user,
            )
        except services.OutdatedAmendment as refused:
            form.add_error(
                "replace_newer" if "replace_newer" in form.fields else None, str(refused)
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                (
                    _("Amendement %(number)s is aangenomen. De tekst is aangepast.")
                    if accepted
                    else _("Amendement %(number)s is verworpen.")
                )
                % {"number": the_amendment.number},
            )
            return redirect(_detail_url(recommendation, f"amendement-{the_amendment.number}"))
    detail = selectors.detail(recommendation=recommendation, viewer=viewer)
    row = next(r for r in detail.amendments if r.amendment.pk == the_amendment.pk)
    return render(
        request,
        TEMPLATES + "decide.html",
        {"assembly": viewer.assembly, "form": form, "r": recommendation, "row": row},
    )


@login_required
@require_POST
def amendment_withdraw(
    request: HttpRequest, slug: str, number: int, amendment: int
) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    the_amendment = rules.get_amendment(recommendation=recommendation, number=amendment)
    rules.check(viewer.can_withdraw_amendment(the_amendment))
    try:
        services.amendment_withdraw(amendment=the_amendment, actor=viewer.user)
    except services.DraftingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("Amendement %(number)s is ingetrokken.") % {"number": the_amendment.number}
        )
    return redirect(_detail_url(recommendation, f"amendement-{the_amendment.number}"))


@login_required
@require_POST
def feedback_record(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    rules.check(viewer.can_give_feedback(recommendation))
    form = _feedback_form(viewer, request.POST)
    if form.is_valid():
        try:
            feedback = services.feedback_record(
                recommendation=recommendation,
                text=form.cleaned_data["text"],
                session=form.cleaned_data.get("session"),
                actor=viewer.user,
                submission=form.cleaned_data["submission"],
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
        else:
            if sent_again(feedback):
                messages.info(
                    request, _("Deze terugkoppeling was al vastgelegd. Ze staat er één keer.")
                )
            else:
                messages.success(request, _("De terugkoppeling is vastgelegd."))
            return redirect(_detail_url(recommendation, "terugkoppeling"))
    return _render_detail(request, viewer, recommendation, feedback_form=form)


@login_required
def recommendation_finalise(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    _check_sent(
        request,
        can_open=viewer.can_finalise(recommendation),
        may_send=viewer.may_send_final(recommendation),
    )
    conflict = None
    form = FinaliseForm(
        request.POST or None,
        initial={
            "title": recommendation.title,
            "text": recommendation.text,
            "rationale": recommendation.rationale,
            "base_version": _latest_version(recommendation),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_finalise(
                recommendation=recommendation,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                base_version=form.cleaned_data["base_version"],
                actor=viewer.user,
            )
        except services.VersionConflict as refused:
            conflict = _show_conflict(
                form,
                recommendation,
                refused,
                fields=WHOLE_TEXT,
                advice=_(
                    "Uw tekst staat nog in het formulier. Vergelijk hem hieronder met de "
                    "nieuwste versie. Klopt uw tekst? Klik dan opnieuw op ‘Tekst definitief maken’."
                ),
            )
        except services.DraftingRefused as refused:
            form.add_error(None, str(refused))
            recommendation.refresh_from_db()
            if not viewer.can_finalise(recommendation):
                _text_kept(form)
        else:
            messages.success(
                request,
                _("De tekst van aanbeveling %(number)s is definitief. Zij kan in stemming.")
                % {"number": recommendation.number},
            )
            return redirect(_detail_url(recommendation))
    open_amendments = recommendation.amendments.filter(status="proposed").count()
    return render(
        request,
        TEMPLATES + "finalise.html",
        {
            "assembly": viewer.assembly,
            "form": form,
            "r": recommendation,
            "open_amendments": open_amendments,
            "conflict": conflict,
            "closed": not viewer.can_finalise(recommendation),
        },
    )


@login_required
def plenary(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = rules.check_plenary_viewer(user=access.request_user(request), slug=slug)
    return render(
        request,
        TEMPLATES + "plenary.html",
        {
            "assembly": viewer.assembly,
            "viewer": viewer,
            "order": selectors.plenary_order(assembly=viewer.assembly),
        },
    )


@login_required
@require_POST
def recommendation_move(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    viewer, recommendation = rules.get_recommendation_for_viewer(
        user=access.request_user(request), slug=slug, number=number
    )
    rules.check(viewer.can_order())
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Kies omhoog of omlaag."))
    else:
        try:
            services.recommendation_move(
                recommendation=recommendation, up=direction == "up", actor=viewer.user
            )
        except services.DraftingRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("Aanbeveling %(number)s is verplaatst.") % {"number": recommendation.number},
            )
    url = reverse("recommendations:plenary", kwargs={"slug": slug})
    return redirect(f"{url}#plaats-{recommendation.number}")


@login_required
def recommendation_merge(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = rules.check_merge_viewer(user=access.request_user(request), slug=slug)
    candidates = selectors.merge_candidates(assembly=viewer.assembly)
    versions = selectors.latest_versions(candidates)
    form = MergeForm(request.POST or None, candidates=candidates, versions=versions)
    if request.method == "POST" and form.is_valid():
        by_number = {r.number: r for r in candidates}
        sources = [by_number[n] for n in form.cleaned_data["sources"] if n in by_number]
        into_number = form.into_number()
        try:
            result = services.recommendation_merge(
                sources=sources,
                into=by_number.get(into_number) if into_number is not None else None,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                seen_versions=form.seen_versions(),
                actor=viewer.user,
            )
        except services.DraftingRefused as refused:
            # The page shows the texts as they are now; sending it again merges them.
            _set_sent_value(form, "seen", seen_value(versions))
            form.add_error(None, str(refused))
        else:
            message = _("De aanbevelingen zijn samengevoegd in aanbeveling %(number)s.") % {
                "number": result.recommendation.number
            }
            if result.amendments_lapsed:
                message += " " + ngettext(
                    "%(count)s open amendement is vervallen.",
                    "%(count)s open amendementen zijn vervallen.",
                    result.amendments_lapsed,
                ) % {"count": result.amendments_lapsed}
            messages.success(request, message)
            return redirect(_detail_url(result.recommendation))
    return render(
        request,
        TEMPLATES + "merge.html",
        {
            "assembly": viewer.assembly,
            "form": form,
            "candidates": candidates,
            "with_open_amendments": [r for r in candidates if getattr(r, "open_amendments", 0)],
        },
    )
