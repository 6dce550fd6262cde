"""Payments: the organiser's pages (batches, export, paid, confirmations,
yearly statements) and the member's own pages (bank account, payments,
yearly statement). Organisers only see a masked IBAN; the chair, the griffie
and other roles see no money at all."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assembly import access
from assembly.downloads import PDF, private_download
from assembly.models import Assembly, RoleKind
from participants import selectors_money
from participants import selectors_payments as selectors
from participants.forms_payments import (
    BankAccountForm,
    BankAccountOnPaperForm,
    ConfirmationUploadForm,
    ExportForm,
    ItemForm,
    PaidForm,
    StatementYearForm,
)
from participants.iban import format_iban, mask_iban
from participants.models import ON_PAPER, BankAccount, PanelMember, PaymentBatch, PaymentItem
from participants.resources_payments import export_file, read_confirmations
from participants.resources_quotas import QuotaFileError
from participants.services import bank_accounts as bank_services
from participants.services import payments as services
from participants.statements import statement_pdf

TEMPLATES = "participants/payments/"
logger = logging.getLogger(__name__)


def _organiser(request: HttpRequest, slug: str) -> Assembly:
    return access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)


def _batch(request: HttpRequest, slug: str, number: int) -> tuple[Assembly, PaymentBatch]:
    assembly = _organiser(request, slug)
    batch = get_object_or_404(
        PaymentBatch.objects.select_related("assembly"), assembly=assembly, number=number
    )
    return assembly, batch


def _exported(request: HttpRequest, slug: str, number: int) -> PaymentBatch:
    _assembly, batch = _batch(request, slug, number)
    if batch.status == PaymentBatch.Status.OPEN:
        raise Http404
    return batch


def _batch_url(batch: PaymentBatch, anchor: str = "") -> str:
    url = reverse(
        "participants:payments_batch",
        kwargs={"slug": batch.assembly.slug, "number": batch.number},
    )
    return f"{url}#{anchor}" if anchor else url


def _overview_url(assembly: Assembly) -> str:
    return reverse("participants:payments_overview", kwargs={"slug": assembly.slug})


def _member(request: HttpRequest, slug: str) -> tuple[Assembly, PanelMember | None]:
    """The assembly for a member of it, and their place on the panel (None
    for a member account that is not linked to the panel)."""
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.MEMBER})
    )
    return assembly, selectors_money.member_for_user(
        assembly=assembly, user=user, alternates_too=True
    )


@login_required
@access.personal_data_view
def payments_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser(request, slug)
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "ready": selectors.ready_to_pay(assembly=assembly),
            "batches": selectors.batches(assembly=assembly),
            "upload_form": ConfirmationUploadForm(),
        },
    )


@login_required
@require_POST
def payments_batch_fill(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser(request, slug)
    try:
        result = services.payment_batch_fill(assembly=assembly, actor=access.request_user(request))
    except services.PaymentsRefused as refused:
        messages.error(request, str(refused))
        return redirect(_overview_url(assembly))
    assert result.batch is not None
    messages.success(
        request,
        ngettext(
            "%(members)s betaling staat in batch %(number)s.",
            "%(members)s betalingen staan in batch %(number)s.",
            result.members,
        )
        % {"members": result.members, "number": result.batch.number},
    )
    if result.left_out:
        messages.warning(
            request,
            _(
                "Niet meegenomen, want er is geen geldige bankrekening: %(names)s. Hun geld "
                "blijft klaarstaan voor een volgende batch."
            )
            % {"names": ", ".join(m.registration.full_name for m in result.left_out)},
        )
    return redirect(_batch_url(result.batch))


@login_required
@access.personal_data_view
def payments_batch(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly, batch = _batch(request, slug, number)
    return render(
        request,
        TEMPLATES + "batch.html",
        {
            "assembly": assembly,
            "batch": batch,
            "rows": selectors.batch_rows(batch=batch),
            "export_form": ExportForm(),
            "paid_form": PaidForm(),
            "is_open": batch.status == PaymentBatch.Status.OPEN,
        },
    )


@login_required
@require_POST
def payments_item_remove(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _assembly, batch = _batch(request, slug, number)
    form = ItemForm(request.POST)
    if not form.is_valid():
        raise Http404
    item = get_object_or_404(PaymentItem, batch=batch, pk=form.cleaned_data["item"])
    try:
        services.payment_item_remove(item=item, actor=access.request_user(request))
    except services.PaymentsRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _(
                "De betaling is uit de batch gehaald. Het geld staat weer klaar voor een "
                "volgende batch."
            ),
        )
    return redirect(_batch_url(batch))


@login_required
@require_POST
def payments_batch_export(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly, batch = _batch(request, slug, number)
    form = ExportForm(request.POST)
    if form.is_valid():
        try:
            services.payment_batch_export(
                batch=batch,
                actor=access.request_user(request),
                execution_date=form.cleaned_data["execution_date"],
            )
        except services.PaymentsRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _(
                    "Batch %(number)s is geëxporteerd en ligt nu vast. Download de bestanden "
                    "hieronder."
                )
                % {"number": batch.number},
            )
            return redirect(_batch_url(batch, "bestanden"))
        return redirect(_batch_url(batch))
    return render(
        request,
        TEMPLATES + "batch.html",
        {
            "assembly": assembly,
            "batch": batch,
            "rows": selectors.batch_rows(batch=batch),
            "export_form": form,
            "paid_form": PaidForm(),
            "is_open": batch.status == PaymentBatch.Status.OPEN,
        },
        status=400,
    )


@login_required
@access.personal_data_view
def payments_batch_sepa(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    batch = _exported(request, slug, number)
    erased = selectors.batch_erased_count(batch=batch)
    if erased:
        messages.error(
            request,
            ngettext(
                "Het SEPA-bestand kan niet opnieuw gemaakt worden: van %(count)s deelnemer zijn "
                "de bankgegevens gewist, op eigen verzoek. Gebruik het bestand dat u al had. Is "
                "de batch nog niet betaald? Spreek dan met deze deelnemer af hoe het geld wordt "
                "overgemaakt.",
                "Het SEPA-bestand kan niet opnieuw gemaakt worden: van %(count)s deelnemers zijn "
                "de bankgegevens gewist, op eigen verzoek. Gebruik het bestand dat u al had. Is "
                "de batch nog niet betaald? Spreek dan met deze deelnemers af hoe het geld wordt "
                "overgemaakt.",
                erased,
            )
            % {"count": erased},
        )
        return redirect(_batch_url(batch))
    return private_download(
        selectors.batch_sepa_xml(batch=batch),
        "application/xml",
        f"betaalbatch-{batch.assembly.slug}-{batch.number}-sepa.xml",
    )


@login_required
@access.personal_data_view
def payments_batch_csv(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    batch = _exported(request, slug, number)
    return private_download(
        export_file(selectors.item_queryset(batch=batch), "csv"),
        "text/csv; charset=utf-8",
        f"betaalbatch-{batch.assembly.slug}-{batch.number}.csv",
    )


@login_required
@access.personal_data_view
def payments_batch_xlsx(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    batch = _exported(request, slug, number)
    return private_download(
        export_file(selectors.item_queryset(batch=batch), "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"betaalbatch-{batch.assembly.slug}-{batch.number}.xlsx",
    )


@login_required
@require_POST
def payments_batch_paid(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _assembly, batch = _batch(request, slug, number)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul een geldige betaaldatum in, niet in de toekomst."))
        return redirect(_batch_url(batch))
    try:
        changed = services.payment_batch_mark_paid(
            batch=batch, actor=access.request_user(request), paid_on=form.cleaned_data["paid_on"]
        )
    except services.PaymentsRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s betaling staat nu op betaald.",
                "%(count)s betalingen staan nu op betaald.",
                changed,
            )
            % {"count": changed},
        )
    return redirect(_batch_url(batch))


@login_required
@require_POST
def payments_item_paid(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    _assembly, batch = _batch(request, slug, number)
    item_form = ItemForm(request.POST)
    if not item_form.is_valid():
        raise Http404
    item = get_object_or_404(PaymentItem, batch=batch, pk=item_form.cleaned_data["item"])
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul een geldige betaaldatum in, niet in de toekomst."))
        return redirect(_batch_url(batch))
    try:
        services.payment_item_mark_paid(
            item=item, actor=access.request_user(request), paid_on=form.cleaned_data["paid_on"]
        )
    except services.PaymentsRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("De betaling staat op betaald."))
    return redirect(_batch_url(batch, f"betaling-{item.pk}"))


@login_required
@require_POST
def payments_confirmations(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser(request, slug)
    form = ConfirmationUploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_confirmations(upload.read(), upload.name)
            changed = services.payment_confirmations_import(
                assembly=assembly, actor=access.request_user(request), rows=rows
            )
        except QuotaFileError as error:
            form.add_error("file", error.nl if request.LANGUAGE_CODE == "nl" else error.en)
        except services.ConfirmationsRefused as refused:
            problems = refused.problems
            form.add_error(
                "file", _("Er is niets op betaald gezet. Verbeter het bestand en probeer opnieuw.")
            )
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s betaling staat nu op betaald.",
                    "%(count)s betalingen staan nu op betaald.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect(_overview_url(assembly))
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "ready": selectors.ready_to_pay(assembly=assembly),
            "batches": selectors.batches(assembly=assembly),
            "upload_form": form,
            "problems": problems,
        },
        status=400,
    )


@login_required
@access.personal_data_view
def payments_statements(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser(request, slug)
    form = StatementYearForm(request.GET)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["jaar"]:
        year = form.cleaned_data["jaar"]
    return render(
        request,
        TEMPLATES + "statements.html",
        {
            "assembly": assembly,
            "year": year,
            "years": range(year - 2, year + 2),
            "members": selectors.statement_members(assembly=assembly, year=year),
        },
    )


def _statement_response(member: PanelMember, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404
    figures = selectors.year_figures(member=member, year=year)
    # An empty statement for a year still to come would look like a real one
    # to a benefits office. This year's may be empty: "nothing received".
    if year > timezone.localdate().year and not figures.months and not figures.paid:
        raise Http404
    pdf = statement_pdf(figures)
    return private_download(pdf, PDF, f"jaaroverzicht-{year}.pdf")


@login_required
@access.personal_data_view
def payments_statement_pdf(request: HttpRequest, slug: str, member: int, year: int) -> HttpResponse:
    assembly = _organiser(request, slug)
    the_member = get_object_or_404(
        PanelMember.objects.select_related("registration__invitation__resident", "assembly"),
        pk=member,
        assembly=assembly,
    )
    return _statement_response(the_member, year)


# The member's own pages.


@login_required
@access.personal_data_view
def member_bank_account_by_organiser(request: HttpRequest, slug: str, member: int) -> HttpResponse:
    """The bank details of a member without an account (signed up by phone,
    no e-mail address), typed in by the organiser from the member's form."""
    assembly = _organiser(request, slug)
    # Any status: one who stopped may still have money waiting.
    seated = get_object_or_404(
        PanelMember.objects.select_related("registration").filter(ON_PAPER),
        pk=member,
        assembly=assembly,
        kind=PanelMember.Kind.MEMBER,
    )
    account = BankAccount.objects.filter(member=seated).first()
    initial = {"iban": account.iban, "holder_name": account.holder_name} if account else {}
    form = BankAccountOnPaperForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bank_services.bank_account_save_for_member_without_account(
                member=seated,
                iban=form.cleaned_data["iban"],
                holder_name=form.cleaned_data["holder_name"],
                actor=access.request_user(request),
            )
        except bank_services.BankAccountRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Het rekeningnummer is bewaard."))
            return redirect("participants:panel_list", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "member_bank_account.html",
        {"assembly": assembly, "member": seated, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_bank_account(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, member = _member(request, slug)
    if member is None:
        return render(request, TEMPLATES + "not_member.html", {"assembly": assembly})
    account = selectors.bank_account_for(member=member)
    initial = {"holder_name": member.registration.full_name}
    if account is not None:
        initial = {"iban": format_iban(account.iban), "holder_name": account.holder_name}
    form = BankAccountForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outcome = bank_services.bank_account_save(
                    member=member,
                    iban=form.cleaned_data["iban"],
                    holder_name=form.cleaned_data["holder_name"],
                    actor=access.request_user(request),
                )
            except ValidationError as error:  # checked by the form; kept for a race
                form.add_error(None, error)
            else:
                if outcome is bank_services.BankAccountOutcome.PENDING:
                    messages.info(
                        request,
                        _(
                            "Wij hebben u een e-mail gestuurd. Klik op de link in die e-mail om "
                            "het nieuwe rekeningnummer te bevestigen. Tot dan gebruiken wij het "
                            "oude nummer."
                        ),
                    )
                elif outcome is bank_services.BankAccountOutcome.SAVED:
                    messages.success(request, _("Uw rekeningnummer is opgeslagen."))
                else:
                    messages.info(request, _("Er is niets veranderd."))
                return redirect("participants:my_bank_account", slug=assembly.slug)
        status = 400
    return render(
        request,
        TEMPLATES + "my_bank_account.html",
        {
            "assembly": assembly,
            "account": account,
            "current_iban": format_iban(account.iban) if account else "",
            "pending_iban": mask_iban(account.pending_iban)
            if account and account.pending_iban
            else "",
            "needs_confirmation": bank_services.bank_account_needs_confirmation(member=member),
            "form": form,
        },
        status=status,
    )


@login_required
def my_bank_account_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    assembly, member = _member(request, slug)
    account = selectors.bank_account_for(member=member) if member is not None else None
    if member is None or account is None:
        raise Http404
    problem = ""
    try:
        bank_services.check_bank_account_token(account=account, token=token)
    except bank_services.BankAccountRefused as refused:
        problem = str(refused)
    if request.method == "POST" and not problem:
        try:
            bank_services.bank_account_confirm(
                member=member, token=token, actor=access.request_user(request)
            )
        except bank_services.BankAccountRefused as refused:
            problem = str(refused)
        else:
            messages.success(request, _("Uw nieuwe rekeningnummer is bevestigd."))
            return redirect("participants:my_bank_account", slug=assembly.slug)
    return render(
        request,
        TEMPLATES + "my_bank_account_confirm.html",
        {
            "assembly": assembly,
            "problem": problem,
            "new_iban": format_iban(account.pending_iban) if account.pending_iban else "",
            "new_holder": account.pending_holder_name,
        },
        status=400 if problem else 200,
    )


@login_required
def my_payments(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, member = _member(request, slug)
    if member is None:
        return render(request, TEMPLATES + "not_member.html", {"assembly": assembly})
    account = selectors.bank_account_for(member=member)
    return render(
        request,
        TEMPLATES + "my_payments.html",
        {
            "assembly": assembly,
            "payments": selectors.member_payments(member=member),
            "years": selectors.statement_years(member=member),
            "masked_iban": mask_iban(account.iban) if account else "",
        },
    )


@login_required
def my_statement_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    _assembly, member = _member(request, slug)
    if member is None:
        raise Http404
    return _statement_response(member, year)
