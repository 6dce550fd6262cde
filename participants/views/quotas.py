"""Organiser pages for the quota table and the pool check before the lottery.

Aggregates only: no page here shows a respondent's answers or name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from assembly import access
from assembly.access import get_assembly_for_organiser
from assembly.downloads import private_download
from assembly.models import Assembly
from participants import selectors_selection as selectors
from participants.resources_quotas import FORMATS, export_file
from participants.services import quotas as services

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return get_assembly_for_organiser(user=access.request_user(request), slug=slug)


def _dutch() -> bool:
    return (translation.get_language() or "nl").startswith("nl")


def _problem_text(problem: services.QuotaProblem) -> str:
    return problem.text_nl if _dutch() else problem.text_en


def _category_choices(assembly: Assembly) -> list[tuple[str, Any]]:
    return [
        (category.key, category.label) for category in selectors.quota_categories(assembly=assembly)
    ]


# --------------------------------------------------------------------------- the table


class QuotaRowForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Categorie"), required=False)
    value = forms.CharField(label=gettext_lazy("Waarde"), max_length=100, required=False)
    min = forms.IntegerField(label=gettext_lazy("Minimaal"), min_value=0, required=False)
    max = forms.IntegerField(label=gettext_lazy("Maximaal"), min_value=0, required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # A screen reader reads the error with the field it belongs to.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("value") and data.get("min") is None and data.get("max") is None


QuotaFormSet = forms.formset_factory(QuotaRowForm, extra=3, can_delete=True)


def _formset(request: HttpRequest, assembly: Assembly, categories: list[tuple[str, Any]]) -> Any:
    initial = [
        {"category": q.category, "value": q.value, "min": q.min, "max": q.max}
        for q in selectors.quota_list(assembly=assembly)
    ]
    return QuotaFormSet(
        request.POST or None,
        initial=initial,
        form_kwargs={"categories": categories},
        prefix="quota",
    )


@dataclass(frozen=True)
class CategorySum:
    key: str
    label: Any
    rows: list[tuple[Any, Any]]  # (quota, the words for its value)
    min_total: int
    max_total: int
    fits: bool


def _sums(assembly: Assembly) -> list[CategorySum]:
    words = selectors.quota_labels(assembly=assembly)
    grouped: dict[str, list[Any]] = {}
    for quota in selectors.quota_list(assembly=assembly):
        grouped.setdefault(quota.category, []).append(quota)
    k = assembly.members_target
    result = []
    for key, quotas in grouped.items():
        low, high = sum(q.min for q in quotas), sum(q.max for q in quotas)
        rows = [(quota, words.value(key, quota.value)) for quota in quotas]
        result.append(CategorySum(key, words.category(key), rows, low, high, low <= k <= high))
    return result


@login_required
def quota_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    categories = _category_choices(assembly)
    formset = _formset(request, assembly, categories)
    if request.method == "POST" and formset.is_valid():
        rows: list[services.QuotaRow] = []
        row_forms: dict[int, QuotaRowForm] = {}
        for number, form in enumerate(formset.forms, start=1):
            if form.cleaned_data.get("DELETE") or (not form.has_changed() and not form.initial):
                continue
            if form.is_blank() and not form.cleaned_data.get("category"):
                continue
            data = form.cleaned_data
            rows.append(
                services.QuotaRow(
                    data.get("category") or "",
                    data.get("value") or "",
                    "" if data.get("min") is None else data["min"],
                    "" if data.get("max") is None else data["max"],
                    row=number,
                )
            )
            row_forms[number] = form
        try:
            services.quota_table_replace(
                assembly=assembly, rows=rows, actor=access.request_user(request)
            )
        except services.QuotaTableInvalid as invalid:
            for problem in invalid.problems:
                text = problem.nl if _dutch() else problem.en
                target = row_forms.get(problem.row)
                if target is not None and problem.field in target.fields:
                    target.add_error(problem.field, text)
                else:
                    formset._non_form_errors.append(_problem_text(problem))
            messages.error(request, _("De quota zijn niet bewaard. Verbeter de fouten."))
        else:
            messages.success(request, _("De quota zijn bewaard."))
            return redirect("participants:quota_list", slug=assembly.slug)
    values_help = [
        (category.label, [key for key, _label in category.values])
        for category in selectors.quota_categories(assembly=assembly)
    ]
    return render(
        request,
        "participants/quotas/list.html",
        {
            "assembly": assembly,
            "formset": formset,
            "sums": _sums(assembly),
            "values_help": values_help,
        },
    )


# --------------------------------------------------------------------------- files


class QuotaImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand met quota (CSV of Excel)"),
        help_text=gettext_lazy(
            "Kolommen: category,name,min,max of feature,value,min,max of "
            "category,feature,min,max. De bestaande quota worden vervangen."
        ),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (meer dan 2 MB)."))
        return file


@login_required
def quota_import(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    form = QuotaImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            written = services.quota_import(
                assembly=assembly,
                file=upload,
                actor=access.request_user(request),
                file_name=upload.name,
            )
        except services.QuotaTableInvalid as invalid:
            problems = [_problem_text(problem) for problem in invalid.problems]
            form.add_error("file", _("Er staan fouten in het bestand. Er is niets ingelezen."))
        else:
            messages.success(
                request,
                ngettext("%(count)s quotum ingelezen.", "%(count)s quota ingelezen.", len(written))
                % {"count": len(written)},
            )
            return redirect("participants:quota_list", slug=assembly.slug)
    return render(
        request,
        "participants/quotas/import.html",
        {"assembly": assembly, "form": form, "problems": problems},
    )


@login_required
def quota_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    if fmt not in FORMATS:
        raise Http404
    content = export_file(selectors.quota_list(assembly=assembly), fmt)
    return private_download(content, CONTENT_TYPES[fmt], f"quota-{assembly.slug}.{fmt}")


# --------------------------------------------------------------------------- proposal


class ProposeForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categorieën"), widget=forms.CheckboxSelectMultiple
    )
    tolerance = forms.IntegerField(
        label=gettext_lazy("Speling (%)"),
        min_value=0,
        max_value=90,
        initial=20,
        help_text=gettext_lazy(
            "Hoeveel het aantal per waarde mag afwijken van het doel. "
            "Bij 20 procent en een doel van 10 mensen: minimaal 8, maximaal 12."
        ),
    )
    shares_file = forms.FileField(
        label=gettext_lazy("Eigen bestand met aandelen (niet verplicht)"),
        required=False,
        help_text=gettext_lazy(
            "CSV met de kolommen category,value,share (en source,year). "
            "Zonder bestand gebruiken we de cijfers van het CBS die bij dit systeem horen."
        ),
    )
    shares_text = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, categories: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = categories  # type: ignore[attr-defined]

    def clean_shares_file(self) -> Any:
        file = self.cleaned_data.get("shares_file")
        if file is not None and file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (meer dan 2 MB)."))
        return file

    def shares_source(self) -> str | None:
        """The uploaded shares as text (also after the preview), or None: the shipped file."""
        file = self.cleaned_data.get("shares_file")
        if file is not None:
            try:
                return str(file.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.add_error("shares_file", _("Het bestand is geen UTF-8-tekst."))
                return None
        return self.cleaned_data.get("shares_text") or None


@login_required
def quota_propose(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    shipped = services.shares_read()
    shipped_keys = list(dict.fromkeys(share.category for share in shipped))
    labels = dict(_category_choices(assembly))
    choices = [(key, labels.get(key, key)) for key in labels]
    form = ProposeForm(
        request.POST or None,
        request.FILES or None,
        categories=choices,
        initial={"categories": shipped_keys, "tolerance": 20},
    )
    proposal = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        text = form.shares_source()
        try:
            shares = services.shares_read(text) if text else shipped
            proposal = services.quota_propose(
                assembly=assembly,
                categories=form.cleaned_data["categories"],
                tolerance=form.cleaned_data["tolerance"] / 100,
                shares=shares,
            )
            if proposal.rows and request.POST.get("action") == "apply":
                services.quota_proposal_apply(
                    assembly=assembly, proposal=proposal, actor=access.request_user(request)
                )
                messages.success(request, _("Het voorstel is nu de quotatabel."))
                return redirect("participants:quota_list", slug=assembly.slug)
        except services.QuotaTableInvalid as invalid:
            problems = [_problem_text(problem) for problem in invalid.problems]
            proposal = None
        if proposal is not None and not proposal.rows:
            form.add_error(
                "categories", _("Voor deze categorieën staan er geen aandelen in het bestand.")
            )
            proposal = None
        # The confirmation posts the same choices again, with the uploaded shares as text.
        form = (
            ProposeForm(
                initial={**form.cleaned_data, "shares_text": text or ""},
                categories=choices,
            )
            if proposal is not None
            else form
        )
    return render(
        request,
        "participants/quotas/propose.html",
        {
            "assembly": assembly,
            "form": form,
            "proposal": proposal,
            "problems": problems,
            "labels": labels,
            "proposal_rows": _with_words(assembly, proposal.rows if proposal else []),
            "has_quotas": selectors.quota_list(assembly=assembly).exists(),
        },
    )


# --------------------------------------------------------------------------- pool check

BAR_HEIGHT = 22
LABEL_WIDTH = 150
PLOT_WIDTH = 300


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    text_y: int
    # SVG geometry as text: numbers in templates get a decimal comma in Dutch.
    bar: str
    range_x: str
    range_width: str
    count: int
    share: float
    low: float
    high: float
    quota_min: int
    quota_max: int
    status: str


def _chart(category: selectors.PoolCategory, pool: int, k: int) -> dict[str, Any]:
    """Geometry of one bar chart: pool share per value against the quota's range (both
    as a share: of the pool, and of the panel)."""
    rows = []
    shares = [
        (value, value.count / pool if pool else 0.0, value.min / k, value.max / k)
        for value in category.values
    ]
    top = max([1e-9, *(max(s, high) for _v, s, _low, high in shares)])
    scale = PLOT_WIDTH / min(1.0, top * 1.1)
    for index, (value, share, low, high) in enumerate(shares):
        y = 6 + index * (BAR_HEIGHT + 8)
        rows.append(
            ChartRow(
                label=str(value.label),
                y=y,
                text_y=y + BAR_HEIGHT - 6,
                bar=f"{share * scale:.1f}",
                range_x=f"{LABEL_WIDTH + low * scale:.1f}",
                range_width=f"{max((high - low) * scale, 2):.1f}",
                count=value.count,
                share=share,
                low=low,
                high=high,
                quota_min=value.min,
                quota_max=value.max,
                status=value.status,
            )
        )
    return {
        "rows": rows,
        "height": 12 + len(rows) * (BAR_HEIGHT + 8),
        "width": LABEL_WIDTH + PLOT_WIDTH + 60,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 6,
    }


@login_required
def pool_check(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    categories = selectors.pool_check(assembly=assembly)
    pool = selectors.pool_registrations(assembly=assembly).count()
    k = assembly.members_target
    diagnosis = selectors.pool_diagnosis(assembly=assembly) if categories else None
    sections = [
        {
            "category": category,
            "fits": category.min_total <= k <= category.max_total,
            "chart": _chart(category, pool, k),
        }
        for category in categories
    ]
    return render(
        request,
        "participants/quotas/pool_check.html",
        {
            "assembly": assembly,
            "sections": sections,
            "pool": pool,
            "panel_size": k,
            "diagnosis": diagnosis,
            "diagnosis_text": (
                (diagnosis.message_nl if _dutch() else diagnosis.message_en)
                if diagnosis is not None
                else ""
            ),
        },
    )


def _with_words(assembly: Assembly, rows: Sequence[Any]) -> list[tuple[Any, Any, Any]]:
    """Each proposed row with the words for its category and value."""
    words = selectors.quota_labels(assembly=assembly)
    return [
        (row, words.category(row.category), words.value(row.category, row.value)) for row in rows
    ]
