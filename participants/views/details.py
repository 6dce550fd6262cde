"""A member's own contact details ("Mijn adres en telefoonnummer"): phone
number and postal address. The e-mail address is the login: the secretariat
changes it. Members on paper have no login; the secretariat keeps their
details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assembly import access
from participants.access_members import get_own_seat
from participants.forms_members import (
    MemberAddressForm,
    MemberPhoneForm,
    member_address_initial,
)
from participants.services.details import member_details_update


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
