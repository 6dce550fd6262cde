from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy

from assembly import access
from sessions.models import ProgrammeReminder, Session, Weekend
from sessions.services import weekends as weekend_services
from sessions.services.schedule import ScheduleRefused


class SessionInline(admin.TabularInline[Session, Weekend]):
    # Shown, not edited: the organiser's programme page changes sessions through
    # the schedule service, which tells members. An edit here would also save the
    # times the form was loaded with, over the times a moved weekend just gave them.
    model = Session
    fields = ("starts_at", "ends_at", "title", "kind", "room", "position")
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
        help_texts = {
            "starts_on": gettext_lazy(
                "Verschuift u het hele weekend? Dan schuiven de onderdelen mee."
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if self.instance.pk is None or starts_on is None or ends_on is None:
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


@admin.register(Weekend)
class WeekendAdmin(admin.ModelAdmin[Weekend]):
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

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ScheduleRefused as refusal:
            # The form's check passed, but the edit refused under its lock (a
            # session was added meanwhile). The admin's transaction rolled back.
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin[Session]):
    list_display = ["title", "weekend", "kind", "starts_at", "ends_at", "room"]
    list_filter = ["weekend__assembly", "kind"]
    list_select_related = ["weekend"]
    filter_horizontal = ["experts"]


@admin.register(ProgrammeReminder)
class ProgrammeReminderAdmin(admin.ModelAdmin[ProgrammeReminder]):
    # Who got which reminder: read only, the rows are the claims that stop a second send.
    list_display = ["weekend", "kind", "key", "user_id", "sent_at"]
    list_filter = ["kind", "weekend__assembly"]
    readonly_fields = ["user", "weekend", "kind", "key", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


from sessions import admin_materials  # noqa: E402,F401  (registers Perspective, Expert, Material)
