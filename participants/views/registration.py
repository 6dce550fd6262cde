"""The citizen's registration, reached with the personal code from the letter.

Each step is its own short page. Progress lives in the session (the POSTed
values of every step); nothing is written until the check page is confirmed,
then one service call writes the registration in one transaction. The private
link in the e-mails (a signed registration id) opens the page to change or
withdraw.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assembly import access
from assembly.client_address import client_ip
from assembly.models import Assembly
from participants import selectors_registration as selectors
from participants.codes import LENGTH as CODE_LENGTH
from participants.codes import (
    code_display,
    code_is_old_shaped,
    code_normalise,
    code_passes_check,
)
from participants.forms_registration import (
    AboutForm,
    AccessibleForm,
    AttitudeQuestionForm,
    CodeForm,
    ConsentForm,
    ContactForm,
    NeedsForm,
    OpinionForm,
    WeekendsForm,
)
from participants.models import AttitudeQuestion, Invitation, Registration
from participants.selectors_lottery import in_published_lottery
from participants.services import registration as services

logger = logging.getLogger(__name__)

ABANDONED_AFTER_SECONDS = 2 * 3600

STATE = "registration"
USED = "registration_used"
DECLINE = "registration_decline"
DONE = "registration_done"
TEMPLATES = "participants/registration/"


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    changeable: bool = True


STEPS = (
    Step("toestemming", gettext_lazy("Uitleg en toestemming"), changeable=False),
    Step("gegevens", gettext_lazy("Uw contactgegevens")),
    Step("over-u", gettext_lazy("Over u")),
    Step("mening", gettext_lazy("Uw mening")),
    Step("weekenden", gettext_lazy("De weekenden")),
    Step("hulp", gettext_lazy("Wat hebt u nodig?")),
)


def _steps(*, has_questions: bool, has_weekends: bool) -> list[Step]:
    return [
        step
        for step in STEPS
        if (step.key != "mening" or has_questions) and (step.key != "weekenden" or has_weekends)
    ]


def steps_for(assembly: Assembly) -> list[Step]:
    return _steps(
        has_questions=selectors.attitude_question_list(assembly=assembly).exists(),
        has_weekends=selectors.weekend_list(assembly=assembly).exists(),
    )


def _steps_of(sign_up: selectors.SignUp) -> list[Step]:
    return _steps(has_questions=sign_up.has_questions, has_weekends=sign_up.has_weekends)


def step_form(
    key: str,
    assembly: Assembly,
    data: QueryDict | None = None,
    initial: dict[str, Any] | None = None,
) -> AccessibleForm:
    if key == "toestemming":
        return ConsentForm(data, initial=initial)
    if key == "gegevens":
        return ContactForm(data, initial=initial)
    if key == "over-u":
        return AboutForm(data, initial=initial, assembly=assembly)
    if key == "mening":
        questions = list(selectors.attitude_question_list(assembly=assembly))
        return OpinionForm(data, initial=initial, questions=questions)
    if key == "weekenden":
        weekends = selectors.weekend_list(assembly=assembly)
        return WeekendsForm(data, initial=initial, weekends=weekends)
    if key == "hulp":
        return NeedsForm(data, initial=initial)
    raise Http404


def step_answers(key: str, form: AccessibleForm) -> dict[str, Any]:
    """A valid step form's contribution, in the shape of the Registration's fields."""
    if isinstance(form, OpinionForm):
        return {"attitude_answers": form.answers()}
    if isinstance(form, WeekendsForm):
        return {"weekend_ids": form.weekend_ids()}
    if isinstance(form, ConsentForm):
        return {}
    return dict(form.cleaned_data)


def _query_dict(stored: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in stored.items():
        data.setlist(name, values)
    return data


def _state(request: HttpRequest) -> tuple[dict[str, Any], selectors.SignUp] | None:
    state = request.session.get(STATE)
    if not isinstance(state, dict):
        return None
    invitation_id = state.get("invitation_id")
    if not isinstance(invitation_id, int):
        return None
    sign_up = selectors.sign_up_by_id(invitation_id=invitation_id)
    if sign_up is None:
        return None
    return state, sign_up


def _render_used(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    request.session[USED] = invitation.pk
    request.session.pop(STATE, None)
    return render(
        request,
        TEMPLATES + "used.html",
        {
            "assembly": invitation.assembly,
            "withdrawn": selectors.registration_withdrawn(invitation_id=invitation.pk),
            "without_email": selectors.registration_without_email(invitation_id=invitation.pk),
        },
    )


def _render_closed(request: HttpRequest, assembly: Assembly) -> HttpResponse:
    return render(request, TEMPLATES + "closed.html", {"assembly": assembly})


def _render_locked(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "locked.html", status=429)


def _no_answers(request: HttpRequest) -> HttpResponse:
    """A step or the check page without answers in the session: the person
    finished already and pressed the back button, or the session ended (two
    idle hours) and took the answers with it."""
    if isinstance(request.session.get(DONE), int):
        # Not the empty code page: entering the code again would say that
        # someone already registered with it.
        return redirect("participants:register_done")
    messages.info(
        request,
        _(
            "Vul eerst uw code in. Was u al bezig? Dan zijn uw antwoorden gewist, omdat u "
            "twee uur niets hebt gedaan. Zo beschermen wij uw gegevens."
        ),
    )
    return redirect("participants:register_start")


def _finish(request: HttpRequest, registration_id: int) -> HttpResponse:
    request.session.pop(STATE, None)
    request.session[DONE] = registration_id
    return redirect("participants:register_done")


# --- the public flow ---------------------------------------------------------


def _typing_error(code: str) -> str:
    if not code:  # only spaces or hyphens
        return _("Vul de code uit uw brief in.")
    if len(code) != CODE_LENGTH:
        return _("De code heeft %(length)s tekens. U hebt er %(typed)s ingevuld.") % {
            "length": CODE_LENGTH,
            "typed": len(code),
        }
    return _("Deze code klopt niet. Waarschijnlijk is er een letter of cijfer verkeerd getypt.")


def _code_as_printed(from_link: str) -> str:
    """The code from the letter's QR link as the letter prints it (ABCD-EFGH-JKL),
    so the person sees the same groups; anything else as it came."""
    code = code_normalise(from_link)
    return code_display(code) if code_passes_check(code) else from_link


def register_start(request: HttpRequest) -> HttpResponse:
    ip = client_ip(request)
    if request.method != "POST":
        form = CodeForm(initial={"code": _code_as_printed(request.GET.get("code", "")[:40])})
        return render(request, TEMPLATES + "start.html", {"form": form})
    form = CodeForm(request.POST)
    if services.code_entry_is_locked(ip=ip):
        return _render_locked(request)
    if not form.is_valid():
        return render(request, TEMPLATES + "start.html", {"form": form})
    code = code_normalise(form.cleaned_data["code"])
    # An old draw's codes (participants/codes.py) work in every phase: a
    # registered person still asks for their private link with one.
    passes, old_shaped = code_passes_check(code), code_is_old_shaped(code)
    found = selectors.invitation_by_code(code=code) if passes or old_shaped else None
    if found is None and not (passes or (old_shaped and selectors.old_codes_take_sign_ups())):
        # No invitation has such a code, nor could have one that takes
        # sign-ups: a typing error. It tells a guesser nothing, so it counts
        # only towards the far higher limit of typing errors, not against
        # the address that a whole mobile network or library may share.
        services.code_entry_record_typing_error(ip=ip)
        if services.code_entry_is_locked(ip=ip):
            return _render_locked(request)
        form.add_error("code", _typing_error(code))
        return render(request, TEMPLATES + "start.html", {"form": form, "typo": True})
    services.code_entry_record(ip=ip, code=code, wrong=found is None)
    if services.code_entry_is_locked(ip=ip, code=code):
        return _render_locked(request)
    if found is None:
        form.add_error(
            "code", _("Deze code kennen wij niet. Kijk of u de code goed hebt overgenomen.")
        )
        return render(request, TEMPLATES + "start.html", {"form": form, "unknown": True})
    invitation, used = found.invitation, found.used
    if used:
        return _render_used(request, invitation)
    if request.POST.get("action") == "decline":
        request.session[DECLINE] = invitation.pk
        return redirect("participants:register_decline")
    if not services.registration_is_open(
        assembly=invitation.assembly, published=found.lottery_published
    ):
        return _render_closed(request, invitation.assembly)
    state = request.session.get(STATE)
    if not isinstance(state, dict) or state.get("invitation_id") != invitation.pk:
        if request.session.session_key:
            # A new key for an existing session: no one can plant a session id
            # and then see the answers typed into it.
            request.session.cycle_key()
        request.session[STATE] = {"invitation_id": invitation.pk, "steps": {}}
        # Half-finished answers (opinions included) are not kept for long: the
        # session ends after two idle hours, and a daily task deletes it.
        request.session.set_expiry(ABANDONED_AFTER_SECONDS)
    logger.info("registration started invitation=%s", invitation.pk)
    return redirect("participants:register_step", step=STEPS[0].key)


# Steps whose form is the same for every assembly: empty, it can come from
# the cache of rendered fragments (see step.html).
FIXED_FORM_STEPS = frozenset({"toestemming", "gegevens", "hulp"})


def _fixed_fields(key: str, form: AccessibleForm) -> str:
    """The step's key when its empty form may come from the fragment cache."""
    fixed = key in FIXED_FORM_STEPS and not form.is_bound and not form.initial
    return key if fixed else ""


def _page(steps: list[Step], key: str) -> dict[str, Any]:
    keys = [step.key for step in steps]
    number = keys.index(key) + 1 if key in keys else len(steps) + 1
    return {"number": number, "total": len(steps) + 1}


def register_step(request: HttpRequest, step: str) -> HttpResponse:
    found = _state(request)
    if found is None:
        return _no_answers(request)
    state, sign_up = found
    assembly = sign_up.invitation.assembly
    steps = _steps_of(sign_up)
    keys = [s.key for s in steps]
    if step not in keys:
        raise Http404
    stored: dict[str, dict[str, list[str]]] = state["steps"]
    for earlier in keys[: keys.index(step)]:
        if earlier not in stored:
            return redirect("participants:register_step", step=earlier)
    back_to_check = request.GET.get("terug") == "controleren" or request.POST.get("terug") == (
        "controleren"
    )
    if request.method == "POST":
        form = step_form(step, assembly, data=request.POST)
        if form.is_valid():
            stored[step] = {
                name: request.POST.getlist(name) for name in form.fields if name in request.POST
            }
            if step == "toestemming":
                state["consent_version"] = services.CONSENT_VERSION
            request.session.modified = True
            position = keys.index(step)
            if back_to_check or position + 1 == len(keys):
                return redirect("participants:register_check")
            return redirect("participants:register_step", step=keys[position + 1])
    else:
        form = step_form(step, assembly, data=_query_dict(stored[step]) if step in stored else None)
    current = steps[keys.index(step)]
    previous = keys[keys.index(step) - 1] if keys.index(step) > 0 else None
    return render(
        request,
        TEMPLATES + "step.html",
        {
            "assembly": assembly,
            "step": current,
            "form": form,
            "page": _page(steps, step),
            "previous": previous,
            "back_to_check": back_to_check,
            "consent_version": services.CONSENT_VERSION,
            "question_count": len(form.fields) if step == "mening" else 0,
            "fixed_fields": _fixed_fields(step, form),
        },
    )


def _collect(
    state: dict[str, Any], assembly: Assembly, steps: list[Step]
) -> tuple[dict[str, Any], str | None]:
    """All answers from the session, validated again; or the first step that is not valid."""
    answers: dict[str, Any] = {"weekend_ids": [], "attitude_answers": {}}
    for step in steps:
        stored = state["steps"].get(step.key)
        if stored is None:
            return answers, step.key
        form = step_form(step.key, assembly, data=_query_dict(stored))
        if not form.is_valid():
            return answers, step.key
        answers.update(step_answers(step.key, form))
    return answers, None


def _summary(
    assembly: Assembly, answers: dict[str, Any], steps: list[Step]
) -> list[dict[str, Any]]:
    """Sections of label/value rows for the check page and the private page."""
    weekends = {w.pk: w for w in selectors.weekend_list(assembly=assembly)}
    about = AboutForm(assembly=assembly)
    contact = ContactForm()
    needs = NeedsForm()

    def choice(form: AccessibleForm, name: str) -> str:
        field = form.fields[name]
        labels = dict(getattr(field, "choices", []))
        return str(labels.get(answers.get(name), "—"))

    birth = answers.get("birth_date")
    needs_rows = [
        str(needs.fields[name].label)
        for name in ("needs_mobility", "needs_childcare", "needs_language_help")
        if answers.get(name)
    ]
    sections: dict[str, list[tuple[str, str]]] = {
        "gegevens": [
            (str(contact.fields["full_name"].label), answers.get("full_name", "")),
            (str(contact.fields["email"].label), answers.get("email", "")),
            (_("Uw telefoonnummer"), answers.get("phone") or "—"),
        ],
        "over-u": [
            (
                str(about.fields["birth_date"].label),
                formats.date_format(birth, "j F Y") if birth else "—",
            ),
            *[
                (str(about.fields[name].label), choice(about, name))
                for name in (
                    "gender",
                    "education",
                    "province",
                    "urbanisation",
                    "migration_background",
                )
            ],
        ],
        "mening": [
            (
                question.shown_text(),
                question.shown_answer(answers.get("attitude_answers", {}).get(question.key, "—")),
            )
            for question in selectors.attitude_question_list(assembly=assembly)
        ],
        "weekenden": [
            (str(weekends[pk]), _("Ik kan"))
            for pk in sorted(answers.get("weekend_ids", []), key=lambda pk: weekends[pk].starts_on)
            if pk in weekends
        ]
        or [(_("Weekenden"), _("Ik kan op geen enkel weekend"))],
        "hulp": [
            *[(_("Hulp"), row) for row in needs_rows],
            (_("Eten"), answers.get("diet") or "—"),
            (_("Iets anders"), answers.get("needs_other") or "—"),
        ],
    }
    return [
        {"step": step, "rows": sections[step.key]}
        for step in steps
        if step.key in sections
    ]


def register_check(request: HttpRequest) -> HttpResponse:
    found = _state(request)
    if found is None:
        return _no_answers(request)
    state, sign_up = found
    invitation = sign_up.invitation
    assembly = invitation.assembly
    steps = _steps_of(sign_up)
    answers, missing = _collect(state, assembly, steps)
    if missing is not None:
        return redirect("participants:register_step", step=missing)
    if request.method == "POST":
        weekend_ids = answers.pop("weekend_ids")
        try:
            registration = services.registration_create(
                invitation_id=invitation.pk,
                consent_version=str(state.get("consent_version", services.CONSENT_VERSION)),
                language=request.LANGUAGE_CODE,
                answers=answers,
                weekend_ids=weekend_ids,
            )
        except services.RegistrationRefused as refused:
            if refused.reason == refused.CLOSED:
                return _render_closed(request, assembly)
            # A double click: the second press read the session before the
            # first one wrote these very answers. Not "someone used your code".
            earlier = selectors.registration_made_with(
                invitation_id=invitation.pk, email=answers["email"]
            )
            if earlier is not None and _same_answers(
                earlier, {**answers, "weekend_ids": weekend_ids}
            ):
                return _finish(request, earlier.pk)
            return _render_used(request, invitation)
        return _finish(request, registration.pk)
    return render(
        request,
        TEMPLATES + "check.html",
        {
            "assembly": assembly,
            "sections": _summary(assembly, answers, steps),
            "page": _page(steps, "controleren"),
            "previous": steps[-1].key,
            # Allowed (someone may not know yet), but the weekends are what
            # taking part is: a forgotten tick would keep them off the panel.
            "no_weekends": any(step.key == "weekenden" for step in steps)
            and not answers.get("weekend_ids"),
        },
    )


def register_done(request: HttpRequest) -> HttpResponse:
    registration_id = request.session.get(DONE)
    registration = (
        selectors.registration_for_manage(registration_id=registration_id)
        if isinstance(registration_id, int)
        else None
    )
    if registration is None:
        return redirect("participants:register_start")
    return render(
        request,
        TEMPLATES + "done.html",
        {"assembly": registration.assembly, "email": registration.email},
    )


def register_decline(request: HttpRequest) -> HttpResponse:
    invitation_id = request.session.get(DECLINE)
    invitation = (
        Invitation.objects.select_related("assembly").filter(pk=invitation_id).first()
        if isinstance(invitation_id, int)
        else None
    )
    if invitation is None:
        return redirect("participants:register_start")
    if request.method == "POST":
        try:
            services.invitation_decline(invitation_id=invitation.pk)
        except services.RegistrationRefused:
            return _render_used(request, invitation)
        request.session.pop(DECLINE, None)
        return render(request, TEMPLATES + "declined.html", {"assembly": invitation.assembly})
    return render(
        request,
        TEMPLATES + "decline.html",
        {"assembly": invitation.assembly, "code": code_display(invitation.code)},
    )


@require_POST
def register_send_link(request: HttpRequest) -> HttpResponse:
    invitation_id = request.session.get(USED)
    if not isinstance(invitation_id, int):
        return redirect("participants:register_start")
    services.registration_send_manage_link(invitation_id=invitation_id)
    return render(request, TEMPLATES + "link_sent.html")


# --- the private page: change until the deadline, withdraw at any time ----------


def _registration_for_token(token: str) -> Registration | None:
    registration_id = services.registration_id_from_token(token)
    if registration_id is None:
        return None
    return selectors.registration_for_manage(registration_id=registration_id)


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "invalid_link.html", status=404)


def _answers_of(registration: Registration) -> dict[str, Any]:
    answers = {name: getattr(registration, name) for name in services.CHANGEABLE_FIELDS}
    answers["weekend_ids"] = [w.pk for w in registration.available_weekends.all()]
    return answers


def _same_answers(registration: Registration, answers: dict[str, Any]) -> bool:
    stored = _answers_of(registration)
    return all(
        sorted(value) == sorted(answers.get(name, []))
        if name == "weekend_ids"
        else value == answers.get(name)
        for name, value in stored.items()
    )


def _can_change(registration: Registration) -> bool:
    return registration.status == Registration.Status.ACTIVE and services.registration_is_open(
        assembly=registration.assembly
    )


def register_manage(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_for_token(token)
    if registration is None:
        return _invalid_link(request)
    return render(
        request,
        TEMPLATES + "manage.html",
        {
            "assembly": registration.assembly,
            "registration": registration,
            "token": token,
            "withdrawn": registration.status == Registration.Status.WITHDRAWN,
            "can_change": _can_change(registration),
            "sections": _summary(
                registration.assembly,
                _answers_of(registration),
                steps_for(registration.assembly),
            ),
        },
    )


def register_manage_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    registration = _registration_for_token(token)
    if registration is None:
        return _invalid_link(request)
    assembly = registration.assembly
    steps = [s for s in steps_for(assembly) if s.changeable]
    if step not in [s.key for s in steps]:
        raise Http404
    if not _can_change(registration):
        messages.info(request, _("U kunt uw antwoorden niet meer wijzigen."))
        return redirect("participants:register_manage", token=token)
    answers = _answers_of(registration)
    initial: dict[str, Any] = dict(answers)
    initial.update(OpinionForm.initial_from(answers["attitude_answers"]))
    initial["weekends"] = answers["weekend_ids"]
    form = step_form(
        step, assembly, data=request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        changed = step_answers(step, form)
        weekend_ids = changed.pop("weekend_ids", None)
        try:
            services.registration_update(
                registration_id=registration.pk, fields=changed, weekend_ids=weekend_ids
            )
        except services.RegistrationRefused:
            messages.info(request, _("U kunt uw antwoorden niet meer wijzigen."))
        else:
            messages.success(request, _("Uw antwoorden zijn bewaard."))
        return redirect("participants:register_manage", token=token)
    return render(
        request,
        TEMPLATES + "step.html",
        {
            "assembly": assembly,
            "step": next(s for s in steps if s.key == step),
            "form": form,
            "manage_token": token,
            "question_count": len(form.fields) if step == "mening" else 0,
        },
    )


def register_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_for_token(token)
    if registration is None:
        return _invalid_link(request)
    if request.method == "POST":
        services.registration_withdraw(registration_id=registration.pk)
        messages.success(
            request, _("U bent afgemeld. Wij hebben uw mening en wat u nodig hebt gewist.")
        )
        return redirect("participants:register_manage", token=token)
    withdrawn = registration.status == Registration.Status.WITHDRAWN
    return render(
        request,
        TEMPLATES + "withdraw.html",
        {
            "assembly": registration.assembly,
            "token": token,
            "withdrawn": withdrawn,
            # A committed run keeps the answers in its pool: the page must say so.
            "lottery_published": not withdrawn
            and in_published_lottery(
                assembly_id=registration.assembly_id, registration_id=registration.pk
            ),
        },
    )


# --- the organiser's page: counts only, and the attitude questions ----------------


@login_required
def registration_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "counts": selectors.registration_counts_for(assembly=assembly),
            "questions": selectors.attitude_question_list(assembly=assembly),
            "is_open": services.registration_is_open(assembly=assembly),
        },
    )


def _question_form(
    request: HttpRequest, assembly: Assembly, question: AttitudeQuestion
) -> HttpResponse:
    form = AttitudeQuestionForm(request.POST or None, instance=question, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        services.attitude_question_save(
            assembly=assembly,
            question=question,
            fields={name: form.cleaned_data[name] for name in AttitudeQuestionForm.Meta.fields},
        )
        messages.success(request, _("De vraag is bewaard."))
        return redirect("participants:registration_overview", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "question_form.html",
        {"assembly": assembly, "form": form, "question": question},
    )


@login_required
def attitude_question_create(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    return _question_form(request, assembly, AttitudeQuestion(assembly=assembly))


@login_required
def attitude_question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    question = get_object_or_404(AttitudeQuestion, pk=pk, assembly=assembly)
    return _question_form(request, assembly, question)
