"""Writes around the reports: the secretariat's words per weekend, sharing a
progress report with the griffie, and a member's consent to be named."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assembly.models import User
from assembly.services import audit_record
from participants.models import PanelMember
from recommendations.models import ProgressReport
from sessions.models import Weekend

MAX_WORDS_LENGTH = 10_000


def check_progress_words(*, summary: str, next_steps: str) -> None:
    errors: dict[str, str] = {}
    if len(summary) > MAX_WORDS_LENGTH:
        errors["summary"] = _("Deze tekst is te lang. Gebruik hoogstens 10.000 tekens.")
    if len(next_steps) > MAX_WORDS_LENGTH:
        errors["next_steps"] = _("Deze tekst is te lang. Gebruik hoogstens 10.000 tekens.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progress_report_save(
    *, weekend: Weekend, summary: str, next_steps: str, actor: User | None
) -> ProgressReport:
    """Store the words; a shared report stays shared and shows the new words."""
    summary, next_steps = summary.strip(), next_steps.strip()
    check_progress_words(summary=summary, next_steps=next_steps)
    report, created = ProgressReport.objects.select_for_update().get_or_create(
        weekend=weekend,
        defaults={"summary": summary, "next_steps": next_steps, "written_by": actor},
    )
    if not created:
        report.summary = summary
        report.next_steps = next_steps
        report.written_by = actor
        report.save(update_fields=["summary", "next_steps", "written_by", "updated_at"])
    audit_record(
        action="progress_report.save", assembly=weekend.assembly, actor=actor, target=report
    )
    return report


def check_progress_publishable(*, report: ProgressReport | None) -> None:
    if report is None or not report.summary.strip():
        raise ValidationError(
            {"summary": _("Schrijf eerst wat er gebeurde. Daarna kunt u het rapport delen.")}
        )


@transaction.atomic
def progress_report_publish(*, weekend: Weekend, actor: User | None) -> ProgressReport:
    """Share the progress report with the griffie (and the chair); once is enough."""
    report = ProgressReport.objects.select_for_update().filter(weekend=weekend).first()
    check_progress_publishable(report=report)
    assert report is not None
    if report.published_at is None:
        report.published_at = timezone.now()
        report.save(update_fields=["published_at", "updated_at"])
        audit_record(
            action="progress_report.publish",
            assembly=weekend.assembly,
            actor=actor,
            target=report,
        )
    return report


@transaction.atomic
def member_name_consent_set(*, member: PanelMember, named: bool, actor: User | None) -> PanelMember:
    """Opt in to (or out of) being named in the report; the choice is the member's own."""
    locked = PanelMember.objects.select_for_update().get(pk=member.pk)
    if locked.named_publicly == named:
        return locked
    locked.named_publicly = named
    locked.named_publicly_at = timezone.now() if named else None
    locked.save(update_fields=["named_publicly", "named_publicly_at"])
    audit_record(
        action="panel_member.named_publicly" if named else "panel_member.not_named",
        assembly=locked.assembly,
        actor=actor,
        target=locked,
    )
    return locked
