"""Organiser pages for the population extract: upload a file, follow the import, read the report.

The upload is stored and read by a Celery task (a large extract takes longer
than a web request may last); the report page shows a progress bar until the
task is done, then the report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assembly import access
from participants import selectors_population as selectors
from participants.models import PopulationImport
from participants.services.population import (
    PopulationUndoRefused,
    check_population_import_undo,
    population_import_queue,
    population_imports_fail_stale,
)
from participants.services.population import population_import_undo as undo_import

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# A file with many broken rows has many problems; the page shows the first ones.
PROBLEMS_SHOWN = 1000


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand met het uittreksel"),
        help_text=gettext_lazy(
            "Een CSV-bestand of een Excel-bestand (.xlsx). Hoogstens 100 MB. "
            "De eerste regel heeft de namen van de kolommen."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Foute regels overslaan"),
        required=False,
        help_text=gettext_lazy(
            "Uit: staat er één fout in het bestand, dan lezen we niets in. "
            "Aan: we lezen de goede regels in en noemen de regels die we overslaan."
        ),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Het bestand is te groot (%(size)s). Het mag hoogstens %(max)s zijn.")
                % {"size": filesizeformat(upload.size), "max": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Kies een CSV-bestand of een Excel-bestand (.xlsx)."))
        return upload


@login_required
def population(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    form = PopulationUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        population_imports_fail_stale(assembly=assembly)
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile[bytes] = form.cleaned_data["file"]
        record = population_import_queue(
            assembly=assembly,
            upload=upload,
            file_name=upload.name or "",
            uploaded_by=access.request_user(request),
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        # Without a queue (development) the task has already run.
        record.refresh_from_db(fields=["status"])
        _announce(request, record)
        return redirect("participants:population_report", slug=assembly.slug, pk=record.pk)
    context = {
        "assembly": assembly,
        "form": form,
        "imports": selectors.population_import_list(assembly=assembly),
        "counts": selectors.resident_counts(assembly=assembly),
    }
    return render(request, "participants/population/population.html", context)


def _announce(request: HttpRequest, record: PopulationImport) -> None:
    if record.status == PopulationImport.Status.REJECTED:
        messages.error(
            request, _("Het bestand is niet ingelezen. Hieronder staat wat er fout is.")
        )
    elif record.status == PopulationImport.Status.FAILED:
        messages.error(request, _("Het inlezen is mislukt. Hieronder staat waarom."))
    elif record.status == PopulationImport.Status.IMPORTED:
        messages.success(request, _("Het uittreksel is ingelezen."))
    else:
        messages.success(
            request,
            _("We hebben het bestand ontvangen. We lezen het nu in. "
              "Hieronder ziet u hoe ver dat is."),
        )


def _active(record: PopulationImport) -> bool:
    return record.status in (PopulationImport.Status.QUEUED, PopulationImport.Status.RUNNING)


def import_label(record: PopulationImport) -> str:
    """The state of an import in words: the text beside the progress bar."""
    if record.status == PopulationImport.Status.QUEUED:
        return _("Het bestand wacht op zijn beurt. Het inlezen begint zo.")
    if record.status == PopulationImport.Status.RUNNING:
        return _("We lezen het bestand in. Het is voor %(progress)s procent klaar.") % {
            "progress": record.progress
        }
    if record.status == PopulationImport.Status.IMPORTED:
        return _("Het bestand is ingelezen.")
    if record.status == PopulationImport.Status.REJECTED:
        return _("Het bestand is niet ingelezen: er staan fouten in.")
    return _("Het inlezen is mislukt: %(error)s") % {"error": record.shown_error}


@login_required
def population_report(
    request: HttpRequest,
    slug: str,
    pk: int,
    *,
    undo_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    population_imports_fail_stale(assembly=assembly)
    record = selectors.population_import_get(assembly=assembly, pk=pk)
    problems = selectors.problems_for_display(
        record=record, language=get_language() or "nl", limit=PROBLEMS_SHOWN
    )
    context = {
        "assembly": assembly,
        "record": record,
        "problems": problems,
        "problems_total": len(record.problems),
        "problems_hidden": max(0, len(record.problems) - PROBLEMS_SHOWN),
        "invalid_rows": selectors.invalid_rows(record=record),
        "rejected": record.status == PopulationImport.Status.REJECTED,
        "failed": record.status == PopulationImport.Status.FAILED,
        "active": _active(record),
        "progress_label": import_label(record),
        "undo_form": undo_form or (UndoForm() if _may_undo(record) else None),
    }
    return render(request, "participants/population/report.html", context, status=status)


class UndoForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Ik weet dat de inwoners uit dit bestand dan worden gewist. Dat kan niet terug."
        ),
        required=True,
        error_messages={"required": gettext_lazy("Vink aan dat u dit zeker weet.")},
    )


def _may_undo(record: PopulationImport) -> bool:
    try:
        check_population_import_undo(record=record)
    except PopulationUndoRefused:
        return False
    return True


@login_required
@require_POST
def population_import_undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_organiser(user=user, slug=slug)
    record = selectors.population_import_get(assembly=assembly, pk=pk)
    form = UndoForm(request.POST)
    if not form.is_valid():
        return population_report(request, slug, pk, undo_form=form, status=400)
    try:
        deleted = undo_import(record=record, actor=user)
    except PopulationUndoRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "Het inlezen is ongedaan gemaakt. %(count)s inwoner is gewist.",
                "Het inlezen is ongedaan gemaakt. %(count)s inwoners zijn gewist.",
                deleted,
            )
            % {"count": deleted},
        )
    return redirect("participants:population_report", slug=assembly.slug, pk=record.pk)


@login_required
def population_import_status(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """The progress of an import for the progress bar (static/js/progress.js)."""
    assembly = access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)
    population_imports_fail_stale(assembly=assembly)
    record = selectors.population_import_get(assembly=assembly, pk=pk)
    # progress.js stops asking, and reloads the page, at "done" or "failed".
    if _active(record):
        status = record.status
    elif record.status == PopulationImport.Status.FAILED:
        status = "failed"
    else:
        status = "done"
    return JsonResponse(
        {"done": record.progress, "total": 100, "status": status, "label": import_label(record)}
    )
