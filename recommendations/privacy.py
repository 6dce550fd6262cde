"""Reads for requests under the AVG (GDPR): who a data subject is, and
everything the system holds about them.

A person can appear at several stages: in the population extract (a
resident), invited, registered, drawn (a member or alternate) with an
account, allowances, claims and a bank account. An expert has a profile
(found by its e-mail address, with or without an account) and materials.
The requests span every app, so they live here, in the app that may import
all the others.

What is *not* in an export, because nobody can link it to the person: what
they voted in a secret ballot (the vote table has no link to the member; the
export lists only the ballots they took part in).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assembly.models import Assembly, AuditEvent, OutboxEmail, Role, User
from participants.codes import code_normalise
from participants.letters import address_lines
from participants.models import (
    ERASED_EMAIL_PREFIX,
    BankAccount,
    CheckIn,
    DayAllowance,
    ExpenseClaim,
    Invitation,
    PanelMember,
    PaymentItem,
    Registration,
    Resident,
    TableSeat,
)
from participants.names import identifying_words
from participants.selectors_registration import attitude_question_list
from participants.statements import euro
from recommendations.models import Amendment, RecommendationVersion, VoterMark
from sessions.models import Expert, Material
from sessions.selectors_materials import expert_is_on_public_record, on_public_record

Section = dict[str, Any]


@dataclass(frozen=True)
class Shown:
    """A stored value with the words a person reads for it: the JSON copy keeps
    `value` (for computers), the PDF shows `text`."""

    value: Any
    text: str


@dataclass
class DataSubject:
    """One person as far as one assembly knows them; any part may be missing."""

    assembly: Assembly
    resident: Resident | None = None
    invitation: Invitation | None = None
    registration: Registration | None = None
    member: PanelMember | None = None
    user: User | None = None
    # Found by the e-mail address on the profile, or through the account.
    expert: Expert | None = None

    @property
    def reference(self) -> str:
        """Ids only, for the audit log and file names."""
        parts = [
            f"{name}:{obj.pk}"
            for name, obj in (
                ("resident", self.resident),
                ("invitation", self.invitation),
                ("registration", self.registration),
                ("member", self.member),
                ("user", self.user),
                ("expert", self.expert),
            )
            if obj is not None
        ]
        return ",".join(parts)

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.resident, self.invitation, self.registration, self.member, self.user, self.expert)
        )

    @property
    def audit_target(self) -> models.Model | None:
        """The row a log line about this person points to (by id)."""
        for obj in (self.member, self.registration, self.invitation, self.expert, self.user):
            if obj is not None:
                return obj
        return None


@dataclass
class SubjectExport:
    """Everything about one person, as sections of label → value, in Dutch or English."""

    subject: DataSubject
    made_at: dt.datetime
    sections: list[tuple[str, list[Section]]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "assembly": self.subject.assembly.slug,
            "made_at": self.made_at.isoformat(),
            "sections": [
                {"title": title, "rows": [_json_row(row) for row in rows]}
                for title, rows in self.sections
            ],
        }


def _complete(subject: DataSubject) -> DataSubject:
    """Follow the links between the stages, in both directions, until nothing new turns up."""
    for _step in range(5):
        before = subject.reference
        if subject.resident is not None and subject.invitation is None:
            subject.invitation = Invitation.objects.filter(resident=subject.resident).first()
        if subject.invitation is not None:
            subject.resident = subject.resident or subject.invitation.resident
            if subject.registration is None:
                subject.registration = Registration.objects.filter(
                    invitation=subject.invitation
                ).first()
        if subject.registration is not None:
            subject.invitation = subject.invitation or subject.registration.invitation
            if subject.member is None:
                subject.member = PanelMember.objects.filter(
                    registration=subject.registration
                ).first()
        if subject.member is not None:
            subject.registration = subject.registration or subject.member.registration
            subject.user = subject.user or subject.member.user
        if subject.expert is not None and subject.user is None:
            subject.user = subject.expert.user
        if subject.user is not None and subject.member is None:
            subject.member = PanelMember.objects.filter(
                assembly=subject.assembly, user=subject.user
            ).first()
        if subject.user is not None and subject.expert is None:
            subject.expert = (
                Expert.objects.filter(assembly=subject.assembly, user=subject.user)
                .select_related("perspective")
                .first()
            )
        if subject.reference == before:
            break
    return subject


def subject_find(
    *, assembly: Assembly, email: str = "", code: str = "", person_ref: str = ""
) -> DataSubject:
    """The person an organiser looks up by e-mail address, invitation code or
    persoonsnummer (one of them). An empty subject when nothing matches."""
    subject = DataSubject(assembly=assembly)
    email = email.strip()
    if email:
        subject.registration = (
            Registration.objects.filter(assembly=assembly, email__iexact=email)
            .order_by("-pk")
            .first()
        )
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            subject.member = PanelMember.objects.filter(assembly=assembly, user=user).first()
            if (
                subject.member is not None
                or Role.objects.filter(user=user, assembly=assembly).exists()
            ):
                subject.user = user
        if subject.registration is None and subject.member is None:
            subject.resident = Resident.objects.filter(
                assembly=assembly, email__iexact=email
            ).first()
        # An expert the secretariat entered has an account only once invited:
        # the address on the profile finds them either way.
        subject.expert = (
            Expert.objects.filter(assembly=assembly, email__iexact=email)
            .select_related("perspective", "user")
            .order_by("pk")
            .first()
        )
    elif code.strip():
        subject.invitation = Invitation.objects.filter(
            assembly=assembly, code=code_normalise(code)
        ).first()
    elif person_ref.strip():
        subject.resident = Resident.objects.filter(
            assembly=assembly, person_ref=person_ref.strip()
        ).first()
    return _complete(subject)


def subject_for_user(*, assembly: Assembly, user: User) -> DataSubject:
    """A logged-in person asking for their own data."""
    member = PanelMember.objects.filter(assembly=assembly, user=user).first()
    return _complete(DataSubject(assembly=assembly, member=member, user=user))


def _value(value: Any) -> Any:
    if isinstance(value, Shown):
        return _value(value.value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json_row(row: Section) -> Section:
    return {key: _value(value) for key, value in row.items()}


def _row(**values: Any) -> Section:
    # Rows keep Python values (dates, amounts, booleans): the JSON copy writes
    # them for computers (_json_row), the PDF for people (privacy_pdf).
    return values


def _euro(amount: Decimal) -> Shown:
    return Shown(amount, euro(amount))


def _attitude_answers(registration: Registration) -> Shown:
    """Each question with the chosen answer, in the reader's language."""
    answers = dict(registration.attitude_answers)
    lines = []
    for question in attitude_question_list(assembly=registration.assembly):
        if question.key in answers:
            stored = answers.pop(question.key)
            lines.append(f"{question.shown_text()}: {question.shown_answer(stored)}")
    # An answer to a question the organiser removed since.
    lines += [f"{key}: {stored}" for key, stored in answers.items()]
    return Shown(registration.attitude_answers, "\n".join(lines))


def _language(code: str) -> Shown:
    return Shown(code, str(dict(settings.LANGUAGES).get(code, code)))


def _resident_rows(resident: Resident) -> list[Section]:
    return [
        _row(
            persoonsnummer=resident.person_ref,
            voornamen=resident.given_names,
            voorvoegsel=resident.name_prefix,
            geslachtsnaam=resident.surname,
            adres=f"{resident.street} {resident.house_number}{resident.house_letter}"
            f"{resident.house_number_addition}",
            postcode=resident.postcode,
            woonplaats=resident.city,
            gemeente=resident.municipality,
            geboortedatum=resident.birth_date,
            email=resident.email,
        )
    ]


def _registration_rows(registration: Registration) -> list[Section]:
    weekends = ", ".join(str(w.number) for w in registration.available_weekends.all())
    return [
        _row(
            status=registration.get_status_display(),
            toestemming_op=registration.consent_at,
            versie_uitleg=registration.consent_version,
            naam=registration.full_name,
            email=registration.email,
            telefoon=registration.phone,
            # The address the member gave after moving; the extract's stands
            # under "Uittreksel BRP".
            nieuw_adres=", ".join(address_lines("", registration)[1:])
            if registration.postcode
            else "",
            geboortedatum=registration.birth_date,
            geslacht=registration.get_gender_display(),
            opleiding=registration.get_education_display(),
            provincie=registration.get_province_display(),
            woonomgeving=registration.get_urbanisation_display(),
            migratieachtergrond=registration.get_migration_background_display(),
            antwoorden_mening=_attitude_answers(registration),
            beschikbaar_weekenden=weekends,
            hulp_bewegen=registration.needs_mobility,
            opvang_kinderen=registration.needs_childcare,
            hulp_taal=registration.needs_language_help,
            taal=_language(registration.language),
            eten=registration.diet,
            anders=registration.needs_other,
            aangemeld_op=registration.created_at,
            afgemeld_op=registration.withdrawn_at,
        )
    ]


def _member_rows(member: PanelMember) -> list[Section]:
    return [
        _row(
            soort=member.get_kind_display(),
            status=member.get_status_display(),
            plaats_reservelijst=member.alternate_rank,
            bericht_verstuurd_op=member.notified_at,
            antwoord_gegeven_op=member.responded_at,
            gestopt_op=member.withdrawn_at,
            reden_stoppen=member.withdrawn_reason,
            naam_in_rapport=member.named_publicly,
        )
    ]


def _money_sections(member: PanelMember) -> list[tuple[str, list[Section]]]:
    sections: list[tuple[str, list[Section]]] = []
    allowances = [
        _row(
            dag=a.day,
            bedrag=_euro(a.amount),
            afgetopt=a.get_capped_by_display(),
            status=Shown(a.status, a.get_status_display()),
        )
        for a in DayAllowance.objects.filter(member=member).order_by("day")
    ]
    claims = [
        _row(
            dag=c.day,
            soort=c.get_kind_display(),
            omschrijving=c.description,
            kilometers=c.kilometres,
            bedrag=_euro(c.amount),
            status=c.get_status_display(),
            bon=bool(c.receipt),
            bericht=c.message,
        )
        for c in ExpenseClaim.objects.filter(member=member).order_by("day", "pk")
    ]
    account = BankAccount.objects.filter(member=member).first()
    payments = [
        _row(batch=p.batch.number, bedrag=_euro(p.amount), iban=p.iban, betaald_op=p.paid_at)
        for p in PaymentItem.objects.filter(member=member).select_related("batch")
    ]
    if allowances:
        sections.append((_("Dagvergoedingen"), allowances))
    if claims:
        sections.append((_("Onkostendeclaraties"), claims))
    if account is not None:
        sections.append(
            (_("Bankrekening"), [_row(iban=account.iban, rekeninghouder=account.holder_name)])
        )
    if payments:
        sections.append((_("Betalingen"), payments))
    return sections


def _participation_sections(member: PanelMember) -> list[tuple[str, list[Section]]]:
    sections: list[tuple[str, list[Section]]] = []
    check_ins = [
        _row(weekend=c.weekend.number, dag=c.day, aangemeld_op=c.checked_in_at, opmerking=c.note)
        for c in CheckIn.objects.filter(member=member).select_related("weekend")
    ]
    seats = [
        _row(weekend=s.round.weekend.number, tafel=s.table.number)
        for s in TableSeat.objects.filter(member=member).select_related("round__weekend", "table")
    ]
    ballots = [
        _row(stemming=m.ballot.number, titel=m.ballot.title, gestemd_op=m.voted_at)
        for m in VoterMark.objects.filter(member=member).select_related("ballot")
    ]
    if check_ins:
        sections.append((_("Aanwezigheid"), check_ins))
    if seats:
        sections.append((_("Tafels"), seats))
    if ballots:
        # What they chose is secret: the vote is stored without a link to them.
        sections.append((_("Stemmingen waaraan u meedeed (niet wat u stemde)"), ballots))
    return sections


def _account_sections(subject: DataSubject) -> list[tuple[str, list[Section]]]:
    user = subject.user
    if user is None:
        return []
    roles = ", ".join(
        r.get_kind_display() for r in Role.objects.filter(user=user, assembly=subject.assembly)
    )
    sections = [
        (
            _("Account"),
            [
                _row(
                    email=user.email,
                    naam=user.full_name,
                    rollen=roles,
                    laatst_ingelogd=user.last_login,
                    aangemaakt_op=user.date_joined,
                )
            ],
        )
    ]
    authored = [
        _row(aanbeveling=v.recommendation.number, versie=v.number, op=v.created_at)
        for v in RecommendationVersion.objects.filter(
            author=user, recommendation__assembly=subject.assembly
        ).select_related("recommendation")
    ] + [
        _row(aanbeveling=a.recommendation.number, amendement=a.number, op=a.created_at)
        for a in Amendment.objects.filter(
            proposed_by=user, recommendation__assembly=subject.assembly
        ).select_related("recommendation")
    ]
    if authored:
        sections.append((_("Teksten die u schreef"), authored))
    return sections


def _expert_rows(expert: Expert) -> list[Section]:
    perspective = expert.perspective
    return [
        _row(
            naam=expert.name,
            organisatie=expert.organisation,
            functie=expert.role_title,
            perspectief=Shown(perspective.name, perspective.shown_name) if perspective else None,
            verklaring_van_belangen=expert.interests,
            email=expert.email,
            telefoon=expert.phone,
            aangemaakt_op=expert.created_at,
        )
    ]


def _versions(material: Material) -> Shown:
    """Each version: the stored facts for computers, a line per version for people."""
    versions = list(material.versions.all())
    lines = []
    for version in versions:
        made = formats.date_format(timezone.localtime(version.created_at), "j F Y")
        if version.file:
            what = _("PDF-bestand van %(size)s") % {"size": filesizeformat(version.size)}
        else:
            what = _("link: %(url)s") % {"url": version.url}
        lines.append(
            _("Versie %(number)s, %(made)s: %(what)s")
            % {"number": version.number, "made": made, "what": what}
        )
    stored = [
        {
            "versie": version.number,
            "link": version.url,
            "bytes": version.size,
            "sha256": version.sha256,
            "gemaakt_op": version.created_at.isoformat(),
        }
        for version in versions
    ]
    return Shown(stored, "\n".join(lines))


def _material_rows(subject: DataSubject) -> list[Section]:
    """The materials on the expert's name, and any they sent themselves."""
    mine = Q(expert=subject.expert) if subject.expert is not None else Q(pk__in=[])
    if subject.user is not None:
        mine |= Q(created_by=subject.user)
    materials = (
        Material.objects.filter(mine, assembly=subject.assembly)
        .select_related("weekend", "session")
        .prefetch_related("versions")
        .order_by("created_at", "pk")
    )
    return [
        _row(
            titel=m.title,
            titel_in_het_engels=m.title_en,
            soort=Shown(m.kind, m.get_kind_display()),
            status=Shown(m.status, m.get_status_display()),
            korte_uitleg=m.summary,
            korte_uitleg_in_het_engels=m.summary_en,
            weekend=m.weekend.number if m.weekend else None,
            onderdeel=m.session.title if m.session else "",
            door_u_gestuurd=subject.user is not None and m.created_by_id == subject.user.pk,
            aangemaakt_op=m.created_at,
            versies=_versions(m),
        )
        for m in materials
    ]


def _expert_sections(subject: DataSubject) -> list[tuple[str, list[Section]]]:
    sections: list[tuple[str, list[Section]]] = []
    if subject.expert is not None:
        sections.append((_("Deskundige"), _expert_rows(subject.expert)))
    if subject.expert is not None or subject.user is not None:
        materials = _material_rows(subject)
        if materials:
            sections.append((_("Stukken van u"), materials))
    return sections


def subject_export(*, subject: DataSubject, now: dt.datetime) -> SubjectExport:
    export = SubjectExport(subject=subject, made_at=now)
    if subject.resident is not None:
        export.sections.append((_("Uittreksel BRP"), _resident_rows(subject.resident)))
    if subject.invitation is not None:
        invitation = subject.invitation
        export.sections.append(
            (
                _("Uitnodiging"),
                [
                    _row(
                        code=invitation.code,
                        status=invitation.get_status_display(),
                        brief_gemaakt_op=invitation.letter_produced_at,
                        email_verstuurd_op=invitation.emailed_at,
                    )
                ],
            )
        )
    if subject.registration is not None:
        export.sections.append((_("Aanmelding"), _registration_rows(subject.registration)))
    if subject.member is not None:
        export.sections.append((_("Deelname"), _member_rows(subject.member)))
        export.sections.extend(_participation_sections(subject.member))
        export.sections.extend(_money_sections(subject.member))
    export.sections.extend(_expert_sections(subject))
    export.sections.extend(_account_sections(subject))
    addresses = subject_email_addresses(subject)
    if addresses:
        waiting = OutboxEmail.objects.filter(to__in=addresses).count()
        if waiting:
            export.sections.append((_("E-mails aan u in het systeem"), [_row(aantal=waiting)]))
    audit = [
        _row(handeling=Shown(e.action, e.shown_action), op=e.created_at)
        for e in AuditEvent.objects.filter(
            assembly=subject.assembly, target__in=_audit_targets(subject)
        )
    ]
    if audit:
        export.sections.append((_("Logboek over u"), audit))
    return export


def subject_expert_stays_public(subject: DataSubject) -> bool:
    """An erasure keeps this person's public facts as an expert (see
    sessions.services.experts.expert_erase for why)."""
    return subject.expert is not None and expert_is_on_public_record(expert=subject.expert)


def subject_holds_a_seat(subject: DataSubject) -> bool:
    """A member, a member not yet answering, or an alternate waiting: erasure
    leaves the seat as it is (the panel's counts need it), so the organiser
    must withdraw the person to open it for someone else."""
    return subject.member is not None and subject.member.status in (
        PanelMember.Status.SELECTED,
        PanelMember.Status.CONFIRMED,
        PanelMember.Status.WAITING,
    )


def subject_email_addresses(subject: DataSubject) -> set[str]:
    addresses = {
        obj.email
        for obj in (subject.resident, subject.registration, subject.user, subject.expert)
        if obj is not None and obj.email
    }
    return addresses


IDENTITY_BLANKED = "[…]"


def subject_identity_values(subject: DataSubject) -> list[str]:
    """What identifies this person: names and their longer parts, addresses,
    phone, code, BRP number. Read before an erasure blanks them."""
    values: set[str] = set(subject_email_addresses(subject))
    names: list[str] = []
    if subject.resident is not None:
        names += [subject.resident.given_names, subject.resident.surname]
        values.add(subject.resident.person_ref)
    if subject.invitation is not None:
        values.add(subject.invitation.code)
    if subject.registration is not None:
        names.append(subject.registration.full_name)
        values.add(subject.registration.phone)
    if subject.user is not None:
        names.append(subject.user.full_name)
    if subject.expert is not None:
        names.append(subject.expert.name)
        values.update((subject.expert.email, subject.expert.phone))
    values.update(identifying_words(names))
    return sorted((value.strip() for value in values if value and value.strip()), key=len)[::-1]


def without_identity(text: str, values: list[str]) -> str:
    """`text` with every identifying value blanked, whatever its case."""
    for value in values:
        text = re.sub(re.escape(value), IDENTITY_BLANKED, text, flags=re.IGNORECASE)
    return text


def _audit_targets(subject: DataSubject) -> list[str]:
    """How audit_record names the subject's rows ("app.Model:pk")."""
    targets = []
    for obj in (subject.resident, subject.invitation, subject.registration, subject.member):
        if obj is not None:
            targets.append(f"{obj._meta.label}:{obj.pk}")
    if subject.user is not None:
        targets.append(f"{subject.user._meta.label}:{subject.user.pk}")
    if subject.expert is not None:
        targets.append(f"{subject.expert._meta.label}:{subject.expert.pk}")
    return targets


def members_past_retention(*, today: dt.date) -> list[tuple[Assembly, dt.date]]:
    """Assemblies whose retention period after the final report has ended, and when it ended."""
    due = []
    for assembly in Assembly.objects.filter(report_delivered_on__isnull=False):
        assert assembly.report_delivered_on is not None
        ends = _add_months(assembly.report_delivered_on, assembly.retention_months)
        if ends <= today:
            due.append((assembly, ends))
    return due


def retention_ends_on(*, assembly: Assembly) -> dt.date | None:
    if assembly.report_delivered_on is None:
        return None
    return _add_months(assembly.report_delivered_on, assembly.retention_months)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # 31 January + 1 month is the last day of February.
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def people_with_personal_data(*, assembly: Assembly) -> list[DataSubject]:
    """Everyone of an assembly whose personal data retention erases: members,
    alternates, anyone still registered or in the extract, and experts with
    contact details or an account, or who never became part of the public
    record (recommendations.services.privacy keeps only what is)."""
    subjects = [
        _complete(DataSubject(assembly=assembly, member=member))
        for member in PanelMember.objects.filter(assembly=assembly)
        .exclude(registration__email__startswith=ERASED_EMAIL_PREFIX)
        .select_related("registration__invitation__resident", "user")
    ]
    seen = {s.registration.pk for s in subjects if s.registration is not None}
    for registration in Registration.objects.filter(assembly=assembly).exclude(
        Q(pk__in=seen) | Q(email__startswith=ERASED_EMAIL_PREFIX)
    ):
        subjects.append(_complete(DataSubject(assembly=assembly, registration=registration)))
    seen_experts = {s.expert.pk for s in subjects if s.expert is not None}
    unreleased = Material.objects.filter(expert=OuterRef("pk"), status=Material.Status.DRAFT)
    experts = (
        Expert.objects.filter(assembly=assembly)
        .filter(
            ~Q(email="")
            | ~Q(phone="")
            | Q(user__isnull=False)
            | ~on_public_record()
            | Q(Exists(unreleased))
        )
        .exclude(pk__in=seen_experts)
        .select_related("perspective", "user")
        .order_by("pk")
    )
    subjects += [_complete(DataSubject(assembly=assembly, expert=expert)) for expert in experts]
    return subjects
