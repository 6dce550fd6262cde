"""What members need on a weekend: each member's own page, and the overview
(with a file for the venue and the caterer) for the organisers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly import access
from assembly.downloads import private_download
from participants.access_members import get_own_seat
from participants.forms_registration import NeedsForm
from participants.resources_needs import FORMATS, needs_file
from participants.selectors_needs import member_needs_overview
from participants.services.needs import NEEDS_FIELDS, member_needs_update

TEMPLATES = "participants/needs/"


@login_required
def my_needs(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly, member = get_own_seat(user=user, slug=slug)
    registration = member.registration
    form = NeedsForm(
        request.POST or None,
        initial={name: getattr(registration, name) for name in NEEDS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        changed = member_needs_update(member=member, data=form.cleaned_data, actor=user)
        messages.success(
            request,
            _("Opgeslagen. Het secretariaat ziet wat u nodig hebt.")
            if changed
            else _("Er was niets veranderd."),
        )
        return redirect("participants:my_needs", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "mine.html",
        {"assembly": assembly, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@access.personal_data_view
def needs_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    return render(
        request,
        TEMPLATES + "overview.html",
        {"assembly": assembly, "needs": member_needs_overview(assembly=assembly)},
    )


@login_required
@access.personal_data_view
def needs_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    if fmt not in FORMATS:
        raise Http404
    content, content_type = needs_file(member_needs_overview(assembly=assembly).rows, fmt)
    day = timezone.localdate().isoformat()
    return private_download(content, content_type, f"behoeften-{assembly.slug}-{day}.{fmt}")
