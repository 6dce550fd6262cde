"""Ballots: the voting rule, the chair's ballot pages (prepare, open, live
count, close, paper count with four eyes, fix and correct the result), a
member's vote on their phone with a receipt code, the receipt check, and the
public result.

Everything works without JavaScript; the chair's live count polls a small
JSON view through static/js/progress.js while the ballot is open.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for, sent_again
from recommendations import access_ballots
from recommendations import forms_ballots as forms
from recommendations import selectors_ballots as selectors
from recommendations.models import Ballot, PaperCount
from recommendations.services import ballots as services

TEMPLATES = "recommendations/ballots/"


def _detail_url(ballot: Ballot) -> str:
    return reverse(
        "recommendations:ballot_detail",
        kwargs={"slug": ballot.assembly.slug, "number": ballot.number},
    )


def _labels() -> dict[str, str]:
    return {
        "for": _("Voor"),
        "against": _("Tegen"),
        "abstain": _("Onthouding"),
        "out": _("afgevallen"),
    }


def _result_context(ballot: Ballot) -> dict[str, object]:
    result = selectors.closed_result(ballot=ballot)
    return {
        "view": (
            selectors.result_view(ballot=ballot, result=result, labels=_labels())
            if result is not None
            else None
        ),
        "history": selectors.result_history(ballot=ballot),
    }


# ---------------------------------------------------------------- the rule


@login_required
def ballot_rule(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_rule(user=user, slug=slug)
    rule = selectors.voting_rule_for(assembly=assembly)
    initial = (
        {"threshold": rule.threshold, "abstentions_count": rule.abstentions_count}
        if rule
        else {"threshold": "three_quarters"}
    )
    form = forms.RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.voting_rule_set(
                assembly=assembly,
                threshold=form.cleaned_data["threshold"],
                abstentions_count=form.cleaned_data["abstentions_count"],
                actor=user,
            )
        except services.BallotRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("De stemregel is opgeslagen."))
        return redirect("recommendations:ballot_rule", slug=assembly.slug)
    return render(
        request, TEMPLATES + "rule.html", {"assembly": assembly, "rule": rule, "form": form}
    )


# ---------------------------------------------------------------- the list and preparing


@login_required
def ballot_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_reading(user=user, slug=slug)
    kinds = role_kinds_for(user=user, assembly=assembly)
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "assembly": assembly,
            "rows": selectors.ballot_rows(assembly=assembly),
            "rule": selectors.voting_rule_for(assembly=assembly),
            "can_prepare": bool(kinds & access_ballots.PREPARERS) or user.is_superuser,
        },
    )


@login_required
def ballot_new(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_preparing(user=user, slug=slug)
    candidates = selectors.votable_recommendations(assembly=assembly)
    form = forms.RecommendationBallotForm(request.POST or None, recommendations=candidates)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.ballot_create_for_recommendation(
                assembly=assembly,
                recommendation=form.cleaned_data["recommendation"],
                method=form.cleaned_data["method"],
                question=form.cleaned_data["question"],
                actor=user,
            )
        except services.BallotRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("De stemming is klaargezet."))
            return redirect(_detail_url(ballot))
    return render(
        request,
        TEMPLATES + "new.html",
        {"assembly": assembly, "form": form, "has_candidates": candidates.exists()},
    )


@login_required
def ballot_new_ranked(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_preparing(user=user, slug=slug)
    form = forms.RankedBallotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ballot = services.ballot_create_ranked(
                assembly=assembly,
                title=form.cleaned_data["title"],
                question=form.cleaned_data["question"],
                options=form.cleaned_data["options"],
                method=form.cleaned_data["method"],
                actor=user,
                submission=form.cleaned_data["submission"],
            )
        except services.BallotRefused as refused:
            form.add_error(None, str(refused))
        else:
            if sent_again(ballot):
                messages.info(
                    request,
                    _(
                        "Deze voorkeursstemming was al klaargezet, als stemming %(number)s. "
                        "Ze staat er één keer."
                    )
                    % {"number": ballot.number},
                )
            else:
                messages.success(request, _("De voorkeursstemming is klaargezet."))
            return redirect(_detail_url(ballot))
    return render(request, TEMPLATES + "new_ranked.html", {"assembly": assembly, "form": form})


@login_required
def ballot_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_reading(user=user, slug=slug, number=number)
    return _detail_page(request, ballot=ballot, user=user, open_form=forms.OpenForm())


def _detail_page(
    request: HttpRequest, *, ballot: Ballot, user: User, open_form: forms.OpenForm
) -> HttpResponse:
    kinds = role_kinds_for(user=user, assembly=ballot.assembly)
    pending = selectors.pending_count(ballot=ballot)
    is_chair = RoleKind.CHAIR in kinds or user.is_superuser
    context: dict[str, object] = {
        "assembly": ballot.assembly,
        "ballot": ballot,
        "options": selectors.ballot_options(ballot=ballot),
        "rule": selectors.voting_rule_for(assembly=ballot.assembly),
        "is_chair": is_chair,
        "can_prepare": bool(kinds & access_ballots.PREPARERS) or user.is_superuser,
        "marks": selectors.votes_cast(ballot=ballot),
        **_presence(ballot),
        "open_form": open_form,
        "close_form": forms.CloseForm(),
        "count_form": forms.CountForm(ballot=ballot),
        "paper_counts": selectors.paper_counts(ballot=ballot),
        "pending": pending,
        "pending_over_present": _more_ballots_than_present(ballot, pending),
        "can_confirm": pending is not None
        and pending.entered_by_id != user.pk
        and (bool(kinds & access_ballots.CONFIRMERS) or user.is_superuser),
        "confirmed": services.confirmed_count(ballot=ballot),
        **_result_context(ballot),
    }
    return render(request, TEMPLATES + "detail.html", context)


def _presence(ballot: Ballot) -> dict[str, int]:
    """Who can vote in the room today. In an electronic ballot the members who
    take part on paper (no account) cannot vote on a phone: the live count does
    not wait for them, and the chair is told they are there."""
    present = selectors.checked_in_today(assembly=ballot.assembly)
    if ballot.method != Ballot.Method.ELECTRONIC:
        return {"checked_in": present, "on_paper_present": 0, "members_on_paper": 0}
    on_paper = selectors.checked_in_on_paper_today(assembly=ballot.assembly)
    return {
        "checked_in": present - on_paper,
        "on_paper_present": on_paper,
        "members_on_paper": selectors.members_on_paper(assembly=ballot.assembly),
    }


def _more_ballots_than_present(
    ballot: Ballot, pending: PaperCount | None
) -> dict[str, object] | None:
    """A count with more ballot papers than members checked in that day: not
    refused (someone may have been missed at the door), but both people who
    check the count see it."""
    day_present = selectors.checked_in_on_ballot_day(ballot=ballot)
    if pending is None or day_present is None:
        return None
    day, present = day_present
    total = services.paper_counts_of(pending).total
    return {"total": total, "present": present, "day": day} if total > present else None


@login_required
@never_cache
def ballot_live(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    """The chair's live count, polled by static/js/progress.js (its JSON shape)."""
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_reading(user=user, slug=slug, number=number)
    marks = selectors.votes_cast(ballot=ballot)
    present = _presence(ballot)["checked_in"]
    return JsonResponse(
        {
            "done": marks,
            "total": present,
            "status": "running" if ballot.status == Ballot.Status.OPEN else "done",
            "label": ngettext(
                "%(votes)s van de %(present)s aanwezige deelnemers heeft gestemd.",
                "%(votes)s van de %(present)s aanwezige deelnemers hebben gestemd.",
                marks,
            )
            % {"votes": marks, "present": present},
        }
    )


@login_required
@require_POST
def ballot_cancel(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_preparing(user=user, slug=slug, number=number)
    try:
        services.ballot_cancel(ballot=ballot, actor=user)
    except services.BallotRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De stemming is ingetrokken."))
    return redirect(_detail_url(ballot))


# ---------------------------------------------------------------- the chair's acts


@login_required
@require_POST
def ballot_open(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_chair(user=user, slug=slug, number=number)
    form = forms.OpenForm(request.POST)
    if not form.is_valid():
        # The page again with what was typed and each error at its field:
        # a wrong number of minutes is not a missing tick.
        return _detail_page(request, ballot=ballot, user=user, open_form=form)
    minutes = form.cleaned_data["minutes"]
    closes_at = timezone.now() + dt.timedelta(minutes=minutes) if minutes else None
    try:
        services.ballot_open(ballot=ballot, actor=user, closes_at=closes_at)
    except services.BallotRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De stemming is open."))
    return redirect(_detail_url(ballot))


@login_required
@require_POST
def ballot_close(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_chair(user=user, slug=slug, number=number)
    if not forms.CloseForm(request.POST).is_valid():
        messages.error(request, _("Zet een vinkje om te bevestigen dat u de stemming sluit."))
        return redirect(_detail_url(ballot))
    try:
        services.ballot_close(ballot=ballot, actor=user)
    except services.BallotRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De stemming is gesloten."))
    return redirect(_detail_url(ballot))


@login_required
@require_POST
def paper_count_enter(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_chair(user=user, slug=slug, number=number)
    form = forms.CountForm(request.POST, ballot=ballot)
    if form.is_valid():
        try:
            services.paper_count_enter(ballot=ballot, counts=form.counts(), actor=user)
        except services.BallotRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, _("De telling is ingevoerd. Laat een tweede persoon haar controleren.")
            )
            return redirect(_detail_url(ballot))
    # Show the count again with its errors, so nothing typed is lost.
    kinds = role_kinds_for(user=user, assembly=ballot.assembly)
    return render(
        request,
        TEMPLATES + "detail.html",
        {
            "assembly": ballot.assembly,
            "ballot": ballot,
            "options": selectors.ballot_options(ballot=ballot),
            "rule": selectors.voting_rule_for(assembly=ballot.assembly),
            "is_chair": True,
            "can_prepare": bool(kinds & access_ballots.PREPARERS),
            "marks": selectors.votes_cast(ballot=ballot),
            **_presence(ballot),
            "count_form": form,
            "paper_counts": selectors.paper_counts(ballot=ballot),
            "pending": selectors.pending_count(ballot=ballot),
            "can_confirm": False,
            "confirmed": services.confirmed_count(ballot=ballot),
            **_result_context(ballot),
        },
        status=400,
    )


@login_required
@require_POST
def paper_count_confirm(
    request: HttpRequest, slug: str, number: int, count_id: int
) -> HttpResponse:
    user = access.request_user(request)
    count = access_ballots.get_paper_count_for_confirming(
        user=user, slug=slug, number=number, count_id=count_id
    )
    reject = request.POST.get("decision") == "reject"
    try:
        if reject:
            services.paper_count_reject(count=count, actor=user)
        else:
            services.paper_count_confirm(count=count, actor=user)
    except services.BallotRefused as refused:
        messages.error(request, str(refused))
    else:
        if reject:
            done = _("U hebt de telling afgekeurd. De voorzitter telt opnieuw.")
        elif count.reason:
            done = _("U hebt de correctie bevestigd. De nieuwe uitslag geldt nu.")
        else:
            done = _("U hebt de telling bevestigd. De voorzitter kan de uitslag nu vastleggen.")
        messages.success(request, done)
    return redirect(_detail_url(count.ballot))


@login_required
@require_POST
def ballot_record(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_chair(user=user, slug=slug, number=number)
    try:
        services.ballot_result_record(ballot=ballot, actor=user)
    except services.BallotRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De uitslag ligt vast."))
    return redirect(_detail_url(ballot))


@login_required
def ballot_correct(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_chair(user=user, slug=slug, number=number)
    current = selectors.closed_result(ballot=ballot)
    initial = (
        {
            "votes_for": current.votes_for,
            "votes_against": current.votes_against,
            "votes_abstain": current.votes_abstain,
            "invalid": current.invalid,
        }
        if current is not None
        else {}
    )
    form = forms.CorrectForm(request.POST or None, ballot=ballot, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ballot_result_correct(
                ballot=ballot, counts=form.counts(), reason=form.cleaned_data["reason"], actor=user
            )
        except services.BallotRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _(
                    "De correctie is ingevoerd. Een tweede persoon moet haar controleren. "
                    "Daarna vervangt zij de uitslag. De oude uitslag blijft zichtbaar."
                ),
            )
            return redirect(_detail_url(ballot))
    return render(
        request,
        TEMPLATES + "correct.html",
        {
            "assembly": ballot.assembly,
            "ballot": ballot,
            "form": form,
            "current": current,
            "options": selectors.ballot_options(ballot=ballot),
        },
        status=400 if form.errors else 200,
    )


def ballot_result(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The fixed result, for anyone who may see the assembly."""
    ballot = access_ballots.get_public_ballot(user=request.user, slug=slug, number=number)
    return render(
        request,
        TEMPLATES + "result.html",
        {
            "assembly": ballot.assembly,
            "ballot": ballot,
            "may_check_receipt": access_ballots.may_check_receipts(
                user=request.user, assembly=ballot.assembly
            ),
            **_result_context(ballot),
        },
    )


# ---------------------------------------------------------------- members


def _member_context(request: HttpRequest, assembly: Assembly) -> dict[str, object]:
    member = selectors.member_for(user=access.request_user(request), assembly=assembly)
    return {
        "assembly": assembly,
        "member": member,
        "checked_in": member is not None and selectors.is_checked_in(member=member),
    }


@login_required
def vote_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_voting(user=user, slug=slug)
    context = _member_context(request, assembly)
    member = context["member"]
    context["open"] = selectors.open_ballots_for(
        assembly=assembly,
        member=member if member is not None else None,  # type: ignore[arg-type]
    )
    return render(request, TEMPLATES + "vote_list.html", context)


def _vote_form(ballot: Ballot, data: object = None) -> forms.VoteForm:
    return forms.VoteForm(data, ballot=ballot, options=selectors.ballot_options(ballot=ballot))


@login_required
@never_cache  # the check page carries the receipt code, signed, for the last step
def vote(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Step 1 (GET): the ballot paper. Step 2 (POST): check what you chose."""
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_voting(user=user, slug=slug, number=number)
    context = _member_context(request, ballot.assembly)
    member = context["member"]
    refusal = ""
    try:
        services.check_member_may_vote(ballot=ballot, member=member)  # type: ignore[arg-type]
    except services.BallotRefused as refused:
        refusal = str(refused)
    voted = member is not None and selectors.has_voted(ballot=ballot, member=member)  # type: ignore[arg-type]
    form = _vote_form(ballot, request.POST if request.method == "POST" else None)
    context.update({"ballot": ballot, "form": form, "refusal": refusal, "voted": voted})
    if request.method == "POST" and not refusal and not voted and form.is_valid():
        context["choice"], context["ranking"] = form.vote()
        context["summary"] = form.summary()
        context["receipt_offer"] = services.receipt_offer(ballot=ballot, member=member)  # type: ignore[arg-type]
        # The choice travels to the last step as hidden fields and is checked again there.
        context["hidden"] = [
            (name, value)
            for name, value in request.POST.items()
            if name == "choice" or name.startswith("rank_")
        ]
        return render(request, TEMPLATES + "vote_confirm.html", context)
    return render(request, TEMPLATES + "vote.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@never_cache
def vote_cast(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Step 3: cast the vote and show the receipt code, once."""
    user = access.request_user(request)
    ballot = access_ballots.get_ballot_for_voting(user=user, slug=slug, number=number)
    member = selectors.member_for(user=user, assembly=ballot.assembly)
    form = _vote_form(ballot, request.POST)
    if not form.is_valid():
        messages.error(request, _("Uw keuze was niet compleet. Kies opnieuw."))
        return redirect("recommendations:vote", slug=slug, number=number)
    choice, ranking = form.vote()
    offered = services.receipt_from_offer(
        request.POST.get("receipt_offer", ""), ballot=ballot, member=member
    )
    try:
        code = services.electronic_vote_cast(
            ballot=ballot, member=member, choice=choice, ranking=ranking, code=offered
        )
    except services.BallotRefused as refused:
        if offered is None or not services.vote_with_receipt_exists(ballot=ballot, code=offered):
            messages.error(request, str(refused))
            return redirect("recommendations:vote", slug=slug, number=number)
        # The same confirmation sent twice (a double tap): the first one cast
        # the vote, and the browser shows this answer; show that vote's code.
        code = offered
    # never_cache: the receipt code must not stay in a cache or be shown again.
    return render(
        request,
        TEMPLATES + "vote_receipt.html",
        {"assembly": ballot.assembly, "ballot": ballot, "code": code},
    )


@login_required
def receipt_check(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_ballots.get_assembly_for_receipt_check(user=user, slug=slug)
    form = forms.ReceiptForm(request.POST or None)
    found = None
    checked = False
    if request.method == "POST" and form.is_valid():
        checked = True
        found = selectors.vote_by_receipt(assembly=assembly, code=form.cleaned_data["code"])
    return render(
        request,
        TEMPLATES + "receipt_check.html",
        {
            "assembly": assembly,
            # a former member has no vote list to go back to
            "member": selectors.member_for(user=user, assembly=assembly),
            "form": form,
            "checked": checked,
            "found": found,
            "ranking": selectors.ranking_labels(vote=found) if found and found.ranking else [],
        },
    )
