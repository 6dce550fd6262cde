"""Allowances and expense claims.

Members: "Mijn vergoeding" (what they earned, what is approved and paid,
their claims, the caps and what they mean for benefits and taxes), a claim in
two short steps on a phone, changing a claim the organisation asked about,
withdrawing a claim not yet approved, and their own receipts. Organisers:
allowances per weekend (compute, approve), the rules of each year, the
assembly's allowance settings, and the claims queue with approve / reject /
ask. Nobody else sees anyone's money: not the chair, not the griffie (they
get totals in the report).
"""

from __future__ import annotations

import uuid

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assembly import access
from assembly.models import AllowanceYear, Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from participants import selectors_money as selectors
from participants.access_members import get_own_seat
from participants.forms_money import (
    AllowanceSettingsForm,
    AllowanceYearForm,
    AskForm,
    ClaimForm,
    ClaimStartForm,
    ReasonForm,
    StatusFilterForm,
)
from participants.models import ON_PAPER, ExpenseClaim, PanelMember
from participants.receipts import max_receipt_bytes
from participants.services import allowances as services
from participants.services import claims as claim_services
from sessions.models import Weekend

TEMPLATES = "participants/allowances/"
ORGANISER = frozenset({RoleKind.ORGANISER})


def _organiser(request: HttpRequest, slug: str) -> tuple[Assembly, User]:
    user = access.request_user(request)
    return access.get_assembly_for_organiser(user=user, slug=slug), user


def _member(request: HttpRequest, slug: str) -> tuple[Assembly, PanelMember]:
    """The member's own seat, or PermissionDenied: only members file claims."""
    return get_own_seat(user=access.request_user(request), slug=slug)


def _overview_url(assembly: Assembly) -> str:
    return reverse("participants:allowances_overview", kwargs={"slug": assembly.slug})


def _my_url(assembly: Assembly) -> str:
    return reverse("participants:my_allowance", kwargs={"slug": assembly.slug})


def _compute_message(request: HttpRequest, result: services.ComputeResult) -> None:
    messages.success(
        request,
        _(
            "De dagvergoedingen zijn berekend: %(created)s nieuw, %(changed)s gewijzigd, "
            "%(removed)s vervallen. Afgetopt door een maximum: %(capped)s dagen."
        )
        % {
            "created": result.created,
            "changed": result.changed,
            "removed": result.removed,
            "capped": result.capped,
        },
    )
    for year in result.missing_years:
        messages.error(
            request,
            _(
                "Voor %(year)s zijn er nog geen regels. Dagen in %(year)s krijgen pas een "
                "vergoeding als u de regels van dat jaar invult."
            )
            % {"year": year},
        )


# ------------------------------------------------------------------ member


@login_required
def my_allowance(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, member = _member(request, slug)
    money = selectors.member_money(member=member)
    return render(
        request,
        TEMPLATES + "mine.html",
        {
            "assembly": assembly,
            "money": money,
            "bar_width": selectors.BAR_WIDTH,
            "withdrawable": claim_services.WITHDRAWABLE,
        },
    )


def _claim_form_context(assembly: Assembly, form: ClaimForm, **extra: object) -> dict[str, object]:
    kind = form["kind"].value() if form.is_bound else form.initial.get("kind")
    return {
        "assembly": assembly,
        "form": form,
        "is_car": kind == ExpenseClaim.Kind.CAR,
        "receipt_required": kind in claim_services.RECEIPT_REQUIRED,
        "kind_label": dict(ExpenseClaim.Kind.choices).get(str(kind), ""),
        **extra,
    }


def _apply_refusal(form: ClaimForm, refused: claim_services.ClaimRefused) -> None:
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


def _claim_input(form: ClaimForm) -> claim_services.ClaimInput:
    data = form.cleaned_data
    return claim_services.ClaimInput(
        kind=data["kind"],
        day=data["day"],
        amount=data.get("amount"),
        kilometres=data.get("kilometres"),
        description=data.get("description") or "",
        receipt=form.checked_receipt,
        submission=data.get("submission"),
    )


# What step 2 asks, carried through step 1 and back, so that going back to
# change the kind or the day keeps what the member typed. (A chosen file
# cannot be carried: the browser sends it once.)
CARRIED = ("amount", "kilometres", "description", "submission")


def _carried(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in CARRIED if request.POST.get(name)}


def _claim_start_page(
    request: HttpRequest,
    assembly: Assembly,
    start: ClaimStartForm,
    *,
    carried: dict[str, str] | None = None,
    receipt_dropped: bool = False,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "claim_start.html",
        {
            "assembly": assembly,
            "form": start,
            "carried": sorted((carried or {}).items()),
            "receipt_dropped": receipt_dropped,
        },
    )


def _step_one_again(
    request: HttpRequest, assembly: Assembly, days: list[selectors.ClaimDay]
) -> HttpResponse:
    """"Terug naar stap 1": the kind and the day as chosen, step 2's answers kept."""
    start = ClaimStartForm(
        initial={"kind": request.POST.get("kind", ""), "day": request.POST.get("day", "")},
        days=days,
    )
    return _claim_start_page(
        request,
        assembly,
        start,
        carried=_carried(request),
        receipt_dropped=bool(request.FILES.get("receipt")),
    )


@login_required
def my_claim_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Step 1 (kind and day) on GET and its POST; step 2 (amount or
    kilometres, receipt) posts ``step=2`` with step 1's answers hidden, or
    ``back`` to return to step 1 with everything chosen and typed kept."""
    assembly, member = _member(request, slug)
    days = selectors.claim_days(member=member)
    if request.method != "POST":
        return _claim_start_page(request, assembly, ClaimStartForm(days=days))
    if request.POST.get("step") == "2" and request.POST.get("back"):
        return _step_one_again(request, assembly, days)
    if request.POST.get("step") != "2":
        start = ClaimStartForm(request.POST, days=days)
        if not start.is_valid():
            return _claim_start_page(request, assembly, start, carried=_carried(request))
        carried = _carried(request)
        form = ClaimForm(
            initial={
                **carried,
                "kind": start.cleaned_data["kind"],
                "day": start.cleaned_data["day"],
                "submission": carried.get("submission") or uuid.uuid4(),
            },
            days=days,
            hidden_start=True,
            max_bytes=max_receipt_bytes(),
        )
        return render(
            request,
            TEMPLATES + "claim_details.html",
            _claim_form_context(assembly, form, day=start.cleaned_data["day"]),
        )
    form = ClaimForm(
        request.POST, request.FILES, days=days, hidden_start=True, max_bytes=max_receipt_bytes()
    )
    if form.is_valid():
        try:
            claim = claim_services.claim_submit(
                member=member, data=_claim_input(form), actor=access.request_user(request)
            )
        except claim_services.ClaimRefused as refused:
            if refused.field in ("kind", "day"):
                start = ClaimStartForm(request.POST, days=days)
                start.is_valid()
                start.add_error(refused.field, refused.message)
                return _claim_start_page(request, assembly, start, carried=_carried(request))
            _apply_refusal(form, refused)
        else:
            messages.success(
                request,
                _(
                    "Uw declaratie van %(amount)s euro is ingediend. "
                    "U krijgt bericht als er een besluit is."
                )
                % {"amount": formats.number_format(claim.amount, 2)},
            )
            if selectors.claims_like_this(claim=claim):
                messages.warning(
                    request,
                    _(
                        "Let op: u hebt al een declaratie met dezelfde dag, soort en bedrag. "
                        "Hebt u dezelfde kosten per ongeluk twee keer gestuurd? Mail dan "
                        "het secretariaat: %(email)s."
                    )
                    % {"email": settings.INVITATION_CONTACT_EMAIL},
                )
            return redirect(_my_url(assembly) + "#declaraties")
    elif "kind" in form.errors or "day" in form.errors:
        start = ClaimStartForm(request.POST, days=days)
        start.is_valid()
        return _claim_start_page(request, assembly, start, carried=_carried(request))
    day = form.cleaned_data.get("day")
    return render(
        request, TEMPLATES + "claim_details.html", _claim_form_context(assembly, form, day=day)
    )


@login_required
@access.personal_data_view
def member_claim_by_organiser(request: HttpRequest, slug: str, member: int) -> HttpResponse:
    """A claim on paper from a member without an account (signed up by phone,
    no e-mail address), typed in by an organiser. Another organiser decides."""
    assembly, user = _organiser(request, slug)
    seated = get_object_or_404(
        PanelMember.objects.select_related("registration").filter(ON_PAPER),
        pk=member,
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
        status=PanelMember.Status.CONFIRMED,
    )
    days = selectors.claim_days(member=seated)
    form = ClaimForm(
        request.POST or None,
        request.FILES or None,
        initial={"submission": uuid.uuid4()},
        days=days,
        max_bytes=max_receipt_bytes(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = claim_services.claim_submit(
                member=seated, data=_claim_input(form), actor=user
            )
        except claim_services.ClaimRefused as refused:
            _apply_refusal(form, refused)
        else:
            messages.success(
                request,
                _(
                    "De declaratie van %(amount)s euro is ingediend. Een andere organisator "
                    "beslist erover."
                )
                % {"amount": formats.number_format(claim.amount, 2)},
            )
            return redirect("participants:claims_queue", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "claim_on_behalf.html",
        {"assembly": assembly, "member": seated, "form": form, "has_days": bool(days)},
        status=400 if form.errors else 200,
    )


@login_required
def my_claim_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, member = _member(request, slug)
    claim = selectors.member_claim(member=member, pk=pk)
    if claim is None:
        raise Http404
    if claim.status != ExpenseClaim.Status.NEEDS_INFO:
        messages.error(request, _("Deze declaratie kunt u niet meer wijzigen."))
        return redirect(_my_url(assembly) + "#declaraties")
    days = selectors.claim_days(member=member)
    if request.method == "POST":
        form = ClaimForm(request.POST, request.FILES, days=days, max_bytes=max_receipt_bytes())
        if form.is_valid():
            try:
                claim_services.claim_resubmit(
                    claim=claim, data=_claim_input(form), actor=access.request_user(request)
                )
            except claim_services.ClaimRefused as refused:
                _apply_refusal(form, refused)
            else:
                messages.success(request, _("Uw declaratie is opnieuw ingediend."))
                return redirect(_my_url(assembly) + "#declaraties")
    else:
        form = ClaimForm(
            initial={
                "kind": claim.kind,
                "day": claim.day.isoformat(),
                "amount": claim.amount if claim.kind != ExpenseClaim.Kind.CAR else None,
                "kilometres": claim.kilometres,
                "description": claim.description,
            },
            days=days,
            max_bytes=max_receipt_bytes(),
        )
    return render(
        request,
        TEMPLATES + "claim_edit.html",
        {"assembly": assembly, "form": form, "claim": claim},
    )


@login_required
def my_claim_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A confirmation page, then the member's own claim withdrawn (POST). Once
    it is approved the page says to ask the secretariat instead."""
    assembly, member = _member(request, slug)
    claim = selectors.member_claim(member=member, pk=pk)
    if claim is None:
        raise Http404
    withdrawable = claim.status in claim_services.WITHDRAWABLE
    if request.method == "POST" and withdrawable:
        try:
            claim_services.claim_withdraw(claim=claim, actor=access.request_user(request))
        except claim_services.ClaimRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _(
                    "Uw declaratie is ingetrokken. Wilt u deze kosten toch declareren, "
                    "bijvoorbeeld met een ander bedrag? Dien dan een nieuwe declaratie in."
                ),
            )
        return redirect(_my_url(assembly) + "#declaraties")
    return render(
        request,
        TEMPLATES + "claim_withdraw.html",
        {"assembly": assembly, "claim": claim, "withdrawable": withdrawable},
        # Sent when it was just approved: the page says why nothing happened.
        status=409 if request.method == "POST" else 200,
    )


# A photo opens in a page the browser makes itself, styled inline (centred, on
# grey): the site's policy would block that. The file holds no markup of ours,
# so inline style may apply there; the sandbox keeps anything else from running.
RECEIPT_CONTENT_SECURITY_POLICY = {"style-src": ["'unsafe-inline'"], "sandbox": True}


@login_required
@access.personal_data_view
# django-csp types its decorators for views without URL arguments only.
@csp_replace(RECEIPT_CONTENT_SECURITY_POLICY)  # type: ignore[arg-type]
def claim_receipt(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """The receipt, only to the member who sent it and the organisers; never
    from a public media URL."""
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.MEMBER, RoleKind.ORGANISER})
    )
    claim = get_object_or_404(
        ExpenseClaim.objects.select_related("member"), pk=pk, member__assembly=assembly
    )
    kinds = role_kinds_for(user=user, assembly=assembly)
    if not (user.is_superuser or RoleKind.ORGANISER in kinds or claim.member.user_id == user.pk):
        raise PermissionDenied
    if not claim.receipt:
        raise Http404
    extension = (claim.receipt.name or "").rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}.get(
        extension
    )
    if content_type is None:
        raise Http404
    response = FileResponse(
        claim.receipt.open("rb"),
        content_type=content_type,
        as_attachment=content_type == "application/pdf",
        filename=f"bon-{claim.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ organisers


@login_required
def allowances_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, _user = _organiser(request, slug)
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "weekends": selectors.weekend_allowances(assembly=assembly),
            "open_claims": selectors.open_claims_count(assembly),
            "years": selectors.allowance_years(),
        },
    )


@login_required
@require_POST
def allowances_compute(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, user = _organiser(request, slug)
    try:
        result = services.allowances_compute(assembly=assembly, actor=user)
    except services.AllowancesRefused as refused:
        messages.error(request, str(refused))
    else:
        _compute_message(request, result)
    return redirect(_overview_url(assembly))


@login_required
@access.personal_data_view
def allowances_weekend(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, _user = _organiser(request, slug)
    the_weekend = get_object_or_404(Weekend, assembly=assembly, number=weekend)
    rows = selectors.weekend_allowance_rows(weekend=the_weekend)
    return render(
        request,
        TEMPLATES + "weekend.html",
        {
            "assembly": assembly,
            "weekend": the_weekend,
            "rows": rows,
            "earned": sum(1 for r in rows if r.status == "earned"),
        },
    )


@login_required
@require_POST
def allowances_approve(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, user = _organiser(request, slug)
    the_weekend = get_object_or_404(Weekend, assembly=assembly, number=weekend)
    try:
        count = services.allowances_approve(assembly=assembly, weekend=the_weekend, actor=user)
    except services.AllowancesRefused as refused:
        messages.error(request, str(refused))
        return redirect(_overview_url(assembly))
    if count:
        messages.success(
            request,
            _("%(count)s dagvergoedingen van weekend %(number)s zijn goedgekeurd.")
            % {"count": count, "number": the_weekend.number},
        )
    else:
        messages.error(request, _("Er waren geen dagvergoedingen om goed te keuren."))
    return redirect(_overview_url(assembly))


@login_required
def allowance_settings(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, user = _organiser(request, slug)
    if request.method == "POST":
        form = AllowanceSettingsForm(request.POST)
        if form.is_valid():
            values = dict(form.cleaned_data)
            try:
                result = services.allowance_settings_update(
                    assembly=assembly, values=values, actor=user
                )
            except services.AllowancesRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("De instellingen van de vergoeding zijn bewaard."))
                _compute_message(request, result)
                return redirect(_overview_url(assembly))
    else:
        form = AllowanceSettingsForm(
            initial={
                "allowance_mode": assembly.allowance_mode,
                "fee_per_day": assembly.fee_per_day,
                "allowance_hours_per_day": assembly.allowance_hours_per_day,
                "second_approval_above": assembly.second_approval_above,
            }
        )
    return render(request, TEMPLATES + "settings.html", {"assembly": assembly, "form": form})


@login_required
def allowance_rules(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, _user = _organiser(request, slug)
    return render(
        request,
        TEMPLATES + "rules.html",
        {"assembly": assembly, "years": selectors.allowance_years()},
    )


def _rule_form_page(
    request: HttpRequest, assembly: Assembly, user: User, row: AllowanceYear | None
) -> HttpResponse:
    if request.method == "POST":
        form = AllowanceYearForm(
            request.POST,
            # A disabled field takes its value from ``initial``, never from the post.
            initial={"year": row.year} if row else None,
            existing_year=row.year if row else None,
        )
        if form.is_valid():
            services.allowance_year_save(
                year=form.cleaned_data["year"] if row is None else row.year,
                values=form.values(),
                actor=user,
                assembly=assembly,
            )
            messages.success(
                request,
                _("De regels van %(year)s zijn bewaard. Bereken de dagvergoedingen opnieuw.")
                % {"year": form.cleaned_data["year"] if row is None else row.year},
            )
            return redirect(reverse("participants:allowance_rules", kwargs={"slug": assembly.slug}))
    elif row is not None:
        form = AllowanceYearForm(
            initial={
                "year": row.year,
                **{name: getattr(row, name) for name in services.RULE_FIELDS},
            },
            existing_year=row.year,
        )
    else:
        latest = AllowanceYear.objects.order_by("-year").first()
        initial: dict[str, object] = {}
        if latest is not None:
            initial = {name: getattr(latest, name) for name in services.RULE_FIELDS}
            initial["year"] = latest.year + 1
            initial["source"] = ""
        form = AllowanceYearForm(initial=initial)
    return render(
        request,
        TEMPLATES + "rule_form.html",
        {"assembly": assembly, "form": form, "row": row},
    )


@login_required
def allowance_rule_new(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, user = _organiser(request, slug)
    return _rule_form_page(request, assembly, user, None)


@login_required
def allowance_rule_edit(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    assembly, user = _organiser(request, slug)
    row = get_object_or_404(AllowanceYear, year=year)
    return _rule_form_page(request, assembly, user, row)


# ------------------------------------------------------------------ claims queue


@login_required
@access.personal_data_view
def claims_queue(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, _user = _organiser(request, slug)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    claims = selectors.claims_for_assembly_with_twins(assembly=assembly, status=status)
    return render(
        request,
        TEMPLATES + "queue.html",
        {
            "assembly": assembly,
            "form": form,
            "status": status,
            "claims": claims,
            "counts": selectors.claim_status_counts(assembly=assembly),
            "statuses": ExpenseClaim.Status.choices,
        },
    )


def _organiser_claim(
    request: HttpRequest, slug: str, pk: int
) -> tuple[Assembly, User, ExpenseClaim]:
    assembly, user = _organiser(request, slug)
    claim = selectors.claim_for_assembly(assembly=assembly, pk=pk)
    if claim is None:
        raise Http404
    return assembly, user, claim


def _claim_page(
    request: HttpRequest,
    assembly: Assembly,
    user: User,
    claim: ExpenseClaim,
    *,
    reason_form: ReasonForm | None = None,
    ask_form: AskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "claim_detail.html",
        {
            "assembly": assembly,
            "claim": claim,
            "events": selectors.claim_events(claim=claim),
            "same_receipt": selectors.claims_with_the_same_receipt(claim=claim),
            "alike": selectors.claims_like_this(claim=claim),
            "reason_form": reason_form or ReasonForm(),
            "ask_form": ask_form or AskForm(),
            "decidable": claim.status in claim_services.DECIDABLE,
            "can_reject": claim.status
            in (*claim_services.DECIDABLE, ExpenseClaim.Status.NEEDS_INFO),
            "needs_two": claim_services.needs_second_approval(claim),
            "own_first": claim.first_approved_by_id == user.pk,
            "own_claim": claim.member.user_id == user.pk,
        },
        status=status,
    )


@login_required
@access.personal_data_view
def claim_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, user, claim = _organiser_claim(request, slug, pk)
    return _claim_page(request, assembly, user, claim)


def _queue_url(assembly: Assembly) -> str:
    return reverse("participants:claims_queue", kwargs={"slug": assembly.slug})


def _detail_url(assembly: Assembly, claim: ExpenseClaim) -> str:
    return reverse("participants:claim_detail", kwargs={"slug": assembly.slug, "pk": claim.pk})


@login_required
@require_POST
def claim_approve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, user, claim = _organiser_claim(request, slug, pk)
    try:
        claim = claim_services.claim_approve(claim=claim, actor=user)
    except claim_services.ClaimRefused as refused:
        messages.error(request, refused.message)
        return redirect(_detail_url(assembly, claim))
    if claim.status == ExpenseClaim.Status.FIRST_APPROVAL:
        messages.success(
            request,
            _(
                "Eerste goedkeuring gegeven. Een andere organisator moet deze declaratie ook "
                "goedkeuren."
            ),
        )
    elif claim.member.takes_part_on_paper:
        messages.success(
            request,
            _(
                "De declaratie is goedgekeurd. Deze deelnemer heeft geen e-mailadres: laat het "
                "per post of telefoon weten."
            ),
        )
    else:
        messages.success(request, _("De declaratie is goedgekeurd. De deelnemer krijgt bericht."))
    return redirect(_queue_url(assembly))


@login_required
@require_POST
def claim_reject(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, user, claim = _organiser_claim(request, slug, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, assembly, user, claim, reason_form=form)
    try:
        claim_services.claim_reject(claim=claim, actor=user, reason=form.cleaned_data["reason"])
    except claim_services.ClaimRefused as refused:
        messages.error(request, refused.message)
        return redirect(_detail_url(assembly, claim))
    messages.success(request, _("De declaratie is afgewezen. De deelnemer krijgt bericht."))
    return redirect(_queue_url(assembly))


@login_required
@require_POST
def claim_ask(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, user, claim = _organiser_claim(request, slug, pk)
    form = AskForm(request.POST)
    if not form.is_valid():
        return _claim_page(request, assembly, user, claim, ask_form=form)
    try:
        claim_services.claim_ask(claim=claim, actor=user, message=form.cleaned_data["message"])
    except claim_services.ClaimRefused as refused:
        messages.error(request, refused.message)
        return redirect(_detail_url(assembly, claim))
    messages.success(
        request, _("Uw vraag is naar de deelnemer gestuurd. De declaratie wacht op antwoord.")
    )
    return redirect(_queue_url(assembly))
