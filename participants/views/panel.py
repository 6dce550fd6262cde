"""After the draw: the member list, notifications, drop-outs and replacements,
the member's own answer page (a signed link), and the purge of the pool.

Organisers see everything on the member list; the chair sees names and
statuses only (no contact details, no quota values). A member reaches only
their own page, through the link in their e-mail or letter.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import PDF, private_download
from assembly.models import Assembly, RoleKind
from assembly.selectors import role_kinds_for
from participants.forms_registration import AccessibleForm
from participants.forms_selection import DrawForm
from participants.models import ERASED_EMAIL_PREFIX, PanelMember, Registration, Replacement
from participants.selectors_lottery import assembly_current_draw
from participants.selectors_post import programme_post_status
from participants.selectors_selection import quota_labels
from participants.services import panel as services
from participants.services.programme_post import ProgrammePostRefused, programme_letters_pdf
from participants.services.purge import PurgeRefused, pool_purge, pool_purge_plan
from participants.services.selection import OPEN_REPLACEMENT
from sessions.selectors import weekend_get

logger = logging.getLogger(__name__)

TEMPLATES = "participants/panel/"


class NotifyForm(forms.Form):
    response_days = forms.IntegerField(
        label=gettext_lazy("Hoeveel dagen hebben de deelnemers om te antwoorden?"),
        min_value=1,
        max_value=60,
        initial=services.DEFAULT_RESPONSE_DAYS,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Waarom stopt deze persoon?"),
        help_text=gettext_lazy(
            "Schrijf niets op over gezondheid of andere gevoelige zaken. Kort is genoeg, "
            "bijvoorbeeld: verhuisd, geen tijd, persoonlijke redenen."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(AccessibleForm):
    answer = forms.ChoiceField(
        label=gettext_lazy("Wat is het antwoord?"),
        choices=[
            ("yes", gettext_lazy("Ja, doet mee")),
            ("no", gettext_lazy("Nee, doet niet mee")),
        ],
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Hoe kreeg u het antwoord?"),
        choices=services.AnswerChannel.choices,
        widget=forms.RadioSelect,
    )
    # A "no" gives the seat away for good: one wrong click must not do that.
    sure = forms.BooleanField(
        label=gettext_lazy(
            "Bij nee: ik weet het zeker. De plaats gaat naar een reserve. Dat kan niet terug."
        ),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("answer") == "no" and not cleaned.get("sure"):
            self.add_error(
                "sure",
                _("Vink aan dat u het zeker weet. Een nee kunt u later niet terugdraaien."),
            )
        return cleaned


class EmailAddForm(AccessibleForm):
    """An address read out on the phone: typed twice, as a slip would send the
    login e-mail to a stranger."""

    email = forms.EmailField(
        label=gettext_lazy("E-mailadres"),
        max_length=Registration._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    email_again = forms.EmailField(
        label=gettext_lazy("Hetzelfde e-mailadres nog een keer"),
        help_text=gettext_lazy("Lees het adres daarna hardop voor, letter voor letter."),
        max_length=Registration._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, again = cleaned.get("email"), cleaned.get("email_again")
        if first and again and first.strip().lower() != again.strip().lower():
            self.add_error(
                "email_again",
                _("De twee e-mailadressen zijn niet gelijk. Vraag het adres nog een keer."),
            )
        return cleaned


@dataclass(frozen=True)
class _Row:
    member: PanelMember
    values: list[str | Promise]  # quota values, in the order of the categories; organisers only


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)


@login_required
@access.personal_data_view
def panel_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.ORGANISER, RoleKind.CHAIR})
    )
    is_organiser = user.is_superuser or RoleKind.ORGANISER in role_kinds_for(
        user=user, assembly=assembly
    )
    members = list(services.panel_members(assembly=assembly))
    features = services.features_by_registration(assembly=assembly) if is_organiser else {}
    keys: list[str] = []
    for values in features.values():
        keys = list(values)
        break
    labels = quota_labels(assembly=assembly)
    rows = [
        _Row(
            member,
            [labels.value(c, features.get(member.registration_id, {}).get(c, "")) for c in keys],
        )
        for member in members
    ]
    open_replacements = Replacement.objects.filter(assembly=assembly, status__in=OPEN_REPLACEMENT)
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "assembly": assembly,
            "is_organiser": is_organiser,
            "members": [r for r in rows if r.member.kind == PanelMember.Kind.MEMBER],
            "alternates": [r for r in rows if r.member.kind == PanelMember.Kind.ALTERNATE],
            "categories": [labels.category(c) for c in keys],
            "counts": services.status_counts(assembly=assembly),
            "open_seats": services.open_seats(assembly=assembly) if is_organiser else [],
            "replacements": (
                Replacement.objects.filter(assembly=assembly)[:20] if is_organiser else []
            ),
            "open_replacements": open_replacements if is_organiser else [],
            "notify_form": NotifyForm() if is_organiser else None,
            "without_email": (
                services.awaiting_an_answer_without_email(assembly=assembly) if is_organiser else 0
            ),
            "has_draw": assembly_current_draw(assembly=assembly) is not None,
            "letters_wait": (
                services.members_without_deadline(assembly=assembly) if is_organiser else 0
            ),
            **(_programme_by_post(assembly) if is_organiser else {}),
            "only_missing": ONLY_MISSING,
        },
    )


def _programme_by_post(assembly: Assembly) -> dict[str, Any]:
    """Members without an e-mail address get no programme e-mail: the page
    offers their letters per published weekend, and says who lacks the
    programme as it is now."""
    on_paper, weekends = programme_post_status(assembly=assembly, today=timezone.localdate())
    return {"members_on_paper": on_paper, "programme_post": weekends}


@login_required
@require_POST
def panel_notify(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    form = NotifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul een aantal dagen in, van 1 tot en met 60."))
        return redirect("participants:panel_list", slug=assembly.slug)
    try:
        notified = services.panel_notify_start(
            assembly=assembly,
            actor=access.request_user(request),
            response_days=form.cleaned_data["response_days"],
        )
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s e-mail wordt verstuurd. Iedereen krijgt er één.",
                "%(count)s e-mails worden verstuurd. Iedereen krijgt er één.",
                notified.by_email,
            )
            % {"count": notified.by_email},
        )
        _warn_about_letters_by_post(request, assembly)
    return redirect("participants:panel_list", slug=assembly.slug)


@login_required
@access.personal_data_view
def panel_letters(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    try:
        pdf, _pages = services.panel_letters_pdf(assembly=assembly)
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
        return redirect("participants:panel_list", slug=assembly.slug)
    return private_download(pdf, PDF, f"brieven-deelnemers-{assembly.slug}.pdf")


# ?alleen=ontbrekend: letters only for those without the programme as it is now.
ONLY_MISSING = "ontbrekend"


@login_required
@access.personal_data_view
def programme_letters(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The weekend's programme by post, for the members without an e-mail address."""
    assembly = _organiser_assembly(request, slug)
    weekend = weekend_get(assembly=assembly, number=number)
    only_missing = request.GET.get("alleen") == ONLY_MISSING
    try:
        pdf, _letters = programme_letters_pdf(
            weekend=weekend,
            today=timezone.localdate(),
            actor=access.request_user(request),
            only_missing=only_missing,
        )
    except ProgrammePostRefused as refused:
        messages.error(request, str(refused))
        return redirect("participants:panel_list", slug=assembly.slug)
    # The extra letters do not overwrite the first batch in the downloads folder.
    name = f"programma-per-post-{assembly.slug}-weekend-{number}"
    return private_download(pdf, PDF, f"{name}-aanvulling.pdf" if only_missing else f"{name}.pdf")


@login_required
@access.personal_data_view
def panel_member_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    member = get_object_or_404(
        PanelMember.objects.select_related("registration"), pk=pk, assembly=assembly
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_member_withdraw(
                member=member,
                reason=form.cleaned_data["reason"],
                actor=access.request_user(request),
            )
        except services.PanelRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("Deze persoon is gestopt. Vraag nu een vervanging voor de lege plaats."),
            )
        return redirect("participants:panel_list", slug=assembly.slug)
    return render(
        request, TEMPLATES + "withdraw.html", {"assembly": assembly, "member": member, "form": form}
    )


@login_required
@access.personal_data_view
def panel_member_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The organiser notes down the answer of someone who called or wrote back
    instead of using their own page (no internet, no e-mail, or just easier)."""
    assembly = _organiser_assembly(request, slug)
    member = get_object_or_404(
        PanelMember.objects.select_related("registration"),
        pk=pk,
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "yes"
        try:
            services.panel_member_respond(
                member=member,
                accept=accept,
                recorded_by=access.request_user(request),
                channel=form.cleaned_data["channel"],
            )
        except services.PanelRefused:
            # The service's words are for the member ("U hebt al geantwoord").
            messages.error(
                request, _("Deze persoon heeft al geantwoord, of een antwoord is niet meer nodig.")
            )
        else:
            if not accept:
                said = _("Genoteerd: deze persoon doet niet mee. Vraag nu een vervanging.")
            elif member.registration.email:
                said = _("Genoteerd: deze persoon doet mee. Er gaat een e-mail om in te loggen.")
            else:
                said = _(
                    "Genoteerd: deze persoon doet mee. Zonder e-mailadres is er geen account: "
                    "stuur informatie per post en bel als dat nodig is."
                )
            messages.success(request, said)
        return redirect("participants:panel_list", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "answer.html",
        {
            "assembly": assembly,
            "member": member,
            "form": form,
            "can_answer": member.status == PanelMember.Status.SELECTED,
        },
        status=400 if form.errors else 200,
    )


@login_required
@access.personal_data_view
def panel_member_email_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Someone who takes part on paper now has an e-mail address: from then on
    they log in and do things themselves, like everyone else."""
    assembly = _organiser_assembly(request, slug)
    member = get_object_or_404(
        PanelMember.objects.select_related("registration"), pk=pk, assembly=assembly
    )
    can_add = member.may_get_an_email_address
    form = EmailAddForm(request.POST if can_add and request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            member = services.panel_member_email_add(
                member=member,
                email=form.cleaned_data["email"],
                actor=access.request_user(request),
            )
        except services.EmailAddRefused as refused:
            form.add_error("email", str(refused))
        else:
            if member.user_id is not None:
                said = _(
                    "Het e-mailadres is opgeslagen. Deze deelnemer krijgt nu een e-mail om "
                    "in te loggen."
                )
            else:
                said = _("Het e-mailadres is opgeslagen.")
            messages.success(request, said)
            return redirect("participants:panel_list", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "email_add.html",
        {
            "assembly": assembly,
            "member": member,
            "form": form,
            "can_add": can_add,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def replacement_request(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    try:
        replacement = services.replacement_propose(
            assembly=assembly,
            dropped_members=services.open_seats(assembly=assembly),
            actor=access.request_user(request),
        )
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
        return redirect("participants:panel_list", slug=assembly.slug)
    return redirect("participants:replacement_detail", slug=assembly.slug, pk=replacement.pk)


def _replacement(request: HttpRequest, slug: str, pk: int) -> tuple[Assembly, Replacement]:
    assembly = _organiser_assembly(request, slug)
    replacement = get_object_or_404(
        Replacement.objects.select_related("run", "created_by", "decided_by"),
        pk=pk,
        assembly=assembly,
    )
    return assembly, replacement


class DiscardForm(forms.Form):
    """Why a proposal is not used: asked (and published) only for a proposal
    drawn in public."""

    reason = forms.CharField(
        label=gettext_lazy("Waarom gebruikt u dit voorstel niet?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text=gettext_lazy(
            "De reden komt op de openbare pagina van de loting. Noem geen namen."
        ),
    )

    def __init__(self, *args: Any, published: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = published
        self.fields["reason"].error_messages["required"] = _(
            "Schrijf op waarom u dit voorstel niet gebruikt."
        )


@login_required
@access.personal_data_view
def replacement_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, replacement = _replacement(request, slug, pk)
    return _replacement_page(request, assembly, replacement)


def _has_left(registration: Registration | None) -> bool:
    return (
        registration is None
        or registration.status != Registration.Status.ACTIVE
        or registration.email.startswith(ERASED_EMAIL_PREFIX)
    )


def _tickets_public(replacement: Replacement, public_draw: object) -> bool:
    """The replacement's ticket table is on the public page: setting it aside
    needs a reason, which is published too (services.replacement_discard)."""
    return replacement.status == Replacement.Status.DRAW or (
        replacement.status == Replacement.Status.PROPOSED and public_draw is not None
    )


def _replacement_page(
    request: HttpRequest,
    assembly: Assembly,
    replacement: Replacement,
    *,
    draw_form: DrawForm | None = None,
    discard_form: DiscardForm | None = None,
    status: int = 200,
) -> HttpResponse:
    public_draw = services.replacement_public_draw(replacement=replacement)
    proposed_ids = [int(pid) for pid in replacement.proposed]
    people = {
        m.registration_id: m
        for m in PanelMember.objects.filter(registration_id__in=proposed_ids).select_related(
            "registration"
        )
    }
    registrations = Registration.objects.in_bulk(proposed_ids)
    incoming = [
        {
            "registration": registrations.get(pid),
            "member": people.get(pid),
            "id": pid,
            # Withdrew or was erased after the table was published: the
            # proposal cannot be confirmed, and the organiser should see why.
            "left": _has_left(registrations.get(pid))
            or (people.get(pid) is not None and people[pid].status == PanelMember.Status.WITHDRAWN),
        }
        for pid in proposed_ids
    ]
    return render(
        request,
        TEMPLATES + "replacement.html",
        {
            "assembly": assembly,
            "replacement": replacement,
            "dropped": replacement.dropped.select_related("registration").order_by("pk"),
            "incoming": incoming,
            "someone_left": any(person["left"] for person in incoming),
            # Another seat still being filled counts as empty for this one.
            "other_seats_open": replacement.status == Replacement.Status.IMPOSSIBLE
            and Replacement.objects.filter(assembly=assembly, status__in=OPEN_REPLACEMENT)
            .exclude(pk=replacement.pk)
            .exists(),
            "lines": services.replacement_quota_lines(replacement=replacement),
            "pending": replacement.status == Replacement.Status.PENDING,
            "public_draw": public_draw,
            "draw_form": draw_form or DrawForm(),
            "public_tickets": _tickets_public(replacement, public_draw),
            "discard_form": discard_form
            or DiscardForm(published=_tickets_public(replacement, public_draw)),
        },
        status=status,
    )


@login_required
@require_POST
@access.personal_data_view
def replacement_draw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, replacement = _replacement(request, slug, pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            draw = services.replacement_draw(
                replacement=replacement,
                number=form.cleaned_data["number"],
                how_drawn=form.cleaned_data["how_drawn"],
                actor=access.request_user(request),
            )
        except services.PanelRefused as refused:
            # Drawn (or set aside) meanwhile, perhaps by another organiser: the
            # page as it is now, with the draw that stands, and why not.
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("Getrokken: lot %(ticket)s. Kijk of u het voorstel bevestigt.")
                % {"ticket": draw.ticket},
            )
        return redirect("participants:replacement_detail", slug=assembly.slug, pk=replacement.pk)
    return _replacement_page(request, assembly, replacement, draw_form=form, status=400)


@login_required
def replacement_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    _assembly, replacement = _replacement(request, slug, pk)
    run = replacement.run
    done = run.progress if run else 100
    pending = replacement.status == Replacement.Status.PENDING
    label = (
        _("Bezig: %(percent)s%%") % {"percent": done}
        if pending
        else str(replacement.get_status_display())
    )
    return JsonResponse(
        {"done": done, "total": 100, "status": "running" if pending else "done", "label": label}
    )


@login_required
@require_POST
def replacement_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, replacement = _replacement(request, slug, pk)
    try:
        services.replacement_confirm(replacement=replacement, actor=access.request_user(request))
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
        return redirect("participants:replacement_detail", slug=assembly.slug, pk=replacement.pk)
    messages.success(
        request, _("De vervanging is bevestigd. De nieuwe deelnemers krijgen een bericht.")
    )
    _warn_about_letters_by_post(request, assembly)
    return redirect("participants:panel_list", slug=assembly.slug)


def _warn_about_letters_by_post(request: HttpRequest, assembly: Assembly) -> None:
    by_post = services.awaiting_an_answer_without_email(assembly=assembly)
    if by_post:
        messages.warning(
            request,
            ngettext(
                "%(count)s persoon heeft geen e-mailadres. Stuur de brief (PDF) per post.",
                "%(count)s mensen hebben geen e-mailadres. Stuur hun de brief (PDF) per post.",
                by_post,
            )
            % {"count": by_post},
        )


@login_required
@require_POST
@access.personal_data_view
def replacement_discard(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly, replacement = _replacement(request, slug, pk)
    published = _tickets_public(
        replacement, services.replacement_public_draw(replacement=replacement)
    )
    form = DiscardForm(request.POST, published=published)
    if not form.is_valid():
        return _replacement_page(request, assembly, replacement, discard_form=form, status=400)
    try:
        services.replacement_discard(
            replacement=replacement,
            actor=access.request_user(request),
            reason=form.cleaned_data["reason"],
        )
    except services.ReasonRefused as refused:
        form.add_error("reason", str(refused))
        return _replacement_page(request, assembly, replacement, discard_form=form, status=400)
    except services.PanelRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Het voorstel is weggelegd. De plaatsen zijn weer open."))
    return redirect("participants:panel_list", slug=assembly.slug)


# --- the member's own page -------------------------------------------------------


def panel_respond(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    member_id = services.panel_member_id_from_token(token)
    member = (
        PanelMember.objects.select_related("registration", "assembly")
        .filter(pk=member_id, assembly__slug=slug)
        .first()
        if member_id is not None
        else None
    )
    if member is None:
        return render(request, TEMPLATES + "invalid_link.html", status=404)
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer in ("yes", "no"):
            try:
                services.panel_member_respond(member=member, accept=answer == "yes")
            except services.PanelRefused as refused:
                messages.info(request, str(refused))
            else:
                if answer == "yes":
                    messages.success(request, _("Dank u wel. U doet mee."))
                else:
                    messages.success(request, _("Dank u wel voor uw antwoord."))
        return redirect("participants:panel_respond", slug=slug, token=token)
    can_answer = (
        member.kind == PanelMember.Kind.MEMBER and member.status == PanelMember.Status.SELECTED
    )
    return render(
        request,
        TEMPLATES + "respond.html",
        {
            "assembly": member.assembly,
            "member": member,
            "token": token,
            "is_member": member.kind == PanelMember.Kind.MEMBER,
            "can_answer": can_answer,
            "can_leave_list": member.kind == PanelMember.Kind.ALTERNATE
            and member.status == PanelMember.Status.WAITING,
            "confirmed": member.status == PanelMember.Status.CONFIRMED,
        },
    )


# --- the purge ----------------------------------------------------------------------


@login_required
def pool_purge_view(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Zet eerst een vinkje om te bevestigen."))
            return redirect("participants:pool_purge", slug=assembly.slug)
        try:
            purge = pool_purge(assembly=assembly, actor=access.request_user(request))
        except PurgeRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("Gewist: %(registrations)s aanmeldingen en %(residents)s inwoners.")
                % {
                    "registrations": purge.registrations_erased,
                    "residents": purge.residents_erased,
                },
            )
        return redirect("participants:pool_purge", slug=assembly.slug)
    plan = pool_purge_plan(assembly=assembly)
    words = quota_labels(assembly=assembly)
    return render(
        request,
        TEMPLATES + "purge.html",
        {
            "assembly": assembly,
            "plan": plan,
            # (category, value in words, value as stored, count)
            "pool_counts": [
                (words.category(category), words.value(category, value), value, count)
                for category, values in plan.pool_counts.items()
                for value, count in values.items()
            ],
            "purges": assembly.pool_purges.all(),
        },
    )
