"""The schedule: organisers build the weekends' programmes; members and the
public read them, and add them to their calendar."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assembly import access
from assembly.forms import DatePicker, ModelMultipleChoiceField, OneTimeForm
from assembly.models import ENGLISH_HELP, Assembly, RoleKind, User, offered_language
from sessions import calendars, selectors
from sessions.models import Expert, ProgrammeReminder, Session, Weekend
from sessions.services import schedule as services
from sessions.services import weekends as weekend_services

# Who reads "my programme": everyone who takes part in the weekends.
PROGRAMME_ROLES = frozenset(
    {
        RoleKind.MEMBER,
        RoleKind.FACILITATOR,
        RoleKind.EXPERT,
        RoleKind.CHAIR,
        RoleKind.ORGANISER,
    }
)
CALENDAR_SALT = "sessions.calendar-feed"
CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _organiser_assembly(request: HttpRequest, slug: str) -> Assembly:
    return access.get_assembly_for_organiser(user=access.request_user(request), slug=slug)


def _organiser_weekend(request: HttpRequest, slug: str, number: int) -> Weekend:
    assembly = _organiser_assembly(request, slug)
    return selectors.weekend_get(assembly=assembly, number=number)


# ---------------------------------------------------------------- calendar token


def calendar_token(*, user_id: int, assembly_id: int, generation: int = 0) -> str:
    """The private part of a member's calendar link: who, for which assembly,
    which generation (sessions.models.CalendarLink), signed. Generation 0 has
    the form of the links handed out before a link could be renewed, so those
    keep working until their owner asks for a new one."""
    value = f"{user_id}-{assembly_id}"
    if generation:
        value = f"{value}-{generation}"
    return signing.Signer(salt=CALENDAR_SALT, sep=".").sign(value)


def calendar_token_ids(token: str) -> tuple[int, int, int] | None:
    """(user id, assembly id, generation) of a valid token, or None."""
    try:
        value = signing.Signer(salt=CALENDAR_SALT, sep=".").unsign(token)
    except signing.BadSignature:
        return None
    parts = value.split("-")
    if len(parts) == 2:
        parts.append("0")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    user_id, assembly_id, generation = (int(part) for part in parts)
    return user_id, assembly_id, generation


# ---------------------------------------------------------------- forms


class WeekendForm(forms.ModelForm[Weekend]):
    class Meta:
        model = Weekend
        fields = list(weekend_services.WEEKEND_FIELDS)
        widgets = {
            "starts_on": DatePicker(),
            "ends_on": DatePicker(),
            "route": forms.Textarea(attrs={"rows": 4}),
            "route_en": forms.Textarea(attrs={"rows": 4}),
            "accessibility": forms.Textarea(attrs={"rows": 4}),
            "accessibility_en": forms.Textarea(attrs={"rows": 4}),
            "hotel": forms.Textarea(attrs={"rows": 3}),
            "hotel_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"starts_on": weekend_services.MOVE_HELP}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("De laatste dag kan niet voor de eerste dag liggen."))
        return cleaned


class SessionForm(OneTimeForm):
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    title_en = forms.CharField(
        label=gettext_lazy("Titel in het Engels"),
        max_length=200,
        required=False,
        help_text=ENGLISH_HELP,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Soort"), choices=Session.Kind.choices)
    day = forms.TypedChoiceField(label=gettext_lazy("Dag"), coerce=dt.date.fromisoformat)
    start = forms.TimeField(
        label=gettext_lazy("Begint om"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Bijvoorbeeld 10:00."),
    )
    end = forms.TimeField(
        label=gettext_lazy("Eindigt om"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    room = forms.CharField(label=gettext_lazy("Zaal"), max_length=100, required=False)
    topic = forms.CharField(
        label=gettext_lazy("Onderwerp"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Voor de balans tussen perspectieven."),
    )
    description = forms.CharField(
        label=gettext_lazy("Uitleg"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=gettext_lazy("Uitleg in het Engels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ENGLISH_HELP,
    )
    experts = ModelMultipleChoiceField(
        label=gettext_lazy("Deskundigen"),
        queryset=Expert.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, weekend: Weekend, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.weekend = weekend
        day_field = self.fields["day"]
        assert isinstance(day_field, forms.TypedChoiceField)
        day_field.choices = [
            (day.isoformat(), formats.date_format(day, "l j F Y"))
            for day in services.weekend_days(weekend)
        ]
        experts = self.fields["experts"]
        assert isinstance(experts, ModelMultipleChoiceField)
        experts.queryset = Expert.objects.filter(assembly_id=weekend.assembly_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            starts_at = services.local_moment(day, start)
            ends_at = services.local_moment(day, end)
            for name, moment in (("start", starts_at), ("end", ends_at)):
                if moment is None:
                    self.add_error(
                        name,
                        _(
                            "Dit tijdstip bestaat niet: in die nacht gaat de klok een uur "
                            "vooruit. Kies een andere tijd."
                        ),
                    )
            if starts_at is None or ends_at is None:
                return cleaned
            cleaned["starts_at"], cleaned["ends_at"] = starts_at, ends_at
            if services.instant(ends_at) <= services.instant(starts_at):
                self.add_error("end", _("De eindtijd moet na de begintijd liggen."))
        return cleaned

    def session_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.SESSION_FIELDS}

    @classmethod
    def initial_for(cls, session: Session) -> dict[str, Any]:
        start = timezone.localtime(session.starts_at, services.local_zone())
        end = timezone.localtime(session.ends_at, services.local_zone())
        return {
            "title": session.title,
            "title_en": session.title_en,
            "kind": session.kind,
            "day": start.date().isoformat(),
            "start": start.time(),
            "end": end.time(),
            "room": session.room,
            "topic": session.topic,
            "description": session.description,
            "description_en": session.description_en,
            "experts": list(session.experts.all()),
        }


class ReminderScheduleForm(forms.Form):
    days_before = forms.CharField(
        label=gettext_lazy("Dagen voor het weekend (deelnemers)"),
        max_length=100,
        help_text=gettext_lazy("Bijvoorbeeld: 7, 1. Op die dagen krijgen deelnemers een e-mail."),
    )
    expert_days_before = forms.IntegerField(
        label=gettext_lazy("Dagen voor het onderdeel (deskundigen)"),
        min_value=0,
        max_value=30,
        help_text=gettext_lazy("0 betekent: geen herinnering aan deskundigen."),
    )
    hour = forms.IntegerField(
        label=gettext_lazy("Hoe laat (uur)"),
        min_value=0,
        max_value=23,
        help_text=gettext_lazy("Het uur waarop de herinneringen weggaan, van 0 tot 23."),
    )
    enabled = forms.BooleanField(label=gettext_lazy("Herinneringen versturen"), required=False)

    def clean_days_before(self) -> list[int]:
        raw = self.cleaned_data["days_before"]
        parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        try:
            days = sorted({int(part) for part in parts}, reverse=True)
        except ValueError as error:
            raise forms.ValidationError(
                _("Vul hele getallen in, met een komma ertussen.")
            ) from error
        if not days or any(day < 1 or day > 60 for day in days):
            raise forms.ValidationError(_("Vul getallen in van 1 tot en met 60."))
        return days


# ---------------------------------------------------------------- organiser pages


@login_required
def weekend_list(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    weekends = selectors.programme_for(
        assembly=assembly, published_only=False, material_statuses=None
    )
    rows = [(weekend, *selectors.session_counts(weekend)) for weekend in weekends]
    return render(
        request, "sessions/schedule/weekend_list.html", {"assembly": assembly, "rows": rows}
    )


def _movable(sessions: list[Session]) -> list[tuple[Session, bool, bool]]:
    """Each session of a day with whether it may go up and down: as session_move
    decides, among the sessions that take place (a cancelled one does not move)."""
    held = sorted(
        (session for session in sessions if not session.is_cancelled),
        key=lambda session: (session.starts_at, session.position, session.pk),
    )
    up: set[int] = set()
    down: set[int] = set()
    for first, second in itertools.pairwise(held):
        # Two that run at the same time are refused (only a new start time
        # changes them), and so is a swap into a room taken at the new time.
        if services.can_swap(first, second, others=held):
            down.add(first.pk)
            up.add(second.pk)
    return [(session, session.pk in up, session.pk in down) for session in sessions]


@login_required
def weekend_manage(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    weekend = selectors.weekend_with_sessions(weekend_id=weekend.pk)
    sessions = list(weekend.sessions.all())
    days = [
        (day, _movable([s for s in sessions if timezone.localtime(s.starts_at).date() == day]))
        for day in services.weekend_days(weekend)
    ]
    return render(
        request,
        "sessions/schedule/weekend_manage.html",
        {
            "assembly": weekend.assembly,
            "weekend": weekend,
            "days": days,
            "session_count": len(sessions),
        },
    )


@login_required
def weekend_venue(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    form = WeekendForm(request.POST or None, instance=weekend)
    if request.method == "POST" and form.is_valid():
        try:
            weekend_services.weekend_update(
                weekend=weekend, data=form.cleaned_data, actor=access.request_user(request)
            )
        except services.ScheduleRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("De gegevens van het weekend zijn bewaard."))
            waiting = selectors.weekend_change_waiting(weekend=weekend)
            if waiting is not None and weekend_services.change_has_news(change=waiting):
                messages.info(
                    request,
                    _(
                        "De deelnemers en de deskundigen van dit weekend krijgen om %(time)s "
                        "een e-mail over de wijziging. Wilt u nog iets verbeteren? Doe het voor "
                        "die tijd: dan gaat alles in één e-mail."
                    )
                    % {"time": timezone.localtime(waiting.send_after).strftime("%H:%M")},
                )
            return redirect("programme:weekend_manage", slug=slug, number=number)
    return render(
        request,
        "sessions/schedule/weekend_venue.html",
        {
            "assembly": weekend.assembly,
            "weekend": weekend,
            "form": form,
            "notice_minutes": int(weekend_services.CHANGE_WINDOW.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def weekend_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    try:
        services.weekend_publish(weekend=weekend, actor=access.request_user(request))
    except services.ScheduleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Het programma is gepubliceerd. Wijzigingen gaan nu per e-mail naar de deelnemers."),
        )
    return redirect("programme:weekend_manage", slug=slug, number=number)


def _session_form_page(
    request: HttpRequest, weekend: Weekend, session: Session | None
) -> HttpResponse:
    initial = SessionForm.initial_for(session) if session else {}
    form = SessionForm(request.POST or None, initial=initial, weekend=weekend)
    if request.method == "POST" and form.is_valid():
        actor = access.request_user(request)
        try:
            if session is None:
                services.session_create(
                    weekend=weekend,
                    data=form.session_data(),
                    experts=form.cleaned_data["experts"],
                    actor=actor,
                    submission=form.cleaned_data["submission"],
                )
            else:
                services.session_update(
                    session=session,
                    data=form.session_data(),
                    experts=form.cleaned_data["experts"],
                    actor=actor,
                )
        except services.ScheduleRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Het onderdeel is bewaard."))
            if weekend.published_at:
                messages.info(request, _("De deelnemers krijgen een e-mail over de wijziging."))
            return redirect(
                "programme:weekend_manage", slug=weekend.assembly.slug, number=weekend.number
            )
    return render(
        request,
        "sessions/schedule/session_form.html",
        {"assembly": weekend.assembly, "weekend": weekend, "session": session, "form": form},
    )


@login_required
def session_add(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _session_form_page(request, _organiser_weekend(request, slug, number), None)


@login_required
def session_edit(request: HttpRequest, slug: str, number: int, session_id: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    session = selectors.session_get(weekend=weekend, session_id=session_id)
    return _session_form_page(request, weekend, session)


@login_required
def session_delete(request: HttpRequest, slug: str, number: int, session_id: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    session = selectors.session_get(weekend=weekend, session_id=session_id)
    if request.method == "POST":
        services.session_delete(session=session, actor=access.request_user(request))
        if weekend.published_at:
            messages.success(
                request,
                _("Het onderdeel vervalt. Het blijft in het programma staan, met ‘Vervalt’ erbij."),
            )
            messages.info(request, _("De deelnemers krijgen een e-mail dat het niet doorgaat."))
        else:
            messages.success(request, _("Het onderdeel is verwijderd."))
        return redirect("programme:weekend_manage", slug=slug, number=number)
    return render(
        request,
        "sessions/schedule/session_delete.html",
        {"assembly": weekend.assembly, "weekend": weekend, "session": session},
    )


@login_required
@require_POST
def session_restore(request: HttpRequest, slug: str, number: int, session_id: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    session = selectors.session_get(weekend=weekend, session_id=session_id)
    try:
        services.session_restore(session=session, actor=access.request_user(request))
    except services.ScheduleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("‘%(title)s’ staat weer in het programma.") % {"title": session.shown_title}
        )
        messages.info(request, _("De deelnemers krijgen een e-mail dat het toch doorgaat."))
    url = reverse("programme:weekend_manage", kwargs={"slug": slug, "number": number})
    return redirect(f"{url}#session-{session.pk}")


@login_required
@require_POST
def session_move(request: HttpRequest, slug: str, number: int, session_id: int) -> HttpResponse:
    weekend = _organiser_weekend(request, slug, number)
    session = selectors.session_get(weekend=weekend, session_id=session_id)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Kies omhoog of omlaag."))
    else:
        try:
            services.session_move(
                session=session,
                direction="up" if direction == "up" else "down",
                actor=access.request_user(request),
            )
        except services.ScheduleRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("‘%(title)s’ is verplaatst.") % {"title": session.shown_title}
            )
    url = reverse("programme:weekend_manage", kwargs={"slug": slug, "number": number})
    return redirect(f"{url}#session-{session.pk}")


@login_required
def reminder_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _organiser_assembly(request, slug)
    schedule = services.reminder_schedule_get(assembly=assembly)
    initial = {
        "days_before": ", ".join(str(day) for day in schedule.days_before),
        "expert_days_before": schedule.expert_days_before,
        "hour": schedule.hour,
        "enabled": schedule.enabled,
    }
    form = ReminderScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.reminder_schedule_save(
            assembly=assembly,
            days_before=form.cleaned_data["days_before"],
            expert_days_before=form.cleaned_data["expert_days_before"],
            hour=form.cleaned_data["hour"],
            enabled=form.cleaned_data["enabled"],
            actor=access.request_user(request),
        )
        messages.success(request, _("Het schema voor de herinneringen is bewaard."))
        return redirect("programme:reminder_schedule", slug=assembly.slug)
    return render(
        request,
        "sessions/schedule/reminders.html",
        {
            "assembly": assembly,
            "form": form,
            "schedule": schedule,
            "sent": services.reminder_sent_counts(assembly=assembly),
            "kinds": dict(ProgrammeReminder.Kind.choices),
        },
    )


# ---------------------------------------------------------------- members and public


def _private_feed_url(request: HttpRequest, assembly: Assembly, user: User) -> str:
    token = calendar_token(
        user_id=user.pk,
        assembly_id=assembly.pk,
        generation=selectors.calendar_link_generation(user_id=user.pk, assembly=assembly),
    )
    path = reverse("programme:private_feed", kwargs={"slug": assembly.slug, "token": token})
    return request.build_absolute_uri(path)


@login_required
def my_programme(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=PROGRAMME_ROLES)
    weekends = selectors.programme_for(assembly=assembly, published_only=False)
    today = timezone.localdate()
    upcoming = selectors.next_weekend_in(weekends, today=today)
    others = [weekend for weekend in weekends if weekend != upcoming]
    feed_url = _private_feed_url(request, assembly, user)
    return render(
        request,
        "sessions/schedule/my_programme.html",
        {
            "assembly": assembly,
            "upcoming": upcoming,
            "upcoming_is_now": upcoming is not None and upcoming.starts_on <= today,
            "upcoming_materials": selectors.materials_to_read(upcoming) if upcoming else [],
            "later": [w for w in others if w.ends_on >= today],
            "past": [w for w in others if w.ends_on < today],
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        },
    )


@login_required
@require_POST
def calendar_link_renew(request: HttpRequest, slug: str) -> HttpResponse:
    user = access.request_user(request)
    assembly = access.get_assembly_for_roles(user=user, slug=slug, roles=PROGRAMME_ROLES)
    services.calendar_link_renew(user=user, assembly=assembly)
    messages.success(
        request,
        _(
            "U hebt een nieuwe agenda-link. De oude link werkt niet meer. Zet de nieuwe link "
            "in uw agenda en haal de oude agenda daar weg."
        ),
    )
    url = reverse("programme:my_programme", kwargs={"slug": assembly.slug})
    return redirect(f"{url}#calendar-title")


def public_programme(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    weekends = selectors.programme_for(
        assembly=assembly,
        published_only=True,
        material_statuses=selectors.PUBLIC_MATERIAL_STATUSES,
    )
    feed_path = _public_feed_path(assembly)
    feed_url = request.build_absolute_uri(feed_path)
    return render(
        request,
        "sessions/schedule/public_programme.html",
        {
            "assembly": assembly,
            "weekends": weekends,
            "feed_path": feed_path,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        },
    )


def _calendar_response(content: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=900"
    return response


# ?taal=en on the public feed: a calendar app sends no cookie, so the link
# itself carries the language of the page it was taken from.
FEED_LANGUAGE = "taal"


def _public_feed_path(assembly: Assembly) -> str:
    path = reverse("programme:public_feed", kwargs={"slug": assembly.slug})
    language = translation.get_language() or settings.LANGUAGE_CODE
    if offered_language(language) == settings.LANGUAGE_CODE:
        return path
    return f"{path}?{urlencode({FEED_LANGUAGE: offered_language(language)})}"


def public_feed(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    weekends = selectors.programme_for(
        assembly=assembly, published_only=False, material_statuses=None
    )
    language = offered_language(request.GET.get(FEED_LANGUAGE, ""))
    with translation.override(language):
        name = assembly.shown_name
    content = calendars.calendar_build(
        assembly=assembly, name=name, weekends=weekends, language=language
    )
    return _calendar_response(content, f"{assembly.slug}.ics", private=not assembly.is_public)


def private_feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A member's own feed: the link is the key, so calendar apps need no login."""
    ids = calendar_token_ids(token)
    assembly = get_object_or_404(Assembly, slug=slug)
    if ids is None or ids[1] != assembly.pk:
        raise Http404
    if ids[2] != selectors.calendar_link_generation(user_id=ids[0], assembly=assembly):
        raise Http404  # the member made a new link: this one no longer works
    if not selectors.user_has_role_in(user_id=ids[0], assembly=assembly):
        raise Http404  # the role ended: the link no longer works
    weekends = selectors.programme_for(
        assembly=assembly, published_only=False, material_statuses=None
    )
    # A calendar app sends no cookie: the feed is in the language the member reads.
    reader = User.objects.filter(pk=ids[0]).values_list("language", flat=True).first()
    language = offered_language(reader or "")
    with translation.override(language):
        name = _("%(name)s – mijn programma") % {"name": assembly.shown_name}
    content = calendars.calendar_build(
        assembly=assembly, name=name, weekends=weekends, language=language
    )
    return _calendar_response(content, f"{assembly.slug}-mijn-programma.ics", private=True)


def weekend_ics(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = access.get_visible_assembly(user=request.user, slug=slug)  # type: ignore[arg-type]
    weekend = selectors.weekend_get(assembly=assembly, number=number)
    weekend = selectors.weekend_with_sessions(weekend_id=weekend.pk)
    name = _("%(name)s – weekend %(number)s") % {"name": assembly.shown_name, "number": number}
    # The download is for whoever reads this page: in their language, as its name.
    content = calendars.calendar_build(
        assembly=assembly, name=name, weekends=[weekend], language=translation.get_language()
    )
    response = _calendar_response(
        content, f"{assembly.slug}-weekend-{number}.ics", private=not assembly.is_public
    )
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}-weekend-{number}.ics"'
    return response
