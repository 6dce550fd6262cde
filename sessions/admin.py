from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from assembly import access
from assembly.forms import MANY_TO_MANY_IN_RANGE
from sessions.models import ProgrammeReminder, Session, Weekend
from sessions.services import schedule as schedule_services
from sessions.services import weekends as weekend_services
from sessions.services.schedule import ScheduleRefused


class SessionInline(admin.TabularInline[Session, Weekend]):
    # Shown, not edited: the organiser's programme page changes sessions through
    # the schedule service, which tells members. An edit here would also save the
    # times the form was loaded with, over the times a moved weekend just gave them.
    model = Session
    fields = ("starts_at", "ends_at", "title", "kind", "room", "position", "cancelled_at")
    readonly_fields = fields
    extra = 0
    ordering = ["starts_at", "position"]

    def has_add_permission(self, request: HttpRequest, obj: Weekend | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Weekend | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Weekend | None = None) -> bool:
        return False


class WeekendAdminForm(forms.ModelForm[Weekend]):
    """Shows the refusal of new dates beside the date the admin changed, with the
    words the organiser's page uses: the check is the service's own."""

    class Meta:
        model = Weekend
        fields = ["assembly", "number", *weekend_services.WEEKEND_FIELDS, "published_at"]
        help_texts = {"starts_on": weekend_services.MOVE_HELP}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on is None or ends_on is None:
            return cleaned
        if self.instance.pk is None:
            assembly = cleaned.get("assembly")
            if assembly is not None and ends_on >= starts_on:
                try:
                    weekend_services.check_weekend_days_free(
                        assembly_id=assembly.pk, starts_on=starts_on, ends_on=ends_on
                    )
                except ScheduleRefused as refusal:
                    self.add_error("starts_on", str(refusal))
            return cleaned
        try:
            weekend_services.check_weekend_update(
                weekend=self.instance, data={"starts_on": starts_on, "ends_on": ends_on}
            )
        except ScheduleRefused as refusal:
            # On a field: the model's own date-order constraint then stays quiet
            # instead of adding its technical message.
            field = "starts_on" if "starts_on" in self.changed_data else "ends_on"
            self.add_error(field, str(refusal))
        return cleaned


class RefusedUnderLockAsMessage:
    """For an admin whose form checks with the schedule service's check_*: the
    write checks again under its lock, and may still refuse (a session was
    added, a room taken meanwhile). The admin's transaction has rolled back;
    the refusal is shown as a message on the same page instead of a 500."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc,no-any-return]
                request, object_id, form_url, extra_context
            )
        except ScheduleRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Weekend)
class WeekendAdmin(RefusedUnderLockAsMessage, admin.ModelAdmin[Weekend]):
    """An existing weekend is saved through weekends.weekend_update, as on the
    organiser's page: sessions move along, members and experts get the e-mail,
    reminders follow the new dates, and the same refusals apply."""

    form = WeekendAdminForm
    list_display = ["assembly", "number", "starts_on", "ends_on", "city", "published_at"]
    list_filter = ["assembly"]
    inlines = [SessionInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Weekend | None = None
    ) -> list[str] | tuple[str, ...]:
        # Publishing sends the notice that the programme is ready and starts the
        # reminders: only the organiser's page does that (schedule.weekend_publish).
        # Assembly and number are not part of the edit the service makes.
        if obj is None:
            return ["published_at"]
        return ["assembly", "number", "published_at"]

    def save_model(self, request: HttpRequest, obj: Weekend, form: Any, change: bool) -> None:
        if not change:
            # Not published yet (see get_readonly_fields): nobody to tell.
            super().save_model(request, obj, form, change)
            return
        data = {
            name: form.cleaned_data[name]
            for name in weekend_services.WEEKEND_FIELDS
            if name in form.cleaned_data
        }
        weekend_services.weekend_update(weekend=obj, data=data, actor=access.request_user(request))


class SessionAdminForm(forms.ModelForm[Session]):
    """Shows a refusal beside the field it is about (times, room, experts), with
    the words the organiser's page uses: the check is the schedule service's own."""

    class Meta:
        model = Session
        fields = ["weekend", *schedule_services.SESSION_FIELDS, "experts", "position"]

    def session_data(self) -> dict[str, Any]:
        """What the schedule service writes, as cleaned."""
        return {
            name: self.cleaned_data[name]
            for name in schedule_services.SESSION_FIELDS
            if name in self.cleaned_data
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("starts_at") is None or cleaned.get("ends_at") is None:
            return cleaned  # a time with its own error: nothing to check yet
        try:
            if self.instance.pk is None:
                if cleaned.get("weekend") is None:
                    return cleaned
                schedule_services.check_session_create(
                    weekend=cleaned["weekend"],
                    data=self.session_data(),
                    experts=cleaned.get("experts"),
                )
            else:
                schedule_services.check_session_update(
                    session=self.instance, data=self.session_data(), experts=cleaned.get("experts")
                )
        except ScheduleRefused as refusal:
            # On a field: the model's own time-order constraint then stays quiet
            # instead of adding its technical message.
            self.add_error(refusal.field if refusal.field in self.fields else None, str(refusal))
        return cleaned


@admin.register(Session)
class SessionAdmin(RefusedUnderLockAsMessage, admin.ModelAdmin[Session]):
    """Sessions are added, changed and deleted through the schedule service, as
    on the organiser's page: the same refusals (on a day of the weekend, room
    free, experts of this assembly), the e-mail to members and experts once the
    programme is published, the audit line, and expert reminders that follow a
    new day."""

    form = SessionAdminForm
    formfield_overrides = MANY_TO_MANY_IN_RANGE
    list_display = ["title", "weekend", "kind", "starts_at", "ends_at", "room", "cancelled_at"]
    list_filter = ["weekend__assembly", "kind"]
    list_select_related = ["weekend"]
    filter_horizontal = ["experts"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Session | None = None
    ) -> list[str] | tuple[str, ...]:
        # The service keeps the order by time itself (and the organiser's page
        # swaps sessions); it never moves a session to another weekend.
        # Deleting a session of a published programme cancels it; the organiser's
        # page restores it (with the checks of a new session).
        if obj is None:
            return ["position"]
        return ["weekend", "position", "cancelled_at"]

    def save_model(self, request: HttpRequest, obj: Session, form: Any, change: bool) -> None:
        actor = access.request_user(request)
        experts = form.cleaned_data.get("experts")
        if change:
            schedule_services.session_update(
                session=obj, data=form.session_data(), experts=experts, actor=actor
            )
        else:
            created = schedule_services.session_create(
                weekend=form.cleaned_data["weekend"],
                data=form.session_data(),
                experts=experts,
                actor=actor,
            )
            obj.pk = created.pk
        # As saved: the admin's message and log name the session, the service set its place.
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The service set the experts; the form's own save would write them again, beside it.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Session) -> None:
        schedule_services.session_delete(session=obj, actor=access.request_user(request))

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before delete_model and delete_queryset: a session of a published
        # programme then stays, cancelled, so the history says "changed", not
        # "deleted" (and nothing for one that was cancelled already).
        sessions = list(queryset)
        deleted = [session for session in sessions if session.weekend.published_at is None]
        cancelled = [
            session
            for session in sessions
            if session.weekend.published_at is not None and session.cancelled_at is None
        ]
        entries: list[LogEntry] = []
        if deleted:
            entries += super().log_deletions(
                request, Session.objects.filter(pk__in=[session.pk for session in deleted])
            )
        if cancelled:
            entries += LogEntry.objects.log_actions(
                user_id=access.request_user(request).pk,
                queryset=cancelled,
                action_flag=CHANGE,
                change_message=_("Vervalt"),
            )
        return entries

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        # All or none; in weekend order, the order in which the service locks them.
        actor = access.request_user(request)
        with transaction.atomic():
            for session in queryset.select_related("weekend").order_by("weekend_id", "pk"):
                schedule_services.session_delete(session=session, actor=actor)

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        # Still there: the programme is published, so the service cancelled it.
        if not Session.objects.filter(pk=obj_id).exists():
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(request, _cancelled_message(), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:assembly_sessions_session_changelist"))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = dict(super().get_actions(request))
        entry = actions.get("delete_selected")
        if entry is not None:
            _func, name, description = entry
            actions["delete_selected"] = (_delete_or_cancel_selected, name, description)
        return actions


def _cancelled_message() -> str:
    # The words of the organiser's page (views.schedule.session_delete).
    return _("Het onderdeel vervalt. Het blijft in het programma staan, met ‘Vervalt’ erbij.")


def _delete_or_cancel_selected(
    modeladmin: SessionAdmin, request: HttpRequest, queryset: QuerySet[Session]
) -> HttpResponse | None:
    """Django's "delete selected", which then says "deleted" only of what was
    deleted: a session of a published programme is cancelled (session_delete),
    and the admin says so, as for a single one."""
    if not request.POST.get("post"):
        return admin_actions.delete_selected(modeladmin, request, queryset)  # the question
    published = queryset.filter(weekend__published_at__isnull=False)
    with transaction.atomic():
        # Django's own action for the rest: its checks, log lines and message.
        response = admin_actions.delete_selected(
            modeladmin, request, queryset.filter(weekend__published_at__isnull=True)
        )
        if response is not None or not published.exists():
            return response
        modeladmin.log_deletions(request, published)
        modeladmin.delete_queryset(request, published)
    modeladmin.message_user(request, _cancelled_message(), messages.SUCCESS)
    return None


@admin.register(ProgrammeReminder)
class ProgrammeReminderAdmin(admin.ModelAdmin[ProgrammeReminder]):
    # Who got which reminder: read only, the rows are the claims that stop a second send.
    list_display = ["weekend", "kind", "key", "user_id", "sent_at"]
    list_filter = ["kind", "weekend__assembly"]
    readonly_fields = ["user", "weekend", "kind", "key", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


from sessions import admin_materials  # noqa: E402,F401  (registers Perspective, Expert, Material)
