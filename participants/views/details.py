"""A member's own contact details ("Mijn adres en telefoonnummer"): phone
number and postal address. The e-mail address is the login: the secretariat
changes it. Members on paper have no login; the secretariat keeps their
details, and their needs, on a page per member (also for anyone who phones
in a change)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from assembly import access
from participants.access_members import get_own_seat
from participants.forms_members import (
    MemberAddressForm,
    MemberPhoneForm,
    OrganiserAddressForm,
    OrganiserNeedsForm,
    OrganiserPhoneForm,
    member_address_initial,
)
from participants.models import ERASED_EMAIL_PREFIX, PanelMember
from participants.services.details import (
    DETAILS_BY_SECRETARIAT,
    NEEDS_BY_SECRETARIAT,
    member_details_update,
    member_details_update_by_secretariat,
)
from participants.services.needs import NEEDS_FIELDS


@login_required
def my_contact_details(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly, member = get_own_seat(user=user, slug=slug)
    registration = member.registration
    address = member_address_initial(registration)
    data = request.POST if request.method == "POST" else None
    phone_form = MemberPhoneForm(data, initial={"phone": registration.phone})
    address_form = MemberAddressForm(data, initial=address, address_known=bool(address))
    if data is not None and phone_form.is_valid() and address_form.is_valid():
        changed = member_details_update(
            member=member,
            data={**phone_form.cleaned_data, **address_form.cleaned_data},
            actor=user,
        )
        messages.success(
            request,
            _("Opgeslagen. Het secretariaat gebruikt vanaf nu deze gegevens.")
            if changed
            else _("Er was niets veranderd."),
        )
        return redirect("participants:my_contact_details", slug=assembly.slug)
    bad = [form for form in (phone_form, address_form) if form.errors]
    return render(
        request,
        "participants/details/mine.html",
        {
            "assembly": assembly,
            "form": bad[0] if bad else phone_form,
            "forms_with_errors": bad,
            "phone_form": phone_form,
            "address_form": address_form,
            "login_email": user.email,
        },
        status=400 if bad else 200,
    )


@login_required
@access.personal_data_view
def member_details_by_organiser(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The secretariat changes a member's phone number, address and needs for
    them: someone on paper (no login) or anyone who phones in a change. For
    someone who stopped only phone and address: letters still go to them."""
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    member = get_object_or_404(
        PanelMember.objects.select_related("registration__invitation__resident", "user")
        # Nothing about someone who was erased is typed back in.
        .exclude(registration__email__startswith=ERASED_EMAIL_PREFIX),
        pk=pk,
        assembly=assembly,
        status__in=DETAILS_BY_SECRETARIAT,
    )
    registration = member.registration
    address = member_address_initial(registration)
    data = request.POST if request.method == "POST" else None
    phone_form = OrganiserPhoneForm(data, initial={"phone": registration.phone})
    address_form = OrganiserAddressForm(data, initial=address, address_known=bool(address))
    # Someone who stopped comes to no weekend: only phone and address.
    stopped = member.status not in NEEDS_BY_SECRETARIAT
    needs_form = (
        None
        if stopped
        else OrganiserNeedsForm(
            data, initial={name: getattr(registration, name) for name in NEEDS_FIELDS}
        )
    )
    forms = [form for form in (phone_form, address_form, needs_form) if form is not None]
    if data is not None and all([form.is_valid() for form in forms]):
        changed = member_details_update_by_secretariat(
            member=member,
            details={**phone_form.cleaned_data, **address_form.cleaned_data},
            needs=needs_form.cleaned_data if needs_form is not None else None,
            actor=user,
        )
        if not changed:
            said = _("Er was niets veranderd.")
        elif member.mail_address:
            said = _(
                "Opgeslagen. De deelnemer krijgt een korte e-mail dat de gegevens zijn veranderd."
            )
        else:
            said = _("Opgeslagen. De deelnemer krijgt hierover geen e-mail.")
        messages.success(request, said)
        return redirect("participants:panel_list", slug=assembly.slug)
    bad = [form for form in forms if form.errors]
    return render(
        request,
        "participants/details/organiser.html",
        {
            "assembly": assembly,
            "member": member,
            "form": bad[0] if bad else phone_form,
            "forms_with_errors": bad,
            "phone_form": phone_form,
            "address_form": address_form,
            "needs_form": needs_form,
            "stopped": stopped,
            "gets_email": bool(member.mail_address),
        },
        status=400 if bad else 200,
    )
