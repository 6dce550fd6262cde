"""Organiser pages for an assembly's settings, roles and audit log, and the development mailbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from assembly import access, selectors, services
from assembly.forms import AssemblyCreateForm, AssemblySettingsForm, RoleGrantForm


@login_required
def assembly_create(request: HttpRequest) -> HttpResponse:
    access.check_can_create_assembly(user=access.request_user(request))
    form = AssemblyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        assembly = services.assembly_create(
            created_by=access.request_user(request), **form.cleaned_data
        )
        messages.success(request, _("Het burgerberaad is aangemaakt."))
        return redirect("assembly:settings", slug=assembly.slug)
    return render(request, "assembly/assembly_create.html", {"form": form})


@login_required
def assembly_settings(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    form = AssemblySettingsForm(request.POST or None, instance=assembly)
    if request.method == "POST" and form.is_valid():
        services.assembly_update(
            assembly=assembly, fields={name: form.cleaned_data[name] for name in form.changed_data}
        )
        messages.success(request, _("De instellingen zijn bewaard."))
        return redirect("assembly:settings", slug=assembly.slug)
    return render(request, "assembly/settings.html", {"assembly": assembly, "form": form})


@login_required
@access.personal_data_view
def role_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if selectors.role_held(assembly=assembly, email=data["email"], kind=data["kind"]):
            messages.info(
                request,
                _("Deze persoon heeft deze rol al. Er is niets veranderd en geen e-mail gestuurd."),
            )
        else:
            services.role_grant(assembly=assembly, granted_by=access.request_user(request), **data)
            messages.success(request, _("De rol is gegeven. De persoon krijgt een e-mail."))
        return redirect("assembly:roles", slug=assembly.slug)
    roles = selectors.role_list_for(assembly=assembly)
    return render(
        request, "assembly/roles.html", {"assembly": assembly, "form": form, "roles": roles}
    )


@login_required
@require_POST
def role_revoke(request: HttpRequest, slug: str, role_id: int) -> HttpResponse:
    role = access.get_role_for_organiser(
        user=access.request_user(request), slug=slug, role_id=role_id
    )
    try:
        services.role_revoke(role=role, revoked_by=access.request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De rol is ingetrokken."))
    return redirect("assembly:roles", slug=slug)


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    access.check_can_read_mailbox(user=access.request_user(request))
    mails = selectors.mailbox_message_list()[:200]
    return render(request, "assembly/mailbox.html", {"mails": mails})


@login_required
def mailbox_message(request: HttpRequest, pk: int) -> HttpResponse:
    mail = access.get_mailbox_message(user=access.request_user(request), pk=pk)
    return render(request, "assembly/mailbox_message.html", {"mail": mail})


@login_required
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The audit log, read-only: nothing on the site can change or remove a line."""
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    action = request.GET.get("soort", "")
    page = Paginator(
        selectors.audit_events_for(assembly=assembly, action_prefix=action), 50
    ).get_page(request.GET.get("pagina"))
    return render(
        request,
        "assembly/audit_log.html",
        {"assembly": assembly, "page": page, "action": action},
    )


@login_required
@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    """Takes the place of allauth's e-mail page (same URL name, account_email).

    That page let anyone add any address to their account and, since accounts
    here have no verified address of their own, make it their login without
    proof: someone else's address gave a server error, an unused one became
    theirs, and a role given to it later would have gone to them. Nobody here
    needs a second address; the secretariat changes one on request.
    """
    return render(
        request,
        "account/my_account.html",
        {"contact_email": settings.INVITATION_CONTACT_EMAIL},
    )


def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for someone logged in, their e-mails follow it too."""
    response = set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response
