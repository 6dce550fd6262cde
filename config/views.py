"""Pages composed from several apps: the start page, an assembly's public page,
and each role's home within an assembly. config/ is the composition root, so it
may read from every app; the apps themselves never import config."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone

from assembly import access
from assembly import selectors as assembly_selectors
from assembly.models import RoleKind, User
from participants import (
    selectors_attendance,
    selectors_invitations,
    selectors_money,
    selectors_selection,
)
from participants.services.registration import registration_is_open
from recommendations import access_drafting
from sessions import selectors as session_selectors


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = (
        assembly_selectors.assemblies_with_roles_for(user=user)
        if isinstance(user, User) and user.is_authenticated
        else []
    )
    if len(mine) == 1 and not request.GET.get("all"):
        return redirect("dashboard", slug=mine[0][0].slug)
    return render(
        request,
        "portal/home.html",
        {
            "mine": mine,
            "public_assemblies": assembly_selectors.assembly_list_public(),
            "can_create": isinstance(user, User)
            and assembly_selectors.is_organiser_anywhere(user=user),
        },
    )


def about(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    return render(
        request,
        "portal/about.html",
        {
            "assembly": assembly,
            "weekends": session_selectors.weekend_list_for(assembly=assembly),
            # The letter sends invitees here too: while they can sign up, say how.
            "takes_sign_ups": selectors_invitations.invitations_exist(assembly=assembly)
            and registration_is_open(assembly=assembly),
        },
    )


@login_required
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    assembly = access.get_assembly_for_role_holder(user=user, slug=slug)
    kinds = assembly_selectors.role_kinds_for(user=user, assembly=assembly)
    if user.is_superuser and not kinds:
        kinds = {RoleKind.ORGANISER.value}
    weekends = list(session_selectors.weekend_list_for(assembly=assembly))
    today = timezone.localdate()
    next_weekend = next((w for w in weekends if w.ends_on >= today), None)
    role_counts = assembly_selectors.role_counts_for(assembly=assembly)
    setup_steps = [
        (assembly.question.strip() != "", "question"),
        (len(weekends) >= 6, "weekends"),
        (role_counts[RoleKind.CHAIR] > 0, "chair"),
        (role_counts[RoleKind.GRIFFIE] > 0, "griffie"),
        (role_counts[RoleKind.EXPERT] > 0, "experts"),
    ]
    # Links only to pages the person can use: money pages need a seat on the
    # panel, writing a draft needs a table.
    seat = (
        selectors_money.member_for_user(assembly=assembly, user=user)
        if RoleKind.MEMBER in kinds
        else None
    )
    can_draft = (
        RoleKind.FACILITATOR in kinds
        and access_drafting.viewer_for(user=user, assembly=assembly).can_draft()
    )
    # The desk's one task: today's check-in list, or when the next weekend is.
    desk_weekend = (
        selectors_attendance.weekend_for_day(assembly_id=assembly.pk, day=today)
        if RoleKind.DESK in kinds
        else None
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "assembly": assembly,
            "kinds": kinds,
            "weekends": weekends,
            "next_weekend": next_weekend,
            "weekends_done": sum(1 for w in weekends if w.ends_on < today),
            "role_counts": role_counts,
            # The panel, not the member accounts: members on paper have none.
            "members_taking_part": selectors_selection.members_taking_part_count(
                assembly=assembly
            )
            if kinds & {RoleKind.CHAIR, RoleKind.GRIFFIE, RoleKind.ORGANISER}
            else None,
            "setup_steps": setup_steps,
            "seat": seat,
            "can_draft": can_draft,
            "today": today,
            "desk_weekend": desk_weekend,
        },
    )


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: answers 503 when the database is away."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse({"database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """The error page. When the database is away (a restart, a failover) the
    visitor gets a polite 503 with Retry-After instead of a 500: nothing was
    lost and the next request reconnects by itself. Both pages are static, so
    they render without the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)
