"""Writes about briefing materials: create, new versions, release, public.

The life of a material: draft → released to members (now, or at ``release_at``
by the periodic task) → public (after its weekend, unless members-only with a
reason). A released material is never changed in place: a new file or link is
a new MaterialVersion beside the old ones.

The periodic task (``materials_process_due``) can run twice, or beside a
release by hand, without doing anything twice: each step claims its rows with
an update filtered on the state it changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, Role, RoleKind, User
from assembly.outbox import outbox_queue
from assembly.queueing import queue_or_leave_to_sweep
from assembly.selectors import submitted_before
from assembly.services import audit_record
from sessions.models import Expert, Material, MaterialVersion, Session, Weekend
from sessions.services.schedule import MailPerLanguage
from sessions.uploads import CheckedPdf

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = ("title", "title_en", "summary", "summary_en", "weekend", "session", "expert")
NOTIFY_KIND = "sessions.material_released"
UPDATE_NOTIFY_KIND = "sessions.material_updated"
# A new version waits this long before members hear of it, so that a fix of the
# fix the same hour goes in the same e-mail.
UPDATE_QUIET = dt.timedelta(hours=1)
# After a notice about an item, the next one waits for the next day, at this hour.
UPDATE_NEXT_DAY_AT = dt.time(8, 0)
# What the column holds: a longer link would fail on PostgreSQL when it is saved.
URL_MAX_LENGTH: int = MaterialVersion._meta.get_field("url").max_length or 200


class MaterialRefused(Exception):
    """The change is not possible; the message says why, in words for the organiser."""


def already_released_message() -> str:
    return _(
        "Dit stuk is al vrijgegeven. Voeg een nieuwe versie toe in plaats van het te wijzigen."
    )


# --- checks -------------------------------------------------------------------


def check_placement(
    *,
    assembly: Assembly,
    weekend: Weekend | None,
    session: Session | None,
    expert: Expert | None,
) -> Weekend | None:
    """The weekend the material belongs to; refuses objects of another assembly."""
    if weekend is not None and weekend.assembly_id != assembly.pk:
        raise MaterialRefused(_("Dit weekend hoort niet bij dit burgerberaad."))
    if session is not None:
        if session.weekend.assembly_id != assembly.pk:
            raise MaterialRefused(_("Dit onderdeel hoort niet bij dit burgerberaad."))
        if weekend is not None and session.weekend_id != weekend.pk:
            raise MaterialRefused(_("Dit onderdeel hoort bij een ander weekend."))
        weekend = session.weekend
    if expert is not None and expert.assembly_id != assembly.pk:
        raise MaterialRefused(_("Deze deskundige hoort niet bij dit burgerberaad."))
    return weekend


def url_too_long_message() -> str:
    return _(
        "Deze link is te lang. Een link mag hoogstens %(limit_value)s tekens hebben. "
        "Gebruik een kortere link."
    )


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MaterialRefused(_("Een link begint met https:// of http://."))
    if len(url) > URL_MAX_LENGTH:
        raise MaterialRefused(url_too_long_message() % {"limit_value": URL_MAX_LENGTH})
    return url


def _check_content(kind: str, pdf: CheckedPdf | None, url: str) -> None:
    if kind == Material.Kind.DOCUMENT:
        if pdf is None:
            raise MaterialRefused(_("Kies een PDF-bestand."))
    else:
        if not url:
            raise MaterialRefused(_("Vul de link in."))
        check_url(url)


def _version_create(
    *, material: Material, number: int, pdf: CheckedPdf | None, url: str, note: str, actor: User
) -> MaterialVersion:
    version = MaterialVersion(material=material, number=number, note=note, created_by=actor)
    if pdf is not None:
        version.sha256 = pdf.sha256
        version.size = pdf.size
        # The stored name says nothing of the uploader's file name.
        version.file.save(
            f"{material.pk}-v{number}-{pdf.sha256[:12]}.pdf", ContentFile(pdf.data), save=False
        )
    else:
        version.url = url
    version.save()
    return version


# --- create, edit, new version ------------------------------------------------


@transaction.atomic
def material_create(
    *,
    assembly: Assembly,
    kind: str,
    title: str,
    summary: str,
    actor: User,
    weekend: Weekend | None = None,
    session: Session | None = None,
    expert: Expert | None = None,
    pdf: CheckedPdf | None = None,
    url: str = "",
    members_only_reason: str = "",
    title_en: str = "",
    summary_en: str = "",
    submission: uuid.UUID | None = None,
) -> Material:
    """A new material, as a draft with its first version. The same form sent
    twice (``submission``) gives back the first material."""
    # The assembly's row is the lock: a second copy of the form waits for the
    # first one's commit, then finds its material.
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    earlier = submitted_before(Material.objects.filter(assembly=assembly), submission)
    if earlier is not None:
        return earlier
    if kind not in Material.Kind.values:
        raise MaterialRefused(_("Kies een soort stuk."))
    _check_content(kind, pdf, url)
    weekend = check_placement(assembly=assembly, weekend=weekend, session=session, expert=expert)
    material = Material.objects.create(
        assembly=assembly,
        weekend=weekend,
        session=session,
        expert=expert,
        title=title,
        title_en=title_en,
        kind=kind,
        summary=summary,
        summary_en=summary_en,
        members_only_reason=members_only_reason,
        created_by=actor,
        submission=submission,
    )
    version = _version_create(material=material, number=1, pdf=pdf, url=url, note="", actor=actor)
    audit_record(
        action="material.created",
        assembly=assembly,
        actor=actor,
        target=material,
        detail={"version": version.pk, "kind": kind},
    )
    return material


@transaction.atomic
def material_update(*, material: Material, fields: dict[str, Any], actor: User) -> Material:
    """Change a draft's title, summary or place. Released material keeps its words:
    a change to what members read is a new version."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.status != Material.Status.DRAFT:
        raise MaterialRefused(already_released_message())
    changed = [name for name in EDITABLE_FIELDS if name in fields]
    for name in changed:
        setattr(material, name, fields[name])
    material.weekend = check_placement(
        assembly=material.assembly,
        weekend=material.weekend,
        session=material.session,
        expert=material.expert,
    )
    if "weekend" not in changed and material.session is not None:
        changed.append("weekend")
    material.save(update_fields=changed)
    audit_record(
        action="material.updated",
        assembly=material.assembly,
        actor=actor,
        target=material,
        detail={"fields": changed},
    )
    return material


@transaction.atomic
def material_version_add(
    *,
    material: Material,
    actor: User,
    note: str,
    pdf: CheckedPdf | None = None,
    url: str = "",
) -> MaterialVersion:
    """A new version beside the old ones; the old ones stay readable."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    _check_content(material.kind, pdf, url)
    if material.status != Material.Status.DRAFT and not note.strip():
        raise MaterialRefused(_("Dit stuk is al vrijgegeven. Schrijf op wat er is veranderd."))
    last = material.versions.aggregate(last=Max("number"))["last"] or 0
    version = _version_create(
        material=material, number=last + 1, pdf=pdf, url=url, note=note.strip(), actor=actor
    )
    due = _plan_update_notice(material, now=version.created_at)
    audit_record(
        action="material.version_added",
        assembly=material.assembly,
        actor=actor,
        target=material,
        detail={
            "version": version.pk,
            "number": version.number,
            "notice_due": due.isoformat() if due else None,
        },
    )
    return version


def weekend_has_passed(weekend: Weekend | None, *, today: dt.date) -> bool:
    return weekend is not None and weekend.ends_on < today


def _plan_update_notice(material: Material, *, now: dt.datetime) -> dt.datetime | None:
    """When members hear of a new version of released material; None: not by e-mail.

    A draft is news when it is released; material whose release e-mail has not
    gone out yet is in that e-mail; after its weekend, only the page says it.
    A notice that already waits takes the new version along; an item that had a
    notice today gets the next one tomorrow morning.
    """
    if material.status == Material.Status.DRAFT or material.release_notified_at is None:
        return None
    today = timezone.localdate(now)
    if weekend_has_passed(material.weekend, today=today):
        return None
    if material.update_notice_due_at is not None:
        return material.update_notice_due_at
    due = now + UPDATE_QUIET
    if (
        material.update_notified_at is not None
        and timezone.localdate(material.update_notified_at) == today
    ):
        tomorrow = today + dt.timedelta(days=1)
        due = max(due, timezone.make_aware(dt.datetime.combine(tomorrow, UPDATE_NEXT_DAY_AT)))
    material.update_notice_due_at = due
    material.save(update_fields=["update_notice_due_at"])
    return due


# --- the expert's own material ------------------------------------------------


def expert_change_refusal(*, material: Material, user: User) -> str | None:
    """Why the expert may not change or withdraw this material; None if they may.

    Only what they sent themselves, and only while the secretariat has not yet
    dealt with it: once a release is planned or done, members may have read it
    (or will soon) and the secretariat decides about changes.
    """
    expert = material.expert
    if expert is None or expert.user_id != user.pk or material.created_by_id != user.pk:
        return _("Dit stuk heeft het secretariaat klaargezet. U kunt het niet zelf veranderen.")
    if material.status != Material.Status.DRAFT:
        return _("Het secretariaat heeft dit stuk al vrijgegeven. U kunt het niet meer veranderen.")
    if material.release_at is not None:
        return _(
            "Het secretariaat heeft dit stuk al nagekeken en de vrijgave gepland. "
            "U kunt het niet meer veranderen."
        )
    return None


def _check_expert_may_change(material: Material, user: User) -> None:
    refusal = expert_change_refusal(material=material, user=user)
    if refusal is not None:
        raise MaterialRefused(refusal)


EXPERT_EDITABLE_FIELDS = ("title", "title_en", "summary", "summary_en", "session")


@transaction.atomic
def material_change_by_expert(
    *,
    material: Material,
    actor: User,
    fields: dict[str, Any],
    pdf: CheckedPdf | None = None,
    url: str = "",
) -> Material:
    """The expert's own draft, changed before the secretariat releases it: the
    texts and the session in place, a new file or link as a new version (the
    secretariat sees what it replaced). The same file or link sent again adds
    nothing, so a form sent twice makes one version."""
    # Only the material's row: PostgreSQL refuses FOR UPDATE on the nullable
    # side of the joins to the expert and the session.
    material = (
        Material.objects.select_for_update(of=("self",))
        .select_related("expert", "assembly", "session")
        .get(pk=material.pk)
    )
    _check_expert_may_change(material, actor)
    changes = {
        name: fields[name]
        for name in EXPERT_EDITABLE_FIELDS
        if name in fields and getattr(material, name) != fields[name]
    }
    if "session" in changes and changes["session"] is not None:
        # The session decides the weekend, as when the expert sent the material.
        changes["weekend"] = changes["session"].weekend
    if changes:
        material = material_update(material=material, fields=changes, actor=actor)
    current = material.versions.order_by("-number").first()
    if pdf is not None and (current is None or current.sha256 != pdf.sha256):
        material_version_add(material=material, actor=actor, note="", pdf=pdf)
    elif pdf is None and url and (current is None or current.url != url):
        material_version_add(material=material, actor=actor, note="", url=url)
    return material


@transaction.atomic
def material_withdraw(*, material: Material, actor: User) -> None:
    """The expert takes back a draft the secretariat has not dealt with yet.

    Nobody but the secretariat has seen it, so it goes altogether, its files
    too (once the transaction holds): no material the expert withdrew waits
    for review or stays stored. The log keeps the ids (not the title, which
    the expert typed: the log is kept for good, also after an erasure), so
    the organisers' list of materials can say who withdrew what kind of
    material for which session (selectors_materials.recently_withdrawn).
    """
    # Only the material's row: PostgreSQL refuses FOR UPDATE on the nullable
    # side of the join to the expert.
    material = (
        Material.objects.select_for_update(of=("self",))
        .select_related("expert", "assembly")
        .get(pk=material.pk)
    )
    _check_expert_may_change(material, actor)
    versions = list(material.versions.all())
    audit_record(
        action="material.withdrawn",
        assembly=material.assembly,
        actor=actor,
        target=material,
        detail={
            "versions": [version.pk for version in versions],
            "kind": material.kind,
            "expert": material.expert_id,
            "session": material.session_id,
        },
    )
    materials_delete([material])


def materials_delete(materials: list[Material]) -> None:
    """Delete materials with their versions, and the stored files of those
    versions once the transaction holds: a rollback keeps rows and files."""
    files = [version.file for material in materials for version in material.versions.all()]
    Material.objects.filter(pk__in=[material.pk for material in materials]).delete()

    def delete_files() -> None:
        for stored in files:
            if stored:
                stored.delete(save=False)

    transaction.on_commit(delete_files)


# --- release, public, members-only -------------------------------------------


def _queue_notify(assembly_id: int) -> None:
    from sessions.tasks_materials import materials_notify_task

    # With the queue down, the materials-due sweep sends the notices.
    transaction.on_commit(
        lambda: queue_or_leave_to_sweep(materials_notify_task, assembly_id, what="material notice")
    )


@transaction.atomic
def material_release(*, material: Material, actor: User, at: dt.datetime | None = None) -> Material:
    """Release now (``at`` empty or past), or plan the release for ``at``."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.status != Material.Status.DRAFT:
        raise MaterialRefused(_("Dit stuk is al vrijgegeven."))
    if not material.versions.exists():
        raise MaterialRefused(_("Dit stuk heeft nog geen bestand of link."))
    now = timezone.now()
    if at is not None and at > now:
        material.release_at = at
        material.save(update_fields=["release_at"])
        audit_record(
            action="material.release_planned",
            assembly=material.assembly,
            actor=actor,
            target=material,
            detail={"release_at": at.isoformat()},
        )
        return material
    material.status = Material.Status.RELEASED
    material.released_at = now
    material.release_at = material.release_at or now
    material.save(update_fields=["status", "released_at", "release_at"])
    audit_record(
        action="material.released", assembly=material.assembly, actor=actor, target=material
    )
    _queue_notify(material.assembly_id)
    return material


@transaction.atomic
def material_release_cancel(*, material: Material, actor: User) -> Material:
    """Take back a planned release (the material stays a draft)."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.status != Material.Status.DRAFT:
        raise MaterialRefused(_("Dit stuk is al vrijgegeven."))
    material.release_at = None
    material.save(update_fields=["release_at"])
    audit_record(
        action="material.release_cancelled",
        assembly=material.assembly,
        actor=actor,
        target=material,
    )
    return material


@transaction.atomic
def material_publish(*, material: Material, actor: User) -> Material:
    """Make released material public now, by hand (before the weekend has ended)."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.status != Material.Status.RELEASED:
        raise MaterialRefused(_("Alleen stukken die al zijn vrijgegeven, kunnen openbaar worden."))
    if material.members_only_reason:
        raise MaterialRefused(
            _("Dit stuk is alleen voor deelnemers. Haal dat eerst weg als het toch openbaar mag.")
        )
    material.status = Material.Status.PUBLIC
    material.made_public_at = timezone.now()
    material.save(update_fields=["status", "made_public_at"])
    audit_record(
        action="material.made_public", assembly=material.assembly, actor=actor, target=material
    )
    return material


@transaction.atomic
def material_members_only(*, material: Material, reason: str, actor: User) -> Material:
    """Keep material for members only (with a reason), or with no reason let it
    become public after its weekend. Public material that becomes members-only
    leaves the public page."""
    material = Material.objects.select_for_update().get(pk=material.pk)
    reason = reason.strip()
    fields = ["members_only_reason"]
    material.members_only_reason = reason
    if reason and material.status == Material.Status.PUBLIC:
        material.status = Material.Status.RELEASED
        material.made_public_at = None
        fields += ["status", "made_public_at"]
    material.save(update_fields=fields)
    audit_record(
        action="material.members_only" if reason else "material.members_only_lifted",
        assembly=material.assembly,
        actor=actor,
        target=material,
        detail={"status": material.status},
    )
    return material


# --- the periodic task's work -------------------------------------------------


def materials_release_due(*, now: dt.datetime | None = None) -> list[int]:
    """Release every draft whose moment has come. Returns the ids this call released."""
    now = now or timezone.now()
    due = list(
        Material.objects.filter(status=Material.Status.DRAFT, release_at__lte=now)
        .filter(versions__isnull=False)
        .values_list("pk", "assembly_id")
        .distinct()
    )
    released = []
    for material_id, assembly_id in due:
        with transaction.atomic():
            claimed = Material.objects.filter(
                pk=material_id, status=Material.Status.DRAFT, release_at__lte=now
            ).update(status=Material.Status.RELEASED, released_at=now)
            if claimed == 1:
                released.append(material_id)
                audit_record(
                    action="material.released",
                    assembly=Assembly(pk=assembly_id),
                    target=Material(pk=material_id),
                    detail={"planned": True},
                )
    if released:
        logger.info("materials released count=%s", len(released))
    return released


def materials_publish_due(*, now: dt.datetime | None = None) -> list[int]:
    """Released material whose weekend has ended becomes public, unless members-only."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(
        Material.objects.filter(
            status=Material.Status.RELEASED,
            members_only_reason="",
            weekend__ends_on__lt=today,
        ).values_list("pk", "assembly_id")
    )
    published = []
    for material_id, assembly_id in due:
        with transaction.atomic():
            claimed = Material.objects.filter(
                pk=material_id, status=Material.Status.RELEASED, members_only_reason=""
            ).update(status=Material.Status.PUBLIC, made_public_at=now)
            if claimed == 1:
                published.append(material_id)
                audit_record(
                    action="material.made_public",
                    assembly=Assembly(pk=assembly_id),
                    target=Material(pk=material_id),
                    detail={"after_weekend": True},
                )
    if published:
        logger.info("materials made public count=%s", len(published))
    return published


def _released_unnotified() -> Q:
    return Q(
        status__in=[Material.Status.RELEASED, Material.Status.PUBLIC],
        released_at__isnull=False,
        release_notified_at__isnull=True,
    )


def materials_assemblies_to_notify() -> list[int]:
    return list(
        Material.objects.filter(_released_unnotified())
        .values_list("assembly_id", flat=True)
        .distinct()
        .order_by("assembly_id")
    )


def _notification(assembly: Assembly, materials: Sequence[Material]) -> MailPerLanguage:
    return MailPerLanguage(
        "material_released",
        {
            "assembly": assembly,
            "materials": materials,
            "materials_url": settings.SITE_URL
            + reverse("programme:materials", kwargs={"slug": assembly.slug}),
        },
    )


@transaction.atomic
def materials_notify(*, assembly_id: int, now: dt.datetime | None = None) -> int:
    """Tell every member about newly released material, once: one e-mail per
    member for all the material released since the last one.

    The update on ``release_notified_at`` claims each material; the e-mails
    are written to the outbox in the same transaction, so a claim without its
    e-mails (or e-mails without a claim) cannot be committed. Returns how many
    e-mails were queued.
    """
    now = now or timezone.now()
    candidates = list(
        Material.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(_released_unnotified(), assembly_id=assembly_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    claimed = [
        material_id
        for material_id in candidates
        if Material.objects.filter(pk=material_id, release_notified_at__isnull=True).update(
            release_notified_at=now
        )
        == 1
    ]
    if not claimed:
        return 0
    assembly = Assembly.objects.get(pk=assembly_id)
    materials = list(
        Material.objects.filter(pk__in=claimed)
        .select_related("weekend")
        .order_by("weekend__starts_on", "title")
    )
    mail = _notification(assembly, materials)
    members = _member_roles(assembly_id)
    ref = ("sessions.Material:" + ",".join(str(pk) for pk in sorted(claimed)))[:120]
    queued = 0
    for role in members:
        subject, body = mail.for_user(role.user)
        outbox_queue(to=role.user.email, subject=subject, body=body, kind=NOTIFY_KIND, ref=ref)
        queued += 1
    audit_record(
        action="materials.members_notified",
        assembly=assembly,
        detail={"materials": sorted(claimed), "emails": queued},
    )
    logger.info(
        "materials notified assembly=%s materials=%s emails=%s", assembly_id, len(claimed), queued
    )
    return queued


@dataclass
class UpdatedMaterial:
    """A material in the e-mail about new versions, with the versions that are new."""

    material: Material
    versions: list[MaterialVersion]

    @property
    def current(self) -> MaterialVersion:
        return self.versions[0]


def materials_assemblies_with_updates_due(*, now: dt.datetime) -> list[int]:
    return list(
        Material.objects.filter(update_notice_due_at__lte=now)
        .values_list("assembly_id", flat=True)
        .distinct()
        .order_by("assembly_id")
    )


@transaction.atomic
def materials_notify_updates(*, assembly_id: int, now: dt.datetime | None = None) -> int:
    """Tell every member about new versions of released material whose notice is
    due: one e-mail per member for all of them.

    Each material is claimed by clearing ``update_notice_due_at`` in the same
    transaction as the e-mails, so a run twice (or beside another) sends once.
    A weekend that has passed in the meantime gets no e-mail: the page says it.
    Returns how many e-mails were queued.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = list(
        Material.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(assembly_id=assembly_id, update_notice_due_at__lte=now)
        .select_related("weekend")
        .order_by("pk")
    )
    claimed: list[Material] = []
    since: dict[int, dt.datetime] = {}
    skipped: list[int] = []
    for material in candidates:
        # The e-mail lists the versions members have not heard of yet.
        stamps = [material.release_notified_at, material.update_notified_at]
        since[material.pk] = max((s for s in stamps if s is not None), default=now)
        tell = material.status != Material.Status.DRAFT and not weekend_has_passed(
            material.weekend, today=today
        )
        changes: dict[str, Any] = {"update_notice_due_at": None}
        if tell:
            changes["update_notified_at"] = now
        taken = Material.objects.filter(pk=material.pk, update_notice_due_at__lte=now).update(
            **changes
        )
        if taken != 1:
            continue
        if tell:
            claimed.append(material)
        else:
            skipped.append(material.pk)
    if skipped:
        audit_record(
            action="materials.update_notice_skipped",
            assembly=Assembly(pk=assembly_id),
            detail={"materials": skipped},
        )
    if not claimed:
        return 0
    new_versions: dict[int, list[MaterialVersion]] = {}
    versions = MaterialVersion.objects.filter(material_id__in=[m.pk for m in claimed])
    for version in versions.order_by("-number"):
        if version.created_at > since[version.material_id]:
            new_versions.setdefault(version.material_id, []).append(version)
    updated = [
        UpdatedMaterial(material=m, versions=new_versions[m.pk])
        for m in sorted(claimed, key=_in_programme_order)
        if m.pk in new_versions
    ]
    if not updated:
        return 0
    assembly = Assembly.objects.get(pk=assembly_id)
    mail = MailPerLanguage(
        "material_updated",
        {
            "assembly": assembly,
            "updated": updated,
            "materials_url": settings.SITE_URL
            + reverse("programme:materials", kwargs={"slug": assembly.slug}),
        },
    )
    ids = sorted(item.material.pk for item in updated)
    ref = ("sessions.Material:" + ",".join(str(pk) for pk in ids))[:120]
    queued = 0
    for role in _member_roles(assembly_id):
        subject, body = mail.for_user(role.user)
        if outbox_queue(
            to=role.user.email, subject=subject, body=body, kind=UPDATE_NOTIFY_KIND, ref=ref
        ):
            queued += 1
    audit_record(
        action="materials.members_notified_of_update",
        assembly=assembly,
        detail={
            "materials": ids,
            "versions": sorted(v.pk for item in updated for v in item.versions),
            "emails": queued,
        },
    )
    logger.info(
        "material updates notified assembly=%s materials=%s emails=%s",
        assembly_id,
        len(ids),
        queued,
    )
    return queued


def _in_programme_order(material: Material) -> tuple[dt.date, str]:
    return (material.weekend.starts_on if material.weekend else dt.date.max, material.title)


def _member_roles(assembly_id: int) -> QuerySet[Role]:
    return (
        Role.objects.filter(assembly_id=assembly_id, kind=RoleKind.MEMBER, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )


def materials_process_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic task's work: release what is due, make public what may be, tell
    members of new material and of new versions."""
    now = now or timezone.now()
    released = materials_release_due(now=now)
    published = materials_publish_due(now=now)
    emails = sum(
        materials_notify(assembly_id=assembly_id, now=now)
        for assembly_id in materials_assemblies_to_notify()
    )
    emails += sum(
        materials_notify_updates(assembly_id=assembly_id, now=now)
        for assembly_id in materials_assemblies_with_updates_due(now=now)
    )
    return {"released": len(released), "public": len(published), "emails": emails}
