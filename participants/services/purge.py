"""Erasing the pool's personal data once the panel stands (DESIGN.md, "Closing").

The panel *stands* when all of this is true:

- there is a current draw (a draw of a panel run that no later draw superseded);
- the draw made members and alternates;
- no member still has to answer (status "selected"): everyone said yes, said
  no, stopped, or counts as "no answer" after the last reminder;
- no replacement is being computed or waits for the organiser's decision.

Then the purge erases, in one transaction:

- every registration of the assembly whose person is neither a member nor an
  alternate (any PanelMember row, whatever its status: those were selected);
  the invitation stays, for the counts, with its resident set to null;
- the contact details, access needs and availability of members who did not
  take part (said no, or gave no answer): their row stays, with its quota
  answers, because the panel's history refers to it (as with erasure on
  request, ``participants.services.erasure``);
- every resident of the population extract not linked to a member who takes
  part or an alternate (the invitation of such a resident keeps its status);
- the print-ready PDFs of the invitation letters (names and addresses);
- the e-mails to those people that the outbox or the development mailbox
  still holds (addresses, and the text of any not yet sent), unless the
  address is also a member's, an alternate's or an account's;
- the problem lists of the extract's imports (they quote cells: e-mail
  addresses, birth dates) and the file of an import whose worker died;
- the frozen pool and the record of every lottery run that was never
  committed (quota values and chances by the ids of people erased here); the
  runs stay, marked failed (see ``selection_runs_forget_pools``).

What stays: the counts per quota value of the whole pool (from the frozen
pool of the committed run, so the report can compare the panel with the
pool), the frozen pool itself (ids, quota values and hashed households, no
names), invitations with their status, and a PoolPurge row. Members' and
alternates' data stay until the retention period ends.

After a purge a replacement can only come from the alternates: the rest of
the pool no longer exists.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assembly.models import Assembly, User
from assembly.outbox import mail_forget
from assembly.services import audit_record
from participants.models import (
    ERASED_EMAIL_PREFIX,
    Invitation,
    LetterBatch,
    PanelMember,
    PoolPurge,
    Registration,
    Replacement,
    Resident,
)
from participants.selectors_lottery import assembly_current_draw
from participants.services.erasure import registration_erase, remove_names_from_published_reasons
from participants.services.panel import frozen_pool
from participants.services.population import population_imports_forget
from participants.services.selection import OPEN_REPLACEMENT, selection_runs_forget_pools

logger = logging.getLogger(__name__)


# Members who never joined: their details go with the pool's.
NOT_TAKING_PART = (PanelMember.Status.DECLINED, PanelMember.Status.NO_RESPONSE)
# Members who said no or gave no answer, and anyone drawn who stopped before
# they were told (someone who withdrew after the lottery was committed is
# drawn as stopped, see participants.services.selection): none of them joined.
NEVER_JOINED = Q(kind=PanelMember.Kind.MEMBER, status__in=NOT_TAKING_PART) | Q(
    status=PanelMember.Status.WITHDRAWN, notified_at__isnull=True
)


class PurgeRefused(Exception):
    """The panel does not stand yet; the message says why, for the organiser."""


@dataclass(frozen=True)
class PurgePlan:
    """What a purge would erase and keep: counts only."""

    reasons: list[str] = field(default_factory=list)  # why the panel does not stand yet
    registrations: int = 0
    residents: int = 0
    invitations: int = 0  # invitations that lose the link to their resident
    letter_batches: int = 0
    not_taking_part: int = 0  # members who said no or gave no answer: details erased
    kept_registrations: int = 0
    pool_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def stands(self) -> bool:
        return not self.reasons


def _selected(assembly: Assembly) -> QuerySet[PanelMember]:
    return PanelMember.objects.filter(assembly=assembly)


def _not_taking_part(assembly: Assembly) -> QuerySet[PanelMember]:
    """Those drawn who never joined, and whose details are not erased yet."""
    return (
        _selected(assembly)
        .filter(NEVER_JOINED)
        .exclude(registration__email__startswith=ERASED_EMAIL_PREFIX)
    )


def _staying(assembly: Assembly) -> QuerySet[PanelMember]:
    """Members who take part (or did, then stopped) and alternates."""
    return _selected(assembly).exclude(NEVER_JOINED)


def _registrations(assembly: Assembly) -> QuerySet[Registration]:
    return Registration.objects.filter(assembly=assembly).exclude(
        pk__in=_selected(assembly).values("registration_id")
    )


def _residents(assembly: Assembly) -> QuerySet[Resident]:
    keep = Invitation.objects.filter(
        registration__panel_member__in=_staying(assembly), resident__isnull=False
    ).values("resident_id")
    return Resident.objects.filter(assembly=assembly).exclude(pk__in=keep)


def _letter_batches(assembly: Assembly) -> QuerySet[LetterBatch]:
    return LetterBatch.objects.filter(run__assembly=assembly)


def _only_theirs(assembly: Assembly, addresses: set[str]) -> set[str]:
    """The addresses that belong to nobody who stays: a member or an alternate
    may share one with a housemate who was not selected, and staff have accounts."""
    kept: set[str] = set()
    ordered = sorted(addresses)
    staying = _staying(assembly)
    for start in range(0, len(ordered), 5_000):
        chunk = ordered[start : start + 5_000]
        kept.update(User.objects.filter(email__in=chunk).values_list("email", flat=True))
        kept.update(
            Registration.objects.filter(email__in=chunk, panel_member__in=staying).values_list(
                "email", flat=True
            )
        )
        kept.update(
            Resident.objects.filter(
                email__in=chunk, invitation__registration__panel_member__in=staying
            ).values_list("email", flat=True)
        )
    return addresses - kept


def panel_stands_reasons(*, assembly: Assembly) -> list[str]:
    """Why the panel does not stand yet (empty: it stands)."""
    draw = assembly_current_draw(assembly=assembly)
    if draw is None:
        return [_("Er is nog geen trekking.")]
    reasons = []
    if not _selected(assembly).exists():
        reasons.append(_("Er zijn nog geen deelnemers en reserves."))
    waiting = (
        _selected(assembly)
        .filter(kind=PanelMember.Kind.MEMBER, status=PanelMember.Status.SELECTED)
        .count()
    )
    if waiting:
        reasons.append(
            ngettext(
                "%(count)s deelnemer heeft nog niet geantwoord.",
                "%(count)s deelnemers hebben nog niet geantwoord.",
                waiting,
            )
            % {"count": waiting}
        )
    if Replacement.objects.filter(assembly=assembly, status__in=OPEN_REPLACEMENT).exists():
        reasons.append(_("Er is een vervanging die nog niet is bevestigd of weggelegd."))
    return reasons


def pool_counts(*, assembly: Assembly) -> dict[str, dict[str, int]]:
    """Per quota category and value: how many respondents the pool of the draw had."""
    draw = assembly_current_draw(assembly=assembly)
    if draw is None:
        return {}
    pool = frozen_pool(draw.run)
    counts: dict[str, dict[str, int]] = {}
    for quota in pool.quotas:
        counts.setdefault(quota.category, {})[quota.value] = 0
    for person in pool.people.values():
        for category, value in person.features.items():
            counts.setdefault(category, {})
            counts[category][value] = counts[category].get(value, 0) + 1
    return counts


def pool_purge_plan(*, assembly: Assembly) -> PurgePlan:
    """The dry run: what a purge now would erase and keep. Changes nothing."""
    residents = _residents(assembly)
    return PurgePlan(
        reasons=panel_stands_reasons(assembly=assembly),
        registrations=_registrations(assembly).count(),
        residents=residents.count(),
        invitations=Invitation.objects.filter(resident__in=residents).count(),
        letter_batches=_letter_batches(assembly).count(),
        not_taking_part=_not_taking_part(assembly).count(),
        kept_registrations=Registration.objects.filter(
            assembly=assembly, panel_member__in=_staying(assembly)
        ).count(),
        pool_counts=pool_counts(assembly=assembly),
    )


@transaction.atomic
def pool_purge(*, assembly: Assembly, actor: User | None) -> PoolPurge:
    """Erase the personal data of everyone in the pool who was not selected."""
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    reasons = panel_stands_reasons(assembly=assembly)
    if reasons:
        raise PurgeRefused(" ".join(reasons))
    counts = pool_counts(assembly=assembly)
    registrations = _registrations(assembly)
    registration_ids = list(registrations.values_list("pk", flat=True))
    addresses = set(registrations.values_list("email", flat=True))
    registration_count = len(registration_ids)
    remove_names_from_published_reasons(
        assembly_id=assembly.pk, names=registrations.values_list("full_name", flat=True)
    )
    registrations.delete()
    declined = list(
        Registration.objects.filter(panel_member__in=_not_taking_part(assembly)).order_by("pk")
    )
    addresses |= {registration.email for registration in declined}
    for registration in declined:
        registration_erase(registration, assembly.first_weekend)
    residents = _residents(assembly)
    resident_ids = list(residents.values_list("pk", flat=True))
    addresses |= set(residents.values_list("email", flat=True))
    emails = mail_forget(
        addresses=_only_theirs(assembly, addresses - {""}),
        refs=[f"{Registration._meta.label}:{pk}" for pk in registration_ids],
    )
    population_imports_forget(assembly=assembly)
    runs = selection_runs_forget_pools(assembly_id=assembly.pk)
    for start in range(0, len(resident_ids), 5_000):
        batch = resident_ids[start : start + 5_000]
        Invitation.objects.filter(resident_id__in=batch).update(resident=None)
        Resident.objects.filter(pk__in=batch).delete()
    batches = list(_letter_batches(assembly))
    files = [batch.pdf for batch in batches if batch.pdf]
    LetterBatch.objects.filter(pk__in=[batch.pk for batch in batches]).delete()

    def delete_files() -> None:
        for pdf in files:
            pdf.delete(save=False)

    transaction.on_commit(delete_files)
    purge = PoolPurge.objects.create(
        assembly=assembly,
        pool_counts=counts,
        registrations_erased=registration_count,
        residents_erased=len(resident_ids),
        purged_by=actor,
    )
    audit_record(
        action="pool.purged",
        assembly=assembly,
        actor=actor,
        target=purge,
        detail={
            "registrations": registration_count,
            "residents": len(resident_ids),
            "letter_batches": len(batches),
            "not_taking_part": len(declined),
            "emails": emails,
            "runs_emptied": runs,
        },
    )
    logger.info(
        "pool purged assembly=%s registrations=%s residents=%s",
        assembly.pk,
        registration_count,
        len(resident_ids),
    )
    return purge
