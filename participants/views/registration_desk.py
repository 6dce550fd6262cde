"""Signing someone up for them: the secretariat on the phone (or at a help desk)
with a person who cannot or will not use the website.

The same questions as the website, in the same words: the organiser reads them
out, so answers by phone mean what answers online mean. The explanation about
the data is read out too, and the organiser confirms the person's consent. An
e-mail address is asked only if the person has one; without it, the
confirmation is given on the phone and later news comes by letter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assembly import access
from assembly.access import get_assembly_for_organiser
from assembly.models import Assembly
from participants.forms_registration import AboutForm, AccessibleForm, ContactForm
from participants.models import Invitation, Registration
from participants.services import registration as services
from participants.views.registration import step_answers, step_form, steps_for

# The tick that a birth date unlike the register's was asked again.
BIRTH_DATE_CHECKED = "birth_date_checked"


class OnBehalfContactForm(ContactForm):
    """Contact details given on the phone: an e-mail address only if there is one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].label = gettext_lazy(
            "E-mailadres (alleen als de persoon er een heeft)"
        )
        self.fields["email"].help_text = gettext_lazy(
            "Daarheen gaat de bevestiging. Zonder e-mailadres gaat later nieuws per post."
        )
        self.fields["phone"].label = gettext_lazy("Telefoonnummer")
        self.fields["phone"].help_text = gettext_lazy(
            "Nodig als er geen e-mailadres is: dan bellen wij als dat nodig is."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("email") and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone",
                _(
                    "Vul een telefoonnummer in. Zonder e-mailadres is dat de enige manier om "
                    "deze persoon te bereiken."
                ),
            )
        return cleaned


class OnBehalfAboutForm(AboutForm):
    """The same questions about the person, with one check the website cannot
    make: the birth date the caller gives against the one in the register
    extract. A different date is a slip of the tongue or the keyboard, or
    someone else of the household on the phone: the organiser asks again,
    and a date that still differs needs a tick. The page never shows the
    register's date: the caller must say it, not hear it."""

    def __init__(self, *args: Any, register_birth_date: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_birth_date = register_birth_date
        if self._typed_date_differs():
            # Only after the warning: a tick always on the page gets ticked by habit.
            self.fields[BIRTH_DATE_CHECKED] = forms.BooleanField(
                label=gettext_lazy(
                    "Ik heb de geboortedatum nog een keer gevraagd. De persoon noemde deze datum."
                ),
                required=False,
            )
            self.order_fields(["birth_date", BIRTH_DATE_CHECKED])

    def _typed_date_differs(self) -> bool:
        if not self.is_bound:
            return False
        try:
            typed = self.fields["birth_date"].to_python(
                self.data.get(self.add_prefix("birth_date"))
            )
        except forms.ValidationError:
            return False
        return typed is not None and typed != self.register_birth_date

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        born = cleaned.get("birth_date")
        if born and born != self.register_birth_date and not cleaned.get(BIRTH_DATE_CHECKED):
            self.add_error(
                "birth_date",
                _(
                    "Deze geboortedatum is anders dan in het uittreksel BRP. Vraag de "
                    "geboortedatum nog een keer. Noem zelf geen datum. Spreekt u misschien "
                    "met iemand anders uit het huis? Meld alleen de persoon van de brief "
                    "aan. Klopt de datum toch? Zet dan het vinkje onder de geboortedatum."
                ),
            )
        return cleaned


class ConsentReadForm(AccessibleForm):
    consent_read = forms.BooleanField(
        label=gettext_lazy(
            "Ik heb de uitleg hierboven voorgelezen. Deze persoon geeft toestemming om de "
            "gegevens en de mening te bewaren en te gebruiken voor de loting."
        ),
        error_messages={
            "required": gettext_lazy(
                "Zet een vinkje als de persoon toestemming geeft. Zonder toestemming geen "
                "aanmelding."
            )
        },
    )
    language = forms.ChoiceField(
        label=gettext_lazy("In welke taal wil deze persoon e-mails krijgen?"),
        help_text=gettext_lazy("Alleen als er een e-mailadres is. Brieven zijn in het Nederlands."),
        choices=[("nl", gettext_lazy("Nederlands")), ("en", gettext_lazy("Engels"))],
        initial="nl",
        widget=forms.RadioSelect,
    )


def _invitation(request: HttpRequest, slug: str, pk: int) -> Invitation:
    assembly = get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    return get_object_or_404(
        Invitation.objects.select_related("resident", "assembly"),
        pk=pk,
        assembly=assembly,
        resident__isnull=False,
    )


@login_required
@access.personal_data_view
def registration_on_behalf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _invitation(request, slug, pk)
    assembly = invitation.assembly
    reason = _why_not(invitation, assembly)
    if reason:
        return _not_now(request, invitation, reason)
    data = request.POST if request.method == "POST" else None
    keys = [step.key for step in steps_for(assembly) if step.key not in ("toestemming", "gegevens")]
    contact = OnBehalfContactForm(data)
    steps = [(key, _step_form(key, invitation, data)) for key in keys]
    consent = ConsentReadForm(data)
    all_forms: list[AccessibleForm] = [contact, *(form for _key, form in steps), consent]
    if request.method == "POST" and all([form.is_valid() for form in all_forms]):
        answers: dict[str, Any] = dict(contact.cleaned_data)
        for key, form in steps:
            answers.update(step_answers(key, form))
        answers.pop(BIRTH_DATE_CHECKED, None)
        weekend_ids = answers.pop("weekend_ids", [])
        try:
            services.registration_create(
                invitation_id=invitation.pk,
                consent_version=services.CONSENT_VERSION,
                answers=answers,
                weekend_ids=weekend_ids,
                language=consent.cleaned_data["language"],
                made_by=access.request_user(request),
            )
        except services.RegistrationRefused:
            # Signed up meanwhile (online, or by a colleague), or just closed.
            invitation.refresh_from_db()
            return _not_now(
                request,
                invitation,
                _why_not(invitation, assembly) or _("Met deze uitnodiging is al iemand aangemeld."),
            )
        messages.success(
            request,
            _("De aanmelding is bewaard. Er gaat een bevestiging naar het e-mailadres.")
            if answers.get("email")
            else _("De aanmelding is bewaard. Zeg aan de telefoon dat het gelukt is."),
        )
        return redirect("participants:invitation_lookup", slug=assembly.slug)
    errors = [form for form in all_forms if form.errors]
    return render(
        request,
        "participants/invitations/on_behalf.html",
        {
            "assembly": assembly,
            "invitation": invitation,
            "contact_form": contact,
            "step_forms": [form for _key, form in steps],
            "consent_form": consent,
            "consent_version": services.CONSENT_VERSION,
            "forms_with_errors": errors,
            # base.html starts the title with "Fout:" when `form` has errors.
            "form": errors[0] if errors else None,
        },
        status=400 if errors else 200,
    )


def _step_form(key: str, invitation: Invitation, data: Any) -> AccessibleForm:
    if key == "over-u":
        assert invitation.resident is not None  # _invitation finds only those with one
        return OnBehalfAboutForm(
            data,
            assembly=invitation.assembly,
            register_birth_date=invitation.resident.birth_date,
        )
    return step_form(key, invitation.assembly, data=data)


def _why_not(invitation: Invitation, assembly: Assembly) -> str:
    """Why this invitation cannot be signed up now; empty when it can."""
    if invitation.status == Invitation.Status.REGISTERED:
        return _("Met deze uitnodiging is al iemand aangemeld.")
    if invitation.status == Invitation.Status.DECLINED:
        return _("Deze persoon heeft laten weten niet mee te doen.")
    if not services.registration_is_open(assembly=assembly):
        return _("De aanmelding is gesloten.")
    return ""


def _not_now(request: HttpRequest, invitation: Invitation, reason: str) -> HttpResponse:
    return render(
        request,
        "participants/invitations/on_behalf_closed.html",
        {"assembly": invitation.assembly, "invitation": invitation, "reason": reason},
        status=409,
    )


@login_required
@access.personal_data_view
def registration_withdraw_on_behalf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Someone who signed up asks, on the phone or by letter, to stop."""
    invitation = _invitation(request, slug, pk)
    registration = Registration.objects.filter(
        invitation=invitation, status=Registration.Status.ACTIVE
    ).first()
    if registration is None:
        return _not_now(request, invitation, _("Met deze uitnodiging is niemand aangemeld."))
    if request.method == "POST":
        services.registration_withdraw(
            registration_id=registration.pk, made_by=access.request_user(request)
        )
        messages.success(
            request, _("Deze persoon is afgemeld. De mening en de wensen zijn gewist.")
        )
        return redirect("participants:invitation_lookup", slug=invitation.assembly.slug)
    return render(
        request,
        "participants/invitations/withdraw_on_behalf.html",
        {"assembly": invitation.assembly, "invitation": invitation, "registration": registration},
    )
