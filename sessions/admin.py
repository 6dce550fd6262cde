from django.contrib import admin
from django.http import HttpRequest

from sessions.models import ProgrammeReminder, Session, Weekend


class SessionInline(admin.TabularInline[Session, Weekend]):
    model = Session
    fields = ["starts_at", "ends_at", "title", "kind", "room", "position"]
    extra = 0
    ordering = ["starts_at", "position"]


@admin.register(Weekend)
class WeekendAdmin(admin.ModelAdmin[Weekend]):
    list_display = ["assembly", "number", "starts_on", "ends_on", "city", "published_at"]
    list_filter = ["assembly"]
    inlines = [SessionInline]


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
