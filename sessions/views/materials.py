"""Pages for perspectives, experts, the balance between perspectives, and
briefing materials: the organiser's management pages, the expert's own page,
the members' page, the public pages, and downloads that check access.

Files are never served from MEDIA_URL: ``material_download`` checks who asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assembly import access
from assembly.forms import OneTimeForm
from assembly.models import ENGLISH_HELP, Assembly, RoleKind
from assembly.numbers import whole_number
from sessions import selectors_materials as selectors
from sessions.models import Expert, Material, Perspective, Session, Weekend
from sessions.services import experts as expert_services
from sessions.services import materials as services
from sessions.services.schedule import local_moment, local_zone
from sessions.uploads import CheckedPdf, UploadRefused, max_upload_bytes, pdf_check, read_upload

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)


# --- forms ------------------------------------------------------------------------


class PerspectiveForm(forms.ModelForm[Perspective]):
    class Meta:
        model = Perspective
        fields = ["name", "name_en", "description", "description_en", "position"]
        help_texts = {
            "description": gettext_lazy("Eén korte zin: wie horen bij dit perspectief?"),
            "position": gettext_lazy("Een lager getal staat hoger in de lijst."),
        }


class ExpertForm(forms.ModelForm[Expert]):
    class Meta:
        model = Expert
        fields = list(expert_services.EXPERT_FIELDS)
        help_texts = {
            "email": gettext_lazy("Niet openbaar. Nodig om de deskundige uit te nodigen."),
            "phone": gettext_lazy("Niet openbaar. Alleen voor het secretariaat."),
        }

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["perspective"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Perspective.objects.filter(assembly=assembly)


def _session_label(session: Session) -> str:
    return _("Weekend %(number)s, %(start)s: %(title)s") % {
        "number": session.weekend.number,
        # Stored in UTC; people read the time of the place they meet.
        "start": timezone.localtime(session.starts_at, local_zone()).strftime("%d-%m %H:%M"),
        "title": session.shown_title,
    }


class SessionChoiceField(forms.ModelChoiceField[Session]):
    def label_from_instance(self, obj: Session) -> str:
        return _session_label(obj)


class AssignForm(forms.Form):
    session = SessionChoiceField(label=gettext_lazy("Onderdeel"), queryset=Session.objects.none())

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, SessionChoiceField)
        field.queryset = selectors.briefing_sessions(assembly=assembly)


class _ContentMixin(forms.Form):
    """A PDF or a link, checked: the PDF by its content, the link by its scheme."""

    file = forms.FileField(
        label=gettext_lazy("PDF-bestand"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    url = forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        assume_scheme="https",
        # No maxlength here: a browser would cut a pasted link without a word.
        # services.check_url (in clean) refuses one the database cannot hold.
        help_text=gettext_lazy("Bij een link of video: het adres, met https://."),
    )

    # False on a form that changes a material: no new file keeps the one it has.
    file_required = True

    def content_kind(self) -> str:
        """The material's kind: the form's own "kind" choice unless a form knows better."""
        return str(self.cleaned_data.get("kind") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = self.content_kind()
        upload: UploadedFile[bytes] | None = cleaned.get("file")
        cleaned["pdf"] = None
        if kind == Material.Kind.DOCUMENT:
            if upload is None:
                if self.file_required and "file" not in self.errors:
                    self.add_error("file", _("Kies een PDF-bestand."))
                return cleaned
            try:
                cleaned["pdf"] = pdf_check(read_upload(upload))
            except UploadRefused as refusal:
                self.add_error("file", str(refusal))
        elif kind:
            url = cleaned.get("url") or ""
            if not url and "url" not in self.errors:
                self.add_error("url", _("Vul de link in."))
            elif url:
                try:
                    services.check_url(url)
                except services.MaterialRefused as refusal:
                    self.add_error("url", str(refusal))
        return cleaned


def _file_help() -> str:
    from django.template.defaultfilters import filesizeformat

    return _("Alleen PDF, hoogstens %(max)s. We controleren de inhoud, niet de naam.") % {
        "max": filesizeformat(max_upload_bytes())
    }


class _TextsMixin(forms.Form):
    """A material's title and summary, each with its optional English version."""

    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    title_en = forms.CharField(
        label=gettext_lazy("Titel in het Engels"),
        max_length=200,
        required=False,
        help_text=ENGLISH_HELP,
    )
    summary = forms.CharField(
        label=gettext_lazy("Korte uitleg in eenvoudige taal (B1)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Twee of drie korte zinnen: waar gaat het over, en waarom is het belangrijk?"
        ),
    )
    summary_en = forms.CharField(
        label=gettext_lazy("Korte uitleg in het Engels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=ENGLISH_HELP,
    )


class MaterialForm(_TextsMixin, _ContentMixin, OneTimeForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Soort"), choices=Material.Kind.choices, widget=forms.RadioSelect
    )
    weekend = forms.ModelChoiceField(
        label=gettext_lazy("Weekend"), queryset=Weekend.objects.none(), required=False
    )
    session = SessionChoiceField(
        label=gettext_lazy("Bij dit onderdeel"),
        queryset=Session.objects.none(),
        required=False,
        help_text=gettext_lazy("Een uitleg of vragen aan deskundigen. Het weekend volgt vanzelf."),
    )
    expert = forms.ModelChoiceField(
        label=gettext_lazy("Van deze deskundige"), queryset=Expert.objects.none(), required=False
    )
    members_only_reason = forms.CharField(
        label=gettext_lazy("Alleen voor deelnemers, omdat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Leeg: na het weekend wordt het stuk openbaar."),
    )

    field_order = [
        "kind",
        "title",
        "title_en",
        "summary",
        "summary_en",
        "file",
        "url",
        "weekend",
        "session",
        "expert",
    ]

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        weekend = self.fields["weekend"]
        assert isinstance(weekend, forms.ModelChoiceField)
        weekend.queryset = selectors.weekends_of(assembly=assembly)
        session = self.fields["session"]
        assert isinstance(session, SessionChoiceField)
        session.queryset = selectors.briefing_sessions(assembly=assembly)
        expert = self.fields["expert"]
        assert isinstance(expert, forms.ModelChoiceField)
        expert.queryset = Expert.objects.filter(assembly=assembly)


class ExpertUploadForm(_TextsMixin, _ContentMixin, OneTimeForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("Soort"), choices=Material.Kind.choices, widget=forms.RadioSelect
    )
    session = SessionChoiceField(
        label=gettext_lazy("Bij dit onderdeel"), queryset=Session.objects.none(), required=False
    )

    field_order = ["kind", "title", "title_en", "summary", "summary_en", "file", "url", "session"]

    def __init__(self, *args: Any, expert: Expert, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        session = self.fields["session"]
        assert isinstance(session, SessionChoiceField)
        session.queryset = selectors.sessions_of_expert(expert=expert)


class ExpertMaterialForm(_TextsMixin, _ContentMixin):
    """The expert's own draft: its texts and session, and a new file or link.
    The kind stays: a link does not become a PDF (withdraw it and send a new one)."""

    file_required = False

    session = SessionChoiceField(
        label=gettext_lazy("Bij dit onderdeel"), queryset=Session.objects.none(), required=False
    )

    field_order = ["title", "title_en", "summary", "summary_en", "file", "url", "session"]

    def __init__(self, *args: Any, expert: Expert, material: Material, **kwargs: Any) -> None:
        self.material = material
        current = material.versions.order_by("-number").first()
        kwargs.setdefault(
            "initial",
            {
                "title": material.title,
                "title_en": material.title_en,
                "summary": material.summary,
                "summary_en": material.summary_en,
                "session": material.session_id,
                "url": current.url if current is not None else "",
            },
        )
        super().__init__(*args, **kwargs)
        if material.kind == Material.Kind.DOCUMENT:
            del self.fields["url"]
            self.fields["file"].label = gettext_lazy("Nieuw PDF-bestand")
            self.fields["file"].help_text = (
                _("Alleen als u het bestand wilt vervangen. Leeg: het bestand blijft zoals het is.")
                + " "
                + _file_help()
            )
        else:
            del self.fields["file"]
        session = self.fields["session"]
        assert isinstance(session, SessionChoiceField)
        session.queryset = selectors.sessions_for_expert_material(expert=expert, material=material)

    def content_kind(self) -> str:
        return self.material.kind


class MaterialEditForm(forms.ModelForm[Material]):
    session = SessionChoiceField(
        label=gettext_lazy("Bij dit onderdeel"), queryset=Session.objects.none(), required=False
    )

    class Meta:
        model = Material
        fields = ["title", "title_en", "summary", "summary_en", "weekend", "session", "expert"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        weekend = self.fields["weekend"]
        assert isinstance(weekend, forms.ModelChoiceField)
        weekend.queryset = selectors.weekends_of(assembly=assembly)
        session = self.fields["session"]
        assert isinstance(session, SessionChoiceField)
        session.queryset = selectors.briefing_sessions(assembly=assembly)
        expert = self.fields["expert"]
        assert isinstance(expert, forms.ModelChoiceField)
        expert.queryset = Expert.objects.filter(assembly=assembly)


class VersionForm(_ContentMixin):
    note = forms.CharField(
        label=gettext_lazy("Wat is er veranderd?"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Verplicht als het stuk al is vrijgegeven. Deelnemers lezen dit."),
    )

    def __init__(self, *args: Any, material: Material, **kwargs: Any) -> None:
        self.material = material
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        if material.kind == Material.Kind.DOCUMENT:
            del self.fields["url"]
        else:
            del self.fields["file"]

    def content_kind(self) -> str:
        return self.material.kind


class LocalMomentField(forms.DateTimeField):
    """A date and time typed on the Amsterdam clock. In the spring night the
    clock skips an hour, and its times do not exist: said so in plain words
    (Django's own message speaks of time zones). In the autumn night an hour
    comes twice: the first of the two is meant."""

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value
        for pattern in self.input_formats or ():
            try:
                typed = dt.datetime.strptime(str(value).strip(), pattern)
            except ValueError:
                continue
            moment = local_moment(typed.date(), typed.time())
            if moment is None:
                raise forms.ValidationError(
                    _(
                        "Dit tijdstip bestaat niet: in die nacht gaat de klok een uur "
                        "vooruit. Kies een andere tijd."
                    ),
                    code="nonexistent",
                )
            return moment
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class ReleaseForm(forms.Form):
    release_at = LocalMomentField(
        label=gettext_lazy("Vrijgeven op (datum en tijd)"),
        required=False,
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=gettext_lazy("Leeg: nu vrijgeven. Deelnemers krijgen dan een e-mail."),
    )

    def clean_release_at(self) -> dt.datetime | None:
        # A moment in the past (a year or month typed wrong) would release at once
        # and e-mail every member; only an empty field means "now".
        value: dt.datetime | None = self.cleaned_data.get("release_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(
                _(
                    "Dit moment is al voorbij. Kies een moment in de toekomst. "
                    "Of maak het veld leeg om het stuk nu vrij te geven."
                )
            )
        return value


class MembersOnlyForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Alleen voor deelnemers, omdat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Leeg maken: het stuk mag na het weekend openbaar worden."),
    )


# --- perspectives -------------------------------------------------------------------


@login_required
def perspectives(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    user = access.request_user(request)
    if request.method != "POST":
        expert_services.perspectives_ensure(assembly=assembly, actor=user)
    form = PerspectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            expert_services.perspective_create(
                assembly=assembly,
                name=form.cleaned_data["name"],
                name_en=form.cleaned_data["name_en"],
                description=form.cleaned_data["description"],
                description_en=form.cleaned_data["description_en"],
                position=form.cleaned_data["position"] or 0,
                actor=user,
            )
        except expert_services.ExpertRefused as refusal:
            form.add_error("name", str(refusal))
        else:
            messages.success(request, _("Het perspectief is toegevoegd."))
            return redirect("programme:perspectives", slug=assembly.slug)
    return render(
        request,
        "sessions/experts/perspectives.html",
        {
            "assembly": assembly,
            "form": form,
            "perspectives": selectors.perspective_list(assembly=assembly),
        },
    )


@login_required
def perspective_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    perspective = get_object_or_404(Perspective, pk=pk, assembly=assembly)
    form = PerspectiveForm(request.POST or None, instance=perspective)
    if request.method == "POST" and form.is_valid():
        try:
            expert_services.perspective_update(
                perspective=perspective,
                fields=form.cleaned_data,
                actor=access.request_user(request),
            )
        except expert_services.ExpertRefused as refusal:
            form.add_error("name", str(refusal))
        else:
            messages.success(request, _("Het perspectief is bewaard."))
            return redirect("programme:perspectives", slug=assembly.slug)
    return render(
        request,
        "sessions/experts/perspective_edit.html",
        {"assembly": assembly, "form": form, "perspective": perspective},
    )


@login_required
@require_POST
def perspective_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    perspective = get_object_or_404(Perspective, pk=pk, assembly=assembly)
    try:
        expert_services.perspective_delete(
            perspective=perspective, actor=access.request_user(request)
        )
    except expert_services.ExpertRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Het perspectief is verwijderd."))
    return redirect("programme:perspectives", slug=assembly.slug)


# --- experts (organisers) ---------------------------------------------------------


@login_required
def experts(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    return render(
        request,
        "sessions/experts/list.html",
        {"assembly": assembly, "experts": selectors.expert_list(assembly=assembly)},
    )


@login_required
def expert_create(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    user = access.request_user(request)
    expert_services.perspectives_ensure(assembly=assembly, actor=user)
    form = ExpertForm(request.POST or None, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        expert = expert_services.expert_create(
            assembly=assembly, fields=form.cleaned_data, actor=user
        )
        messages.success(request, _("De deskundige is toegevoegd."))
        return redirect("programme:expert_edit", slug=assembly.slug, pk=expert.pk)
    return render(
        request, "sessions/experts/form.html", {"assembly": assembly, "form": form, "expert": None}
    )


def _expert_page(
    request: HttpRequest,
    assembly: Assembly,
    expert: Expert,
    form: ExpertForm | None = None,
    assign_form: AssignForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "sessions/experts/form.html",
        {
            "assembly": assembly,
            "expert": expert,
            "form": form or ExpertForm(instance=expert, assembly=assembly),
            "assign_form": assign_form or AssignForm(assembly=assembly),
            "sessions": selectors.sessions_of_expert(expert=expert),
            "rows": selectors.material_rows_of_expert(expert=expert),
        },
    )


@login_required
def expert_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    expert = selectors.get_expert_for_organiser(assembly=assembly, pk=pk)
    form = ExpertForm(request.POST or None, instance=expert, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        expert_services.expert_update(
            expert=expert, fields=form.cleaned_data, actor=access.request_user(request)
        )
        messages.success(request, _("De gegevens van de deskundige zijn bewaard."))
        return redirect("programme:expert_edit", slug=assembly.slug, pk=expert.pk)
    return _expert_page(request, assembly, expert, form=form)


@login_required
@require_POST
def expert_invite(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    expert = selectors.get_expert_for_organiser(assembly=assembly, pk=pk)
    try:
        expert_services.expert_invite(expert=expert, actor=access.request_user(request))
    except expert_services.ExpertRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("De deskundige kan nu inloggen en krijgt een e-mail met uitleg."),
        )
    return redirect("programme:expert_edit", slug=assembly.slug, pk=expert.pk)


@login_required
@require_POST
def expert_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    expert = selectors.get_expert_for_organiser(assembly=assembly, pk=pk)
    form = AssignForm(request.POST, assembly=assembly)
    if not form.is_valid():
        return _expert_page(request, assembly, expert, assign_form=form)
    try:
        expert_services.expert_assign(
            expert=expert, session=form.cleaned_data["session"], actor=access.request_user(request)
        )
    except expert_services.ExpertRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("De deskundige staat nu bij dit onderdeel."))
    return redirect("programme:expert_edit", slug=assembly.slug, pk=expert.pk)


@login_required
@require_POST
def expert_unassign(request: HttpRequest, slug: str, pk: int, session_id: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    expert = selectors.get_expert_for_organiser(assembly=assembly, pk=pk)
    session = get_object_or_404(Session, pk=session_id, weekend__assembly=assembly)
    expert_services.expert_unassign(
        expert=expert, session=session, actor=access.request_user(request)
    )
    messages.success(request, _("De deskundige staat niet meer bij dit onderdeel."))
    return redirect("programme:expert_edit", slug=assembly.slug, pk=expert.pk)


# --- balance ------------------------------------------------------------------------


@login_required
def balance(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    expert_services.perspectives_ensure(assembly=assembly, actor=access.request_user(request))
    weekend = None
    number = whole_number(request.GET.get("weekend", ""))
    if number is not None:
        weekend = get_object_or_404(Weekend, assembly=assembly, number=number)
    return render(
        request,
        "sessions/experts/balance.html",
        {
            "assembly": assembly,
            "weekend": weekend,
            "balance": selectors.balance_for(assembly=assembly, weekend=weekend),
        },
    )


# --- materials (organisers) ---------------------------------------------------------


@login_required
def material_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    status = request.GET.get("status", "")
    if status not in Material.Status.values:
        status = ""
    rows = selectors.material_rows_for_organiser(assembly=assembly, status=status)
    return render(
        request,
        "sessions/materials/list.html",
        {
            "assembly": assembly,
            "groups": selectors.group_by_weekend(rows),
            "status": status,
            "statuses": Material.Status.choices,
            "counts": selectors.material_status_counts(assembly=assembly),
            "withdrawn": selectors.recently_withdrawn(assembly=assembly),
            "withdrawn_days": selectors.WITHDRAWN_NOTE_DAYS,
        },
    )


@login_required
def material_create(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    initial: dict[str, Any] = {"kind": Material.Kind.DOCUMENT}
    number = whole_number(request.GET.get("weekend", ""))
    if number is not None:
        initial["weekend"] = Weekend.objects.filter(assembly=assembly, number=number).first()
    form = MaterialForm(
        request.POST or None, request.FILES or None, assembly=assembly, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = services.material_create(
                assembly=assembly,
                kind=data["kind"],
                title=data["title"],
                title_en=data["title_en"],
                summary=data["summary"],
                summary_en=data["summary_en"],
                weekend=data["weekend"],
                session=data["session"],
                expert=data["expert"],
                pdf=data["pdf"],
                url=data.get("url") or "",
                members_only_reason=data["members_only_reason"],
                actor=access.request_user(request),
                submission=data["submission"],
            )
        except services.MaterialRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Het stuk is bewaard als concept."))
            return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)
    return render(request, "sessions/materials/create.html", {"assembly": assembly, "form": form})


def _detail(
    request: HttpRequest,
    assembly: Assembly,
    material: Material,
    *,
    version_form: VersionForm | None = None,
    release_form: ReleaseForm | None = None,
    members_only_form: MembersOnlyForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "sessions/materials/detail.html",
        {
            "assembly": assembly,
            "material": material,
            "versions": selectors.material_versions(material=material),
            "version_form": version_form or VersionForm(material=material),
            "release_form": release_form
            or ReleaseForm(initial={"release_at": material.release_at}),
            "members_only_form": members_only_form
            or MembersOnlyForm(initial={"reason": material.members_only_reason}),
        },
    )


@login_required
def material_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    return _detail(request, assembly, material)


@login_required
def material_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    if material.status != Material.Status.DRAFT:
        messages.error(request, services.already_released_message())
        return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)
    form = MaterialEditForm(request.POST or None, instance=material, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            services.material_update(
                material=material, fields=form.cleaned_data, actor=access.request_user(request)
            )
        except services.MaterialRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Het stuk is bewaard."))
            return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)
    return render(
        request,
        "sessions/materials/edit.html",
        {"assembly": assembly, "material": material, "form": form},
    )


@login_required
@require_POST
def material_version_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    form = VersionForm(request.POST, request.FILES, material=material)
    if form.is_valid():
        try:
            version = services.material_version_add(
                material=material,
                note=form.cleaned_data["note"],
                pdf=form.cleaned_data["pdf"],
                url=form.cleaned_data.get("url") or "",
                actor=access.request_user(request),
            )
        except services.MaterialRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Versie %(number)s is toegevoegd. De oude versies blijven bewaard.")
                % {"number": version.number},
            )
            due = version.material.update_notice_due_at
            if due is not None:
                messages.info(
                    request,
                    _("De deelnemers krijgen op %(when)s een e-mail over de nieuwe versie.")
                    % {"when": date_format(timezone.localtime(due, local_zone()), "j F H:i")},
                )
            return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)
    return _detail(request, assembly, material, version_form=form)


@login_required
@require_POST
def material_release(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _detail(request, assembly, material, release_form=form)
    try:
        material = services.material_release(
            material=material,
            at=form.cleaned_data["release_at"],
            actor=access.request_user(request),
        )
    except services.MaterialRefused as refusal:
        messages.error(request, str(refusal))
    else:
        if material.status == Material.Status.RELEASED:
            messages.success(
                request, _("Het stuk is vrijgegeven. De deelnemers krijgen een e-mail.")
            )
        else:
            messages.success(request, _("Het stuk wordt vrijgegeven op het gekozen moment."))
            _warn_if_released_during_or_after_weekend(request, material)
    return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)


def _warn_if_released_during_or_after_weekend(request: HttpRequest, material: Material) -> None:
    """Not refused (slides may be meant for after a session), but a date typed
    wrong would keep members from reading the piece before their weekend."""
    weekend = material.weekend
    if weekend is None or material.release_at is None:
        return
    moment = timezone.localtime(material.release_at)
    if moment.date() >= weekend.starts_on:
        messages.warning(
            request,
            _(
                "Let op: weekend %(number)s begint op %(start)s. Het stuk komt pas daarna "
                "vrij, op %(moment)s. Deelnemers kunnen het dus niet vooraf lezen."
            )
            % {
                "number": weekend.number,
                "start": formats.date_format(weekend.starts_on, "l j F Y"),
                "moment": formats.date_format(moment, "j F Y H:i"),
            },
        )


@login_required
@require_POST
def material_release_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    try:
        services.material_release_cancel(material=material, actor=access.request_user(request))
    except services.MaterialRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Het stuk blijft een concept."))
    return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)


@login_required
@require_POST
def material_publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    try:
        services.material_publish(material=material, actor=access.request_user(request))
    except services.MaterialRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Het stuk is nu openbaar."))
    return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)


@login_required
@require_POST
def material_members_only(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    material = selectors.material_get(assembly=assembly, pk=pk)
    form = MembersOnlyForm(request.POST)
    if not form.is_valid():
        return _detail(request, assembly, material, members_only_form=form)
    services.material_members_only(
        material=material, reason=form.cleaned_data["reason"], actor=access.request_user(request)
    )
    if form.cleaned_data["reason"].strip():
        messages.success(request, _("Het stuk blijft alleen voor deelnemers."))
    else:
        messages.success(request, _("Het stuk wordt na het weekend openbaar."))
    return redirect("programme:material_detail", slug=assembly.slug, pk=material.pk)


# --- downloads ------------------------------------------------------------------------


def material_download(
    request: HttpRequest, slug: str, pk: int, number: int
) -> FileResponse | HttpResponseRedirect:
    try:
        version = selectors.get_version_for_download(
            user=request.user,  # type: ignore[arg-type]
            slug=slug,
            material_id=pk,
            number=number,
        )
    except PermissionDenied:
        if request.user.is_authenticated:
            raise
        # A member whose session ran out, or who opens the link from an
        # e-mail on another device: log in first, then the file.
        return redirect_to_login(request.get_full_path())
    if not version.file:
        raise Http404
    material = version.material
    name = f"{slugify(material.title)[:60] or 'stuk'}-v{version.number}.pdf"
    response = FileResponse(version.file.open("rb"), filename=name, content_type="application/pdf")
    # Only what anyone may read goes to shared caches: public material of a
    # non-public assembly is for people with a role in it.
    shared = material.status == Material.Status.PUBLIC and material.assembly.is_public
    response["Cache-Control"] = "public, max-age=3600" if shared else "private, no-store"
    return response


# --- members and the public -----------------------------------------------------------


@login_required
def materials(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_assembly_for_any_role(user=access.request_user(request), slug=slug)
    rows = selectors.material_rows_for_members(assembly=assembly)
    return render(
        request,
        "sessions/materials/members.html",
        {"assembly": assembly, "groups": selectors.group_by_weekend(rows)},
    )


def materials_public(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    rows = selectors.material_rows_public(assembly=assembly)
    return render(
        request,
        "sessions/materials/public.html",
        {"assembly": assembly, "groups": selectors.group_by_weekend(rows)},
    )


def experts_public(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    return render(
        request,
        "sessions/experts/public.html",
        {"assembly": assembly, "experts": selectors.expert_public_list(assembly=assembly)},
    )


# --- the expert's own page ------------------------------------------------------------


def _expert_home(
    request: HttpRequest, assembly: Assembly, expert: Expert | None, form: ExpertUploadForm | None
) -> HttpResponse:
    user = access.request_user(request)
    rows = selectors.material_rows_of_expert(expert=expert) if expert else []
    return render(
        request,
        "sessions/experts/home.html",
        {
            "assembly": assembly,
            "expert": expert,
            "sessions": selectors.sessions_of_expert(expert=expert) if expert else [],
            "now": timezone.now(),
            "rows": rows,
            # The materials the expert may still change or withdraw themselves.
            "changeable": {
                row.material.pk
                for row in rows
                if services.expert_change_refusal(material=row.material, user=user) is None
            },
            "form": form,
        },
    )


@login_required
def expert_home(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.EXPERT})
    )
    expert = selectors.expert_for_user(assembly=assembly, user=user)
    form = None
    if expert is not None:
        form = ExpertUploadForm(expert=expert, initial={"kind": Material.Kind.DOCUMENT})
    return _expert_home(request, assembly, expert, form)


@login_required
@require_POST
def expert_upload(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.EXPERT})
    )
    expert = selectors.expert_for_user(assembly=assembly, user=user)
    if expert is None:
        messages.error(request, _("Het secretariaat heeft uw gegevens nog niet gekoppeld."))
        return redirect("programme:expert_home", slug=assembly.slug)
    form = ExpertUploadForm(request.POST, request.FILES, expert=expert)
    if form.is_valid():
        data = form.cleaned_data
        pdf: CheckedPdf | None = data["pdf"]
        try:
            services.material_create(
                assembly=assembly,
                kind=data["kind"],
                title=data["title"],
                title_en=data["title_en"],
                summary=data["summary"],
                summary_en=data["summary_en"],
                session=data["session"],
                expert=expert,
                pdf=pdf,
                url=data.get("url") or "",
                actor=user,
                submission=data["submission"],
            )
        except services.MaterialRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Dank u wel. Het secretariaat kijkt het stuk na en geeft het vrij."),
            )
            return redirect("programme:expert_home", slug=assembly.slug)
    return _expert_home(request, assembly, expert, form)


def _own_material(
    request: HttpRequest, slug: str, pk: int
) -> tuple[Assembly, Material, str | None]:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(
        user=user, slug=slug, roles=frozenset({RoleKind.EXPERT})
    )
    _expert, material = selectors.get_own_material(user=user, assembly=assembly, pk=pk)
    return assembly, material, services.expert_change_refusal(material=material, user=user)


@login_required
def expert_material_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = access.request_user(request)
    assembly, material, refusal = _own_material(request, slug, pk)
    form = None
    if refusal is None:
        assert material.expert is not None
        form = ExpertMaterialForm(
            request.POST or None, request.FILES or None, expert=material.expert, material=material
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.material_change_by_expert(
                    material=material,
                    actor=user,
                    fields={name: data[name] for name in services.EXPERT_EDITABLE_FIELDS},
                    pdf=data["pdf"],
                    url=data.get("url") or "",
                )
            except services.MaterialRefused as refusal_now:
                # The secretariat released it while the expert was typing.
                form.add_error(None, str(refusal_now))
            else:
                messages.success(
                    request,
                    _("Het stuk is bewaard. Het secretariaat kijkt het na en geeft het vrij."),
                )
                return redirect("programme:expert_home", slug=assembly.slug)
    return render(
        request,
        "sessions/experts/material_edit.html",
        {"assembly": assembly, "material": material, "refusal": refusal, "form": form},
    )


@login_required
def expert_material_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A question first (GET), the withdrawal on the answer (POST)."""
    user = access.request_user(request)
    assembly, material, refusal = _own_material(request, slug, pk)
    if request.method == "POST" and refusal is None:
        try:
            services.material_withdraw(material=material, actor=user)
        except services.MaterialRefused as refusal_now:
            refusal = str(refusal_now)
        else:
            messages.success(
                request,
                _("U heeft het stuk ‘%(title)s’ ingetrokken.") % {"title": material.shown_title},
            )
            return redirect("programme:expert_home", slug=assembly.slug)
    return render(
        request,
        "sessions/experts/material_withdraw.html",
        {"assembly": assembly, "material": material, "refusal": refusal},
    )
