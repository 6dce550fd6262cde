"""Who may see the reports and the overview.

- The final report and the progress reports: organisers, the chair and the
  griffie. The griffie sees a progress report once the organisers have shared
  it. The final report is not public from here: the Kamer publishes it (the
  open-data ZIP is made for that); keeping it behind a login until then means
  a draft is never mistaken for the published report.
- The overview ("Overzicht"): organisers, the chair and the griffie; it holds
  counts only.
- Writing a progress report: organisers.
- The consent to be named in the report: the member themself, nobody else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from participants.models import PanelMember
from recommendations.models import ProgressReport
from sessions.models import Weekend

REPORT_READERS = frozenset({RoleKind.ORGANISER, RoleKind.CHAIR, RoleKind.GRIFFIE})


def get_assembly_for_report(*, user: User, slug: str) -> Assembly:
    return access.get_assembly_for_roles(user=user, slug=slug, roles=REPORT_READERS)


def get_weekend_for_progress_reader(*, user: User, slug: str, number: int) -> Weekend:
    """A weekend whose progress report the user may read: organisers always,
    the chair and the griffie once it is shared."""
    assembly = get_assembly_for_report(user=user, slug=slug)
    weekend = get_object_or_404(Weekend, assembly=assembly, number=number)
    if user.is_superuser or RoleKind.ORGANISER in role_kinds_for(user=user, assembly=assembly):
        return weekend
    if ProgressReport.objects.filter(weekend=weekend, published_at__isnull=False).exists():
        return weekend
    raise PermissionDenied


def get_weekend_for_progress_writer(*, user: User, slug: str, number: int) -> Weekend:
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    return get_object_or_404(Weekend, assembly=assembly, number=number)


def get_own_panel_member(*, user: User, slug: str) -> PanelMember:
    """The user's own seat on the panel (member or alternate who took part)."""
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.MEMBER})
    )
    member = (
        PanelMember.objects.filter(assembly=assembly, user=user)
        .exclude(status__in=(PanelMember.Status.DECLINED, PanelMember.Status.NO_RESPONSE))
        .select_related("assembly")
        .order_by("-pk")
        .first()
    )
    if member is None:
        raise PermissionDenied
    return member
