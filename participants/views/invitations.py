"""Organiser pages for the invitation draw, the letter and e-mail runs, and reminders."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from assembly import access
from assembly.access import get_assembly_for_organiser
from assembly.downloads import PDF, as_private_download, private_download
from assembly.forms import DatePicker
from assembly.models import Assembly
from assembly.numbers import whole_number
from assembly.services import assembly_update
from assembly.spreadsheets import CSV_BOM, CSV_SEPARATOR
from participants import selectors_invitations as selectors
from participants.forms_registration import AccessibleForm
from participants.models import Invitation, InvitationDraw, InvitationRun, LetterBatch
from participants.population import normalise_postcode, split_house_number
from participants.resources_bounces import read_bounces
from participants.resources_quotas import QuotaFileError
from participants.services import bounces, reminders
from participants.services import invitations as services
from participants.services.registration import registration_is_open


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return get_assembly_for_organiser(user=access.request_user(request), slug=slug)


def fresh_seed() -> str:
    return str(secrets.randbelow(10**12)).zfill(12)


class DrawForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("Aantal uitnodigingen"),
        min_value=1,
        help_text=gettext_lazy("Elk huishouden krijgt hoogstens één uitnodiging."),
    )
    seed = forms.CharField(
        label=gettext_lazy("Startgetal (seed)"),
        max_length=64,
        help_text=gettext_lazy(
            "Met hetzelfde startgetal en dezelfde inwoners komt dezelfde trekking eruit. "
            "Schrijf het op, of maak het openbaar."
        ),
    )
    stratify_by = forms.ChoiceField(
        label=gettext_lazy("Verdeling"),
        choices=InvitationDraw.Stratification.choices,
        required=False,
        help_text=gettext_lazy(
            "Naar rato: elke gemeente of provincie krijgt een deel van de uitnodigingen. Dat "
            "deel past bij het aantal huishoudens dat er woont."
        ),
    )


class RunStartForm(forms.Form):
    kind = forms.ChoiceField(choices=InvitationRun.Kind.choices)
    late_confirmed = forms.BooleanField(required=False)
    again_confirmed = forms.BooleanField(required=False)


class ReminderScheduleForm(forms.Form):
    registration_deadline = forms.DateField(
        label=gettext_lazy("Sluiting van de aanmelding"),
        required=False,
        widget=DatePicker(),
    )
    days_before = forms.CharField(
        label=gettext_lazy("Dagen voor de sluiting"),
        max_length=100,
        help_text=gettext_lazy("Bijvoorbeeld: 7, 2. Op die dagen gaat een herinnering weg."),
    )
    hour = forms.IntegerField(
        label=gettext_lazy("Hoe laat (uur)"),
        min_value=0,
        max_value=23,
        help_text=gettext_lazy("Het uur waarop de herinneringen weggaan, van 0 tot 23."),
    )
    enabled = forms.BooleanField(label=gettext_lazy("Herinneringen versturen"), required=False)

    def clean_registration_deadline(self) -> dt.date | None:
        deadline: dt.date | None = self.cleaned_data["registration_deadline"]
        changed = deadline != self.initial.get("registration_deadline")
        # A deadline that already passed closes the sign-up at once, and the
        # reminders would fall on days gone by: a typing error, nearly always.
        if changed and deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError(
                _("Deze datum is al voorbij. Kies vandaag of een dag later.")
            )
        return deadline

    def clean_days_before(self) -> list[int]:
        raw = self.cleaned_data["days_before"]
        parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        try:
            days = sorted({int(part) for part in parts}, reverse=True)
        except ValueError as error:
            raise forms.ValidationError(_("Vul hele getallen in, met een komma ertussen.")) from (
                error
            )
        if not days or any(day < 1 or day > 90 for day in days):
            raise forms.ValidationError(_("Vul getallen in van 1 tot en met 90."))
        return days


# A provider's bounce list of a 70,000-letter mailing stays far below this.
MAX_BOUNCE_LIST_BYTES = 5 * 1024 * 1024


class BounceUploadForm(AccessibleForm):
    file = forms.FileField(
        label=gettext_lazy("Lijst met teruggekomen e-mails (CSV of Excel)"),
        help_text=gettext_lazy(
            "Met een kolom email in de eerste regel, of alleen e-mailadressen: één per regel."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BOUNCE_LIST_BYTES:
            raise ValidationError(_("Het bestand is te groot (hoogstens 5 MB)."))
        return upload


class AddressLookupForm(AccessibleForm):
    postcode = forms.CharField(
        label=gettext_lazy("Postcode"),
        max_length=10,
        help_text=gettext_lazy("Bijvoorbeeld: 1234 AB"),
    )
    house_number = forms.CharField(
        label=gettext_lazy("Huisnummer"),
        max_length=20,
        help_text=gettext_lazy(
            "Alleen het nummer is genoeg. We tonen alle uitnodigingen op dat nummer, "
            "met elke letter of toevoeging."
        ),
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise ValidationError(_("Vul een postcode in zoals 1234 AB."))
        return postcode

    def clean_house_number(self) -> int:
        parsed = split_house_number(self.cleaned_data["house_number"])
        if parsed is None:
            raise ValidationError(_("Vul een huisnummer in, zoals 12 of 12a."))
        return parsed[0]


def _active_draw(assembly: Assembly) -> InvitationDraw | None:
    return (
        InvitationDraw.objects.filter(
            assembly=assembly,
            status__in=[InvitationDraw.Status.QUEUED, InvitationDraw.Status.RUNNING],
        )
        .order_by("-created_at")
        .first()
    )


@login_required
def invitation_hub(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    draws = selectors.invitation_draws_done(assembly=assembly)
    latest = InvitationDraw.objects.filter(assembly=assembly).order_by("-created_at").first()
    active_draw = _active_draw(assembly)
    failed_draw = (
        latest if latest is not None and latest.status == InvitationDraw.Status.FAILED else None
    )
    runs = selectors.invitation_runs_for_hub(assembly=assembly)
    counts = selectors.invitation_status_counts(assembly=assembly)
    total = sum(count for _status, _label, count in counts)
    context: dict[str, Any] = {
        "assembly": assembly,
        "draws": draws,
        "active_draw": active_draw,
        "active_draw_label": draw_label(active_draw) if active_draw else "",
        "failed_draw": failed_draw,
        "runs": runs,
        "counts": counts,
        "total": total,
        "email_known": selectors.invitation_email_known_count(assembly=assembly),
        "letters_late_warning": (
            services.letters_late_warning(assembly=assembly)
            if services.letters_may_arrive_late(assembly=assembly)
            else ""
        ),
        "active_runs": [
            run
            for run in runs
            if run.status in (InvitationRun.Status.QUEUED, InvitationRun.Status.RUNNING)
        ],
    }
    return render(request, "participants/invitations/hub.html", context)


@login_required
def invitation_draw(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    form = DrawForm(request.POST or None, initial={"seed": fresh_seed(), "stratify_by": ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_draw_queue(
                assembly=assembly,
                count=form.cleaned_data["count"],
                seed=form.cleaned_data["seed"],
                stratify_by=form.cleaned_data["stratify_by"] or "",
                created_by=access.request_user(request),
            )
        except services.InvitationDrawBusy as refusal:
            form.add_error(None, str(refusal))
        except services.InvitationDrawUnknownMunicipalities as refusal:
            form.add_error("stratify_by", str(refusal))
        except services.InvitationDrawSeedUsed as refusal:
            form.add_error("seed", str(refusal))
        except services.InvitationDrawRefused as refusal:
            form.add_error("count", str(refusal))
        else:
            messages.success(
                request,
                _("De trekking is gestart. U ziet hieronder hoe ver ze is."),
            )
            return redirect("participants:invitations", slug=assembly.slug)
    return render(
        request,
        "participants/invitations/draw.html",
        {"assembly": assembly, "form": form, "active_draw": _active_draw(assembly)},
    )


def draw_label(draw: InvitationDraw) -> str:
    if draw.status == InvitationDraw.Status.QUEUED:
        return _("De trekking wacht op haar beurt.")
    if draw.status == InvitationDraw.Status.RUNNING:
        return _("De trekking is bezig. Ze is voor %(progress)s procent klaar.") % {
            "progress": draw.progress
        }
    if draw.status == InvitationDraw.Status.DONE:
        return _("De trekking is klaar: %(count)s uitnodigingen.") % {"count": draw.requested}
    return _("De trekking is mislukt: %(error)s") % {"error": draw.shown_error}


@login_required
def invitation_draw_status(request: HttpRequest, slug: str, draw_id: int) -> JsonResponse:
    assembly = _organiser_assembly(request, slug)
    draw = get_object_or_404(InvitationDraw, pk=draw_id, assembly=assembly)
    return JsonResponse(
        {"done": draw.progress, "total": 100, "status": draw.status, "label": draw_label(draw)}
    )


@login_required
@require_POST
def invitation_run_start(request: HttpRequest, slug: str, draw_id: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    draw = get_object_or_404(InvitationDraw, pk=draw_id, assembly=assembly)
    form = RunStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies: brieven maken of e-mails versturen."))
        return redirect("participants:invitations", slug=assembly.slug)
    try:
        services.invitation_run_start(
            draw=draw,
            kind=form.cleaned_data["kind"],
            created_by=access.request_user(request),
            late_letters_confirmed=form.cleaned_data["late_confirmed"],
            again_confirmed=form.cleaned_data["again_confirmed"],
        )
    except services.InvitationRunRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("De ronde is gestart. U ziet hieronder hoe ver ze is."))
    return redirect("participants:invitations", slug=assembly.slug)


def run_label(run: InvitationRun) -> str:
    return _("%(kind)s: %(done)s van %(total)s (%(status)s)") % {
        "kind": run.get_kind_display(),
        "done": run.done,
        "total": run.total,
        "status": run.get_status_display(),
    }


@login_required
def invitation_run_status(request: HttpRequest, slug: str, run_id: int) -> JsonResponse:
    assembly = _organiser_assembly(request, slug)
    run = get_object_or_404(InvitationRun, pk=run_id, assembly=assembly)
    return JsonResponse(
        {"done": run.done, "total": run.total, "status": run.status, "label": run_label(run)}
    )


@login_required
@access.personal_data_view
def letter_batch_pdf(request: HttpRequest, slug: str, batch_id: int) -> FileResponse:
    assembly = _organiser_assembly(request, slug)
    batch = get_object_or_404(LetterBatch, pk=batch_id, run__assembly=assembly)
    return as_private_download(
        FileResponse(batch.pdf.open("rb"), content_type=PDF),
        f"uitnodigingen-{assembly.slug}-{batch.run_id}-{batch.number + 1:04d}.pdf",
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@access.personal_data_view
def invitation_export(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    assembly = _organiser_assembly(request, slug)
    draw = None
    draw_id = whole_number(request.GET.get("trekking", ""))
    if draw_id is not None:
        draw = get_object_or_404(InvitationDraw, pk=draw_id, assembly=assembly)
    writer = csv.writer(_Echo(), delimiter=CSV_SEPARATOR)

    def rows() -> Iterator[str]:
        yield CSV_BOM
        for row in selectors.invitation_export_rows(assembly=assembly, draw=draw):
            yield writer.writerow(row)

    return as_private_download(
        StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8"),
        f"uitnodigingen-{assembly.slug}.csv",
    )


@login_required
def reminder_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    schedule = reminders.reminder_schedule_get(assembly=assembly)
    initial = {
        "registration_deadline": assembly.registration_deadline,
        "days_before": ", ".join(str(day) for day in schedule.days_before),
        "hour": schedule.hour,
        "enabled": schedule.enabled,
    }
    form = ReminderScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        deadline = form.cleaned_data["registration_deadline"]
        if deadline != assembly.registration_deadline:
            old_deadline = assembly.registration_deadline
            assembly_update(assembly=assembly, fields={"registration_deadline": deadline})
            if old_deadline is not None and selectors.invitations_sent(assembly=assembly):
                messages.warning(
                    request,
                    _(
                        "Let op: de brieven en e-mails die al weg zijn, noemen nog de oude "
                        "datum (%(date)s). Laat dat de mensen weten, bijvoorbeeld met de "
                        "herinnering."
                    )
                    % {"date": formats.date_format(old_deadline, "j F Y")},
                )
        reminders.reminder_schedule_save(
            assembly=assembly,
            days_before=form.cleaned_data["days_before"],
            hour=form.cleaned_data["hour"],
            enabled=form.cleaned_data["enabled"],
            saved_by=access.request_user(request),
        )
        messages.success(request, _("Het schema voor de herinneringen is bewaard."))
        return redirect("participants:reminder_schedule", slug=assembly.slug)
    sent = reminders.reminder_sent_counts(assembly=assembly)
    return render(
        request,
        "participants/invitations/reminders.html",
        {"assembly": assembly, "form": form, "schedule": schedule, "sent": sent},
    )


def _bounce_result_messages(request: HttpRequest, result: bounces.BounceResult) -> None:
    if not result.marked:
        messages.info(request, _("Er is geen uitnodiging veranderd."))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s uitnodiging staat nu op ‘E-mail kwam terug’. Deze persoon krijgt "
                "geen herinneringen per e-mail meer.",
                "%(count)s uitnodigingen staan nu op ‘E-mail kwam terug’. Deze mensen krijgen "
                "geen herinneringen per e-mail meer.",
                result.marked,
            )
            % {"count": result.marked},
        )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)s adres stond al op ‘E-mail kwam terug’.",
                "%(count)s adressen stonden al op ‘E-mail kwam terug’.",
                result.already,
            )
            % {"count": result.already},
        )
    if result.kept:
        messages.info(
            request,
            ngettext(
                "%(count)s adres is van iemand die zich al heeft aangemeld of niet meedoet. "
                "Dat hebben we zo gelaten.",
                "%(count)s adressen zijn van mensen die zich al hebben aangemeld of niet "
                "meedoen. Dat hebben we zo gelaten.",
                result.kept,
            )
            % {"count": result.kept},
        )
    if result.unknown:
        messages.warning(
            request,
            ngettext(
                "%(count)s adres hoort niet bij een uitnodiging van dit burgerberaad. Is het "
                "een lijst van een andere mailing?",
                "%(count)s adressen horen niet bij een uitnodiging van dit burgerberaad. Is "
                "het een lijst van een andere mailing?",
                result.unknown,
            )
            % {"count": result.unknown},
        )


@login_required
def invitation_bounces(request: HttpRequest, slug: str) -> HttpResponse:
    """The organiser uploads the e-mails that came back after sending."""
    assembly = _organiser_assembly(request, slug)
    form = BounceUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = bounces.invitation_bounces_import(
                assembly=assembly,
                actor=access.request_user(request),
                rows=read_bounces(upload.read(), upload.name),
            )
        except QuotaFileError as error:
            form.add_error("file", error.nl if request.LANGUAGE_CODE == "nl" else error.en)
        except bounces.BouncesRefused as refused:
            problems = refused.problems
            form.add_error(
                "file", _("Er is niets veranderd. Verbeter het bestand en probeer opnieuw.")
            )
        else:
            _bounce_result_messages(request, result)
            return redirect("participants:invitation_bounces", slug=assembly.slug)
    return render(
        request,
        "participants/invitations/bounces.html",
        {
            "assembly": assembly,
            "form": form,
            "problems": problems,
            "bounced": selectors.invitation_bounced_count(assembly=assembly),
        },
        status=400 if form.errors else 200,
    )


@login_required
@access.personal_data_view
def invitation_lookup(request: HttpRequest, slug: str) -> HttpResponse:
    """Someone calls: "I had a letter, but I lost it." The secretariat finds the
    invitation by address. A POST, so the address stays out of the URL and the
    web server's logs."""
    assembly = _organiser_assembly(request, slug)
    form = AddressLookupForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = selectors.invitations_at_address(
            assembly=assembly,
            postcode=form.cleaned_data["postcode"],
            house_number=form.cleaned_data["house_number"],
        )
    return render(
        request,
        "participants/invitations/lookup.html",
        {
            "assembly": assembly,
            "form": form,
            "found": found,
            "registration_open": registration_is_open(assembly=assembly),
        },
        status=400 if form.errors else 200,
    )


@login_required
@access.personal_data_view
def invitation_letter_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    invitation = get_object_or_404(
        Invitation.objects.select_related("resident", "assembly"),
        pk=pk,
        assembly=assembly,
        resident__isnull=False,
    )
    pdf = services.invitation_letter_reprint(
        invitation=invitation, actor=access.request_user(request)
    )
    return private_download(pdf, PDF, f"uitnodiging-{assembly.slug}-{invitation.pk}.pdf")
