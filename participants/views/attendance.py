"""Attendance pages.

Organisers and the desk (balie) check members in from a list per day (made
for a phone or a tablet: search by name, big buttons, works without
JavaScript) or by opening the URL in a member's QR code. The chair may look
at the overviews. A member sees their own QR code; the code checks nobody in
without an organiser or the desk. Who may do what: participants/access_attendance.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import qrcode
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage

from assembly import access
from assembly.models import Assembly, RoleKind
from assembly.selectors import role_kinds_for
from participants import access_attendance
from participants import selectors_attendance as selectors
from participants.models import CheckIn, PanelMember
from participants.services import attendance as services
from sessions.models import Weekend

TEMPLATES = "participants/attendance/"


class TimesForm(forms.Form):
    arrived_late_at = forms.TimeField(
        label=gettext_lazy("Later gekomen om"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Leeg laten als de deelnemer op tijd was."),
    )
    left_early_at = forms.TimeField(
        label=gettext_lazy("Eerder weggegaan om"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Leeg laten als de deelnemer tot het einde bleef."),
    )
    note = forms.CharField(
        label=gettext_lazy("Opmerking"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "Kort en zakelijk, bijvoorbeeld: trein had vertraging. "
            "Schrijf niets op over gezondheid."
        ),
    )


# ------------------------------------------------------------------ helpers


def _desk_assembly(request: HttpRequest, slug: str) -> Assembly:
    """The assembly for those who check members in: organisers and the desk."""
    return access_attendance.get_assembly_for_check_in(
        user=access.request_user(request), slug=slug
    )


def _may_change(request: HttpRequest, assembly: Assembly, day: dt.date) -> bool:
    return access_attendance.may_change_day(
        user=access.request_user(request), assembly=assembly, day=day,
        today=timezone.localdate(),
    )


def _refuse_unless_may_change(request: HttpRequest, assembly: Assembly, day: dt.date) -> None:
    """The desk works on today's list; the buttons for other days are not shown
    to them, so only a page left open since or a typed address comes here."""
    if not _may_change(request, assembly, day) and day <= timezone.localdate():
        raise PermissionDenied(
            _("Een dag die voorbij is, kan alleen de organisatie nog veranderen.")
        )


def _sees_overview(request: HttpRequest, assembly: Assembly) -> bool:
    return access_attendance.may_see_overview(user=access.request_user(request), assembly=assembly)


def _viewer_assembly(request: HttpRequest, slug: str) -> tuple[Assembly, bool]:
    """The assembly for organisers and the chair, and whether the user may change things."""
    user = access.request_user(request)
    assembly = access_attendance.get_assembly_for_overview(user=user, slug=slug)
    is_organiser = user.is_superuser or RoleKind.ORGANISER in role_kinds_for(
        user=user, assembly=assembly
    )
    return assembly, is_organiser


def _weekend(assembly: Assembly, number: int) -> Weekend:
    return get_object_or_404(Weekend, assembly=assembly, number=number)


def _weekend_day(assembly: Assembly, number: int, day: dt.date) -> Weekend:
    weekend = _weekend(assembly, number)
    if not weekend.starts_on <= day <= weekend.ends_on:
        raise Http404
    return weekend


def _member(assembly: Assembly, pk: int) -> PanelMember:
    member = get_object_or_404(
        PanelMember.objects.select_related("registration"), pk=pk, assembly=assembly
    )
    member.assembly = assembly
    return member


def _back_to_day(
    assembly: Assembly, weekend: Weekend, day: dt.date, query: str, member_id: int
) -> HttpResponseRedirect:
    url = reverse(
        "participants:attendance_day",
        kwargs={"slug": assembly.slug, "weekend": weekend.number, "day": day},
    )
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(f"{url}#lid-{member_id}")


def _day_label(day: dt.date) -> str:
    return formats.date_format(day, "l j F Y")


# ------------------------------------------------------------- overviews


@dataclass(frozen=True)
class _Bar:
    label: str
    y: int
    text_y: int
    width: int
    text_x: int
    text: str
    recorded: bool


@dataclass(frozen=True)
class _Chart:
    width: int
    height: int
    label_width: int
    bars: list[_Bar]


_CHART_BAR = 360  # px for 100 %
_CHART_LABEL = 110
_CHART_ROW = 34


def _chart(rows: list[selectors.WeekendAttendance]) -> _Chart:
    bars = []
    for index, row in enumerate(rows):
        y = 8 + index * _CHART_ROW
        width = round(_CHART_BAR * row.present / row.expected) if row.expected else 0
        if row.recorded:
            text = _("%(present)s van %(expected)s (%(percent)s%%)") % {
                "present": row.present,
                "expected": row.expected,
                "percent": row.percent,
            }
        else:
            text = _("nog geen aanmeldingen")
        bars.append(
            _Bar(
                label=str(row.weekend),
                y=y,
                text_y=y + 17,
                width=width,
                text_x=_CHART_LABEL + width + 8,
                text=text,
                recorded=row.recorded,
            )
        )
    return _Chart(
        width=_CHART_LABEL + _CHART_BAR + 190,
        height=16 + len(rows) * _CHART_ROW,
        label_width=_CHART_LABEL,
        bars=bars,
    )


@login_required
@access.personal_data_view
def attendance_overview(request: HttpRequest, slug: str) -> HttpResponse:
    assembly, is_organiser = _viewer_assembly(request, slug)
    today = timezone.localdate()
    rows = selectors.attendance_per_weekend(assembly=assembly, today=today)
    current = next((r for r in rows if r.weekend.starts_on <= today <= r.weekend.ends_on), None)
    return render(
        request,
        TEMPLATES + "overview.html",
        {
            "assembly": assembly,
            "is_organiser": is_organiser,
            "rows": rows,
            "chart": _chart(rows),
            "current": current,
            "today": today,
            "flagged": selectors.absence_flagged(assembly=assembly, today=today),
        },
    )


@login_required
@access.personal_data_view
def attendance_weekend(request: HttpRequest, slug: str, weekend: int) -> HttpResponse:
    assembly, is_organiser = _viewer_assembly(request, slug)
    the_weekend = _weekend(assembly, weekend)
    rows = selectors.attendance_per_weekend(assembly=assembly)
    row = next(r for r in rows if r.weekend.pk == the_weekend.pk)
    return render(
        request,
        TEMPLATES + "weekend.html",
        {
            "assembly": assembly,
            "is_organiser": is_organiser,
            "weekend": the_weekend,
            "row": row,
            "absent": selectors.weekend_absentees(assembly=assembly, weekend=the_weekend)
            if row.recorded
            else [],
        },
    )


# --------------------------------------------------------------- check-in


@login_required
@access.personal_data_view
def attendance_day(request: HttpRequest, slug: str, weekend: int, day: dt.date) -> HttpResponse:
    assembly = _desk_assembly(request, slug)
    the_weekend = _weekend_day(assembly, weekend, day)
    query = request.GET.get("q", "").strip()[:100]
    day_list = selectors.check_in_day_list(assembly=assembly, day=day, query=query)
    today = timezone.localdate()
    # A tablet left on Saturday's list checks Sunday's arrivals in for
    # Saturday: a day that is over says so, with the way to today's list.
    today_weekend = (
        selectors.weekend_for_day(assembly_id=assembly.pk, day=today) if day < today else None
    )
    return render(
        request,
        TEMPLATES + "day.html",
        {
            "assembly": assembly,
            "weekend": the_weekend,
            "day": day,
            "day_label": _day_label(day),
            "days": selectors.weekend_days(the_weekend),
            "query": query,
            "list": day_list,
            "is_future": day > today,
            "is_past": day < today,
            "may_change": _may_change(request, assembly, day),
            "today": today,
            "today_weekend": today_weekend,
            "sees_overview": _sees_overview(request, assembly),
        },
    )


@login_required
@require_POST
def attendance_check_in(
    request: HttpRequest, slug: str, weekend: int, day: dt.date, member: int
) -> HttpResponse:
    assembly = _desk_assembly(request, slug)
    the_weekend = _weekend_day(assembly, weekend, day)
    _refuse_unless_may_change(request, assembly, day)
    person = _member(assembly, member)
    try:
        _check_in, created = services.check_in_record(
            member=person, day=day, actor=access.request_user(request)
        )
    except services.AttendanceRefused as refused:
        messages.error(request, str(refused))
    else:
        # The day in the message: the desk sees which day it counted for.
        names = {"name": person.registration.full_name, "day": _day_label(day)}
        if created:
            messages.success(request, _("%(name)s is aangemeld voor %(day)s.") % names)
        else:
            messages.info(
                request, _("%(name)s was al aangemeld voor %(day)s. Er is niets veranderd.") % names
            )
    return _back_to_day(assembly, the_weekend, day, request.POST.get("q", ""), person.pk)


@login_required
@require_POST
def attendance_undo(
    request: HttpRequest, slug: str, weekend: int, day: dt.date, member: int
) -> HttpResponse:
    assembly = _desk_assembly(request, slug)
    the_weekend = _weekend_day(assembly, weekend, day)
    _refuse_unless_may_change(request, assembly, day)
    person = _member(assembly, member)
    name = person.registration.full_name
    try:
        undone = services.check_in_undo(member=person, day=day, actor=access.request_user(request))
    except services.AttendanceRefused as refused:
        messages.error(request, str(refused))
    else:
        if undone:
            messages.success(
                request, _("De aanmelding van %(name)s is weggehaald.") % {"name": name}
            )
        else:
            messages.info(request, _("%(name)s was niet aangemeld.") % {"name": name})
    return _back_to_day(assembly, the_weekend, day, request.POST.get("q", ""), person.pk)


@login_required
@access.personal_data_view
def attendance_times(
    request: HttpRequest, slug: str, weekend: int, day: dt.date, member: int
) -> HttpResponse:
    assembly = _desk_assembly(request, slug)
    the_weekend = _weekend_day(assembly, weekend, day)
    _refuse_unless_may_change(request, assembly, day)
    person = _member(assembly, member)
    check_in = CheckIn.objects.filter(member=person, day=day).first()
    initial = (
        {
            "arrived_late_at": check_in.arrived_late_at,
            "left_early_at": check_in.left_early_at,
            "note": check_in.note,
        }
        if check_in
        else {}
    )
    form = TimesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in_times_set(
                member=person,
                day=day,
                arrived_late_at=form.cleaned_data["arrived_late_at"],
                left_early_at=form.cleaned_data["left_early_at"],
                note=form.cleaned_data["note"],
                actor=access.request_user(request),
            )
        except services.AttendanceRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Opgeslagen voor %(name)s.") % {"name": person.registration.full_name},
            )
            return _back_to_day(assembly, the_weekend, day, request.POST.get("q", ""), person.pk)
    return render(
        request,
        TEMPLATES + "times.html",
        {
            "assembly": assembly,
            "weekend": the_weekend,
            "day": day,
            "day_label": _day_label(day),
            "member": person,
            "check_in": check_in,
            "form": form,
            "query": request.GET.get("q", request.POST.get("q", ""))[:100],
        },
    )


# -------------------------------------------------------------------- scan


@login_required
@access.personal_data_view
def attendance_scan(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    # Organisers and the desk only, before the token is even read: for anyone
    # else the code in a member's QR code opens nothing.
    assembly = _desk_assembly(request, slug)
    today = timezone.localdate()
    weekend = selectors.weekend_for_day(assembly_id=assembly.pk, day=today)
    member_id = services.member_id_from_check_in_token(token)
    person = (
        PanelMember.objects.select_related("registration")
        .filter(pk=member_id, assembly=assembly)
        .first()
        if member_id is not None
        else None
    )
    if person is None:
        # A code that was changed or cut off, or a member of another
        # assembly: the desk is told what to do next, not shown the site's
        # "page does not exist".
        return render(
            request,
            TEMPLATES + "scan_unknown.html",
            {
                "assembly": assembly,
                "weekend": weekend,
                "today": today,
                "sees_overview": _sees_overview(request, assembly),
            },
            status=404,
        )
    person.assembly = assembly
    if request.method == "POST" and weekend is not None:
        try:
            _check_in, created = services.check_in_record(
                member=person, day=today, actor=access.request_user(request)
            )
        except services.AttendanceRefused as refused:
            messages.error(request, str(refused))
        else:
            name = person.registration.full_name
            if created:
                messages.success(request, _("%(name)s is aangemeld.") % {"name": name})
            else:
                messages.info(
                    request, _("%(name)s was al aangemeld. Er is niets veranderd.") % {"name": name}
                )
        return redirect("participants:attendance_scan", slug=assembly.slug, token=token)
    check_in = CheckIn.objects.filter(member=person, day=today).first()
    return render(
        request,
        TEMPLATES + "scan.html",
        {
            "assembly": assembly,
            "member": person,
            "code": selectors.member_code(person.pk),
            "takes_part": person.kind == PanelMember.Kind.MEMBER
            and person.status == PanelMember.Status.CONFIRMED,
            "weekend": weekend,
            "today": today,
            "day_label": _day_label(today),
            "check_in": check_in,
            "sees_overview": _sees_overview(request, assembly),
        },
    )


# ----------------------------------------------------- the member's QR code


_SVG_OPEN = re.compile(r'<svg width="[^"]*" height="[^"]*" ')


def _qr_svg(data: str, title: str) -> SafeString:
    """The QR code as inline SVG: no style attribute (CSP), its size set in
    attendance.css, named for screen readers by its title."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, image_factory=SvgPathFillImage)
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    assert isinstance(svg, str)
    svg = _SVG_OPEN.sub(
        '<svg class="qr-code" role="img" aria-labelledby="qr-title" focusable="false" ', svg, 1
    )
    svg = svg.replace(' id="qr-path"', "")
    head, rest = svg.split(">", 1)
    return mark_safe(f'{head}><title id="qr-title">{escape(title)}</title>{rest}')  # noqa: S308


@login_required
def member_check_in_qr(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = get_object_or_404(Assembly, slug=slug)
    member = (
        PanelMember.objects.select_related("registration")
        .filter(assembly=assembly, user=user, kind=PanelMember.Kind.MEMBER)
        .order_by("-pk")
        .first()
    )
    if member is None:
        # Someone with the member role but no seat on the panel (yet): a page
        # that says so, not an error, since their home page links here.
        if RoleKind.MEMBER not in role_kinds_for(user=user, assembly=assembly):
            raise PermissionDenied
    else:
        member.assembly = assembly
    takes_part = member is not None and member.status == PanelMember.Status.CONFIRMED
    context: dict[str, object] = {"assembly": assembly, "takes_part": takes_part}
    if member is not None and takes_part:
        url = services.check_in_scan_url(member=member, assembly=assembly)
        context["code"] = selectors.member_code(member.pk)
        context["qr"] = _qr_svg(url, _("QR-code om u aan te melden"))
    return render(request, TEMPLATES + "my_qr.html", context)
