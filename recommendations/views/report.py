"""The report to the Kamer, the progress reports per weekend, the overview
page and a member's consent to be named.

The PDF and the ZIP of the full demo assembly take well under two seconds
together (bench/report.py), so they are made on request and sent directly;
a background task would only add waiting and a page to refresh.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import private_download
from assembly.models import RoleKind
from assembly.selectors import role_kinds_for
from recommendations import access_report, report_zip
from recommendations import selectors_dashboard as dashboard
from recommendations import selectors_report as selectors
from recommendations.forms_report import NameConsentForm, ProgressWordsForm
from recommendations.markdown import render_markdown
from recommendations.report_pdf import final_report_pdf, progress_report_pdf
from recommendations.report_zip import final_report_zip, progress_report_zip
from recommendations.services import report as services
from sessions.models import Weekend

TEMPLATES = "recommendations/report/"


# ------------------------------------------------------------------ overview


@login_required
def report_overview(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_report.get_assembly_for_report(user=user, slug=slug)
    kinds = role_kinds_for(user=user, assembly=assembly)
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "overview": dashboard.overview(assembly=assembly),
            "is_organiser": user.is_superuser or RoleKind.ORGANISER in kinds,
        },
    )


# -------------------------------------------------------------- final report


@login_required
def report_final(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_report.get_assembly_for_report(user=access.request_user(request), slug=slug)
    report = selectors.final_report(assembly=assembly)
    minutes = [(m, _minutes_html(m.body)) for m in report.minutes]
    return render(
        request,
        TEMPLATES + "final.html",
        {
            "assembly": assembly,
            "report": report,
            "charts": _final_charts(report),
            "minutes": minutes,
        },
    )


def _minutes_html(body: str) -> SafeString:
    """The minutes' Markdown, with its headings below the page's h3 per minutes."""
    html = str(render_markdown(body))
    for level in range(6, 1, -1):
        deeper = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{deeper}>").replace(f"</h{level}>", f"</h{deeper}>")
    return mark_safe(html)  # noqa: S308 - render_markdown sanitised it; only tags are renamed


@login_required
def report_final_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_report.get_assembly_for_report(user=access.request_user(request), slug=slug)
    content = final_report_pdf(selectors.final_report(assembly=assembly))
    return private_download(content, "application/pdf", f"eindrapport-{assembly.slug}.pdf")


@login_required
def report_final_zip(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access_report.get_assembly_for_report(user=access.request_user(request), slug=slug)
    with translation.override(report_zip.LANGUAGE):
        content = final_report_zip(selectors.final_report(assembly=assembly))
    return private_download(content, "application/zip", f"open-data-{assembly.slug}.zip")


def _final_charts(report: selectors.FinalReport) -> dict[str, object]:
    composition = [
        (
            category,
            dashboard.bar_chart(
                [
                    (
                        row.value_label,
                        round(category.member_percent(row) * 10),
                        # One decimal, as in the table, the PDF and the ZIP.
                        f"{formats.number_format(percent, 1)}%",
                    )
                    for row, percent in category.rows_with_percent
                ],
                top=1000,
            ),
            # Each chart's own accessible name: a screen reader lists them apart.
            _(
                "Samenstelling naar kenmerk: %(category)s. Deelnemers per waarde, in procent "
                "van alle deelnemers die meededen. De tabel hieronder geeft ook het aandeel in "
                "de bevolking."
            )
            % {"category": category.label},
        )
        for category in report.composition
    ]
    top = max((w.expected for w in report.weekends), default=0)
    attendance = dashboard.bar_chart(
        [
            (
                _("Weekend %(number)s") % {"number": w.number},
                w.present,
                f"{w.present} / {w.expected}",
            )
            for w in report.weekends
        ],
        top=top,
    )
    return {"composition": composition, "attendance": attendance}


# ---------------------------------------------------------- progress reports


@login_required
def report_progress_list(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access_report.get_assembly_for_report(user=user, slug=slug)
    is_organiser = user.is_superuser or RoleKind.ORGANISER in role_kinds_for(
        user=user, assembly=assembly
    )
    weekends = Weekend.objects.filter(assembly=assembly).select_related("progress_report")
    rows = []
    for weekend in weekends.order_by("number"):
        report = getattr(weekend, "progress_report", None)
        shared = report is not None and report.published_at is not None
        if is_organiser or shared:
            rows.append((weekend, report, shared))
    return render(
        request,
        TEMPLATES + "progress_list.html",
        {"assembly": assembly, "rows": rows, "is_organiser": is_organiser},
    )


@login_required
def report_progress(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    found = access_report.get_weekend_for_progress_reader(user=user, slug=slug, number=weekend)
    content = selectors.progress_content(assembly=found.assembly, number=found.number)
    is_organiser = user.is_superuser or RoleKind.ORGANISER in role_kinds_for(
        user=user, assembly=found.assembly
    )
    return render(
        request,
        TEMPLATES + "progress.html",
        {"assembly": found.assembly, "content": content, "is_organiser": is_organiser},
    )


@login_required
def report_progress_pdf(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    found = access_report.get_weekend_for_progress_reader(user=user, slug=slug, number=weekend)
    content = selectors.progress_content(assembly=found.assembly, number=found.number)
    return private_download(
        progress_report_pdf(content),
        "application/pdf",
        f"voortgang-{found.assembly.slug}-weekend-{found.number}.pdf",
    )


@login_required
def report_progress_zip(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    found = access_report.get_weekend_for_progress_reader(user=user, slug=slug, number=weekend)
    with translation.override(report_zip.LANGUAGE):
        content = progress_report_zip(
            selectors.progress_content(assembly=found.assembly, number=found.number)
        )
    return private_download(
        content,
        "application/zip",
        f"voortgang-{found.assembly.slug}-weekend-{found.number}.zip",
    )


@login_required
def report_progress_edit(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    found = access_report.get_weekend_for_progress_writer(user=user, slug=slug, number=weekend)
    report = selectors.progress_report_get(weekend=found)
    if request.method == "POST":
        form = ProgressWordsForm(request.POST)
        if form.is_valid():
            try:
                services.progress_report_save(
                    weekend=found,
                    summary=form.cleaned_data["summary"],
                    next_steps=form.cleaned_data["next_steps"],
                    actor=user,
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(name if name in form.fields else None, problem)
            else:
                messages.success(request, _("De tekst is opgeslagen."))
                return redirect(_progress_url(found))
    else:
        form = ProgressWordsForm(
            initial={
                "summary": report.summary if report else "",
                "next_steps": report.next_steps if report else "",
            }
        )
    return render(
        request,
        TEMPLATES + "progress_edit.html",
        {"assembly": found.assembly, "weekend": found, "form": form, "report": report},
    )


@login_required
@require_POST
def report_progress_publish(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    user = access.request_user(request)
    found = access_report.get_weekend_for_progress_writer(user=user, slug=slug, number=weekend)
    try:
        services.progress_report_publish(weekend=found, actor=user)
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
        return redirect(
            reverse(
                "recommendations:report_progress_edit",
                kwargs={"slug": found.assembly.slug, "weekend": found.number},
            )
        )
    messages.success(request, _("Het voortgangsrapport is gedeeld met de griffie."))
    return redirect(_progress_url(found))


def _progress_url(weekend: Weekend) -> str:
    return reverse(
        "recommendations:report_progress",
        kwargs={"slug": weekend.assembly.slug, "weekend": weekend.number},
    )


# ---------------------------------------------------------- member's consent


@login_required
def report_name_consent(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    member = access_report.get_own_panel_member(user=user, slug=slug)
    if request.method == "POST":
        form = NameConsentForm(request.POST)
        if form.is_valid():
            named = form.cleaned_data["named"]
            services.member_name_consent_set(member=member, named=named, actor=user)
            messages.success(
                request,
                _("Uw naam komt in het rapport.")
                if named
                else _("Uw naam komt niet in het rapport."),
            )
            return redirect(reverse("recommendations:report_name_consent", kwargs={"slug": slug}))
    else:
        form = NameConsentForm(initial={"named": member.named_publicly})
    return render(
        request,
        TEMPLATES + "name_consent.html",
        {"assembly": member.assembly, "member": member, "form": form},
    )
