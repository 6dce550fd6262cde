"""Who may see and change which recommendation, and the helpers views call.

A draft belongs to its table until it is submitted: only that table's
gespreksleider and members see it (and the organisation and the chair, who
prepare the plenary). From the moment a draft is submitted, everyone with a
role in the assembly sees it, and its whole history. The chair runs the
plenary (feedback, amendments, the final text); the organisation manages
(merge, order, withdraw) but never decides amendments: those are votes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from assembly import access
from assembly.models import Assembly, RoleKind, User
from assembly.selectors import role_kinds_for
from participants.models import Table, TableSeat
from recommendations.models import Amendment, Recommendation

Status = Recommendation.Status

# Statuses in which the plenary works on a recommendation.
IN_PLENARY = frozenset({Status.SUBMITTED, Status.AMENDED})
# Never submitted and in one of these, a recommendation stays with its table
# (a draft withdrawn or merged before the plenary saw it).
PRIVATE = frozenset({Status.DRAFT, Status.WITHDRAWN, Status.MERGED})
# A recommendation can be withdrawn until its ballot opens.
WITHDRAWABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.AMENDED, Status.FINAL})


@dataclass(frozen=True)
class Viewer:
    """One person looking at the recommendations of one assembly."""

    user: User
    assembly: Assembly
    kinds: frozenset[str]
    seated_at: frozenset[int]  # table ids where the user sits as a member
    leads: frozenset[int]  # table ids the user leads as gespreksleider

    @property
    def is_organiser(self) -> bool:
        return RoleKind.ORGANISER in self.kinds

    @property
    def is_chair(self) -> bool:
        return RoleKind.CHAIR in self.kinds

    @property
    def is_staff(self) -> bool:
        return self.is_organiser or self.is_chair

    @property
    def is_member(self) -> bool:
        return RoleKind.MEMBER in self.kinds

    @property
    def is_facilitator(self) -> bool:
        return RoleKind.FACILITATOR in self.kinds

    @property
    def tables(self) -> frozenset[int]:
        return self.seated_at | self.leads

    def at_table(self, recommendation: Recommendation) -> bool:
        return recommendation.table_id is not None and recommendation.table_id in self.tables

    def leads_table(self, recommendation: Recommendation) -> bool:
        return recommendation.table_id is not None and recommendation.table_id in self.leads

    # ------------------------------------------------------------------ rules

    def can_see(self, recommendation: Recommendation) -> bool:
        if recommendation.assembly_id != self.assembly.pk:
            return False
        if recommendation.submitted_at is not None or recommendation.status not in PRIVATE:
            return True
        return self.is_staff or self.at_table(recommendation)

    def can_edit(self, recommendation: Recommendation) -> bool:
        return recommendation.status == Status.DRAFT and self.at_table(recommendation)

    def can_submit(self, recommendation: Recommendation) -> bool:
        """The gespreksleider hands in the table's draft; at a table without
        one, its members do."""
        if recommendation.status != Status.DRAFT:
            return False
        if self.leads_table(recommendation) or self.is_organiser:
            return True
        table = recommendation.table
        return (
            table is not None
            and table.facilitator_id is None
            and recommendation.table_id in self.seated_at
        )

    def can_withdraw(self, recommendation: Recommendation) -> bool:
        if recommendation.status not in WITHDRAWABLE:
            return False
        return self.is_staff or self.leads_table(recommendation)

    def can_propose_amendment(self, recommendation: Recommendation) -> bool:
        return recommendation.status in IN_PLENARY and (
            self.is_chair or self.is_member or self.is_facilitator
        )

    def can_decide_amendments(self, recommendation: Recommendation) -> bool:
        return self.is_chair and recommendation.status in IN_PLENARY

    def can_withdraw_amendment(self, amendment: Amendment) -> bool:
        if amendment.status != Amendment.Status.PROPOSED:
            return False
        if self.is_chair:
            return True
        if amendment.proposed_by_id is not None and amendment.proposed_by_id == self.user.pk:
            return True
        return amendment.table_id is not None and amendment.table_id in self.leads

    def can_give_feedback(self, recommendation: Recommendation) -> bool:
        return self.is_chair and recommendation.status in IN_PLENARY

    def can_finalise(self, recommendation: Recommendation) -> bool:
        return self.is_chair and recommendation.status in IN_PLENARY

    # A form sent after the recommendation moved on while someone typed (the
    # draft was submitted, the text made final, the recommendation withdrawn)
    # is answered with the form, the typed text in it and the reason, not with
    # a bare "no access" that loses the text. The services refuse the change.

    def may_send_edit(self, recommendation: Recommendation) -> bool:
        return self.can_edit(recommendation) or self.at_table(recommendation)

    def may_send_amendment(self, recommendation: Recommendation) -> bool:
        return self.can_propose_amendment(recommendation) or (
            recommendation.submitted_at is not None
            and (self.is_chair or self.is_member or self.is_facilitator)
        )

    def may_send_final(self, recommendation: Recommendation) -> bool:
        return self.can_finalise(recommendation) or (
            self.is_chair and recommendation.submitted_at is not None
        )

    def can_order(self) -> bool:
        return self.is_staff

    def can_merge(self) -> bool:
        return self.is_organiser

    def can_draft(self) -> bool:
        return bool(self.tables)


def viewer_for(*, user: User, assembly: Assembly) -> Viewer:
    """The viewer with their roles and tables: three queries, whatever the size."""
    kinds = frozenset(role_kinds_for(user=user, assembly=assembly))
    if user.is_superuser:
        kinds = kinds | {RoleKind.ORGANISER, RoleKind.CHAIR}
    seated: frozenset[int] = frozenset()
    leads: frozenset[int] = frozenset()
    if RoleKind.MEMBER in kinds:
        seated = frozenset(
            TableSeat.objects.filter(
                member__user=user, round__weekend__assembly=assembly
            ).values_list("table_id", flat=True)
        )
    if RoleKind.FACILITATOR in kinds:
        leads = frozenset(
            Table.objects.filter(facilitator=user, round__weekend__assembly=assembly).values_list(
                "pk", flat=True
            )
        )
    return Viewer(user=user, assembly=assembly, kinds=kinds, seated_at=seated, leads=leads)


def get_viewer(*, user: User, slug: str) -> Viewer:
    """Anyone with a role in the assembly may open the recommendations."""
    assembly = access.get_assembly_for_any_role(user=user, slug=slug)
    return viewer_for(user=user, assembly=assembly)


def get_recommendation_for_viewer(
    *, user: User, slug: str, number: int
) -> tuple[Viewer, Recommendation]:
    viewer = get_viewer(user=user, slug=slug)
    recommendation = get_object_or_404(
        Recommendation.objects.select_related("table__round__weekend", "weekend", "merged_into"),
        assembly=viewer.assembly,
        number=number,
    )
    if not viewer.can_see(recommendation):
        raise PermissionDenied
    return viewer, recommendation


def get_amendment(*, recommendation: Recommendation, number: int) -> Amendment:
    return get_object_or_404(
        Amendment.objects.select_related("table", "proposed_by"),
        recommendation=recommendation,
        number=number,
    )


def check(allowed: bool) -> None:
    """Raise PermissionDenied unless `allowed`: views call it with a Viewer rule."""
    if not allowed:
        raise PermissionDenied


def check_drafting_viewer(*, user: User, slug: str) -> Viewer:
    viewer = get_viewer(user=user, slug=slug)
    check(viewer.can_draft())
    return viewer


def check_plenary_viewer(*, user: User, slug: str) -> Viewer:
    viewer = get_viewer(user=user, slug=slug)
    check(viewer.can_order())
    return viewer


def check_merge_viewer(*, user: User, slug: str) -> Viewer:
    viewer = get_viewer(user=user, slug=slug)
    check(viewer.can_merge())
    return viewer
