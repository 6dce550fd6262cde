"""Requests under the AVG: the organiser's page to export or erase one
person's data, and the member's own copy. Lookups and downloads are POSTs so
that no e-mail address or code ends up in a URL or a server log."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import PDF, private_download
from assembly.models import Assembly, User
from assembly.services import audit_record
from recommendations.forms_privacy import SubjectEraseForm, SubjectLookupForm
from recommendations.privacy import (
    DataSubject,
    retention_ends_on,
    subject_expert_stays_public,
    subject_export,
    subject_find,
    subject_for_user,
    subject_holds_a_seat,
)
from recommendations.privacy_pdf import subject_export_pdf
from recommendations.services.privacy import subject_erase


def _find(assembly: Assembly, form: SubjectLookupForm) -> DataSubject:
    return subject_find(
        assembly=assembly,
        email=form.cleaned_data.get("email") or "",
        code=form.cleaned_data.get("code") or "",
        person_ref=form.cleaned_data.get("person_ref") or "",
    )


def _download(subject: DataSubject, fmt: str) -> HttpResponse:
    export = subject_export(subject=subject, now=timezone.now())
    name = f"gegevens-{subject.assembly.slug}-{timezone.localdate():%Y%m%d}"
    if fmt == "pdf":
        return private_download(subject_export_pdf(export), PDF, f"{name}.pdf")
    body = json.dumps(export.as_json(), ensure_ascii=False, indent=2)
    return private_download(body, "application/json; charset=utf-8", f"{name}.json")


@login_required
def privacy_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Look up a person; show what we hold (section names and counts only)."""
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    form = SubjectLookupForm(request.POST or None)
    subject = None
    export = None
    if request.method == "POST" and form.is_valid():
        subject = _find(assembly, form)
        if not subject.is_empty:
            export = subject_export(subject=subject, now=timezone.now())
            audit_record(
                action="privacy.looked_up",
                assembly=assembly,
                actor=user,
                target=subject.audit_target,
            )
    return render(
        request,
        "recommendations/privacy/requests.html",
        {
            "assembly": assembly,
            "form": form,
            "subject": subject,
            "export": export,
            "erase_form": SubjectEraseForm(initial=form.cleaned_data if export else None),
            "holds_a_seat": subject is not None and subject_holds_a_seat(subject),
            "expert_stays_public": subject is not None and subject_expert_stays_public(subject),
            "retention_ends_on": retention_ends_on(assembly=assembly),
        },
    )


@login_required
@require_POST
def privacy_request_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    form = SubjectLookupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Zoek de persoon eerst op."))
        return redirect("recommendations:privacy_requests", slug=assembly.slug)
    subject = _find(assembly, form)
    if subject.is_empty:
        messages.error(request, _("Wij vonden niemand met deze gegevens."))
        return redirect("recommendations:privacy_requests", slug=assembly.slug)
    audit_record(
        action="privacy.exported",
        assembly=assembly,
        actor=user,
        target=subject.audit_target,
        detail={"format": fmt},
    )
    return _download(subject, fmt)


@login_required
@require_POST
def privacy_request_erase(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    form = SubjectEraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Niet gewist: vul een reden in en vink de bevestiging aan."))
        return redirect("recommendations:privacy_requests", slug=assembly.slug)
    subject = _find(assembly, form)
    if subject.is_empty:
        messages.error(request, _("Wij vonden niemand met deze gegevens."))
        return redirect("recommendations:privacy_requests", slug=assembly.slug)
    counts = subject_erase(subject=subject, actor=user, reason=form.cleaned_data["reason"])
    if counts.expert_kept:
        done = _(
            "De gegevens zijn gewist. De deskundige staat in het openbare verslag van het"
            " burgerberaad: naam, organisatie, functie en verklaring van belangen blijven staan."
            " E-mailadres, telefoonnummer en account zijn weg."
        )
    else:
        done = _("De gegevens zijn gewist. Tellingen en uitslagen blijven, zonder naam.")
    messages.success(request, done)
    return redirect("recommendations:privacy_requests", slug=assembly.slug)


def _own(request: HttpRequest, slug: str) -> tuple[Assembly, User, DataSubject]:
    user = access.request_user(request)
    # Everyone with a role sees their own data, the desk (balie) too.
    assembly = access.get_assembly_for_role_holder(user=user, slug=slug)
    return assembly, user, subject_for_user(assembly=assembly, user=user)


@login_required
def my_data(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, _user, subject = _own(request, slug)
    export = subject_export(subject=subject, now=timezone.now())
    return render(
        request,
        "recommendations/privacy/my_data.html",
        {
            "assembly": assembly,
            "export": export,
            "is_expert": subject.expert is not None,
            "contact_email": settings.INVITATION_CONTACT_EMAIL,
        },
    )


@login_required
def my_data_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    assembly, user, subject = _own(request, slug)
    audit_record(
        action="privacy.exported_own",
        assembly=assembly,
        actor=user,
        target=user,
        detail={"format": fmt},
    )
    return _download(subject, fmt)
